// «Приёмка»: linking a code the catalog does not know to its item (DOMAIN 34). While the dialog
// is open the USB scanner looks items up instead of adding to the receiving: a scan of the
// item's known barcode finds it. Runs after scan_document.js (deferred).
"use strict";
// `doc()`: the receiving's scan document (made after this, as it asks `onLookup` and `active`).
goods.codeLinker = (doc) => {
  const $ = (id) => document.getElementById(id);
  const { h, tr } = goods;
  let linking = null; // the unknown code the dialog is for
  let chosen = null; // {sku, name} the link will use
  const linkDialog = $("link");

  async function open(unknown) {
    linking = unknown;
    chosen = null;
    clearTimeout(typing);
    asked += 1; // an answer for the last dialog is not this one's
    $("link-code").textContent = unknown.code;
    const times = goods.plural(unknown.scans, "раз", "раза", "раз");
    $("link-scans").textContent = tr(`Отсканирован ${unknown.scans} ${times}. После привязки это станет товаром на складе.`,
                                     `Scanned ${unknown.scans === 1 ? "once" : `${unknown.scans} times`}. Once linked it is counted as the item.`);
    $("link-item").value = "";
    goods.put($("link-found"));
    $("link-warn").textContent = "";
    $("link-pack").value = "1";
    $("link-learn").checked = true;
    linkDialog.showModal();
    $("link-item").focus();
    await doc().scanner.pause(); // the scanner now finds the item instead of adding to the receiving
  }

  // `items` a barcode or an article names; `byArticle`: the variants of one product, told apart
  // by their characteristics («красный, XS»).
  function chooseForLink(items, byArticle) {
    $("link-warn").textContent = "";
    if (items.length === 1) {
      pick(items[0]);
      return;
    }
    const product = byArticle ? items[0].name.replace(/ \(.*\)$/, "") : "";
    const ask = byArticle
      ? tr(`У товара «${product}» несколько модификаций — выберите:`, `«${product}» has several variants: choose one:`)
      : tr("Код есть у нескольких товаров — выберите:", "The code belongs to several items: choose one:");
    goods.put($("link-found"), h("p", {}, ask),
      h("div", { class: "choices" }, items.map((item) => {
        const label = byArticle && item.values ? `${item.values} · ${item.sku}` : goods.item(item.name, item.sku);
        const button = h("button", { type: "button", class: "choice", "data-sku": item.sku }, label);
        button.addEventListener("click", () => pick(item));
        return button;
      })));
  }

  function pick(item) {
    chosen = { sku: item.sku, name: item.name };
    $("link-item").value = item.sku;
    const stock = item.on_hand !== undefined ? tr(` · на складе ${item.on_hand}`, ` · on hand ${item.on_hand}`) : "";
    goods.put($("link-found"), goods.badge("ok", tr("будет привязан", "will be linked")), " ", h("strong", {}, goods.item(item.name, item.sku)), stock);
  }

  // What the typed text names (a known barcode, a variant's sku or a product's article), shown
  // as it is typed: the person sees the item before linking. Only the latest answer counts.
  let asked = 0;
  let typing = null;
  async function find() {
    clearTimeout(typing);
    const text = $("link-item").value.trim();
    const mine = ++asked;
    if (!text) {
      goods.put($("link-found"));
      return;
    }
    const found = await goods.get(`/api/receivings/link-items?text=${encodeURIComponent(text)}`);
    if (mine !== asked || !found || !linking) return;
    if (found.items.length) {
      chooseForLink(found.items, found.by === "article");
      return;
    }
    goods.put($("link-found"), goods.badge("bad", tr("не найден", "not found")), " ",
      tr(`Нет товара или модификации с артикулом или штрихкодом «${text}»`, `No item or variant has the article or barcode «${text}»`));
  }
  $("link-item").addEventListener("input", () => {
    chosen = null;
    clearTimeout(typing);
    typing = setTimeout(find, 300);
  });
  $("link-item").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    find().then(() => { if (chosen) $("link-pack").focus(); });
  });

  $("link-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goods.once($("link-do"), async () => {
      const pack = storegw.wholeNumber($("link-pack").value.trim(), 1);
      if (!chosen) { // the item is shown before it is linked: found now, linked on the next tap
        await find();
        if (!chosen) {
          $("link-warn").textContent = $("link-item").value.trim()
            ? tr("Выберите, какой это товар.", "Choose which item it is.")
            : tr("Отсканируйте штрихкод товара или введите артикул товара или модификации.", "Scan the item's barcode or type the article of the product or of its variant.");
          $("link-item").focus();
        }
        return;
      }
      const sku = chosen.sku;
      if (pack === null) {
        $("link-warn").textContent = tr("Введите целое число штук в упаковке, от 1 до 1 000 000.", "Type the units in a pack: a whole number from 1 to 1,000,000.");
        return;
      }
      const learn = $("link-learn").checked;
      const answer = await doc().send("/resolve", { code: linking.code, sku, pack, learn });
      if (!answer.ok) {
        $("link-warn").textContent = answer.text;
        return;
      }
      const done = answer.data;
      doc().last = { line: done.sku, added: done.added };
      const text = tr(
        `Код ${done.code} привязан: ${goods.item(done.name, done.sku)}, ${goods.signed(done.added)} → ${goods.units(done.qty)} ${done.learned ? "Код запомнен." : "Только в этой приёмке."}`,
        `Code ${done.code} linked: ${goods.item(done.name, done.sku)}, ${goods.signed(done.added)} → ${goods.units(done.qty)}. ${done.learned ? "The code is remembered." : "For this receiving only."}`);
      linkDialog.close();
      goods.say(text, "ok");
      doc().feed("ok", text);
    });
  });
  $("link-cancel").addEventListener("click", () => linkDialog.close());
  linkDialog.addEventListener("close", async () => {
    linking = null;
    await doc().scanner.resume();
    await doc().refresh();
    $("code").focus();
  });

  // A scan that did not go into the receiving: while linking, it finds the item.
  function onLookup(entry) {
    if (!linking) return false;
    if (entry.found) {
      if ((entry.found.items || []).length) chooseForLink(entry.found.items, false);
      return true;
    }
    if (entry.ok || entry.target) return false;
    if (!entry.reason) {
      $("link-warn").textContent = tr("Этот код тоже неизвестен: отсканируйте другой штрихкод товара или введите артикул товара или модификации.",
                                      "This code is unknown too: scan another barcode of the item or type the article of the product or of its variant.");
      return true;
    }
    $("link-warn").textContent = doc().entryText(entry); // and the feed says it too
    return false;
  }

  return { open, onLookup, active: () => linking !== null };
};

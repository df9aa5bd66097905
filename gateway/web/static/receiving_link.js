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

  function chooseForLink(items) {
    $("link-warn").textContent = "";
    if (!items.length) return;
    if (items.length === 1) {
      pick(items[0]);
      return;
    }
    goods.put($("link-found"), h("p", {}, tr("Код есть у нескольких товаров — выберите:", "The code belongs to several items: choose one:")),
      h("div", { class: "choices" }, items.map((item) => {
        const button = h("button", { type: "button", class: "choice" }, goods.item(item.name, item.sku));
        button.addEventListener("click", () => pick(item));
        return button;
      })));
  }

  function pick(item) {
    chosen = { sku: item.sku, name: item.name };
    $("link-item").value = item.sku;
    const stock = item.on_hand !== undefined ? tr(` · на складе ${item.on_hand}`, ` · on hand ${item.on_hand}`) : "";
    goods.put($("link-found"), goods.badge("ok", tr("найден", "found")), " ", h("strong", {}, goods.item(item.name, item.sku)), stock);
  }

  // Enter in the item field: a barcode finds the item; anything else is taken as a sku.
  $("link-item").addEventListener("keydown", async (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const text = $("link-item").value.trim();
    if (!text) return;
    const answer = await goods.request(`/api/lookup?code=${encodeURIComponent(text)}`);
    if (answer.ok && answer.data.items && answer.data.items.length) {
      chooseForLink(answer.data.items);
    } else {
      chosen = { sku: text, name: null };
      goods.put($("link-found"), goods.badge("wait", tr("артикул", "sku")), " ",
        tr(`«${text}» — проверится при привязке`, `«${text}»: checked when you link`));
    }
    $("link-pack").focus();
  });
  $("link-item").addEventListener("input", () => {
    chosen = null;
    goods.put($("link-found"));
  });

  $("link-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goods.once($("link-do"), async () => {
      const sku = chosen ? chosen.sku : $("link-item").value.trim();
      const pack = storegw.wholeNumber($("link-pack").value, 1);
      if (!sku) {
        $("link-warn").textContent = tr("Отсканируйте штрихкод товара или введите артикул.", "Scan the item's barcode or type its sku.");
        $("link-item").focus();
        return;
      }
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
      chooseForLink(entry.found.items || []);
      return true;
    }
    if (entry.ok || entry.target) return false;
    if (!entry.reason) {
      $("link-warn").textContent = tr("Этот код тоже неизвестен: отсканируйте другой штрихкод товара или введите артикул.",
                                      "This code is unknown too: scan another barcode of the item or type its sku.");
      return true;
    }
    $("link-warn").textContent = doc().entryText(entry); // and the feed says it too
    return false;
  }

  return { open, onLookup, active: () => linking !== null };
};

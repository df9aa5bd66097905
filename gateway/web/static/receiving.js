// «Приёмка»: start or continue a receiving, scan the delivery into it (the USB scanner or the
// code field), correct counts, link unknown codes, then post it once and say what happened.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  const { h, tr } = goods;
  const views = { choose: $("choose"), doc: $("doc"), done: $("done") };
  const feed = $("feed");
  const feedEmpty = $("feed-empty");
  let docId = null;
  let view = null; // the open document as last read
  let drawn = ""; // what the lines show, to redraw only on a change
  let last = null; // {line, added}: the line the last scan counted on (DOMAIN 33)
  let stopPolling = null;
  let linking = null; // the unknown code the link dialog is for
  const scanner = goods.scanner("receiving", $("scanner-state"), onScannerEntry);
  scanner.releaseOnLeave();
  const heading = document.querySelector("h1");
  const pageTitle = heading.textContent;

  const WORDS = {
    empty: ["Приёмка пуста: сначала отсканируйте товар.", "The receiving is empty: scan the goods first."],
    unresolved_codes: [
      "Пока вы подтверждали, появились неизвестные коды — посмотрите на них и нажмите «Провести» ещё раз.",
      "Unknown codes appeared meanwhile: look at them and press «Post» again.",
    ],
    barcode_taken: [
      "Этот код в каталоге уже у другого товара. Снимите «Запомнить код», чтобы привязать его только в этой приёмке, или исправьте каталог.",
      "The catalog already has this code on another item. Untick «Remember the code» to link it for this receiving only, or fix the catalog.",
    ],
    not_found: (detail) => {
      const sku = detail.startsWith("unknown sku ") ? detail.slice(12) : null;
      if (!sku) return "";
      return tr(`Нет товара с артикулом «${sku}»: проверьте артикул или отсканируйте штрихкод товара.`,
                `There is no item with sku «${sku}»: check the sku or scan the item's barcode.`);
    },
  };
  const RELOAD = new Set(["posted", "voided", "not_found", "invalid_transition"]);

  function show(name) {
    for (const [key, node] of Object.entries(views)) node.hidden = key !== name;
    if (name !== "doc") heading.textContent = pageTitle;
  }

  function scans(n) {
    return goods.en() ? `${n} scan${n === 1 ? "" : "s"}` : `${n} ${goods.plural(n, "скан", "скана", "сканов")}`;
  }

  function unknownCodes(n) {
    return goods.en() ? `${n} unknown code${n === 1 ? "" : "s"}`
      : `${n} ${goods.plural(n, "неизвестный код", "неизвестных кода", "неизвестных кодов")}`;
  }

  function who(name, iso) {
    return [name, goods.time(iso)].filter(Boolean).join(", ");
  }

  // --- no document open: start one or continue a draft -----------------------------------
  async function showChoose() {
    await leave();
    show("choose");
    const drafts = (await goods.get("/api/receivings")) || [];
    const list = $("drafts");
    goods.put(list, ...drafts.map((draft) => {
      const go = h("button", { type: "button", "data-doc": draft.doc_id }, tr("Продолжить", "Continue"));
      go.addEventListener("click", () => goods.once(go, () => open(draft.doc_id)));
      const ref = draft.supplier_ref ? tr(` · накладная ${draft.supplier_ref}`, ` · supplier's no. ${draft.supplier_ref}`) : "";
      return h("div", { class: "row" },
        h("div", { class: "what" }, h("strong", {}, draft.doc_id), ref,
          h("div", { class: "muted" }, tr("начата: ", "started: "), who(draft.created_by, draft.created_at))),
        h("div", { class: "ops" }, go));
    }));
    $("drafts-empty").hidden = drafts.length > 0;
  }

  $("start-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goods.once($("start"), async () => {
      const ref = $("supplier-ref").value.trim();
      const answer = await goods.request("/api/receivings", ref ? { supplier_ref: ref } : {}, WORDS);
      if (!answer.ok) return;
      $("supplier-ref").value = "";
      goods.say(tr(`Приёмка ${answer.data.doc_id} начата: сканируйте товар.`, `Receiving ${answer.data.doc_id} started: scan the goods.`), "ok");
      await open(answer.data.doc_id);
    });
  });

  // --- a draft open ------------------------------------------------------------------------
  async function open(id) {
    const answer = await goods.request(`/api/receivings/${encodeURIComponent(id)}`);
    if (!answer.ok) {
      goods.say(tr(`Приёмка ${id} не найдена.`, `Receiving ${id} not found.`), "bad");
      goods.setParam("doc", null);
      await showChoose();
      return;
    }
    docId = id;
    goods.setParam("doc", id);
    if (answer.data.status !== "draft") {
      showClosed(answer.data, null);
      return;
    }
    view = null;
    drawn = "";
    last = null;
    goods.put(feed);
    feedEmpty.hidden = false;
    show("doc");
    render(answer.data);
    await scanner.open(id);
    if (!stopPolling) stopPolling = goods.every(() => (linking ? 700 : 1500), tick);
    $("code").focus();
  }

  async function leave() {
    if (stopPolling) stopPolling();
    stopPolling = null;
    if (docId) await scanner.close(true);
    docId = null;
    view = null;
    goods.setParam("doc", null);
  }

  async function tick() {
    if (!docId) return;
    await scanner.poll();
    if (!linking) await refresh();
  }

  async function refresh() {
    if (!docId) return;
    const fresh = await goods.get(`/api/receivings/${encodeURIComponent(docId)}`);
    if (!fresh || fresh.doc_id !== docId) return;
    if (fresh.status !== "draft") {
      const id = docId;
      if (stopPolling) stopPolling();
      stopPolling = null;
      await scanner.close(true);
      showClosed(fresh, null);
      goods.say(fresh.status === "posted"
        ? tr(`Приёмку ${id} провели на другом планшете (${who(fresh.posted_by, fresh.posted_at)}).`, `Receiving ${id} was posted on another tablet (${who(fresh.posted_by, fresh.posted_at)}).`)
        : tr(`Приёмку ${id} отменили (${who(fresh.voided_by, fresh.voided_at)}).`, `Receiving ${id} was cancelled (${who(fresh.voided_by, fresh.voided_at)}).`), "wait");
      return;
    }
    render(fresh);
  }

  function render(doc) {
    view = doc;
    const signature = JSON.stringify([doc, last, storegw.lang]);
    if (signature === drawn) return;
    drawn = signature;
    heading.textContent = tr(`Приёмка ${doc.doc_id}`, `Receiving ${doc.doc_id}`);
    const ref = doc.supplier_ref ? tr(`накладная ${doc.supplier_ref} · `, `supplier's no. ${doc.supplier_ref} · `) : "";
    $("doc-meta").textContent = `${ref}${tr("начата: ", "started: ")}${who(doc.created_by, doc.created_at)}`;

    const summary = $("summary");
    goods.put(summary, doc.lines.length
      ? [tr("всего ", "total "), h("strong", { id: "total" }, goods.units(doc.total_units)), " ", goods.byPositions(doc.lines.length)]
      : tr("пока пусто", "empty so far"));

    const lines = $("lines");
    if (!doc.lines.length) {
      goods.put(lines, h("p", { class: "muted" }, tr(
        "Здесь появятся отсканированные товары. Сканируйте каждую штуку или коробку — число растёт с каждым сканом.",
        "Scanned goods show up here. Scan each unit or box: the number grows with every scan.")));
    } else {
      goods.put(lines, ...doc.lines.map(lineRow));
    }

    $("unknown-box").hidden = doc.unknown.length === 0;
    goods.put($("unknown"), ...doc.unknown.map(unknownRow));
    const highlighted = lines.querySelector(".row.last");
    if (highlighted) highlighted.scrollIntoView({ block: "nearest" });
  }

  function lineRow(line) {
    const isLast = last && last.line === line.sku;
    const minus = h("button", { type: "button", class: "step", "aria-label": tr("на одну меньше", "one less") }, "−");
    const plus = h("button", { type: "button", class: "step", "aria-label": tr("на одну больше", "one more") }, "+");
    const edit = h("button", { type: "button" }, tr("Изменить", "Change"));
    minus.addEventListener("click", () => goods.once(minus, () => step(line.sku, -1)));
    plus.addEventListener("click", () => goods.once(plus, () => step(line.sku, +1)));
    edit.addEventListener("click", () => goods.once(edit, () => editQty(line)));
    return h("div", { class: isLast ? "row last" : "row", "data-line": line.sku },
      h("div", { class: "what" },
        h("strong", {}, line.name || line.sku),
        h("div", { class: "muted" }, line.sku,
          line.archived ? [" ", goods.badge("off", tr("в архиве", "archived"))] : null,
          isLast ? [" ", h("span", { class: "justnow" }, `${goods.signed(last.added)} `, last.manual ? tr("вручную", "by hand") : tr("последний скан", "last scan"))] : null)),
      h("div", { class: "amount" }, h("span", { class: "count" }, String(line.qty)), h("span", { class: "muted" }, tr(" шт.", " pcs"))),
      h("div", { class: "ops" }, minus, plus, edit));
  }

  function unknownRow(unknown) {
    const isLast = last && last.line === unknown.code;
    const link = h("button", { type: "button", class: "link-btn" }, tr("Привязать", "Link"));
    const drop = h("button", { type: "button" }, tr("Убрать", "Remove"));
    link.addEventListener("click", () => openLink(unknown));
    drop.addEventListener("click", () => goods.once(drop, () => setQty(unknown.code, 0,
      tr(`Код ${unknown.code} убран из приёмки.`, `Code ${unknown.code} removed from the receiving.`))));
    return h("div", { class: isLast ? "row unknown last" : "row unknown", "data-code": unknown.code },
      h("div", { class: "what" }, h("code", { class: "barcode" }, unknown.code),
        isLast ? [" ", h("span", { class: "justnow" }, tr("последний скан", "last scan"))] : null),
      h("div", { class: "amount" }, h("span", { class: "count" }, String(unknown.scans)), h("span", { class: "muted" }, ` ${scans(unknown.scans).replace(/^\d+ /, "")}`)),
      h("div", { class: "ops" }, link, drop));
  }

  // --- scans ---------------------------------------------------------------------------------
  storegw.onCode($("code"), async (code) => {
    if (!docId) return;
    const answer = await goods.request(`/api/receivings/${encodeURIComponent(docId)}/scan`, { code }, WORDS);
    if (answer.ok) {
      await scanned(answer.data);
    } else {
      goods.feed(feed, feedEmpty, "bad", answer.text);
      if (RELOAD.has(answer.data && answer.data.error)) await refresh();
    }
  });

  function describe(result) {
    const what = goods.item(result.name, result.sku);
    switch (result.outcome) {
      case "counted":
        return { tone: "ok", text: `${goods.signed(result.added)} ${what} → ${goods.units(result.qty)}${result.archived ? tr(" (товар в архиве)", " (archived item)") : ""}` };
      case "unknown":
        return { tone: "wait", text: tr(`Неизвестный код ${result.code}: ${scans(result.qty)} — привяжите его к товару.`, `Unknown code ${result.code}: ${scans(result.qty)}; link it to an item.`) };
      case "ambiguous":
        return { tone: "wait", text: tr(`Код ${result.code} есть у нескольких товаров — выберите, какой это.`, `Code ${result.code} belongs to several items: choose which one.`) };
      case "repeat":
        return { tone: "bad", text: tr(`Этот код маркировки уже отсканирован в этой приёмке (${what}): одна штука — один скан.`, `This marking code was already scanned here (${what}): one unit, one scan.`) };
      default:
        return { tone: "bad", text: result.outcome };
    }
  }

  async function scanned(result, fromScanner) {
    const { tone, text } = describe(result);
    goods.feed(feed, feedEmpty, tone, text);
    goods.say(text, tone);
    if (result.outcome === "counted" || result.outcome === "unknown") last = { line: result.line, added: result.added };
    if (result.outcome === "ambiguous" && !goods.anyDialogOpen()) {
      const choice = await goods.choose(tr(`Какой товар с кодом ${result.code}?`, `Which item has code ${result.code}?`), result.candidates);
      if (choice) {
        const again = await goods.request(`/api/receivings/${encodeURIComponent(docId)}/scan`, { code: result.code, sku: choice.sku }, WORDS);
        if (again.ok) return scanned(again.data);
      }
    }
    if (!fromScanner) await refresh(); // the scanner's scans: the poll reads the document next
  }

  // A scan from the USB scanner, as the station's history tells it.
  function onScannerEntry(entry) {
    const target = entry.target;
    if (target && target.kind === "receiving" && target.id === docId && entry.result) {
      scanned(entry.result, true);
      return;
    }
    if (linking && entry.found) {
      chooseForLink(entry.found.items || []);
      return;
    }
    if (!entry.ok && !target) {
      let text = entry.reason ? goods.explain({ error: entry.reason, detail: entry.message || "" }, 0, WORDS) : goods.half(entry.message || "");
      if (linking && !entry.reason) {
        text = tr("Этот код тоже неизвестен: отсканируйте другой штрихкод товара или введите артикул.",
                  "This code is unknown too: scan another barcode of the item or type its sku.");
        $("link-warn").textContent = text;
        return;
      }
      goods.feed(feed, feedEmpty, "bad", text);
      goods.say(text, "bad");
      if (linking) $("link-warn").textContent = text;
    }
  }

  // --- corrections -----------------------------------------------------------------------
  async function setQty(line, qty, said) {
    const answer = await goods.request(`/api/receivings/${encodeURIComponent(docId)}/qty`, { line, qty }, WORDS);
    if (answer.ok) goods.say(said, "ok");
    await refresh();
    return answer.ok;
  }

  // ± one unit, counted from the document as it is now (a scan may have landed meanwhile).
  async function step(sku, delta) {
    const fresh = await goods.get(`/api/receivings/${encodeURIComponent(docId)}`);
    if (!fresh) return;
    const line = fresh.lines.find((row) => row.sku === sku);
    const next = (line ? line.qty : 0) + delta;
    if (next < 0) return;
    const name = goods.item(line && line.name, sku);
    last = { line: sku, added: delta, manual: true };
    await setQty(sku, next, next === 0
      ? tr(`${name}: строка убрана из приёмки.`, `${name}: the line is removed.`)
      : tr(`${name}: ${goods.units(next)}`, `${name}: ${goods.units(next)}`));
  }

  async function editQty(line) {
    const qty = await goods.askNumber({
      title: goods.item(line.name, line.sku),
      label: tr("Количество, шт. (0 — убрать строку)", "Quantity, units (0 removes the line)"),
      value: line.qty,
    });
    if (qty === null) return;
    last = { line: line.sku, added: qty - line.qty, manual: true };
    await setQty(line.sku, qty, tr(`${goods.item(line.name, line.sku)}: ${goods.units(qty)}`, `${goods.item(line.name, line.sku)}: ${goods.units(qty)}`));
    $("code").focus();
  }

  // --- linking an unknown code to an item ------------------------------------------------
  let chosen = null; // {sku, name} the link will use
  const linkDialog = $("link");

  async function openLink(unknown) {
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
    await scanner.pause(); // the scanner now finds the item instead of adding to the receiving
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
      const pack = Number($("link-pack").value);
      if (!sku) {
        $("link-warn").textContent = tr("Отсканируйте штрихкод товара или введите артикул.", "Scan the item's barcode or type its sku.");
        $("link-item").focus();
        return;
      }
      if (!Number.isInteger(pack) || pack < 1) {
        $("link-warn").textContent = tr("В упаковке — целое число штук, от 1.", "Units in a pack: a whole number from 1.");
        return;
      }
      const learn = $("link-learn").checked;
      const answer = await goods.request(`/api/receivings/${encodeURIComponent(docId)}/resolve`, { code: linking.code, sku, pack, learn }, WORDS);
      if (!answer.ok) {
        $("link-warn").textContent = answer.text;
        return;
      }
      const done = answer.data;
      last = { line: done.sku, added: done.added };
      const text = tr(
        `Код ${done.code} привязан: ${goods.item(done.name, done.sku)}, ${goods.signed(done.added)} → ${goods.units(done.qty)} ${done.learned ? "Код запомнен." : "Только в этой приёмке."}`,
        `Code ${done.code} linked: ${goods.item(done.name, done.sku)}, ${goods.signed(done.added)} → ${goods.units(done.qty)}. ${done.learned ? "The code is remembered." : "For this receiving only."}`);
      linkDialog.close();
      goods.say(text, "ok");
      goods.feed(feed, feedEmpty, "ok", text);
    });
  });
  $("link-cancel").addEventListener("click", () => linkDialog.close());
  linkDialog.addEventListener("close", async () => {
    linking = null;
    await scanner.resume();
    await refresh();
    $("code").focus();
  });

  // --- post, void, leave ---------------------------------------------------------------
  $("post").addEventListener("click", () => goods.once($("post"), async () => {
    const fresh = await goods.get(`/api/receivings/${encodeURIComponent(docId)}`);
    if (!fresh) return;
    render(fresh);
    const positions = fresh.lines.length;
    const unknown = fresh.unknown.length;
    if (!positions && !unknown) {
      goods.say(WORDS.empty[goods.en() ? 1 : 0], "bad");
      return;
    }
    const yes = await goods.confirm({
      text: positions
        ? tr(`Добавить на склад ${goods.units(fresh.total_units)} ${goods.byPositions(positions)}?`, `Add ${goods.units(fresh.total_units)} ${goods.byPositions(positions)} to stock?`)
        : tr("Ни один товар не опознан: на склад ничего не добавится.", "No item was recognised: nothing is added to stock."),
      warn: unknown
        ? tr(`${unknownCodes(unknown)} не ${unknown % 10 === 1 && unknown % 100 !== 11 ? "попадёт" : "попадут"} на склад — провести?`, `${unknownCodes(unknown)} will not be added to stock: post anyway?`)
        : null,
      yes: tr("Провести", "Post"),
    });
    if (!yes) return;
    const answer = await goods.request(`/api/receivings/${encodeURIComponent(docId)}/post`, { allow_unresolved: unknown > 0 }, WORDS);
    if (!answer.ok) {
      await refresh();
      return;
    }
    const id = docId;
    if (stopPolling) stopPolling();
    stopPolling = null;
    await scanner.close(false); // posting frees the scanner
    showClosed({ ...answer.data, lines: withNames(answer.data.lines, fresh.lines) }, answer.data);
    const added = answer.data.lines.reduce((sum, line) => sum + line.qty, 0);
    const printed = answer.data.print_job ? tr(" Отчёт о приёмке отправлен на принтер.", " The receiving report is sent to the printer.") : "";
    goods.say(answer.data.already
      ? tr(`Приёмка ${id} уже была проведена: повторно ничего не добавлено.`, `Receiving ${id} was already posted: nothing added again.`)
      : tr(`Приёмка ${id} проведена: на склад добавлено ${goods.units(added)} ${goods.byPositions(answer.data.lines.length)}.${printed}`,
           `Receiving ${id} posted: ${goods.units(added)} ${goods.byPositions(answer.data.lines.length)} added to stock.${printed}`), "ok");
  }));

  function withNames(lines, named) {
    const names = Object.fromEntries(named.map((line) => [line.sku, line.name]));
    return lines.map((line) => ({ ...line, name: line.name || names[line.sku] }));
  }

  $("void").addEventListener("click", () => goods.once($("void"), async () => {
    const fresh = (await goods.get(`/api/receivings/${encodeURIComponent(docId)}`)) || view;
    const parts = [];
    if (fresh.total_units) parts.push(goods.units(fresh.total_units));
    if (fresh.unknown.length) parts.push(unknownCodes(fresh.unknown.length));
    const yes = await goods.confirm({
      text: tr(`Отменить приёмку ${docId}?`, `Cancel receiving ${docId}?`),
      warn: tr(`Отсканированное${parts.length ? ` (${parts.join(", ")})` : ""} не попадёт на склад, документ будет закрыт.`,
               `What was scanned${parts.length ? ` (${parts.join(", ")})` : ""} is not added to stock; the document is closed.`),
      yes: tr("Отменить приёмку", "Cancel receiving"),
      danger: true,
    });
    if (!yes) return;
    const id = docId;
    const answer = await goods.request(`/api/receivings/${encodeURIComponent(id)}/void`, {}, WORDS);
    if (!answer.ok) {
      await refresh();
      return;
    }
    await showChoose();
    goods.say(tr(`Приёмка ${id} отменена: на склад ничего не добавлено.`, `Receiving ${id} cancelled: nothing was added to stock.`), "ok");
  }));

  $("back").addEventListener("click", () => goods.once($("back"), showChoose));
  $("again").addEventListener("click", async () => {
    await showChoose();
    $("supplier-ref").focus();
  });

  // --- posted or voided: what happened ----------------------------------------------------
  function showClosed(doc, posted) {
    show("done");
    const box = $("done-text");
    const lines = doc.lines || [];
    $("reprint").hidden = true;
    goods.put($("print-state"));
    if (doc.status === "voided") {
      goods.put($("done-title"), goods.badge("off", tr("отменена", "cancelled")), " ", tr(`Приёмка ${doc.doc_id}`, `Receiving ${doc.doc_id}`));
      goods.put(box, h("p", {}, tr(`Отменил(а): ${who(doc.voided_by, doc.voided_at)}. На склад ничего не добавлено.`, `Cancelled by ${who(doc.voided_by, doc.voided_at)}. Nothing was added to stock.`)));
      goods.put($("done-lines"));
      return;
    }
    const added = lines.reduce((sum, line) => sum + line.qty, 0);
    goods.put($("done-title"), goods.badge("off", tr("проведена", "posted")), " ", tr(`Приёмка ${doc.doc_id}`, `Receiving ${doc.doc_id}`));
    const said = [
      h("p", {}, tr(`На склад добавлено ${goods.units(added)} ${goods.byPositions(lines.length)}.`, `${goods.units(added)} ${goods.byPositions(lines.length)} added to stock.`),
        " ", h("span", { class: "muted" }, tr(`Провёл(а): ${who(doc.posted_by, doc.posted_at)}`, `Posted by ${who(doc.posted_by, doc.posted_at)}`))),
    ];
    const orders = (posted && (posted.filled_orders || posted.orders)) || [];
    if (orders.length) {
      said.push(h("p", {}, goods.badge("ok", tr("заказы", "orders")), " ",
        tr(`Товар получили ожидавшие заказы: ${orders.map((o) => o.number || o.order_id || o).join(", ")}.`, `Waiting orders got their goods: ${orders.map((o) => o.number || o.order_id || o).join(", ")}.`)));
    }
    const unknown = doc.unknown_codes || (doc.unknown || []).map((u) => u.code);
    if (unknown.length) {
      said.push(h("p", {}, goods.badge("wait", tr("не на складе", "not in stock")), " ",
        tr(`Неизвестные коды не попали на склад: ${unknown.join(", ")}. Они переданы в облако для сопоставления.`, `Unknown codes were not added to stock: ${unknown.join(", ")}. They are sent to the cloud to be mapped.`)));
    }
    const resolved = doc.resolved_codes || [];
    if (resolved.length) {
      said.push(h("p", { class: "muted" }, tr("Привязанные коды: ", "Linked codes: "),
        resolved.map((link) => `${link.code} → ${link.sku}${link.pack > 1 ? ` ×${link.pack}` : ""}${link.learned ? tr(" (запомнен)", " (remembered)") : ""}`).join(", ")));
    }
    goods.put(box, ...said);
    goods.put($("done-lines"), ...lines.map((line) => h("div", { class: "row" },
      h("div", { class: "what" }, h("strong", {}, line.name || line.sku), h("div", { class: "muted" }, line.sku)),
      h("div", { class: "amount" }, h("span", { class: "count" }, `+${line.qty}`), h("span", { class: "muted" }, tr(" шт.", " pcs"))))));
    if (posted && posted.print_job) trackPrint(posted.print_job);
    else if (posted && !posted.already) goods.put($("print-state"), goods.badge("off", tr("принтер", "printer")), " ", tr("Принтер не настроен: отчёт о приёмке не печатался.", "No printer is set up: the receiving report was not printed."));
  }

  // The receiving report on paper: follow its print job until it is out (or says why not).
  async function trackPrint(jobId) {
    const state = $("print-state");
    const started = Date.now();
    let job = jobId;
    const reprint = $("reprint");
    reprint.onclick = () => goods.once(reprint, async () => {
      const answer = await goods.request(`/api/print/${job}/reprint`, {});
      if (!answer.ok) return;
      job = answer.data.print_job_id;
      reprint.hidden = true;
      goods.say(tr("Отчёт о приёмке отправлен на принтер ещё раз.", "The receiving report is sent to the printer again."), "ok");
      follow();
    });
    const follow = async () => {
      for (;;) {
        const jobs = (await goods.get("/api/print?limit=50")) || [];
        const found = jobs.find((row) => row.id === job);
        const waited = (Date.now() - started) / 1000;
        if (found && found.state === "done") {
          goods.put(state, goods.badge("ok", tr("напечатан", "printed")), " ", tr("Отчёт о приёмке напечатан.", "The receiving report is printed."));
          reprint.hidden = false;
          return;
        }
        if (found && (found.state === "failed" || found.state === "unknown")) {
          goods.put(state, goods.badge("bad", tr("не напечатан", "not printed")), " ",
            tr("Отчёт о приёмке не напечатан: проверьте принтер (бумага, крышка) и нажмите «Напечатать отчёт ещё раз».",
               "The receiving report did not print: check the printer (paper, cover) and press «Print the report again»."));
          reprint.hidden = false;
          return;
        }
        goods.put(state, goods.badge("wait", tr("печатается", "printing")), " ", waited > 8
          ? tr("Отчёт о приёмке ждёт принтер — посмотрите состояние принтера вверху экрана.", "The receiving report waits for the printer: see the printer's state at the top.")
          : tr("Отчёт о приёмке печатается…", "The receiving report is printing…"));
        if (views.done.hidden || waited > 120) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    await follow();
  }

  // --- start -----------------------------------------------------------------------------
  goods.hint("receiving");
  (async () => {
    const asked = new URLSearchParams(window.location.search).get("doc");
    if (asked) return open(asked);
    // The scanner still points at a draft (this tablet was reloaded): continue it.
    const snapshot = await goods.get("/api/scanner");
    const target = snapshot && snapshot.target;
    if (target && target.kind === "receiving") {
      const doc = await goods.get(`/api/receivings/${encodeURIComponent(target.id)}`);
      if (doc && doc.status === "draft") return open(target.id);
    }
    return showChoose();
  })();
});

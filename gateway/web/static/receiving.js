// «Приёмка»: start or continue a receiving, scan the delivery into it (the USB scanner or the
// code field), correct counts, link unknown codes, then post it once and say what happened.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  const { h, tr, who } = goods;
  const linker = goods.codeLinker(() => doc);

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
      return tr(`Нет товара или модификации с артикулом «${sku}»: проверьте артикул или отсканируйте штрихкод товара.`,
                `No product or variant has the article «${sku}»: check it or scan the item's barcode.`);
    },
    choose_variant: [
      "У этого товара несколько модификаций: выберите нужную в списке.",
      "This product has several variants: choose one in the list.",
    ],
  };

  function scans(n) {
    return goods.en() ? `${n} scan${n === 1 ? "" : "s"}` : `${n} ${goods.plural(n, "скан", "скана", "сканов")}`;
  }

  function unknownCodes(n) {
    return goods.en() ? `${n} unknown code${n === 1 ? "" : "s"}`
      : `${n} ${goods.plural(n, "неизвестный код", "неизвестных кода", "неизвестных кодов")}`;
  }

  const doc = goods.scanDocument({
    kind: "receiving",
    api: "/api/receivings",
    param: "doc",
    idField: "doc_id",
    openStatus: "draft",
    views: { home: "choose", work: "doc", done: "done" },
    title: (open) => tr(`Приёмка ${open.doc_id}`, `Receiving ${open.doc_id}`),
    draw,
    describe,
    tracks: ["counted", "unknown"],
    words: WORDS,
    reload: ["posted", "voided"],
    showDone: showClosed,
    closedMeanwhile: (closed, id) => (closed.status === "posted"
      ? tr(`Приёмку ${id} провели на другом планшете (${who(closed.posted_by, closed.posted_at)}).`, `Receiving ${id} was posted on another tablet (${who(closed.posted_by, closed.posted_at)}).`)
      : tr(`Приёмку ${id} отменили (${who(closed.voided_by, closed.voided_at)}).`, `Receiving ${id} was cancelled (${who(closed.voided_by, closed.voided_at)}).`)),
    notFound: (id) => tr(`Приёмка ${id} не найдена.`, `Receiving ${id} not found.`),
    onHome: showDrafts,
    lookingUp: linker.active,
    onLookup: linker.onLookup,
  });

  // --- no document open: start one or continue a draft -----------------------------------
  async function showDrafts() {
    const drafts = (await goods.get("/api/receivings")) || [];
    const list = $("drafts");
    goods.put(list, ...drafts.map((draft) => {
      const go = h("button", { type: "button", "data-doc": draft.doc_id }, tr("Продолжить", "Continue"));
      go.addEventListener("click", () => goods.once(go, () => doc.open(draft.doc_id)));
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
      await doc.open(answer.data.doc_id);
    });
  });

  // --- a draft open ------------------------------------------------------------------------
  function draw(open) {
    const ref = open.supplier_ref ? tr(`накладная ${open.supplier_ref} · `, `supplier's no. ${open.supplier_ref} · `) : "";
    $("doc-meta").textContent = `${ref}${tr("начата: ", "started: ")}${who(open.created_by, open.created_at)}`;

    const summary = $("summary");
    goods.put(summary, open.lines.length
      ? [tr("всего ", "total "), h("strong", { id: "total" }, goods.units(open.total_units)), " ", goods.byPositions(open.lines.length)]
      : tr("пока пусто", "empty so far"));

    const lines = $("lines");
    if (!open.lines.length) {
      goods.put(lines, h("p", { class: "muted" }, tr(
        "Здесь появятся отсканированные товары. Сканируйте каждую штуку или коробку — число растёт с каждым сканом.",
        "Scanned goods show up here. Scan each unit or box: the number grows with every scan.")));
    } else {
      goods.put(lines, ...open.lines.map(lineRow));
    }

    $("unknown-box").hidden = open.unknown.length === 0;
    goods.put($("unknown"), ...open.unknown.map(unknownRow));
    const highlighted = lines.querySelector(".row.last");
    if (highlighted) highlighted.scrollIntoView({ block: "nearest" });
  }

  function lineRow(line) {
    const last = doc.last;
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
    const isLast = doc.last && doc.last.line === unknown.code;
    const link = h("button", { type: "button", class: "link-btn" }, tr("Привязать", "Link"));
    const drop = h("button", { type: "button" }, tr("Убрать", "Remove"));
    link.addEventListener("click", () => linker.open(unknown));
    drop.addEventListener("click", () => goods.once(drop, () => setQty(unknown.code, 0,
      tr(`Код ${unknown.code} убран из приёмки.`, `Code ${unknown.code} removed from the receiving.`))));
    return h("div", { class: isLast ? "row unknown last" : "row unknown", "data-code": unknown.code },
      h("div", { class: "what" }, h("code", { class: "barcode" }, unknown.code),
        isLast ? [" ", h("span", { class: "justnow" }, tr("последний скан", "last scan"))] : null),
      h("div", { class: "amount" }, h("span", { class: "count" }, String(unknown.scans)), h("span", { class: "muted" }, ` ${scans(unknown.scans).replace(/^\d+ /, "")}`)),
      h("div", { class: "ops" }, link, drop));
  }

  // --- scans ---------------------------------------------------------------------------------
  function describe(result) {
    const what = goods.item(result.name, result.sku);
    switch (result.outcome) {
      case "counted":
        return { tone: "ok", text: `${goods.signed(result.added)} ${what} → ${goods.units(result.qty)}${result.archived ? tr(" (товар в архиве)", " (archived item)") : ""}` };
      case "unknown":
        return { tone: "wait", text: tr(`Неизвестный код ${result.code}: ${scans(result.qty)} — привяжите его к товару.`, `Unknown code ${result.code}: ${scans(result.qty)}; link it to an item.`) };
      case "repeat":
        return { tone: "bad", text: tr(`Этот код маркировки уже отсканирован в этой приёмке (${what}): одна штука — один скан.`, `This marking code was already scanned here (${what}): one unit, one scan.`) };
      default:
        return null;
    }
  }

  // --- corrections -----------------------------------------------------------------------
  async function setQty(line, qty, said) {
    const answer = await doc.send("/qty", { line, qty });
    if (answer.ok) goods.say(said, "ok");
    await doc.refresh();
    return answer.ok;
  }

  // ± one unit, counted from the document as it is now (a scan may have landed meanwhile).
  async function step(sku, delta) {
    const fresh = await goods.get(doc.path());
    if (!fresh) return;
    const line = fresh.lines.find((row) => row.sku === sku);
    const next = (line ? line.qty : 0) + delta;
    if (next < 0) return;
    const name = goods.item(line && line.name, sku);
    doc.last = { line: sku, added: delta, manual: true };
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
    doc.last = { line: line.sku, added: qty - line.qty, manual: true };
    await setQty(line.sku, qty, tr(`${goods.item(line.name, line.sku)}: ${goods.units(qty)}`, `${goods.item(line.name, line.sku)}: ${goods.units(qty)}`));
    $("code").focus();
  }

  // --- post, void, leave ---------------------------------------------------------------
  $("post").addEventListener("click", () => goods.once($("post"), async () => {
    const fresh = await goods.get(doc.path());
    if (!fresh) return;
    doc.render(fresh);
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
    const answer = await doc.close("/post", { allow_unresolved: unknown > 0 });
    if (!answer.ok) {
      await doc.refresh();
      return;
    }
    const id = answer.id;
    await doc.finish(false); // posting frees the scanner
    doc.show("done");
    showClosed({ ...answer.data, lines: withNames(answer.data.lines, fresh.lines) }, answer.data);
    const added = answer.data.lines.reduce((sum, line) => sum + line.qty, 0);
    const printed = answer.data.print_job ? tr(" Отчёт о приёмке поставлен в очередь печати.", " The receiving report is queued for printing.") : "";
    goods.say(answer.data.already
      ? tr(`Приёмка ${id} уже была проведена: повторно ничего не добавлено.`, `Receiving ${id} was already posted: nothing added again.`)
      : tr(`Приёмка ${id} проведена: на склад добавлено ${goods.units(added)} ${goods.byPositions(answer.data.lines.length)}.${printed}`,
           `Receiving ${id} posted: ${goods.units(added)} ${goods.byPositions(answer.data.lines.length)} added to stock.${printed}`)
      + filledSentence(answer.data.filled_orders || []), "ok");
  }));

  function withNames(lines, named) {
    const names = Object.fromEntries(named.map((line) => [line.sku, line.name]));
    return lines.map((line) => ({ ...line, name: line.name || names[line.sku] }));
  }

  $("void").addEventListener("click", () => goods.once($("void"), async () => {
    const fresh = (await goods.get(doc.path())) || doc.view;
    const parts = [];
    if (fresh.total_units) parts.push(goods.units(fresh.total_units));
    if (fresh.unknown.length) parts.push(unknownCodes(fresh.unknown.length));
    const yes = await goods.confirm({
      text: tr(`Отменить приёмку ${fresh.doc_id}?`, `Cancel receiving ${fresh.doc_id}?`),
      warn: tr(`Отсканированное${parts.length ? ` (${parts.join(", ")})` : ""} не попадёт на склад, документ будет закрыт.`,
               `What was scanned${parts.length ? ` (${parts.join(", ")})` : ""} is not added to stock; the document is closed.`),
      yes: tr("Отменить приёмку", "Cancel receiving"),
      danger: true,
    });
    if (!yes) return;
    const answer = await doc.close("/void", {});
    const id = answer.id;
    if (!answer.ok) {
      await doc.refresh();
      return;
    }
    await doc.home();
    goods.say(tr(`Приёмка ${id} отменена: на склад ничего не добавлено.`, `Receiving ${id} cancelled: nothing was added to stock.`), "ok");
  }));

  $("back").addEventListener("click", () => goods.once($("back"), doc.home));
  $("again").addEventListener("click", async () => {
    await doc.home();
    $("supplier-ref").focus();
  });

  // --- posted or voided: what happened ----------------------------------------------------
  function showClosed(closed, posted) {
    const box = $("done-text");
    const lines = closed.lines || [];
    $("reprint").hidden = true;
    goods.put($("print-state"));
    if (closed.status === "voided") {
      goods.put($("done-title"), goods.badge("off", tr("отменена", "cancelled")), " ", tr(`Приёмка ${closed.doc_id}`, `Receiving ${closed.doc_id}`));
      goods.put(box, h("p", {}, tr(`Отменил(а): ${who(closed.voided_by, closed.voided_at)}. На склад ничего не добавлено.`, `Cancelled by ${who(closed.voided_by, closed.voided_at)}. Nothing was added to stock.`)));
      goods.put($("done-lines"));
      return;
    }
    const added = lines.reduce((sum, line) => sum + line.qty, 0);
    goods.put($("done-title"), goods.badge("off", tr("проведена", "posted")), " ", tr(`Приёмка ${closed.doc_id}`, `Receiving ${closed.doc_id}`));
    const said = [
      h("p", {}, tr(`На склад добавлено ${goods.units(added)} ${goods.byPositions(lines.length)}.`, `${goods.units(added)} ${goods.byPositions(lines.length)} added to stock.`),
        " ", h("span", { class: "muted" }, tr(`Провёл(а): ${who(closed.posted_by, closed.posted_at)}`, `Posted by ${who(closed.posted_by, closed.posted_at)}`))),
      ...filledOrders((posted && posted.filled_orders) || []),
    ];
    const unknown = closed.unknown_codes || (closed.unknown || []).map((u) => u.code);
    if (unknown.length) {
      said.push(h("p", {}, goods.badge("wait", tr("не на складе", "not in stock")), " ",
        tr(`Неизвестные коды не попали на склад: ${unknown.join(", ")}. Они переданы в облако для сопоставления.`, `Unknown codes were not added to stock: ${unknown.join(", ")}. They are sent to the cloud to be mapped.`)));
    }
    const resolved = closed.resolved_codes || [];
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

  // The waiting orders the goods went to ({order_id, number, status}), each a link to its
  // screen: those no longer short are ready to pick, the rest got part of what they wait for.
  function filledOrders(filled) {
    const link = (order) => h("a", { href: `/orders/${encodeURIComponent(order.order_id)}${goods.en() ? "?lang=en" : ""}`, "data-order": order.order_id }, String(order.number || order.order_id));
    const links = (orders) => orders.flatMap((order, at) => [at ? ", " : "", link(order)]);
    const full = filled.filter((order) => order.status !== "short");
    const part = filled.filter((order) => order.status === "short");
    const said = [];
    if (full.length) {
      const many = full.length > 1;
      said.push(h("p", { class: "filled-orders" }, goods.badge("ok", tr("заказы", "orders")), " ",
        tr(many ? "Заказы " : "Заказ ", many ? "Orders " : "Order "), links(full),
        tr(many ? " теперь собраны полностью: их можно подтверждать и отгружать." : " теперь собран полностью: его можно подтверждать и отгружать.",
           many ? " now have all their goods: they can be confirmed and shipped." : " now has all its goods: it can be confirmed and shipped.")));
    }
    if (part.length) {
      const many = part.length > 1;
      said.push(h("p", { class: "filled-orders" }, goods.badge("wait", tr("не хватает", "short")), " ",
        tr(many ? "Заказы " : "Заказ ", many ? "Orders " : "Order "), links(part),
        tr(many ? " получили часть товара, но ещё ждут остальное." : " получил часть товара, но ещё ждёт остальное.",
           many ? " got part of their goods and still wait for the rest." : " got part of its goods and still waits for the rest.")));
    }
    return said;
  }

  // The same in one sentence for the message line.
  function filledSentence(filled) {
    const full = filled.filter((order) => order.status !== "short").map((order) => order.number || order.order_id);
    if (!full.length) return "";
    return full.length > 1
      ? tr(` Заказы ${full.join(", ")} теперь собраны полностью.`, ` Orders ${full.join(", ")} now have all their goods.`)
      : tr(` Заказ ${full[0]} теперь собран полностью.`, ` Order ${full[0]} now has all its goods.`);
  }

  // The receiving report on paper: follow its print job until it is out (or says why not).
  function trackPrint(job) {
    return goods.followPrint(job, {
      state: $("print-state"),
      reprint: $("reprint"),
      watching: () => !doc.views.done.hidden,
      printed: tr("Отчёт о приёмке напечатан.", "The receiving report is printed."),
      failed: tr("Отчёт о приёмке не напечатан: проверьте принтер (бумага, крышка) и нажмите «Напечатать отчёт ещё раз».",
                 "The receiving report did not print: check the printer (paper, cover) and press «Print the report again»."),
      waiting: tr("Отчёт о приёмке ждёт принтер — посмотрите состояние принтера вверху экрана.", "The receiving report waits for the printer: see the printer's state at the top."),
      queued: tr("Отчёт о приёмке ждёт печати…", "The receiving report waits to be printed…"),
      printing: tr("Отчёт о приёмке печатается…", "The receiving report is printing…"),
      again: tr("Отчёт о приёмке поставлен в очередь печати ещё раз.", "The receiving report is queued for printing again."),
    });
  }

  // --- start: the draft in the address, or the one the scanner still points at ------------
  goods.hint("receiving");
  doc.resume(async () => {
    if (doc.asked()) return doc.asked();
    const snapshot = await goods.get("/api/scanner");
    const target = snapshot && snapshot.target;
    if (!target || target.kind !== "receiving") return null;
    const draft = await goods.get(doc.path("", target.id));
    return draft && draft.status === "draft" ? target.id : null;
  });
});

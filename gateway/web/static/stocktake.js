// «Инвентаризация»: start a count, scan the shelves into it (the USB scanner or the code field),
// type in what has no barcode, look at the report (what on hand becomes, reserve taken from
// orders: DOMAIN 31, 32 — which orders, how many pieces, paid on the site marked), then apply it
// once and say what changed — or abandon it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  const { h, tr, who } = goods;
  const orderList = goods.stocktakeOrders; // the orders losing reserve (stocktake_orders.js)

  const WORDS = {
    empty: ["Ничего не посчитано: отсканируйте товар (если товара нет — введите 0) или отмените инвентаризацию.",
            "Nothing is counted: scan the goods (type 0 for what is not there) or cancel the stocktake."],
    unknown_sku: (detail) => {
      const skus = detail.replace(/^unknown sku /, "");
      return tr(`Нет такого артикула: ${skus}.`, `No such sku: ${skus}.`);
    },
    out_of_scope: ["Этот артикул не входит в эту инвентаризацию.", "This sku is not part of this stocktake."],
  };

  const doc = goods.scanDocument({
    kind: "stocktake",
    api: "/api/stocktakes",
    param: "take",
    idField: "take_id",
    openStatus: "counting",
    views: { home: "start-form", work: "take", done: "done" },
    title: (take) => tr(`Инвентаризация ${take.take_id}`, `Stocktake ${take.take_id}`),
    draw,
    describe,
    tracks: ["counted"],
    words: WORDS,
    reload: ["applied", "abandoned"],
    showDone,
    closedMeanwhile: (closed, id) => (closed.status === "applied"
      ? tr(`Инвентаризацию ${id} применили на другом планшете (${who(closed.closed_by, closed.closed_at)}).`, `Stocktake ${id} was applied on another tablet (${who(closed.closed_by, closed.closed_at)}).`)
      : tr(`Инвентаризацию ${id} отменили (${who(closed.closed_by, closed.closed_at)}).`, `Stocktake ${id} was cancelled (${who(closed.closed_by, closed.closed_at)}).`)),
  });

  // --- no count open: start one -----------------------------------------------------------
  for (const radio of document.querySelectorAll("input[name=scope]")) {
    radio.addEventListener("change", () => {
      $("skus").hidden = document.querySelector("input[name=scope]:checked").value !== "skus";
      if (!$("skus").hidden) $("skus").focus();
    });
  }

  $("start-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goods.once($("start"), async () => {
      const body = { uncounted: document.querySelector("input[name=uncounted]:checked").value };
      if (document.querySelector("input[name=scope]:checked").value === "skus") {
        body.skus = $("skus").value.split(/[\s,;]+/).filter(Boolean);
        if (!body.skus.length) {
          goods.say(tr("Впишите хотя бы один артикул или выберите «Весь каталог».", "Type at least one sku or choose «The whole catalog»."), "bad");
          $("skus").focus();
          return;
        }
      }
      const answer = await goods.request("/api/stocktakes", body, WORDS);
      if (!answer.ok) {
        if (answer.data && answer.data.error === "stocktake_open") await resume();
        return;
      }
      goods.say(tr(`Инвентаризация ${answer.data.take_id} начата: сканируйте товар на полках.`, `Stocktake ${answer.data.take_id} started: scan the goods on the shelves.`), "ok");
      await doc.open(answer.data.take_id);
    });
  });

  // --- a count open ------------------------------------------------------------------------
  function policyWords(take) {
    return take.uncounted === "zero"
      ? tr("неотсканированное станет 0", "what is not scanned becomes 0")
      : tr("неотсканированное останется как есть", "what is not scanned stays as it is");
  }

  function diffBadge(line) {
    if (line.difference > 0) return goods.badge("ok", tr(`+${line.difference} излишек`, `+${line.difference} surplus`));
    if (line.difference < 0) {
      const tone = line.reserve_taken > 0 || line.clamped ? "bad" : "wait";
      return goods.badge(tone, tr(`−${-line.difference} недостача`, `−${-line.difference} shortage`));
    }
    return goods.badge("ok", tr("совпадает", "matches"));
  }

  // What a line will do to stock, in words: moves since the scan, reserve taken, a clamp.
  function notes(line, orders) {
    const said = [];
    if (line.moved_since) {
      said.push(h("div", { class: "muted" }, tr(`после скана движение: ${goods.signed(line.moved_since)} (продажи, отгрузки, приёмки — учтены)`,
                                               `moved since the scan: ${goods.signed(line.moved_since)} (sales, shipments, receipts — kept)`)));
    }
    if (line.reserve_taken > 0) {
      said.push(h("div", { class: "note-bad" }, goods.badge("bad", tr("резерв", "reserve")), " ",
        tr(`с заказов снимется резерв ${goods.units(line.reserve_taken)}: они станут «не хватает»`, `${goods.units(line.reserve_taken)} of reserve will be taken from orders: they become short`),
        orders.length ? orderList.list(orders, false) : null));
    }
    if (line.clamped) {
      said.push(h("div", { class: "note-bad" }, goods.badge("bad", tr("проверьте", "check")), " ",
        tr("после скана ушло больше, чем посчитано: остаток станет 0", "more went out since the scan than was counted: on hand becomes 0")));
    }
    return said;
  }

  function draw(data) {
    const scope = data.scope === "all"
      ? tr("весь каталог", "the whole catalog")
      : tr(`выбранные артикулы: ${data.lines.length + data.not_counted_total}`, `chosen skus: ${data.lines.length + data.not_counted_total}`);
    $("take-meta").textContent = `${scope} · ${policyWords(data)} · ${tr("начата: ", "started: ")}${who(data.started_by, data.started_at)}`;

    const totals = data.totals;
    goods.put($("summary"), 
      h("span", {}, tr("Посчитано: ", "Counted: "), h("strong", {}, goods.positions(totals.counted_skus))),
      " · ", tr(`расхождений: ${totals.changed_skus}`, `differences: ${totals.changed_skus}`),
      totals.shortage ? [" ", goods.badge("wait", tr(`недостача ${goods.units(totals.shortage)}`, `shortage ${goods.units(totals.shortage)}`))] : null,
      totals.surplus ? [" ", goods.badge("ok", tr(`излишек ${goods.units(totals.surplus)}`, `surplus ${goods.units(totals.surplus)}`))] : null,
      totals.reserve_taken ? [" ", goods.badge("bad", tr(`с заказов снимется резерв: ${goods.units(totals.reserve_taken)}`, `reserve taken from orders: ${goods.units(totals.reserve_taken)}`))] : null,
    );

    const body = $("lines").tBodies[0];
    goods.put(body, ...data.lines.map((line) => lineRow(line, orderList.of(data, line.sku))));
    $("lines").hidden = data.lines.length === 0;
    $("lines-empty").hidden = data.lines.length > 0;

    $("unknown-box").hidden = data.unknown_codes.length === 0;
    goods.put($("unknown"), ...data.unknown_codes.map((unknown) => h("div", { class: "row unknown" },
      h("div", { class: "what" }, goods.badge("wait", tr("неизвестный код", "unknown code")), " ", h("code", {}, unknown.code)),
      h("div", { class: "amount" }, h("span", { class: "count" }, String(unknown.scans)), h("span", { class: "muted" }, tr(" скан.", " scans"))))));

    const untouched = data.not_counted || [];
    $("not-counted-box").hidden = data.not_counted_total === 0;
    const zero = data.uncounted === "zero";
    goods.put($("not-counted-summary"), 
      zero ? goods.badge("wait", tr("станут 0", "become 0")) : goods.badge("off", tr("не меняются", "unchanged")), " ",
      tr(`Не посчитано: ${goods.positions(data.not_counted_total)} — ${zero ? "их остаток станет 0" : "их остаток не изменится"}`,
         `Not counted: ${goods.positions(data.not_counted_total)}: ${zero ? "their stock becomes 0" : "their stock stays"}`),
      data.not_counted_total > untouched.length ? tr(` (показаны первые ${untouched.length})`, ` (first ${untouched.length} shown)`) : "");
    goods.put($("not-counted").tBodies[0], ...untouched.map((line) => {
      const enter = h("button", { type: "button" }, tr("Ввести", "Type in"));
      enter.addEventListener("click", () => goods.once(enter, () => editCount(line)));
      return h("tr", { "data-sku": line.sku },
        h("td", {}, h("strong", {}, line.name || line.sku), h("div", { class: "muted" }, line.sku)),
        h("td", { class: "num" }, tr(`на складе ${line.on_hand}`, `on hand ${line.on_hand}`)),
        h("td", { class: "num" }, zero ? goods.badge(line.on_hand ? "wait" : "off", tr(`станет ${line.will_be}`, `becomes ${line.will_be}`)) : tr("останется", "stays")),
        h("td", { class: "ops-cell" }, enter));
    }));
    if (zero && data.not_counted_total) $("not-counted-details").open = true;
  }

  function lineRow(line, orders) {
    const last = doc.last;
    const isLast = last && last.line === line.sku;
    const edit = h("button", { type: "button" }, tr("Изменить", "Change"));
    edit.addEventListener("click", () => goods.once(edit, () => editCount(line)));
    const again = h("button", { type: "button" }, tr("Пересчитать", "Recount"));
    again.addEventListener("click", () => goods.once(again, () => editCount(line, true)));
    const now = line.will_be !== line.on_hand ? h("div", { class: "muted" }, tr(`сейчас ${line.on_hand}`, `now ${line.on_hand}`)) : null;
    return h("tr", { class: isLast ? "last" : null, "data-sku": line.sku },
      h("td", {}, h("strong", {}, line.name || line.sku),
        h("div", { class: "muted" }, line.sku, isLast ? [" ", h("span", { class: "justnow" }, last.added === null
          ? tr("введено вручную", "typed in")
          : [`${goods.signed(last.added)} `, tr("последний скан", "last scan")])] : null),
        notes(line, orders)),
      h("td", { class: "num", "data-label": tr("По учёту", "Book") }, String(line.book)),
      h("td", { class: "num", "data-label": tr("Посчитано", "Counted") }, h("span", { class: "count" }, String(line.counted))),
      h("td", { "data-label": tr("Разница", "Difference") }, diffBadge(line)),
      h("td", { class: "num", "data-label": tr("Станет на складе", "On hand will be") }, h("strong", { class: "will-be" }, String(line.will_be)), now),
      h("td", { class: "ops-cell" }, edit, again));
  }

  // --- scans ---------------------------------------------------------------------------------
  function describe(result) {
    const what = goods.item(result.name, result.sku);
    switch (result.outcome) {
      case "counted":
        return { tone: "ok", text: tr(`${goods.signed(result.added)} ${what}: посчитано ${result.counted} (по учёту ${result.book})`,
                                      `${goods.signed(result.added)} ${what}: counted ${result.counted} (book ${result.book})`) };
      case "unknown":
        return { tone: "wait", text: tr(`Неизвестный код ${result.code}: не посчитан. Найдите товар и введите количество вручную.`,
                                        `Unknown code ${result.code}: not counted. Find the item and type its count in.`) };
      case "out_of_scope":
        return { tone: "bad", text: tr(`${what} не входит в эту инвентаризацию — не посчитан, отложите его.`, `${what} is not part of this stocktake: not counted, put it aside.`) };
      case "repeat":
        return { tone: "bad", text: tr(`Этот код маркировки уже посчитан (${what}): одна штука — один скан.`, `This marking code was already counted (${what}): one unit, one scan.`) };
      default:
        return null;
    }
  }

  // --- typed counts --------------------------------------------------------------------------
  async function setCount(sku, counted, name, recount = false) {
    const answer = await doc.send("/count", { sku, counted, recount });
    if (answer.ok) doc.last = { line: sku, added: null };
    await doc.refresh();
    if (answer.ok) {
      const line = doc.view && doc.view.lines.find((row) => row.sku === sku);
      const what = goods.item(name || (line && line.name), sku);
      const book = answer.data.book;
      goods.say(tr(`${what}: посчитано ${counted}${book !== null ? ` (по учёту ${book})` : ""}.`,
                   `${what}: counted ${counted}${book !== null ? ` (book ${book})` : ""}.`), "ok");
    }
    return answer.ok;
  }

  // `recount`: the shelf is counted again after sales or a delivery: the book is taken now.
  async function editCount(line, recount = false) {
    const counted = await goods.askNumber({
      title: goods.item(line.name, line.sku),
      label: recount
        ? tr(`Пересчитано заново, шт. По учёту возьмётся сейчас: ${line.on_hand}`,
             `Counted again, units. The book is taken now: ${line.on_hand}`)
        : tr("Посчитано, шт. (0 — товара нет)", "Counted, units (0: none there)"),
      value: recount ? "" : line.counted ?? "",
    });
    if (counted === null) return;
    await setCount(line.sku, counted, line.name, recount);
    $("code").focus();
  }

  $("manual-form").addEventListener("submit", (event) => {
    event.preventDefault();
    goods.once($("manual-do"), async () => {
      let sku = $("manual-sku").value.trim();
      const counted = storegw.wholeNumber($("manual-qty").value);
      if (!sku) {
        goods.say(tr("Введите артикул (или отсканируйте штрихкод в это поле).", "Type the sku (or scan a barcode into the field)."), "bad");
        $("manual-sku").focus();
        return;
      }
      if (counted === null) {
        goods.say(tr("Введите целое число от 0 до 1 000 000.", "Type a whole number from 0 to 1,000,000."), "bad");
        $("manual-qty").focus();
        return;
      }
      let name = null;
      // A barcode typed or scanned into the sku field finds its item.
      if (/^\d{8,14}$/.test(sku)) {
        const found = await goods.get(`/api/lookup?code=${encodeURIComponent(sku)}`);
        if (found && found.items && found.items.length === 1) ({ sku, name } = found.items[0]);
      }
      if (await setCount(sku, counted, name)) {
        $("manual-sku").value = "";
        $("manual-qty").value = "";
      }
    });
  });

  // --- apply, abandon --------------------------------------------------------------------
  // Refused because the orders losing reserve changed meanwhile: read the report, ask again,
  // marking what is new since the list shown before.
  $("apply").addEventListener("click", () => goods.once($("apply"), async () => {
    for (let before = null; ;) {
      const asked = await askAndApply(before);
      if (!asked) return;
      const { answer, orders } = asked;
      if (answer.ok) return applied(answer);
      if ((answer.data && answer.data.error) !== orderList.CHANGED) return doc.refresh();
      before = orders;
    }
  }));

  // Read the report, ask (`before`: the orders the last ask showed, when the gateway refused
  // because they changed), apply. Resolves to {answer: the apply's, orders: those shown}, or
  // null when nothing was sent.
  async function askAndApply(before) {
    const data = await goods.get(doc.path());
    if (!data) return null;
    if (data.status !== "counting") {
      await doc.refresh();
      return null;
    }
    doc.render(data);
    if (!data.lines.length) {
      goods.say(WORDS.empty[goods.en() ? 1 : 0], "bad");
      return null;
    }
    const totals = data.totals;
    // The warnings first (at the top of the dialog, always in view), the sentence about the
    // orders last: their list follows it in its own scrolling box.
    const warn = [];
    const orders = data.reserve_orders || [];
    if (before) warn.push(orderList.changedNote(orders, before));
    if (data.uncounted === "zero" && data.not_counted_total) {
      warn.push(tr(`Неотсканированные ${goods.positions(data.not_counted_total)}: остаток станет 0.`, `${goods.positions(data.not_counted_total)} not scanned: their stock becomes 0.`));
    }
    if (totals.clamped.length) {
      warn.push(tr(`Проверьте ${totals.clamped.join(", ")}: после скана ушло больше, чем посчитано.`, `Check ${totals.clamped.join(", ")}: more went out since the scan than was counted.`));
    }
    const listed = totals.reserve_taken > 0 && orders.length > 0;
    if (totals.reserve_taken) {
      const count = new Set(orders.map((order) => order.order_id)).size;
      const end = listed ? ":" : ".";
      warn.push(count
        ? tr(`С заказов будет снят резерв: ${goods.units(totals.reserve_taken)} — ${count} ${goods.plural(count, "заказ станет", "заказа станут", "заказов станут")} «не хватает»${end}`,
             `${goods.units(totals.reserve_taken)} of reserve will be taken from orders: ${count} order${count === 1 ? " becomes" : "s become"} short${end}`)
        : tr(`С заказов будет снят резерв: ${goods.units(totals.reserve_taken)} — эти заказы станут «не хватает».`,
             `${goods.units(totals.reserve_taken)} of reserve will be taken from orders: they become short.`));
    }
    const parts = [];
    if (totals.shortage) parts.push(tr(`недостача ${goods.units(totals.shortage)}`, `shortage ${goods.units(totals.shortage)}`));
    if (totals.surplus) parts.push(tr(`излишек ${goods.units(totals.surplus)}`, `surplus ${goods.units(totals.surplus)}`));
    const text = totals.changed_skus
      ? tr(`Изменить остатки ${goods.byPositions(totals.changed_skus)}: ${parts.join(", ")}?`,
           `Change the stock ${goods.byPositions(totals.changed_skus)}: ${parts.join(", ")}?`)
      : tr(`Расхождений нет: остатки не изменятся. Закрыть инвентаризацию ${data.take_id}?`, `No differences: stock stays as it is. Close stocktake ${data.take_id}?`);
    const yes = await goods.confirm({
      text,
      warn: warn.length ? warn.flatMap((part, n) => (n ? [" ", part] : [part])) : null,
      list: listed ? orderList.list(orders, true, before) : null,
      listLabel: tr("Заказы, с которых снимется резерв", "The orders that lose their reserve"),
      yes: tr("Применить", "Apply"),
    });
    if (!yes) return null;
    return { answer: await doc.close("/apply", { reserve_orders: orderList.seen(orders) }), orders };
  }

  async function applied(answer) {
    const id = answer.id;
    await doc.finish(true);
    const result = answer.data;
    doc.show("done");
    showDone({ ...result, take_id: id, closed_by: result.applied_by, closed_at: result.applied_at });
    const changed = result.items.length;
    goods.say(result.already
      ? tr(`Инвентаризация ${id} уже была применена: повторно ничего не изменено.`, `Stocktake ${id} was already applied: nothing changed again.`)
      : changed
        ? tr(`Инвентаризация ${id} применена: остатки изменены ${goods.byPositions(changed)}.`, `Stocktake ${id} applied: stock changed ${goods.byPositions(changed)}.`)
        : tr(`Инвентаризация ${id} применена: расхождений не было, остатки не изменились.`, `Stocktake ${id} applied: no differences, stock unchanged.`), "ok");
  }

  $("abandon").addEventListener("click", () => goods.once($("abandon"), async () => {
    const counted = doc.view ? doc.view.lines.length : 0;
    const id = doc.id;
    const yes = await goods.confirm({
      text: tr(`Отменить инвентаризацию ${id}?`, `Cancel stocktake ${id}?`),
      warn: tr(`Посчитанное (${goods.positions(counted)}) будет потеряно, остатки не изменятся.`, `What was counted (${goods.positions(counted)}) is dropped; stock does not change.`),
      yes: tr("Отменить инвентаризацию", "Cancel the stocktake"),
      danger: true,
    });
    if (!yes) return;
    const answer = await doc.close("/abandon", {});
    if (!answer.ok) {
      await doc.refresh();
      return;
    }
    await doc.home();
    goods.say(tr(`Инвентаризация ${id} отменена: остатки не изменились.`, `Stocktake ${id} cancelled: stock did not change.`), "ok");
  }));

  $("again").addEventListener("click", () => doc.home());

  // --- applied or abandoned: what happened --------------------------------------------------
  function showDone(data) {
    const body = $("done-lines").tBodies[0];
    if (data.status === "abandoned") {
      goods.put($("done-title"), goods.badge("off", tr("отменена", "cancelled")), " ", tr(`Инвентаризация ${data.take_id}`, `Stocktake ${data.take_id}`));
      goods.put($("done-text"), h("p", {}, tr(`Отменил(а): ${who(data.closed_by, data.closed_at)}. Остатки не изменились.`, `Cancelled by ${who(data.closed_by, data.closed_at)}. Stock did not change.`)));
      goods.put(body);
      return;
    }
    const items = data.items || [];
    const lines = Object.fromEntries((data.lines || []).map((line) => [line.sku, line]));
    goods.put($("done-title"), goods.badge("off", tr("применена", "applied")), " ", tr(`Инвентаризация ${data.take_id}`, `Stocktake ${data.take_id}`));
    const said = [h("p", {}, items.length
      ? tr(`Остатки изменены ${goods.byPositions(items.length)}.`, `Stock changed ${goods.byPositions(items.length)}.`)
      : tr("Расхождений не было: остатки не изменились.", "There were no differences: stock did not change."),
      " ", h("span", { class: "muted" }, tr(`Применил(а): ${who(data.closed_by || data.applied_by, data.closed_at || data.applied_at)}`, `Applied by ${who(data.closed_by || data.applied_by, data.closed_at || data.applied_at)}`)))];
    const taken = (data.lines || []).reduce((sum, line) => sum + (line.reserve_taken || 0), 0);
    if (taken) {
      said.push(h("div", { class: "reserve-taken" }, goods.badge("wait", tr("не хватает", "short")), " ",
        tr(`С заказов снят резерв: ${goods.units(taken)} — эти заказы теперь ждут товар («не хватает»):`, `${goods.units(taken)} of reserve was taken from orders: they now wait for goods (short):`),
        data.reserve_orders && data.reserve_orders.length ? orderList.list(data.reserve_orders) : null));
    }
    if ((data.unknown_codes || []).length) {
      said.push(h("p", {}, goods.badge("wait", tr("не посчитаны", "not counted")), " ",
        tr(`Неизвестные коды: ${data.unknown_codes.map((u) => u.code).join(", ")}.`, `Unknown codes: ${data.unknown_codes.map((u) => u.code).join(", ")}.`)));
    }
    goods.put($("done-text"), ...said);
    const head = h("tr", {}, h("th", {}, tr("Товар", "Item")), h("th", { class: "num" }, tr("Было", "Was")),
      h("th", { class: "num" }, tr("Стало на складе", "On hand now")), h("th", {}, tr("Изменение", "Change")));
    goods.put(body, head, ...items.map((item) => {
      const line = lines[item.sku] || {};
      const tone = item.delta < 0 ? "wait" : "ok";
      return h("tr", { "data-sku": item.sku },
        h("td", {}, h("strong", {}, line.name || item.sku), h("div", { class: "muted" }, item.sku)),
        h("td", { class: "num", "data-label": tr("Было", "Was") }, String(item.on_hand - item.delta)),
        h("td", { class: "num", "data-label": tr("Стало на складе", "On hand now") }, h("span", { class: "count" }, String(item.on_hand))),
        h("td", { "data-label": tr("Изменение", "Change") }, goods.badge(tone, goods.signed(item.delta))));
    }));
  }

  // --- start: the count in progress (one at a time), or the one in the address ------------
  function resume() {
    return doc.resume(async () => {
      const current = await goods.get("/api/stocktakes/current");
      return (current && current.take_id) || doc.asked();
    });
  }

  goods.hint("stocktake");
  resume();
});

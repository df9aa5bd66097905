// «Чек коррекции» on «Смена» (issue 11): a sale made while the register was down, or a wrong
// receipt reversed (and the right one printed). The dialog asks which, then the form (goods from
// a scan or a search, payment, the date of the sale, the basis, the reason, the stock), then
// shows what the gateway will print (POST .../preview checks it all, writes nothing) before the
// manager confirms. A cashier is asked for a manager's PIN on confirming (app.js); the dialog
// steps aside meanwhile, the PIN pad being under it. The goods editor is correction_lines.js.
"use strict";
const correction = {
  mode: null, // "sale" or "wrong"
  original: null, // the wrong receipt picked (GET /api/fiscal/corrections/receipts)
  receipts: [], // the receipts offered to pick from
  lines: [], // {sku, name, price (kopecks), qty, marked, codes (text, one per line)}
  pay: "cash",
  body: null, // the request last checked (preview); confirming sends exactly this
  key: null, // its idempotency key: a retry after a lost answer queues once
  el: {},
};

correction.t = (key, values) => register.t(key, values);
correction.renderLines = () => correctionLines.render();

correction.today = () => {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
};

correction.open = () => {
  const el = correction.el;
  Object.assign(correction, { mode: null, original: null, lines: [], pay: "cash", body: null, key: null });
  el.form.reset();
  el.results.replaceChildren();
  el.receipts.replaceChildren();
  el.picked.hidden = true;
  el.choose.hidden = false;
  el.form.hidden = true;
  el.preview.hidden = true;
  el.managerHint.hidden = document.body.dataset.role === "manager";
  el.dialog.showModal();
};

correction.close = () => {
  if (correction.el.dialog.open) correction.el.dialog.close();
};

correction.choose = async (mode) => {
  const el = correction.el;
  correction.mode = mode;
  el.choose.hidden = true;
  el.form.hidden = false;
  el.caseTitle.textContent = el.dialog.querySelector(`[data-case="${mode}"]`).firstChild.textContent;
  el.wrong.hidden = mode !== "wrong";
  el.stockSale.hidden = mode !== "sale";
  el.stockWrong.hidden = mode !== "wrong";
  el.goodsLegend.textContent = el.goodsLegend.dataset[mode === "sale" ? "sale" : "right"];
  el.date.max = correction.today();
  el.date.min = "";
  el.date.value = mode === "sale" ? correction.today() : "";
  correction.showReasonLeft();
  correction.setPay("cash");
  correction.error("");
  correction.renderLines();
  correction.showGoods();
  if (mode === "wrong") await correction.findReceipts("");
  (mode === "wrong" ? el.find : el.code).focus();
};

correction.error = (text) => {
  correction.el.error.textContent = text;
};

correction.showReasonLeft = () => {
  const el = correction.el;
  el.reasonLeft.textContent = correction.t("corr_reason_left", { left: 200 - el.reason.value.length });
};

// The right receipt's goods are asked for only when it is to be printed.
correction.showGoods = () => {
  const el = correction.el;
  el.goods.hidden = correction.mode === "wrong" && (!correction.original || !el.replace.checked);
  el.stockWrong.hidden = correction.mode !== "wrong";
};

correction.setPay = (how) => {
  correction.pay = how;
  for (const b of correction.el.payButtons) b.setAttribute("aria-pressed", String(b.dataset.pay === how));
  correction.el.cardPart.hidden = how !== "mixed";
};

// --- the wrong receipt -------------------------------------------------------------------------
correction.when = (row) => {
  const iso = row.fiscal_ts || row.created_at || ""; // the register's local time, or UTC
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso.slice(0, 16).replace("T", " ");
  const options = { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  return date.toLocaleString(storegw.lang === "en" ? "en-GB" : "ru-RU", options);
};

correction.findReceipts = async (q) => {
  const el = correction.el;
  const answer = await register.send(`/api/fiscal/corrections/receipts?q=${encodeURIComponent(q)}`);
  if (!answer.ok) return correction.error(answer.text);
  correction.receipts = answer.data;
  const rows = answer.data;
  if (!rows.length) {
    el.receipts.replaceChildren(corrNote(correction.t(q ? "corr_not_found" : "corr_no_receipts", { q })));
    return;
  }
  el.receipts.replaceChildren(
    ...rows.map((row) => {
      const items = row.items.map((item) => `${item.name} × ${item.qty}`).join(", ");
      const words = correction.t("corr_receipt", {
        id: row.receipt_id, when: correction.when(row), total: storegw.money(row.total), items,
      });
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: words });
      b.dataset.receipt = row.receipt_id;
      if (row.left <= 0) {
        b.disabled = true;
        b.append(" — ", correction.t("corr_done_already"));
      }
      b.onclick = () => correction.pick(row);
      return b;
    }),
  );
  if (q && rows.length === 1 && rows[0].left > 0) correction.pick(rows[0]);
};

correction.pick = (row) => {
  const el = correction.el;
  correction.original = row;
  el.receipts.replaceChildren();
  el.picked.hidden = false;
  el.picked.textContent = correction.t("corr_picked", {
    id: row.receipt_id, when: correction.when(row), total: storegw.money(row.total),
  });
  const day = (row.fiscal_ts || "").slice(0, 10);
  el.date.min = day;
  el.date.value = day || correction.today();
  correction.lines = correctionLines.fromReceipt(row.items);
  correction.setPay(row.card && row.cash ? "mixed" : row.card ? "card" : "cash");
  el.card.value = row.card && row.cash ? register.plain(row.card) : "";
  correction.renderLines();
  correction.showGoods();
  correction.error("");
};

// --- the request -------------------------------------------------------------------------------
// The form as the API takes it, or null with the first problem said in the form.
correction.request = () => {
  const el = correction.el;
  const t = correction.t;
  const body = { reason: el.reason.value.trim() };
  if (correction.mode === "wrong") {
    if (!correction.original) return correction.refuse(t("corr_pick_first"), el.find);
    body.corrects = correction.original.receipt_id;
  }
  const withGoods = !el.goods.hidden;
  if (withGoods) {
    const items = correctionLines.items(correction.lines);
    if (typeof items === "string") return correction.refuse(items, el.code);
    body.items = items;
    const payment = correction.payment(correctionLines.total(correction.lines));
    if (payment === null) return correction.refuse(t("corr_card_bad"), el.card);
    body.payment = payment;
  }
  if (!el.date.value) return correction.refuse(t("corr_date_bad"), el.date);
  body.date = el.date.value;
  const basis = el.form.querySelector('input[name="corr-basis"]:checked').value;
  body.basis = basis;
  if (basis === "order") {
    if (!el.number.value.trim()) return correction.refuse(t("corr_number_bad"), el.number);
    body.order_number = el.number.value.trim();
  }
  if (!body.reason) return correction.refuse(t("corr_reason_bad"), el.reason);
  body.take_from_stock = correction.mode === "sale"
    ? el.form.querySelector('input[name="corr-stock"]:checked').value === "take"
    : el.stockFix.checked;
  return body;
};

correction.refuse = (text, field) => {
  correction.error(text);
  if (field) field.focus();
  return null;
};

correction.payment = (total) => {
  if (correction.pay !== "mixed") return correction.pay;
  const card = register.parseRoubles(correction.el.card.value);
  if (card === null || card > total) return null;
  return { cash: total - card, card };
};

correction.check = async (event) => {
  if (event) event.preventDefault();
  const body = correction.request();
  if (!body) return;
  correction.error(correction.t("corr_checking"));
  const answer = await register.send("/api/fiscal/corrections/preview", body);
  if (!answer.ok) return correction.error(correctionLines.refusal(answer, correction.lines));
  correction.error("");
  if (JSON.stringify(body) !== JSON.stringify(correction.body)) correction.key = null;
  correction.body = body;
  correctionPreview.render(answer.data, body);
  correction.el.form.hidden = true;
  correction.el.preview.hidden = false;
  correction.el.sendError.textContent = "";
  correction.el.yes.focus();
};

correction.back = () => {
  correction.el.preview.hidden = true;
  correction.el.form.hidden = false;
};

// Confirmed: queued once (the key survives a lost answer). A cashier's PIN pad is a page
// screen under this modal dialog: the dialog steps aside while the request is out.
correction.confirm = async () => {
  const el = correction.el;
  if (el.yes.disabled) return; // a double tap does one thing
  el.yes.disabled = true;
  correction.key = correction.key || register.newKey("correction");
  const aside = document.body.dataset.role !== "manager";
  if (aside) el.dialog.close();
  register.say(correction.t("corr_sending"), "wait");
  const answer = await register.send("/api/fiscal/corrections", { ...correction.body, idem_key: correction.key });
  el.yes.disabled = false;
  if (answer.ok) {
    correction.close();
    const [first, second] = answer.data.receipts;
    const words = second
      ? correction.t("corr_queued_two", { first: first.receipt_id, second: second.receipt_id })
      : correction.t("corr_queued_one", { id: first.receipt_id, total: storegw.money(first.total) });
    register.say(words, "ok");
    await shift.refresh();
    return;
  }
  if (!answer.network) correction.key = null;
  const text = answer.network ? correction.t("corr_net_retry") : correctionLines.refusal(answer, correction.lines);
  register.say(text, "bad");
  el.sendError.textContent = text;
  if (!el.dialog.open) el.dialog.showModal();
};

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  const el = correction.el;
  Object.assign(el, {
    button: $("correction"), dialog: $("correction-dialog"), managerHint: $("corr-manager-hint"),
    choose: $("corr-choose"), form: $("corr-form"), caseTitle: $("corr-case-title"),
    wrong: $("corr-wrong"), find: $("corr-find"), findButton: $("corr-find-button"),
    receipts: $("corr-receipts"), picked: $("corr-picked"), replace: $("corr-replace"),
    goods: $("corr-goods"), goodsLegend: $("corr-goods-legend"), code: $("corr-code"),
    results: $("corr-results"), lines: $("corr-lines"), total: $("corr-total"),
    payButtons: document.querySelectorAll("#corr-goods [data-pay]"), cardPart: $("corr-card-part"),
    card: $("corr-card"), date: $("corr-date"), number: $("corr-number"), reason: $("corr-reason"),
    reasonLeft: $("corr-reason-left"), stockSale: $("corr-stock-sale"), stockWrong: $("corr-stock-wrong"),
    stockFix: $("corr-stock-fix"), error: $("corr-error"), preview: $("corr-preview"),
    print: $("corr-print"), moves: $("corr-moves"), sendError: $("corr-send-error"),
    yes: $("corr-yes"), back: $("corr-back"),
  });
  el.button.onclick = correction.open;
  for (const b of el.dialog.querySelectorAll("[data-case]")) b.onclick = () => correction.choose(b.dataset.case);
  for (const b of el.dialog.querySelectorAll("[data-corr-cancel]")) b.onclick = correction.close;
  for (const b of el.payButtons) b.onclick = () => correction.setPay(b.dataset.pay);
  el.findButton.onclick = () => correction.findReceipts(el.find.value.trim());
  el.find.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    correction.findReceipts(el.find.value.trim());
  });
  el.replace.onchange = correction.showGoods;
  el.reason.oninput = correction.showReasonLeft;
  el.number.onfocus = () => { el.form.querySelector('input[name="corr-basis"][value="order"]').checked = true; };
  el.form.onsubmit = correction.check;
  el.back.onclick = correction.back;
  el.yes.onclick = correction.confirm;
  storegw.onCode(el.code, (code) => correctionLines.find(code));
});

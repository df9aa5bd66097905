// «Смена»: the list of the last receipts (static/shift.js keeps the shift, the register's
// operations and the small drawing helpers this uses: badge, muted, cell, action). Loaded after
// shift.js (deferred).
"use strict";

shift.renderReceipts = () => {
  const rows = shift.receipts;
  const t = register.t;
  const texts = register.texts;
  const drawn = JSON.stringify(rows);
  if (rows === null || drawn === shift.drawnRows) return; // nothing moves under a finger
  shift.drawnRows = drawn;
  shift.el.receipts.hidden = !rows.length;
  shift.el.noReceipts.hidden = rows.length > 0;
  shift.el.noReceipts.textContent = t("no_receipts");
  const corrected = (row) => row.receipt_kind === "correction";
  shift.el.more.hidden = !shift.more || shift.search !== null;
  shift.el.receipts.querySelector("tbody").replaceChildren(
    ...rows.map((row) => {
      const tr = document.createElement("tr");
      tr.dataset.receipt = row.receipt_id;
      const state = texts.receipt_states[row.state] || { tone: "bad", word: row.state };
      const stateCell = document.createElement("td");
      stateCell.append(badge(state.tone, state.word));
      if (row.state === "done" && row.fd) stateCell.append(" ", muted(t("fd", { fd: row.fd })));
      if (row.state === "failed") {
        const why = register.half(row.error);
        if (why) stateCell.append(Object.assign(document.createElement("div"), { className: "why", textContent: why }));
      }
      const kind = corrected(row) ? t(`kind_correction_${row.kind}`) : texts.kinds[row.kind] || row.kind;
      const kindCell = cell("", kind);
      if (row.order_id) kindCell.append(" ", muted(t("order", { id: row.order_id })));
      if (row.refund_of) kindCell.append(" ", muted(`← № ${row.refund_of}`));
      const act = document.createElement("td");
      act.className = "act";
      const ids = (row.refund_ids || []).join(", ");
      if (row.state === "failed") {
        act.append(action(t("retry"), (b) => shift.retry(row, b)));
      } else if (row.corrected) {
        act.append(muted(t("corr_has_reverse", { id: ids })));
      } else if (row.refund === "site") {
        act.append(muted(t("refund_site")));
      } else if (row.refund === "done") {
        act.append(muted(t("refunded_all", { ids })));
      } else if (row.refund === "here" && row.refunded > 0) {
        act.append(muted(t("refunded_part", { amount: row.refunded, ids })));
        act.append(action(t("refund_rest"), () => shift.refund(row.receipt_id)));
      } else if (row.refund === "here") {
        act.append(action(t("refund"), () => shift.refund(row.receipt_id)));
      }
      tr.append(
        cell("", `№ ${row.receipt_id}`),
        cell("", when(row.created_at)),
        kindCell,
        cell("num", storegw.money(row.total)),
        cell("", paidBy(row)),
        stateCell,
        act,
      );
      return tr;
    }),
  );
};

// A payment made on the site (a prepayment or its refund) is never the card terminal's money.
function paidBy(row) {
  if (row.receipt_kind === "prepayment" || row.receipt_kind === "prepayment_refund") {
    const method = `site_word_${row.payment_method}`; // card_online, sbp, other_electronic
    return register.t(method in register.texts ? method : "site_word");
  }
  if (row.cash && row.card) return register.t("mixed_word");
  return register.t(row.card ? "card_word" : "cash_word");
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const options = { hour: "2-digit", minute: "2-digit" };
  if (date.toDateString() !== new Date().toDateString()) {
    Object.assign(options, { day: "numeric", month: "short" });
  }
  return date.toLocaleString(storegw.lang === "en" ? "en-GB" : "ru-RU", options);
}

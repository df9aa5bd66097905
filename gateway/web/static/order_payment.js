// «Заказ № …», the money paid on the site (issue 11): how much, each payment's prepayment
// receipt (its ФД and state) and its refunds, and what is left to pay at pickup. Drawn after the
// order screen draws the order (order_view.js), from the order API's `payment`.
"use strict";
(() => {
  const line = (words, className) => {
    const node = document.createElement("p");
    node.textContent = words;
    if (className) node.className = className;
    return node;
  };

  const receiptWords = (receipt) => {
    const state = register.texts.receipt_states[receipt.state] || { word: receipt.state };
    const fd = receipt.fd ? ` · ${tr("fd", { fd: receipt.fd })}` : "";
    return `${tr("receipt", { id: receipt.receipt_id })}${fd} · ${state.word}`;
  };

  const draw = (order) => {
    const box = document.getElementById("online-payment");
    const money = order.payment || {};
    const payments = money.payments || [];
    box.hidden = payments.length === 0;
    if (box.hidden) return;
    const rows = [line(tr("online_paid", { amount: money.online }), "payment paid")];
    for (const payment of payments) {
      const how = tr(`method_${payment.method}`);
      rows.push(line(`${tr("prepayment_receipt", { amount: payment.amount, how })}: ${receiptWords(payment.receipt)}`, "muted"));
      for (const back of payment.refunds || []) {
        rows.push(line(`${tr("refund_receipt", { amount: back.amount })}: ${receiptWords(back)}`, "muted"));
      }
    }
    if (money.offset > 0) rows.push(line(tr("online_offset", { offset: money.offset }), "muted"));
    box.replaceChildren(...rows);
    // The line above the buttons says what the person at the desk must take.
    const open = !["shipped", "cancelled"].includes(order.status);
    if (!open) return;
    scr.el.payment.textContent = money.due > 0 ? tr("online_due", { due: money.due }) : tr("online_nothing_due");
    scr.el.payment.className = `payment ${money.due > 0 ? "to-pay" : "paid"}`;
  };

  const render = scr.render;
  scr.render = () => {
    render();
    draw(scr.order);
  };
})();

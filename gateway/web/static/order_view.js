// «Заказ № …», the drawing half (order.js acts): the order as the API gives it, in words, and
// the screen's wiring. The buttons shown are the ones that can do something to this order now.
"use strict";
scr.traits = (line) =>
  Object.entries(line.characteristics || {}).map(([name, value]) => `${name}: ${value}`).join(", ");

scr.open = (line) => line.qty_ordered - line.qty_shipped - line.qty_cancelled;

scr.render = () => {
  const order = scr.order;
  const title = tr("title", { number: order.number });
  document.querySelector("h1").textContent = title;
  document.title = `${title} · ${document.title.split(" · ").pop()}`;
  scr.el.loading.hidden = true;
  scr.el.order.hidden = false;
  const state = register.texts.states[order.status] || { tone: "bad", word: order.status };
  scr.el.state.className = `badge ${state.tone}`;
  scr.el.state.textContent = state.word;
  if (order.status === "shipped" && (order.refunded || 0) > 0) { // handed over, then brought back
    scr.el.state.textContent = `${state.word} · ${tr("state_refunded")}`;
  }
  scr.el.confirmedBy.textContent = order.confirmed_by ? tr("confirmed_by", { name: order.confirmed_by }) : "";
  scr.el.total.textContent = storegw.money(order.total);
  const paid = (order.payment && order.payment.receipts) || 0; // what its receipts took
  const back = order.refunded || 0; // given back at the desk by refund receipts
  if (back > 0 && scr.finished()) { // nothing is due from the buyer: money went back to them
    scr.el.payment.textContent = tr("refunded_money", { amount: back });
    scr.el.payment.className = "payment refunded";
  } else {
    scr.el.payment.textContent = order.paid ? tr("paid_online")
      : paid > 0 ? tr("pay_rest", { paid, rest: Math.max(0, order.total - paid) })
      : tr("pay_at_pickup", { total: order.total });
    scr.el.payment.className = `payment ${order.paid ? "paid" : "to-pay"}`;
  }
  scr.el.attention.hidden = !order.needs_attention;
  scr.el.attention.textContent = order.needs_attention ? tr("attention", { detail: order.needs_attention }) : "";
  scr.el.finished.hidden = !scr.finished();
  const sold = (order.receipts || []).filter((r) => r.kind === "sell" && r.state === "done")
    .reduce((sum, r) => sum + r.total, 0);
  scr.el.finished.textContent = order.status === "cancelled"
    ? tr("finished_cancelled", { reason: scr.reasonWord(order.cancel_reason) })
    : back > 0 && back >= sold ? tr("finished_refunded", { amount: back })
    : back > 0 ? tr("finished_part_refunded", { amount: back })
    : tr("finished_shipped");
  scr.showButtons();
  scr.drawBuyer(order.customer || {});
  scr.el.lines.querySelector("tbody").replaceChildren(...order.lines.map(scr.lineRow));
  scr.drawReceipts(order.receipts || []);
  scr.drawHistory(order.history || []);
};

scr.finished = () => ["shipped", "cancelled"].includes(scr.order.status);

scr.showButtons = () => {
  const order = scr.order;
  if (!order) return;
  const live = !scr.finished();
  const unconfirmed = live && ["reserved", "short"].includes(order.status) && !order.confirmed_by;
  const shippable = live && order.lines.some((line) => line.qty_reserved > 0);
  scr.el.confirm.hidden = !unconfirmed;
  scr.el.ship.hidden = !shippable;
  scr.el.ship.className = unconfirmed ? "" : "primary"; // one big button: the next step
  scr.el.cancel.hidden = !live;
  scr.el.pickSlip.hidden = !live;
  for (const button of document.querySelectorAll("#order button")) button.disabled = scr.busy;
};

scr.drawBuyer = (customer) => {
  const parts = [];
  if (customer.name) parts.push(text("strong", customer.name));
  if (customer.phone) parts.push(link(`tel:${customer.phone.replace(/[^\d+]/g, "")}`, customer.phone));
  if (customer.email) parts.push(link(`mailto:${customer.email}`, customer.email));
  scr.el.buyer.replaceChildren(...(parts.length ? parts : [text("span", "—")]));
};

scr.lineRow = (line) => {
  const row = document.createElement("tr");
  row.dataset.line = line.line_id;
  row.dataset.sku = line.sku;
  const name = document.createElement("td");
  name.className = "name";
  name.append(text("div", line.name));
  const traits = scr.traits(line);
  if (traits) name.append(text("div", traits, "traits"));
  const notes = [text("span", line.sku, "muted")];
  if (line.marked) notes.push(badgeOf("pill", tr("marked")));
  if (line.short > 0 && !scr.finished()) notes.push(badgeOf("wait", tr("line_short", { n: line.short })));
  if (line.qty_cancelled > 0) notes.push(badgeOf("off", tr("line_cancelled", { n: line.qty_cancelled })));
  const extra = document.createElement("div");
  extra.className = "notes";
  extra.append(...notes);
  name.append(extra);
  // «Снять резерв» sits under the line's name, not in a column of its own: the four columns
  // then fit beside the order's side panel on a 1024 px tablet, and on a phone.
  const others = scr.order.lines.some((each) => each !== line && scr.open(each) > 0);
  if (!scr.finished() && scr.open(line) > 0 && others) {
    const release = document.createElement("button");
    release.type = "button";
    release.className = "release";
    release.textContent = tr("release");
    release.onclick = () => scr.askReason("release", line);
    const act = document.createElement("div");
    act.className = "act";
    act.append(release);
    name.append(act);
  }
  const heads = [...scr.el.lines.querySelectorAll("thead th")].map((th) => th.textContent);
  const cells = [line.qty_ordered, line.qty_reserved, line.qty_shipped].map((value, n) => {
    const cell = text("td", String(value), "num");
    cell.dataset.label = heads[n + 1]; // a phone shows each number with its column's name
    return cell;
  });
  row.append(name, ...cells);
  return row;
};

scr.drawReceipts = (receipts) => {
  scr.el.noReceipts.hidden = receipts.length > 0;
  scr.el.receipts.replaceChildren(
    ...receipts.map((receipt) => {
      const row = document.createElement("div");
      row.className = "row";
      row.dataset.receipt = receipt.receipt_id;
      const state = register.texts.receipt_states[receipt.state] || { tone: "bad", word: receipt.state };
      const kind = register.texts.kinds[receipt.kind] || receipt.kind;
      const what = text("span", `${tr("receipt", { id: receipt.receipt_id })} · ${kind} · ${storegw.money(receipt.total)}`, "what");
      row.append(what, badgeOf(state.tone, state.word));
      if (receipt.fd) row.append(text("span", tr("fd", { fd: receipt.fd }), "muted"));
      if (receipt.state === "done") {
        const again = document.createElement("button");
        again.type = "button";
        again.className = "reprint";
        again.textContent = tr("reprint");
        again.disabled = scr.reprinting.has(receipt.receipt_id);
        again.onclick = () => scr.reprint(receipt, again);
        row.append(again);
      }
      if (receipt.refund === "here") { // the refund is made on «Смена», this receipt opened there
        const back = link(`/shift?refund=${receipt.receipt_id}`, tr(receipt.refunded > 0 ? "refund_rest" : "refund"));
        back.className = "button";
        row.append(back);
      }
      if (receipt.refunded > 0) {
        row.append(text("span", tr(receipt.refund_left > 0 ? "refunded_part" : "refunded_all", { amount: receipt.refunded }), "muted"));
      }
      if (receipt.refund === "site") row.append(text("span", tr("refund_on_site"), "muted"));
      return row;
    }),
  );
};

scr.reasonWord = (reason) => register.texts.reasons[reason] || reason || "";

scr.drawHistory = (entries) => {
  const en = storegw.lang === "en";
  const items = entries.map((entry) => {
    const item = document.createElement("li");
    const said = (en ? entry.text_en : entry.text) || entry.text || entry.what;
    item.append(text("span", scr.when(entry.at), "when"), " ", text("span", said));
    if (entry.by) item.append(" · ", text("span", entry.by === "cloud" ? tr("cloud") : entry.by, "muted"));
    return item;
  });
  if (!items.length) items.push(text("li", tr("history_empty"), "muted"));
  scr.el.history.replaceChildren(...items);
};

scr.when = (iso) => {
  const moment = new Date(iso);
  if (!iso || Number.isNaN(moment.getTime())) return "";
  const two = (n) => String(n).padStart(2, "0");
  return `${two(moment.getDate())}.${two(moment.getMonth() + 1)} ${two(moment.getHours())}:${two(moment.getMinutes())}`;
};

function text(tag, value, className) {
  const node = document.createElement(tag);
  node.textContent = value;
  if (className) node.className = className;
  return node;
}

function badgeOf(tone, value) {
  return text("span", value, `badge ${tone}`);
}

function link(href, value) {
  const node = text("a", value);
  node.href = href;
  return node;
}

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  Object.assign(scr.el, {
    loading: $("loading"), order: $("order"), state: $("state"), confirmedBy: $("confirmed-by"),
    total: $("total"), payment: $("payment"), attention: $("attention"), finished: $("finished"),
    confirm: $("confirm-order"), ship: $("ship-order"), cancel: $("cancel-order"), pickSlip: $("pick-slip"),
    buyer: $("buyer"), lines: $("lines"), receipts: $("receipts"), noReceipts: $("no-receipts"),
    history: $("history"), shipDialog: $("ship-dialog"), shipLines: $("ship-lines"),
    payBox: $("pay-box"), cashBox: $("cash-box"), payCash: $("pay-cash"), payCard: $("pay-card"),
    received: $("received"), shipNote: $("ship-note"), shipWill: $("ship-will"),
    shipError: $("ship-error"), reasonDialog: $("reason-dialog"), reasonTitle: $("reason-title"),
    reasonWill: $("reason-will"), reasonText: $("reason-text"), reasonError: $("reason-error"),
    reasonDo: $("reason-do"), reasons: document.querySelectorAll("[data-reason]"),
    marking: $("marking"), markingPrompt: $("marking-prompt"), markingCode: $("marking-code"),
    markingError: $("marking-error"),
  });
  for (const kind of ["confirm", "ship", "cancel", "release"]) scr.renewKey(kind);
  scr.el.confirm.onclick = scr.confirm;
  scr.el.ship.onclick = scr.openShip;
  scr.el.cancel.onclick = () => scr.askReason("cancel");
  scr.el.pickSlip.onclick = scr.pickSlip;
  $("ship-do").onclick = scr.shipNow;
  scr.el.payCash.onclick = () => { scr.pay = "cash"; scr.drawShip(); };
  scr.el.payCard.onclick = () => { scr.pay = "card"; scr.drawShip(); };
  scr.el.received.addEventListener("input", scr.drawShip);
  for (const button of scr.el.reasons) {
    button.onclick = () => {
      scr.reasonFor.reason = button.dataset.reason;
      for (const each of scr.el.reasons) each.setAttribute("aria-pressed", String(each === button));
      scr.el.reasonError.textContent = "";
      if (button.dataset.reason === "other") scr.el.reasonText.focus();
    };
  }
  scr.el.reasonDo.onclick = scr.reasonChosen;
  for (const dialog of [scr.el.shipDialog, scr.el.reasonDialog]) {
    dialog.querySelector("[data-close]").onclick = () => dialog.close();
  }
  scr.el.marking.querySelector("[data-close]").onclick = () => scr.answerCode(null);
  scr.el.marking.addEventListener("cancel", (event) => {
    event.preventDefault();
    scr.answerCode(null);
  });
  storegw.onCode(scr.el.markingCode, scr.onMarkingCode);
  document.addEventListener("storegw:orders", (event) => {
    if (event.detail.changed && scr.order) scr.refresh();
  });
  scr.load();
});

// «Смена»: the register's state in words, the shift and the cash in the drawer, today's totals,
// open / close the shift, X report, cash in / out, and the latest receipts with «Повторить» for
// a failed one and «Возврат» for a printed sale; «Чек коррекции» opens correction.js's dialog.
// Refreshes every few seconds.
"use strict";
const shift = {
  fiscal: null, // GET /api/fiscal
  receipts: null, // GET /api/receipts
  closed: null, // {number, totals} of the shift closed from this screen
  busy: false,
  timer: null,
  // receipt -> {key, sent, ids}: the key of a refund request whose answer was lost, the request
  // (a retry of the same one reuses the key: it refunds once) and the receipt's refunds then.
  refundKeys: new Map(),
  kept: null, // the refund dialog's choices when the sign-in lapsed: its receipt's dialog takes them
  drawnRows: "", // the receipts as last drawn
  pages: 1, // pages of receipts shown («Показать ещё» adds one)
  search: null, // the receipt number looked for (null: the newest receipts)
  more: false, // older receipts exist
  refunding: null, // the refund dialog's receipt (GET /api/receipts/{id}/refund) and choices
  el: {},
};
const REFRESH_MS = 3000;
const PENDING_REFRESH_MS = 800; // a receipt is on its way to the paper: say when it is there

shift.number = () => {
  const fiscal = shift.fiscal || {};
  return (fiscal.shift || {}).number ?? ((fiscal.device || {}).shift || {}).number ?? null;
};

shift.refresh = async () => {
  const [fiscal, receipts] = await Promise.all([
    register.send("/api/fiscal"),
    register.send(shift.receiptsPath()),
  ]);
  if (fiscal.ok) shift.fiscal = fiscal.data;
  if (receipts.ok) {
    shift.receipts = receipts.data.receipts;
    shift.more = receipts.data.more;
  }
  shift.render();
  shift.schedule();
};

const PAGE = 15;
shift.receiptsPath = () =>
  shift.search !== null
    ? `/api/receipts/page?number=${shift.search}`
    : `/api/receipts/page?limit=${PAGE * shift.pages}`;

// «Найти»: one receipt by its number (or ФД); «Все чеки» back to the newest.
shift.find = async (event) => {
  event.preventDefault();
  const typed = shift.el.number.value.replace(/\D/g, "");
  if (!typed) {
    register.say(register.t("search_bad"), "bad");
    return;
  }
  shift.search = Number(typed);
  shift.el.searchAll.hidden = false;
  await shift.refresh();
  if (!shift.receipts.length) register.say(register.t("search_none", { number: typed }), "bad");
};

shift.showAll = async () => {
  shift.search = null;
  shift.pages = 1;
  shift.el.number.value = "";
  shift.el.searchAll.hidden = true;
  await shift.refresh();
};

shift.showMore = async () => {
  shift.pages += 1;
  await shift.refresh();
};

// The next refresh: soon while a receipt is on its way to the paper, else every few seconds.
shift.schedule = () => {
  clearTimeout(shift.timer);
  const pending = (shift.receipts || []).some((row) => ["queued", "sending"].includes(row.state));
  shift.timer = setTimeout(
    () => (shift.busy ? shift.schedule() : shift.refresh()),
    pending ? PENDING_REFRESH_MS : REFRESH_MS,
  );
};

// --- register operations -------------------------------------------------------------------
shift.operate = async (operation, body, done) => {
  if (shift.busy) return; // a double tap does one thing
  shift.busy = true;
  shift.render();
  register.say(register.t("working"), "wait");
  const answer = await register.send(`/api/fiscal/${operation}`, body || {});
  shift.busy = false;
  if (answer.ok) register.say(done(answer.data), "ok");
  else if (answer.network) register.say(register.t("op_unknown"), "bad"); // no key to retry with
  else register.fail(answer);
  await shift.refresh();
};

shift.open = () =>
  shift.operate("open-shift", {}, (data) => register.t("opened", { number: data.shift }));

// Closing asks how much cash is in the drawer, shows it against the books and the difference
// in words and colour, and sends the count with the close (it goes into the shift's record).
shift.close = async () => {
  const number = shift.number();
  const totals = shift.fiscal.shift || {};
  const sales = totals.sales || { count: 0, total: 0 };
  const queue = (shift.fiscal.receipts || {});
  const waiting = (queue.queued || 0) + (queue.sending || 0);
  const expected = totals.cash_in_drawer || 0;
  const values = {
    number,
    waiting,
    sales: sales.count,
    sales_total: storegw.money(sales.total),
    refunds: (totals.refunds || {}).count || 0,
    drawer: storegw.money(expected),
  };
  const counted = await shift.askCount(
    register.t("close_title", values),
    register.t("close_text", values) + (waiting ? ` ${register.t("close_waiting", values)}` : ""),
    expected,
  );
  if (counted === null) return;
  await shift.operate("close-shift", { counted }, (data) => {
    shift.closed = { number: data.shift, totals: data.totals, count: data };
    return register.t("closed", { number: data.shift });
  });
};

shift.xReport = () => shift.operate("x-report", {}, () => register.t("x_printed"));

shift.cash = async (kind) => {
  const amount = register.parseRoubles(shift.el.amount.value);
  if (!amount) {
    register.say(register.t("amount_bad"), "bad");
    shift.el.amount.focus();
    return;
  }
  const drawer = (shift.fiscal.shift || {}).cash_in_drawer || 0;
  const after = kind === "in" ? drawer + amount : drawer - amount;
  const values = { amount: storegw.money(amount), after: storegw.money(after) };
  if (after < 0) {
    register.say(register.t("cash_short", { ...values, drawer: storegw.money(drawer) }), "bad");
    return;
  }
  const button = kind === "in" ? shift.el.cashIn : shift.el.cashOut;
  const yes = await register.confirm(
    register.t(`cash_${kind}_title`, values),
    register.t(`cash_${kind}_text`, values),
    button.textContent,
  );
  if (!yes) return;
  await shift.operate(`cash-${kind}`, { amount }, (totals) => {
    shift.el.amount.value = "";
    const drawerNow = storegw.money(totals.cash_in_drawer);
    return register.t(`cash_${kind}_done`, { amount: values.amount, drawer: drawerNow });
  });
};

shift.retry = async (row, button) => {
  button.disabled = true;
  const answer = await register.send(`/api/receipts/${row.receipt_id}/retry`, {});
  if (answer.ok) register.say(register.t("retried", { id: row.receipt_id }), "ok");
  else register.fail(answer);
  button.disabled = false; // the list is drawn again only when it changes
  await shift.refresh();
};

// --- drawing ---------------------------------------------------------------------------------
shift.render = () => {
  const t = register.t;
  const texts = register.texts;
  const money = storegw.money;
  const fiscal = shift.fiscal || {};
  const device = fiscal.device || { state: "not_configured" };
  const known = texts.device[device.state] || { tone: "bad", word: device.state, say: "" };
  // The worker's detail adds to the sentence only for a fault it has no word of its own for.
  const detail = texts.device[device.state] && device.state !== "error" ? "" : register.half(device.detail);
  shift.el.device.replaceChildren(
    badge(known.tone, known.word),
    text(known.say),
    ...(detail ? [muted(detail)] : []),
  );
  const number = shift.number();
  const open = number !== null;
  shift.el.shiftLine.replaceChildren(
    badge(open ? "ok" : "off", open ? t("shift_open", { number }) : t("shift_closed")),
  );
  shift.el.shiftHint.hidden = open;
  shift.el.shiftHint.textContent = t("shift_closed_hint");
  const totals = fiscal.shift || {};
  shift.el.drawerBox.hidden = !open;
  shift.el.drawer.textContent = open ? money(totals.cash_in_drawer || 0) : "";
  const configured = device.state !== "not_configured";
  shift.el.open.hidden = open || !configured;
  shift.el.close.hidden = !open;
  shift.el.xReport.hidden = !open;
  shift.el.cashMove.hidden = !open;
  shift.el.correction.hidden = !configured; // «Чек коррекции» (correction.js): a register's
  for (const b of [shift.el.open, shift.el.close, shift.el.xReport, shift.el.cashIn, shift.el.cashOut]) {
    b.disabled = shift.busy || !configured;
  }
  if (open) {
    shift.el.totalsTitle.textContent = shift.el.totalsTitle.dataset.today;
    shift.fillTotals(totals);
  } else if (shift.closed) {
    shift.el.totalsTitle.textContent = t("closed_totals", { number: shift.closed.number });
    shift.fillTotals(shift.closed.totals);
  } else {
    shift.el.totalsTitle.textContent = shift.el.totalsTitle.dataset.today;
    shift.fillTotals(null);
  }
  shift.renderClosedCount(open ? null : (shift.closed || {}).count);
  shift.renderReceipts();
};

shift.fillTotals = (totals) => {
  const money = storegw.money;
  const dash = "—";
  for (const kind of ["sales", "refunds", "cash_in", "cash_out"]) {
    const row = shift.el.totals.querySelector(`[data-row="${kind}"]`);
    const value = totals ? totals[kind] : undefined;
    const bucket = typeof value === "object" ? value : null; // sales, refunds: counts and split
    row.querySelector(".n").textContent = bucket ? bucket.count : totals ? "" : dash;
    row.querySelector(".sum").textContent =
      bucket ? money(bucket.total) : totals ? money(value || 0) : dash;
    row.querySelector(".split").textContent = bucket && bucket.total ? split(bucket, money) : "";
  }
};

// The parts add up to the total: the counter's cash and card (what the terminal's report
// shows), the site's money (in the register's card figure), and prepayments offset at a
// handover.
function split(bucket, money) {
  const card = bucket.card - (bucket.online || 0);
  const parts = [register.t("split", { cash: money(bucket.cash), card: money(card) })];
  if (bucket.online) parts.push(register.t("split_online", { online: money(bucket.online) }));
  if (bucket.prepaid) parts.push(register.t("split_prepaid", { prepaid: money(bucket.prepaid) }));
  return parts.join(" · ");
}

function badge(tone, words) {
  const span = document.createElement("span");
  span.className = `badge ${tone}`;
  span.textContent = words;
  return span;
}

function text(words) {
  return Object.assign(document.createElement("span"), { textContent: words });
}

function muted(words) {
  return Object.assign(document.createElement("span"), { className: "muted", textContent: words });
}

function cell(className, words) {
  return Object.assign(document.createElement("td"), { className, textContent: words });
}

function action(label, handler) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: label });
  b.onclick = () => handler(b);
  return b;
}

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  Object.assign(shift.el, {
    device: $("device"),
    shiftLine: $("shift-line"),
    shiftHint: $("shift-hint"),
    drawerBox: $("drawer-box"),
    drawer: $("drawer"),
    open: $("open"),
    close: $("close"),
    xReport: $("x-report"),
    cashMove: $("cash-move"),
    amount: $("amount"),
    cashIn: $("cash-in"),
    cashOut: $("cash-out"),
    totals: $("totals"),
    totalsTitle: $("totals-title"),
    receipts: $("receipts"),
    noReceipts: $("no-receipts"),
    closedCount: $("closed-count"),
    closeDialog: $("close-dialog"),
    closeTitle: $("close-title"),
    closeText: $("close-text"),
    counted: $("counted"),
    closeExpected: $("close-expected"),
    closeCounted: $("close-counted"),
    closeDifference: $("close-difference"),
    closeVerdict: $("close-verdict"),
    closeYes: $("close-yes"),
    closeNo: $("close-no"),
    correction: $("correction"),
    search: $("receipt-search"),
    number: $("receipt-number"),
    searchAll: $("search-all"),
    more: $("more-receipts"),
    refundDialog: $("refund-dialog"),
    refundTitle: $("refund-title"),
    refundLines: $("refund-lines"),
    refundRestock: $("refund-restock"),
    refundSum: $("refund-sum"),
    refundCash: $("refund-cash"),
    refundError: $("refund-error"),
    refundDo: $("refund-do"),
    refundScan: $("refund-scan"),
    refundCode: $("refund-code"),
  });
  shift.el.search.onsubmit = shift.find;
  shift.el.searchAll.onclick = shift.showAll;
  shift.el.more.onclick = shift.showMore;
  shift.el.refundDo.onclick = shift.refundNow;
  $("refund-all").onclick = () => shift.refunding && shift.refundAll();
  $("refund-no").onclick = () => shift.el.refundDialog.close();
  shift.el.refundDialog.addEventListener("close", () => { shift.refunding = null; });
  // From the order screen: «Вернуть» opens this receipt's refund (/shift?refund=N).
  const asked = new URLSearchParams(location.search).get("refund");
  if (asked && /^\d+$/.test(asked)) {
    shift.search = Number(asked);
    shift.el.number.value = asked;
    shift.el.searchAll.hidden = false;
    shift.refund(Number(asked));
  }
  shift.el.totalsTitle.dataset.today = shift.el.totalsTitle.textContent;
  shift.fiscal = JSON.parse($("fiscal").textContent);
  shift.render();
  shift.el.open.onclick = shift.open;
  shift.el.close.onclick = shift.close;
  shift.el.xReport.onclick = shift.xReport;
  shift.el.cashIn.onclick = () => shift.cash("in");
  shift.el.cashOut.onclick = () => shift.cash("out");
  shift.refresh();
});

// «Продажа»: a counter sale. A scan (the scanner typing into the code field, a code typed by
// hand, or the serial scanner through /api/scanner) adds the item; a marked item asks for each
// unit's marking code, checked with the register as it is scanned (marking.js); cash or card; one «Пробить чек» prints it once -- the sale's idempotency
// key makes a second tap, or a retry after a lost answer, return the same receipt.
// Goods held for web orders are sold only once the cashier saw which orders lose them and said
// so (the gateway refuses until then; a cashier then needs a manager's PIN). The sale being made
// is kept in the tab's sessionStorage: a reload or a trip to «Заказы» does not lose it.
"use strict";
const sale = {
  lines: [], // {sku, name, price|null, qty, marked: true|false|null, codes: [], onHand, available, discount}
  discount: 0, // percent off the whole sale; a line's own `discount` (not null) wins
  pay: "cash",
  key: null, // the idempotency key of the sale being sent; dropped once the API answered
  unsure: false, // the answer was lost: the sale may have gone through, so it is not changed
  held: [], // scans made while the sale was being sent: added once it is answered
  busy: false,
  marking: null, // the line whose marking codes the dialog asks for
  checked: {}, // marking code -> the register's check of it (a refused one is never added)
  watching: null, // the receipt watched until it is printed
  said: "", // what the receipt watcher said last (it never talks over anything newer)
  scannerSeen: null, // the newest scanner history entry already handled
  polling: false,
  el: {},
};
const MARKING = marking.PATTERN; // marking.js
const SAVED = "storegw.sale"; // sessionStorage: this tab's unfinished sale
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?\d{10,15}$/;

// --- the lines ------------------------------------------------------------------------------
sale.pct = (line) => (line.discount ?? sale.discount);
sale.unit = (line) => discount.unit(line.price, sale.pct(line)); // the price after the discount

sale.total = () =>
  sale.lines.some((line) => line.price === null)
    ? null
    : sale.lines.reduce((sum, line) => sum + sale.unit(line) * line.qty, 0);

sale.off = () =>
  sale.lines.reduce((sum, line) => sum + (line.price === null ? 0 : (line.price - sale.unit(line)) * line.qty), 0);

sale.askDiscount = async (line) => {
  const title = line ? line.name : register.t("discount_sale");
  const pct = await discount.ask(title, line ? sale.pct(line) : sale.discount);
  if (pct === null) return;
  if (line) line.discount = pct;
  else sale.discount = pct;
  sale.key = null; // a changed sale is a new sale
  sale.render();
};

sale.missingCodes = (line) => (line.marked ? Math.max(0, line.qty - line.codes.length) : 0);

sale.add = (item, code) => {
  if (sale.busy) {
    sale.held.push([item, code]);
    return;
  }
  if (sale.unsure) {
    register.say(register.t("net_retry"), "bad");
    return;
  }
  if (item.archived) {
    register.say(register.words({ error: "archived_sku" }), "bad");
    return;
  }
  // A DataMatrix is this unit's marking code -- unless the catalog says the item is not marked.
  const marking = MARKING.test(code || "") && item.marked !== false;
  let line = sale.lines.find((each) => each.sku === item.sku);
  if (marking && sale.lines.some((each) => each.codes.includes(code))) {
    register.say(register.t("duplicate_code"), "bad");
    return;
  }
  if (marking && !sale.checked[code]) {
    sale.checkThenAdd(item, code); // sale_codes.js: added only if the register allows it
    return;
  }
  if (!line) {
    line = { sku: item.sku, name: item.name || item.sku, qty: 0, codes: [], marked: null, discount: null };
    sale.lines.push(line);
  }
  line.price = Number.isInteger(item.price) ? item.price : (line.price ?? null);
  if (typeof item.marked === "boolean") line.marked = item.marked;
  line.onHand = item.on_hand;
  line.available = item.available;
  const pack = marking ? 1 : Math.max(1, Number(item.pack) || 1);
  if (marking) {
    line.marked = true;
    line.codes.push(code);
    if (line.codes.length > line.qty) line.qty = line.codes.length; // else it filled a gap
  } else {
    line.qty += pack;
  }
  sale.showResult(null);
  const values = { name: line.name, qty: line.qty, pack };
  const said = register.t(pack > 1 ? "added_pack" : "added", values);
  register.say(marking ? sale.withCheck(said, code) : said, "ok");
  sale.render();
  if (sale.missingCodes(line)) sale.askCodes(line);
};

sale.change = (line, delta) => {
  if (sale.unsure) {
    register.say(register.t("net_retry"), "bad");
    return;
  }
  line.qty += delta;
  if (line.qty <= 0) {
    sale.lines = sale.lines.filter((each) => each !== line);
  } else if (line.codes.length > line.qty) {
    line.codes.length = line.qty; // one unit less: its code goes too
  }
  sale.render();
  if (delta > 0 && sale.missingCodes(line)) sale.askCodes(line);
};

// --- paying ----------------------------------------------------------------------------------
sale.received = () => {
  const text = sale.el.received.value.trim();
  return text ? register.parseRoubles(text) : undefined; // undefined: exact, null: not a sum
};

sale.setPay = (pay) => {
  sale.pay = pay;
  sale.render();
};

// `shown`: the held orders the cashier saw and agreed to sell from (the gateway's refusal).
sale.sell = async (shown) => {
  if (sale.busy) return; // a double tap: the first one is on its way
  if (!sale.lines.length) {
    register.say(register.t("empty_sale"), "bad");
    sale.el.code.focus();
    return;
  }
  const missing = sale.lines.find((line) => sale.missingCodes(line));
  if (missing) {
    register.say(register.t("needs_codes", { name: missing.name }), "bad");
    sale.askCodes(missing);
    return;
  }
  const total = sale.total();
  let payment = sale.pay;
  if (sale.pay === "cash") {
    const received = sale.received();
    if (received === null || received === 0) {
      register.say(register.t("amount_bad"), "bad");
      sale.el.received.focus();
      return;
    }
    if (received !== undefined) {
      if (total !== null && received < total) {
        const values = { received, total, short: total - received };
        register.say(register.t("received_short", values), "bad");
        sale.el.received.focus();
        return;
      }
      payment = { cash: received };
    }
  }
  const contact = sale.el.contact.value.trim();
  if (contact && !EMAIL.test(contact) && !PHONE.test(contact.replace(/[\s\-()]/g, ""))) {
    register.say(register.t("contact_bad", { contact }), "bad");
    sale.el.contact.focus();
    return;
  }
  const items = sale.lines.map((line) => ({
    sku: line.sku,
    qty: line.qty,
    ...(line.codes.length ? { marking_codes: line.codes } : {}),
    ...(line.discount !== null && line.discount !== undefined ? { discount_pct: line.discount } : {}),
  }));
  sale.key = sale.key || register.newKey("sale");
  sale.busy = true;
  sale.render();
  register.say(register.t("selling"), "wait");
  const answer = await register.send("/api/sales", {
    items,
    ...(sale.discount ? { discount_pct: sale.discount } : {}),
    payment,
    ...(contact ? { contact } : {}),
    ...(shown ? { take_reserved: shown } : {}),
    idem_key: sale.key,
  });
  sale.busy = false;
  sale.unsure = Boolean(answer.network);
  const held = sale.held.splice(0);
  if (answer.ok) {
    sale.sold(answer.data, sale.pay);
    sale.showTaken(answer.data.taken_from_orders);
  }
  for (const [item, code] of held) sale.add(item, code); // into the next sale, or back here
  if (answer.ok) return;
  sale.render();
  if (answer.network) {
    // The key is kept and the sale frozen: the next tap sends the same sale under the same
    // key, so it cannot be sold twice, whatever happened to the first.
    register.say(register.t("net_retry"), "bad");
    return;
  }
  sale.key = null; // refused (or signed out): nothing was kept under the key
  sale.save();
  if (answer.signedOut) return register.fail(answer); // the lock screen is up: sign in, tap again
  if (answer.error === "takes_reserved") {
    const orders = answer.data.orders || [];
    register.say(register.t("held_ask"), "wait");
    if (!(await sale.askHeld(orders))) {
      register.say(register.t("held_kept"), "bad");
      return;
    }
    const seen = orders.map((each) => ({ order_id: each.order_id, sku: each.sku, qty: each.qty, paid: each.paid }));
    return sale.sell(seen); // a cashier gets the manager's PIN pad from storegw.send
  }
  if (answer.error === "marking_code_missing") {
    const sku = (answer.data.detail || "").split(" ")[0];
    const line = sale.lines.find((each) => each.sku === sku);
    if (line) {
      line.marked = true;
      register.say(register.t("needs_codes", { name: line.name }), "bad");
      sale.render();
      sale.askCodes(line);
      return;
    }
  }
  if (answer.error === "marking_refused") sale.dropRefused(answer.data); // sale_codes.js
  const names = Object.fromEntries(sale.lines.map((each) => [each.sku, each.name]));
  register.fail({ ...answer, text: register.words(answer.data, names) });
};

// --- goods held for web orders ------------------------------------------------------------
// Which orders would lose goods (the gateway's refusal): resolves to true if the cashier sells
// from the reserve all the same.
sale.askHeld = (orders) => {
  const dialog = sale.el.held;
  const t = register.t;
  dialog.querySelector(".held-orders").replaceChildren(
    ...orders.map((order) => {
      const item = document.createElement("li");
      item.append(t("held_line", order));
      if (order.paid) item.append(" ", badge("bad", t("held_paid")));
      return item;
    }),
  );
  const paid = [...new Set(orders.filter((order) => order.paid).map((order) => order.number))];
  const note = dialog.querySelector(".held-paid");
  note.hidden = !paid.length;
  note.textContent = paid.length ? t("held_paid_note", { numbers: paid.join(", ") }) : "";
  const pin = dialog.querySelector(".held-pin");
  pin.hidden = document.body.dataset.role === "manager";
  pin.textContent = t("held_pin");
  return register.answerOf(dialog, (button) => button.dataset.answer === "yes");
};

// After the sale: which orders are short now (under the receipt, until the next sale).
sale.showTaken = (taken) => {
  const line = sale.el.result.querySelector(".result-orders");
  const numbers = [...new Set((taken || []).map((each) => each.number))];
  line.hidden = !numbers.length;
  line.textContent = numbers.length ? register.t("held_taken", { numbers: numbers.join(", ") }) : "";
};

// --- a typed code ---------------------------------------------------------------------------
// The code field: a barcode first; else an sku or an article equal to it, as «Остатки» finds
// them (several: the cashier chooses, as for a barcode several items share).
sale.onTyped = async (code) => {
  if (sale.marking) return sale.onMarkingCode(code);
  const found = await register.send(`/api/lookup?code=${encodeURIComponent(code)}`);
  if (found.ok) return sale.found(found.data);
  if (found.error !== "not_found") return register.fail(found);
  const items = await sale.exactItems(code);
  if (items.length) return sale.found({ code, items });
  register.say(register.t("unknown_code", { code }), "bad");
};

sale.exactItems = async (code) => {
  const answer = await register.send(`/api/stock?q=${encodeURIComponent(code)}&limit=20`);
  if (!answer.ok) return [];
  const exact = (answer.data.items || []).slice(0, answer.data.exact || 0);
  const live = exact.filter((item) => !item.archived);
  return live.length ? live : exact; // only archived ones: adding one says so
};

// --- kept across a reload or a trip to another screen ----------------------------------------
sale.save = () => {
  try {
    if (!sale.lines.length) {
      sessionStorage.removeItem(SAVED);
      return;
    }
    const codes = new Set(sale.lines.flatMap((line) => line.codes));
    const checked = Object.fromEntries(Object.entries(sale.checked).filter(([code]) => codes.has(code)));
    sessionStorage.setItem(SAVED, JSON.stringify({
      lines: sale.lines,
      discount: sale.discount,
      pay: sale.pay,
      key: sale.key, // on its way or unanswered: the next tap sends the same sale again
      received: sale.el.received.value,
      contact: sale.el.contact.value,
      checked,
    }));
  } catch (error) {
    // storage full or off: the sale is only not kept
  }
};

sale.restore = () => {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(SAVED) || "null");
  } catch (error) {
    saved = null;
  }
  if (!saved || !Array.isArray(saved.lines) || !saved.lines.length) return;
  sale.lines = saved.lines;
  sale.discount = Number(saved.discount) || 0;
  sale.pay = saved.pay === "card" ? "card" : "cash";
  sale.key = saved.key || null;
  sale.unsure = Boolean(sale.key); // sent, and no answer seen: it may have been sold
  sale.checked = saved.checked || {};
  sale.el.received.value = saved.received || "";
  sale.el.contact.value = saved.contact || "";
  if (sale.unsure) {
    register.say(register.t("net_retry"), "bad");
  } else {
    const count = sale.lines.reduce((sum, line) => sum + line.qty, 0);
    register.say(register.t("restored", { count }), "ok");
  }
};

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  Object.assign(sale.el, {
    code: $("code"),
    lines: $("lines"),
    empty: $("empty"),
    total: $("total"),
    discountNote: $("discount-note"),
    payCash: $("pay-cash"),
    payCard: $("pay-card"),
    cashBox: $("cash-box"),
    received: $("received"),
    change: $("change"),
    contact: $("contact"),
    sell: $("sell"),
    clear: $("clear"),
    result: $("result"),
    quick: document.querySelectorAll(".quick button"),
    marking: $("marking"),
    markingPrompt: $("marking-prompt"),
    markingCode: $("marking-code"),
    markingError: $("marking-error"),
    choose: $("choose"),
    scannerNote: $("scanner-note"),
    refusedCodes: $("refused-codes"),
    held: $("held"),
  });
  storegw.onCode(sale.el.code, sale.onTyped);
  storegw.onCode(sale.el.markingCode, sale.onMarkingCode);
  sale.el.marking.querySelector(".cancel").onclick = sale.closeMarking;
  sale.el.marking.addEventListener("cancel", (event) => {
    event.preventDefault();
    sale.closeMarking();
  });
  $("sale-discount").onclick = () => sale.askDiscount(null);
  sale.el.payCash.onclick = () => sale.setPay("cash");
  sale.el.payCard.onclick = () => sale.setPay("card");
  sale.el.received.addEventListener("input", sale.renderChange);
  sale.el.received.addEventListener("input", sale.save);
  sale.el.contact.addEventListener("input", sale.save);
  for (const quick of sale.el.quick) {
    quick.onclick = () => {
      const amount = Number(quick.dataset.amount);
      const total = sale.total();
      sale.el.received.value = register.plain(amount > 0 ? amount : total || 0);
      sale.renderChange();
    };
  }
  sale.el.sell.onclick = () => sale.sell();
  sale.el.clear.onclick = async () => {
    const count = sale.lines.reduce((sum, line) => sum + line.qty, 0);
    const yes = await register.confirm(
      sale.el.clear.dataset.title, register.t("clear_text", { count }), sale.el.clear.textContent);
    if (yes) {
      sale.lines = [];
      sale.discount = 0;
      sale.key = null;
      sale.unsure = false;
      marking.clearRefused(sale.el.refusedCodes);
      register.say(register.t("cleared"), "ok");
      sale.render();
    }
    sale.el.code.focus();
  };
  // A scanner in keyboard mode types wherever the focus is. Typed on no field (a button, the
  // page), it goes to the code field -- its Enter must never press «Пробить чек». Typed into the
  // cash or contact field, a whole barcode + Enter is taken back out and scanned.
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, dialog, .screen")) return;
    if (storegw.screenUp()) return; // the PIN pad takes the keys
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    (sale.el.marking.open ? sale.el.markingCode : sale.el.code).focus();
  });
  for (const field of [sale.el.received, sale.el.contact]) {
    field.addEventListener("focus", () => {
      field.dataset.before = field.value;
    });
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const typed = field.value.slice((field.dataset.before || "").length).trim();
      if (/^\d{8,14}$/.test(typed) || MARKING.test(typed)) {
        field.value = field.dataset.before || "";
        sale.renderChange();
        sale.el.code.focus();
        sale.onTyped(typed);
      }
    });
  }
  sale.restore();
  sale.render();
  sale.el.code.focus();
  sale.pollScanner();
  setInterval(sale.pollScanner, 800);
});

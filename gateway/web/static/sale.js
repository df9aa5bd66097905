// «Продажа»: a counter sale. A scan (the scanner typing into the code field, a code typed by
// hand, or the serial scanner through /api/scanner) adds the item; a marked item asks for each
// unit's marking code; cash or card; one «Пробить чек» prints it once -- the sale's idempotency
// key makes a second tap, or a retry after a lost answer, return the same receipt.
"use strict";
const sale = {
  lines: [], // {sku, name, price|null, qty, marked: true|false|null, codes: [], onHand, available}
  pay: "cash",
  key: null, // the idempotency key of the sale being sent; dropped once the API answered
  unsure: false, // the answer was lost: the sale may have gone through, so it is not changed
  held: [], // scans made while the sale was being sent: added once it is answered
  busy: false,
  marking: null, // the line whose marking codes the dialog asks for
  watching: null, // the receipt watched until it is printed
  said: "", // what the receipt watcher said last (it never talks over anything newer)
  scannerSeen: null, // the newest scanner history entry already handled
  polling: false,
  el: {},
};
const MARKING = /^(?:\](?:d2|C1|Q3))?01\d{14}21/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?\d{10,15}$/;

// --- the lines ------------------------------------------------------------------------------
sale.total = () =>
  sale.lines.some((line) => line.price === null)
    ? null
    : sale.lines.reduce((sum, line) => sum + line.price * line.qty, 0);

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
  if (!line) {
    line = { sku: item.sku, name: item.name || item.sku, qty: 0, codes: [], marked: null };
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
  register.say(register.t(pack > 1 ? "added_pack" : "added", values), "ok");
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

// --- codes: the code field, the serial scanner, the marking dialog -------------------------
sale.onCode = async (code) => {
  if (sale.marking) return sale.onMarkingCode(code);
  const found = await register.send(`/api/lookup?code=${encodeURIComponent(code)}`);
  if (!found.ok) {
    if (found.error === "not_found") {
      register.say(register.t("unknown_code", { code }), "bad");
    } else {
      register.fail(found);
    }
    return;
  }
  await sale.found(found.data);
};

sale.found = async (data) => {
  const items = data.items || [];
  const item = items.length > 1 ? await sale.choose(data.code, items) : items[0];
  if (item) sale.add(item, data.code);
};

sale.choose = (code, items) =>
  new Promise((resolve) => {
    const dialog = sale.el.choose;
    const list = dialog.querySelector(".choices");
    dialog.querySelector(".choose-text").textContent = register.fill(dialog.dataset.text, { code });
    list.replaceChildren(
      ...items.map((item) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = `${item.name} · ${item.sku}`;
        button.onclick = () => finish(item);
        return button;
      }),
    );
    const finish = (item) => {
      dialog.oncancel = null;
      if (dialog.open) dialog.close();
      resolve(item);
    };
    dialog.querySelector(".cancel").onclick = () => finish(null);
    dialog.oncancel = () => finish(null);
    dialog.showModal();
  });

sale.askCodes = (line) => {
  sale.marking = line;
  sale.el.markingError.textContent = "";
  sale.promptCode();
  if (!sale.el.marking.open) sale.el.marking.showModal();
  sale.el.markingCode.focus();
};

sale.promptCode = () => {
  const line = sale.marking;
  sale.el.markingPrompt.textContent = register.t("marking_prompt", {
    name: line.name,
    n: line.codes.length + 1,
    qty: line.qty,
  });
};

sale.closeMarking = () => {
  sale.marking = null;
  if (sale.el.marking.open) sale.el.marking.close();
  sale.render();
  sale.el.code.focus();
};

sale.onMarkingCode = async (code) => {
  const line = sale.marking;
  const wrong = (text) => {
    sale.el.markingError.textContent = text;
    sale.el.markingCode.focus();
  };
  if (sale.lines.some((each) => each.codes.includes(code))) return wrong(register.t("duplicate_code"));
  const found = await register.send(`/api/lookup?code=${encodeURIComponent(code)}`);
  if (!found.ok && found.error !== "not_found") return wrong(found.text);
  const parsed = found.ok ? found.data.code : code;
  if (!MARKING.test(parsed)) return wrong(register.t("not_marking"));
  const items = found.ok ? found.data.items : [];
  if (items.length && !items.some((item) => item.sku === line.sku)) {
    return wrong(register.t("other_item", { name: items[0].name }));
  }
  if (sale.lines.some((each) => each.codes.includes(parsed))) {
    return wrong(register.t("duplicate_code"));
  }
  line.codes.push(parsed);
  sale.el.markingError.textContent = "";
  const values = { name: line.name, n: line.codes.length, qty: line.qty };
  register.say(register.t("code_added", values), "ok");
  if (sale.missingCodes(line)) {
    sale.promptCode();
    return;
  }
  sale.closeMarking();
  const next = sale.lines.find((each) => sale.missingCodes(each));
  if (next) sale.askCodes(next);
  else register.say(register.t("codes_done"), "ok");
};

// The shop's scanner in serial mode: its scans land in the gateway's scan station; with no
// receiving or stocktake chosen there, each is a lookup this page takes into the sale.
sale.pollScanner = async () => {
  if (sale.polling) return; // the last scans are still being handled (a dialog may be open)
  sale.polling = true;
  try {
    await sale.takeScans();
  } finally {
    sale.polling = false;
  }
};

sale.takeScans = async () => {
  let snapshot;
  try {
    const answer = await fetch("/api/scanner");
    if (!answer.ok) return;
    snapshot = await answer.json();
  } catch (error) {
    return;
  }
  const target = snapshot.target;
  sale.el.scannerNote.hidden = !target;
  if (target) {
    sale.el.scannerNote.textContent = register.t("scanner_busy", {
      kind: register.t(target.kind),
    });
  }
  const entries = (snapshot.last || []).filter((entry) => typeof entry.at === "number");
  const newest = Math.max(0, ...entries.map((entry) => entry.at));
  if (sale.scannerSeen === null) {
    sale.scannerSeen = newest; // what was scanned before the page opened is not this sale's
    return;
  }
  const fresh = entries.filter((entry) => entry.at > sale.scannerSeen).reverse();
  sale.scannerSeen = Math.max(sale.scannerSeen, newest);
  for (const entry of fresh) {
    if (entry.target) continue; // it went into that document
    if (sale.marking && entry.code) {
      await sale.onMarkingCode(entry.code);
    } else if (entry.ok && entry.found) {
      await sale.found(entry.found);
    } else {
      register.say(register.half(entry.message) || register.t("unknown_code", { code: entry.text }), "bad");
    }
  }
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

sale.sell = async () => {
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
  }));
  sale.key = sale.key || register.newKey("sale");
  sale.busy = true;
  sale.render();
  register.say(register.t("selling"), "wait");
  const answer = await register.send("/api/sales", {
    items,
    payment,
    ...(contact ? { contact } : {}),
    idem_key: sale.key,
  });
  sale.busy = false;
  sale.unsure = Boolean(answer.network);
  const held = sale.held.splice(0);
  if (answer.ok) sale.sold(answer.data, sale.pay);
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
  if (answer.signedOut) return register.fail(answer); // the lock screen is up: sign in, tap again
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
  const names = Object.fromEntries(sale.lines.map((each) => [each.sku, each.name]));
  register.fail({ ...answer, text: register.words(answer.data, names) });
};

sale.sold = (answer, pay) => {
  sale.lines = [];
  sale.key = null;
  sale.el.received.value = "";
  sale.el.contact.value = "";
  sale.pay = "cash";
  const values = { id: answer.receipt_id, total: storegw.money(answer.total) };
  sale.showResult({ ...answer, pay });
  sale.said = register.t("sold", values);
  register.say(sale.said, "ok", true);
  sale.render();
  sale.el.code.focus();
  sale.watch(answer.receipt_id, values);
};

sale.showResult = (answer) => {
  const box = sale.el.result;
  box.hidden = !answer;
  if (!answer) return;
  const money = storegw.money;
  box.querySelector(".result-receipt").textContent =
    `${register.t("receipt", { id: answer.receipt_id })} · ${money(answer.total)}`;
  box.querySelector(".result-change").textContent =
    answer.pay === "card"
      ? register.t("paid_card", { total: money(answer.total) })
      : answer.change > 0
        ? register.t("give_change", { change: money(answer.change) })
        : register.t("no_change");
  sale.showState(answer.state || "queued");
};

sale.showState = (state) => {
  const badge = sale.el.result.querySelector(".result-state");
  const word = register.texts.receipt_states[state] || { tone: "bad", word: state };
  badge.className = `badge ${word.tone} result-state`;
  badge.textContent = word.word;
};

// Say when the receipt is printed (or why it waits, or that the register refused it).
sale.watch = async (id, values) => {
  const mine = {};
  sale.watching = mine;
  const started = Date.now();
  const until = started + 60_000;
  const tell = (text, tone) => {
    if (document.getElementById("message").textContent === sale.said) register.say(text, tone);
    sale.said = text;
  };
  while (sale.watching === mine) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    if (sale.watching !== mine) return;
    const rows = await register.send("/api/receipts?limit=20");
    const row = rows.ok && rows.data.find((each) => each.receipt_id === id);
    if (!row) continue;
    if (sale.watching === mine && !sale.el.result.hidden) sale.showState(row.state);
    if (row.state === "done") {
      tell(register.t("receipt_printed", { ...values, fd: row.fd }), "ok");
      return;
    }
    if (row.state === "failed") {
      const why = register.half(row.error);
      tell(register.t("receipt_failed", { ...values, why: why ? `: ${why}` : "" }), "bad");
      return;
    }
    if (Date.now() > until) {
      tell(register.t("receipt_slow", values), "wait");
      return;
    }
    const fiscal = await register.send("/api/fiscal");
    const device = fiscal.ok && fiscal.data.device;
    if (device && device.state !== "ok") {
      const say = (register.texts.device[device.state] || {}).say || device.state;
      tell(register.t("receipt_waits", { ...values, why: say }), "wait");
    } else if (device && device.shift && !device.shift.open && Date.now() > started + 3000) {
      // The register does not open the shift by itself here: staff must.
      tell(register.t("receipt_waits", { ...values, why: register.t("shift_closed_why") }), "wait");
    }
  }
};

// --- drawing ---------------------------------------------------------------------------------
sale.render = () => {
  const money = storegw.money;
  const t = register.t;
  const body = sale.el.lines.querySelector("tbody");
  body.replaceChildren(
    ...sale.lines.map((line) => {
      const row = document.createElement("tr");
      row.dataset.sku = line.sku;
      const name = document.createElement("td");
      name.className = "name";
      name.append(line.name);
      const notes = [];
      if (line.marked) {
        const need = line.qty;
        const have = line.codes.length;
        notes.push(badge(have >= need ? "ok" : "wait", t("codes", { have, need })));
        if (have < need) {
          const scan = document.createElement("button");
          scan.type = "button";
          scan.className = "scan-code";
          scan.textContent = t("marking_scan");
          scan.onclick = () => sale.askCodes(line);
          notes.push(scan);
        }
      }
      if (Number.isInteger(line.onHand) && line.qty > line.onHand) {
        notes.push(badge("bad", t("few_left", { on_hand: line.onHand })));
      } else if (Number.isInteger(line.available) && line.qty > line.available) {
        notes.push(badge("wait", t("reserved")));
      }
      if (notes.length) {
        const extra = document.createElement("div");
        extra.className = "notes";
        extra.append(...notes);
        name.append(extra);
      }
      const price = cell("num price", line.price === null ? t("price_unknown") : money(line.price));
      const qty = document.createElement("td");
      qty.className = "qty-cell";
      const box = document.createElement("div");
      box.className = "qty";
      const count = document.createElement("output");
      count.textContent = line.qty;
      box.append(
        button("−", t("less"), () => sale.change(line, -1)),
        count,
        button("+", t("more"), () => sale.change(line, +1)),
      );
      qty.append(box);
      const sum = cell("num", line.price === null ? t("price_unknown") : money(line.price * line.qty));
      const remove = document.createElement("td");
      remove.append(button("✕", t("remove"), () => sale.change(line, -line.qty), "remove"));
      row.append(name, price, qty, sum, remove);
      return row;
    }),
  );
  sale.el.lines.hidden = !sale.lines.length;
  sale.el.empty.hidden = sale.lines.length > 0;
  const total = sale.total();
  sale.el.total.textContent = total === null ? "—" : money(total);
  sale.el.payCash.setAttribute("aria-pressed", String(sale.pay === "cash"));
  sale.el.payCard.setAttribute("aria-pressed", String(sale.pay === "card"));
  sale.el.cashBox.hidden = sale.pay !== "cash";
  sale.el.sell.disabled = sale.busy;
  sale.el.clear.hidden = !sale.lines.length;
  for (const quick of sale.el.quick) {
    const amount = Number(quick.dataset.amount);
    quick.disabled = amount > 0 && total !== null && amount < total;
  }
  sale.renderChange();
};

sale.renderChange = () => {
  const line = sale.el.change;
  const total = sale.total();
  const received = sale.received();
  line.className = "change";
  if (!sale.lines.length) {
    line.textContent = "";
  } else if (received === null) {
    line.textContent = register.t("amount_bad");
    line.classList.add("short");
  } else if (total === null) {
    line.textContent = register.t("total_unknown"); // the lookup gave no price (API gap)
    line.classList.add("later");
  } else if (received === undefined) {
    line.textContent = register.t("no_change");
  } else if (received < total) {
    line.textContent = `${register.t("short")}: ${storegw.money(total - received)}`;
    line.classList.add("short");
  } else {
    line.textContent = `${register.t("change")}: ${storegw.money(received - total)}`;
  }
};

function badge(tone, text) {
  const span = document.createElement("span");
  span.className = `badge ${tone}`;
  span.textContent = text;
  return span;
}

function cell(className, text) {
  const td = document.createElement("td");
  td.className = className;
  td.textContent = text;
  return td;
}

function button(text, label, onclick, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.disabled = sale.busy || sale.unsure; // the sale on its way (or maybe sold) is not changed
  b.textContent = text;
  b.title = label;
  b.setAttribute("aria-label", label);
  if (className) b.className = className;
  b.onclick = onclick;
  return b;
}

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  Object.assign(sale.el, {
    code: $("code"),
    lines: $("lines"),
    empty: $("empty"),
    total: $("total"),
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
  });
  storegw.onCode(sale.el.code, sale.onCode);
  storegw.onCode(sale.el.markingCode, sale.onMarkingCode);
  sale.el.marking.querySelector(".cancel").onclick = sale.closeMarking;
  sale.el.marking.addEventListener("cancel", (event) => {
    event.preventDefault();
    sale.closeMarking();
  });
  sale.el.payCash.onclick = () => sale.setPay("cash");
  sale.el.payCard.onclick = () => sale.setPay("card");
  sale.el.received.addEventListener("input", sale.renderChange);
  for (const quick of sale.el.quick) {
    quick.onclick = () => {
      const amount = Number(quick.dataset.amount);
      const total = sale.total();
      sale.el.received.value = register.plain(amount > 0 ? amount : total || 0);
      sale.renderChange();
    };
  }
  sale.el.sell.onclick = sale.sell;
  sale.el.clear.onclick = async () => {
    const count = sale.lines.reduce((sum, line) => sum + line.qty, 0);
    const yes = await register.confirm(
      sale.el.clear.dataset.title, register.t("clear_text", { count }), sale.el.clear.textContent);
    if (yes) {
      sale.lines = [];
      sale.key = null;
      sale.unsure = false;
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
    if (document.querySelector(".screen:not([hidden])")) return; // the PIN pad takes the keys
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
        sale.onCode(typed);
      }
    });
  }
  sale.render();
  sale.el.code.focus();
  sale.pollScanner();
  setInterval(sale.pollScanner, 800);
});

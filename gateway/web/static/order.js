// «Заказ № …»: one web order — its lines with the goods' characteristics, the buyer, payment,
// receipts and history — and what the desk does with it. Every action is asked once with what
// will happen, carries one idempotency key per screen opening (a double tap, or a retry after
// a lost answer, does it once; a new key once it is done) and the order's version (a screen
// gone stale meanwhile is refused and reloaded). Opening the screen marks the order seen: the
// board's alert for it stops. A cashier's tap on a manager's action gets the manager's-PIN
// dialog from app.js. Words, refusals, «are you sure» and roubles come from register.js. The
// marked units' codes are asked for in order_marking.js.
"use strict";
const scr = {
  id: decodeURIComponent(window.location.pathname.replace(/^\/orders\//, "")),
  order: null,
  keys: {},
  busy: false,
  seenSent: false,
  pay: "cash",
  chosen: {}, // line_id -> qty to ship (absent: not shipped)
  codes: {}, // line_id -> marking codes scanned for this shipment
  codeWanted: null, // the marking dialog's question: {line, resolve}
  reasonFor: null, // the reason dialog's action: {kind, line}
  el: {},
};
const tr = (key, values) => register.t(key, values);

scr.renewKey = (kind) => {
  scr.keys[kind] = register.newKey(`${kind}-${scr.id}`);
};

scr.load = async () => {
  const answer = await register.send(`/api/orders/${encodeURIComponent(scr.id)}`);
  if (!answer.ok) {
    if (answer.status === 404) {
      scr.el.loading.textContent = tr("gone");
      scr.el.order.hidden = true;
    } else if (!answer.signedOut) register.say(answer.text, "bad");
    return;
  }
  scr.order = scr.normalise(answer.data);
  scr.render();
  if (!scr.seenSent) {
    scr.seenSent = true; // the board's alert stops; nothing to say about it here
    await register.send(`/api/orders/${encodeURIComponent(scr.id)}/seen`, {});
  }
  const printing = scr.order.receipts.some((r) => r.state === "queued" || r.state === "sending");
  if (printing) setTimeout(scr.refresh, 1500);
};

// Line quantities under the names this script uses (the API says `ordered`, `reserved`, ...).
scr.normalise = (order) => {
  for (const line of order.lines) {
    for (const part of ["ordered", "reserved", "shipped", "cancelled"]) {
      if (line[`qty_${part}`] === undefined) line[`qty_${part}`] = line[part];
    }
  }
  return order;
};

// Quietly, when nobody is in the middle of something on this screen.
scr.refresh = () => {
  if (scr.busy || document.querySelector("dialog[open]")) return;
  scr.load();
};

// --- acting ----------------------------------------------------------------------------------
scr.act = async (kind, path, body, done) => {
  if (scr.busy) return null; // a double tap: the first one is on its way
  scr.busy = true;
  scr.showButtons();
  register.say(tr("working"), "wait");
  const order = scr.order;
  const answer = await register.send(path, {
    ...body,
    expected_version: order.version,
    idem_key: scr.keys[kind],
  });
  scr.busy = false;
  if (kind === "ship" && answer.error === "marking_refused") scr.codes = {}; // ask them again
  if (answer.ok) {
    scr.renewKey(kind); // done: the next action of this kind is a new one
    if (kind === "ship") scr.codes = {};
    register.say(done(answer.data, order), "ok", true);
  } else if (answer.error === "stale_version") {
    register.say(tr("stale"), "bad", true);
  } else if (answer.network) {
    register.say(answer.text, "bad", true); // the key is kept: a retry cannot do it twice
  } else if (!answer.signedOut) {
    const names = Object.fromEntries(order.lines.map((line) => [line.sku, line.name]));
    register.say(register.words(answer.data, names), "bad", true);
  }
  await scr.load();
  return answer.ok ? answer.data : null;
};

scr.confirm = async () => {
  const order = scr.order;
  const short = order.lines.reduce((sum, line) => sum + Math.max(0, line.short), 0);
  const text = tr("confirm_text") + (short ? tr("confirm_short", { n: short }) : "");
  if (!(await register.confirm(tr("confirm_title", { number: order.number }), text, scr.el.confirm.textContent))) return;
  await scr.act("confirm", `/api/orders/${encodeURIComponent(scr.id)}/confirm`, {}, () =>
    tr("confirmed", { number: order.number }));
};

scr.pickSlip = async () => {
  if (!scr.keys.slip) scr.renewKey("slip"); // kept until answered: a retry prints one slip
  const path = `/api/print/pick-slip/${encodeURIComponent(scr.id)}`;
  const answer = await register.send(path, { idem_key: scr.keys.slip });
  if (answer.ok) {
    scr.renewKey("slip"); // the next tap is a new slip (a reprint asked for)
    scr.followSlip(answer.data.print_job, scr.order.number);
  } else if (!answer.signedOut) register.fail(answer);
};

// A slip is queued, not printed: the message line says it waits for the printer until the
// print queue says it came out (or why not). Background reads (nobody's touch), every second,
// then every few once the printer is plainly not printing; it stops when the line says
// something else (the screen moved on) or the job is finished.
scr.slipStuckMs = 8000;
scr.followSlip = async (jobId, number) => {
  const started = Date.now();
  let said = null;
  const say = (key, tone) => {
    said = tr(key, { number });
    register.say(said, tone);
  };
  say("slip_waits", "wait");
  for (;;) {
    const waited = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, waited < scr.slipStuckMs ? 1000 : 3000));
    if (document.getElementById("message").textContent !== said) return;
    if (document.hidden) continue;
    const jobs = await storegw.send("/api/print?limit=50", undefined, undefined, true);
    if (jobs.signedOut) return; // the lock screen is up
    if (document.getElementById("message").textContent !== said) return;
    const job = jobs.ok ? jobs.data.find((row) => row.id === jobId) : null;
    if (job && job.state === "done") return say("slip_printed", "ok");
    if (job && job.state === "failed") return say("slip_failed", "bad");
    if (job && job.state === "unknown") return say("slip_unknown", "bad");
    if (Date.now() - started >= scr.slipStuckMs) say("slip_stuck", "wait");
  }
};

// «Чек ещё раз»: one copy per tap. The button is off while the register prints, and the key is
// kept until the gateway answers: a request sent again after a lost answer prints nothing more.
scr.reprinting = new Set(); // receipts whose copy is on its way
scr.reprint = async (receipt, button) => {
  const id = receipt.receipt_id;
  if (scr.reprinting.has(id)) return; // a double tap: the first one is on its way
  scr.reprinting.add(id);
  if (button) button.disabled = true;
  const kind = `reprint${id}`;
  if (!scr.keys[kind]) scr.renewKey(kind);
  const answer = await register.send(`/api/receipts/${id}/reprint`, { idem_key: scr.keys[kind] });
  scr.reprinting.delete(id);
  if (!answer.network) delete scr.keys[kind]; // answered: the next tap is a new copy
  if (answer.ok) register.say(tr("reprinted", { id }), "ok");
  else if (!answer.signedOut) register.fail(answer);
  for (const each of document.querySelectorAll(`[data-receipt="${id}"] button.reprint`)) {
    each.disabled = scr.busy;
  }
};

// --- cancel the order, or release one line's reserve: a reason first --------------------------
scr.askReason = (kind, line) => {
  const order = scr.order;
  const open = (each) => each.qty_ordered - each.qty_shipped - each.qty_cancelled;
  const shipped = order.lines.reduce((sum, each) => sum + each.qty_shipped, 0);
  const reserved = order.lines.reduce((sum, each) => sum + each.qty_reserved, 0);
  scr.reasonFor = { kind, line, reason: null };
  const name = line && line.name;
  scr.el.reasonTitle.textContent =
    kind === "cancel" ? tr("cancel_title", { number: order.number }) : tr("release_title", { name });
  scr.el.reasonWill.textContent = kind === "cancel"
    ? tr("cancel_will", { n: reserved }) + (shipped ? tr("cancel_shipped", { n: shipped }) : "")
    : tr("release_will", { n: open(line) });
  scr.el.reasonDo.textContent = kind === "cancel" ? scr.el.cancel.textContent : tr("release");
  scr.el.reasonText.value = "";
  scr.el.reasonError.textContent = "";
  for (const button of scr.el.reasons) button.setAttribute("aria-pressed", "false");
  scr.el.reasonDialog.showModal();
};

scr.reasonChosen = async () => {
  const asked = scr.reasonFor;
  const text = scr.el.reasonText.value.trim();
  if (!asked.reason) return (scr.el.reasonError.textContent = tr("reason_needed"));
  if (asked.reason === "other" && !text) {
    scr.el.reasonText.focus();
    return (scr.el.reasonError.textContent = tr("reason_text_needed"));
  }
  scr.el.reasonDialog.close();
  const body = { reason: asked.reason, ...(text ? { text } : {}) };
  const base = `/api/orders/${encodeURIComponent(scr.id)}`;
  if (asked.kind === "cancel") {
    const reserved = scr.order.lines.reduce((sum, each) => sum + each.qty_reserved, 0);
    await scr.act("cancel", `${base}/cancel`, body, (data, order) =>
      tr("cancelled", { number: order.number, n: reserved }));
    return;
  }
  const line = asked.line;
  await scr.act("release", `${base}/release`, { ...body, line_id: line.line_id }, (data) => {
    const freed = (data.released || []).reduce((sum, each) => sum + each.qty, 0);
    const filled = (data.filled_orders || []).map((each) => each.number).join(", ");
    return tr("released", { name: line.name, n: freed }) + (filled ? tr("released_filled", { numbers: filled }) : "");
  });
};

// --- shipping: which lines, how paid, the marked units' codes ---------------------------------
scr.openShip = () => {
  const lines = scr.order.lines.filter((line) => line.qty_reserved > 0);
  if (!lines.length) return register.say(tr("ship_nothing"), "bad");
  scr.chosen = Object.fromEntries(lines.map((line) => [line.line_id, line.qty_reserved]));
  scr.pay = "cash";
  scr.el.received.value = "";
  scr.el.shipError.textContent = "";
  scr.el.shipLines.replaceChildren(...lines.map(scr.shipLine));
  scr.drawShip();
  scr.el.shipDialog.showModal();
};

scr.shipLine = (line) => {
  const row = document.createElement("div");
  row.className = "ship-line";
  row.dataset.line = line.line_id;
  const label = document.createElement("label");
  label.className = "check";
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = true;
  box.onchange = () => {
    if (box.checked) scr.chosen[line.line_id] = line.qty_reserved;
    else delete scr.chosen[line.line_id];
    scr.drawShip();
  };
  const name = document.createElement("span");
  name.textContent = `${line.name}${scr.traits(line) ? ` (${scr.traits(line)})` : ""}`;
  label.append(box, name);
  const qty = document.createElement("div");
  qty.className = "qty";
  const count = document.createElement("output");
  const step = (text, delta) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = text;
    button.className = "step";
    button.onclick = () => {
      const now = (scr.chosen[line.line_id] || 0) + delta;
      if (now < 1 || now > line.qty_reserved) return;
      scr.chosen[line.line_id] = now;
      box.checked = true;
      scr.drawShip();
    };
    return button;
  };
  qty.append(step("−", -1), count, step("+", 1));
  row.append(label, qty);
  return row;
};

scr.shipTotal = () =>
  scr.order.lines.reduce((sum, line) => sum + (scr.chosen[line.line_id] || 0) * line.price, 0);

scr.drawShip = () => {
  const order = scr.order;
  for (const row of scr.el.shipLines.children) {
    const qty = scr.chosen[row.dataset.line];
    row.querySelector("output").textContent = String(qty || 0);
    row.classList.toggle("skipped", !qty);
  }
  const receipt = register.texts.register;
  scr.el.payBox.hidden = !receipt || order.paid || !scr.shipDue();
  scr.el.cashBox.hidden = scr.pay !== "cash" || scr.shipDue() < scr.shipTotal();
  scr.el.payCash.setAttribute("aria-pressed", String(scr.pay === "cash"));
  scr.el.payCard.setAttribute("aria-pressed", String(scr.pay === "card"));
  const contact = order.customer && (order.customer.email || order.customer.phone);
  scr.el.shipNote.textContent = !receipt
    ? tr("no_register")
    : contact ? tr("receipt_to", { contact }) : tr("no_contact");
  const n = Object.values(scr.chosen).reduce((sum, qty) => sum + qty, 0);
  const total = scr.shipTotal();
  const due = scr.shipDue();
  let will = tr("ship_will", { n });
  if (receipt) {
    const received = register.parseRoubles(scr.el.received.value);
    // With a prepayment offset the rest is taken exact: the register gives no change then.
    const how = order.paid || !due ? tr("ship_paid")
      : due < total ? tr("ship_offset", { offset: total - due, due })
      : scr.pay === "card" ? tr("ship_card")
      : received && received > total ? tr("ship_change", { change: received - total })
      : tr("ship_cash");
    will += tr("ship_receipt", { total }) + how;
  }
  scr.el.shipWill.textContent = `${will}.`;
};

// What the buyer still pays for the goods chosen: the prepayment made on the site and not yet
// offset against earlier handovers comes off first (as the gateway does).
scr.shipDue = () => {
  const money = scr.order.payment || {};
  const unused = Math.max(0, (money.online || 0) - (money.offset || 0));
  return Math.max(0, scr.shipTotal() - unused);
};

scr.shipNow = async () => {
  const order = scr.order;
  const wanted = order.lines.filter((line) => scr.chosen[line.line_id]);
  if (!wanted.length) return (scr.el.shipError.textContent = tr("ship_none"));
  const receipt = register.texts.register;
  let payment = scr.pay;
  const due = scr.shipDue();
  const offset = due < scr.shipTotal(); // part of it was prepaid on the site: the rest exact
  if (receipt && !order.paid && !offset && scr.pay === "cash" && scr.el.received.value.trim()) {
    const received = register.parseRoubles(scr.el.received.value);
    if (received === null) return (scr.el.shipError.textContent = tr("amount_bad"));
    const total = due;
    if (received < total) {
      return (scr.el.shipError.textContent = tr("received_short", { received, total, short: total - received }));
    }
    payment = { cash: received };
  }
  if (receipt && !(await scr.collectCodes(wanted))) return;
  scr.el.shipDialog.close();
  const lines = Object.fromEntries(wanted.map((line) => [line.line_id, scr.chosen[line.line_id]]));
  const codes = Object.fromEntries(wanted.filter((line) => line.marked).map((line) => [line.line_id, scr.codes[line.line_id]]));
  const body = { lines };
  if (receipt) body.receipt = { ...(order.paid ? {} : { payment }), marking_codes: codes };
  const n = Object.values(lines).reduce((sum, qty) => sum + qty, 0);
  const all = order.lines.every((line) => line.qty_ordered - line.qty_shipped - line.qty_cancelled === (lines[line.line_id] || 0));
  await scr.act("ship", `/api/orders/${encodeURIComponent(scr.id)}/ship`, body, (data) => {
    if (!data.receipt_id) return tr("shipped_plain", { number: order.number, n });
    return tr(all ? "shipped" : "shipped_part", { number: order.number, n, id: data.receipt_id });
  });
};

// «Смена»: the refund dialog («Возврат» on a printed sale's row). Loaded after shift.js (both
// deferred): these join its `shift` object before the page's DOMContentLoaded runs; the codes
// of marked pieces are refund_codes.js's.
"use strict";

// «Вернуть»: what is left on the receipt, line by line; the person sets the pieces brought back
// (never more than left: the gateway refuses that too) -- some of a marked line's pieces by the
// code of each (refund_codes.js) -- then one tap refunds them. `kept`: the choices of a refund
// that did not go (refused): what still fits the receipt now is chosen again; `refusal`: why,
// said on the line it concerns ({n, code, text}).
shift.refund = async (receiptId, kept, refusal) => {
  const d = shift.el;
  const before = kept || (shift.kept && shift.kept.receipt.receipt_id === receiptId ? shift.kept : null);
  shift.kept = null;
  d.refundTitle.textContent = register.t("refund_dialog_title", { id: receiptId });
  d.refundLines.querySelector("tbody").replaceChildren();
  d.refundSum.textContent = register.t("refund_loading");
  d.refundCash.textContent = "";
  d.refundError.textContent = "";
  refundCodes.say("");
  d.refundDo.disabled = true;
  d.refundRestock.checked = true;
  d.refundScan.hidden = true;
  if (!d.refundDialog.open) d.refundDialog.showModal();
  const found = await register.send(`/api/receipts/${receiptId}/refund`);
  if (!found.ok && before && found.network) {
    shift.reopenRefund(before); // no network: the choices as they were
    d.refundError.textContent = refusal ? refusal.text : found.text;
    return;
  }
  if (!found.ok) {
    d.refundSum.textContent = "";
    d.refundError.textContent = found.text;
    return;
  }
  const receipt = found.data;
  if (receipt.refund !== "here") {
    d.refundSum.textContent = "";
    d.refundError.textContent = receipt.refund === "site" ? register.t("refund_site")
      : register.t("refunded_all", { ids: receipt.refund_ids.join(", ") });
    return;
  }
  const chosen = new Map(receipt.lines.map((line, n) => [n, line.left]));
  const refunding = { receipt, chosen, codes: new Map(), restock: true, refusal: null };
  if (before) shift.carry(before, refunding);
  shift.reopenRefund(refunding);
  if (refusal) shift.refused(refunding, refusal);
};

// The dialog (again) with these choices.
shift.reopenRefund = (refunding) => {
  const d = shift.el;
  d.refundTitle.textContent = register.t("refund_dialog_title", { id: refunding.receipt.receipt_id });
  d.refundRestock.checked = refunding.restock;
  shift.refunding = refunding;
  if (!d.refundDialog.open) d.refundDialog.showModal();
  refundCodes.show(refunding);
  refundCodes.start();
  shift.drawRefund();
};

// The choices of a refund not done, onto the receipt as it is now: no more pieces than left, and
// only the scanned codes of pieces still left (one refunded meanwhile waits for another scan).
shift.carry = (from, to) => {
  to.restock = from.restock;
  to.receipt.lines.forEach((line, n) => {
    const was = from.receipt.lines[n];
    if (!was || was.sku !== line.sku || was.price !== line.price) return;
    to.chosen.set(n, Math.min(from.chosen.get(n), line.left));
    const left = (line.codes || {}).left || [];
    const codes = (from.codes.get(n) || []).filter((code) => left.includes(code));
    if (codes.length) to.codes.set(n, codes.slice(0, to.chosen.get(n)));
  });
};

// Where a refusal points: the line of the item its detail names ("item N: ..."), and the code
// it names, if any; else nowhere ({n: null}): said under the lines.
shift.refusalOf = (refunding, items, answer) => {
  const text = answer.text;
  const detail = String((answer.data || {}).detail || "");
  const number = /^item (\d+)\b/.exec(detail);
  const item = number && items ? items[Number(number[1]) - 1] : null;
  if (!item) return { n: null, code: null, text };
  const lines = refunding.receipt.lines;
  const code = (item.marking_codes || []).find((each) => detail.includes(marking.shown(each))) || null;
  const holds = (line) => code && ["left", "refunded"].some((k) => ((line.codes || {})[k] || []).includes(code));
  let n = code ? lines.findIndex(holds) : -1;
  if (n < 0) n = lines.findIndex((line, m) => line.sku === item.sku && refunding.chosen.get(m) > 0);
  if (n < 0) n = lines.findIndex((line) => line.sku === item.sku);
  return n < 0 ? { n: null, code: null, text } : { n, code, text };
};

// A refusal said where it is: on its line (in view), or under the lines.
shift.refused = (refunding, refusal) => {
  refunding.refusal = refusal.n === null ? null : refusal;
  shift.drawRefund();
  if (refusal.n === null) {
    shift.el.refundError.textContent = refusal.text;
    return;
  }
  const note = shift.el.refundLines.querySelector(".refusal");
  if (note) note.scrollIntoView({ block: "nearest" });
};

shift.drawRefund = () => {
  const refunding = shift.refunding;
  const { receipt, chosen } = refunding;
  const t = register.t;
  const rows = receipt.lines.map((line, n) => {
    const row = document.createElement("tr");
    row.dataset.sku = line.sku;
    const name = document.createElement("td");
    name.append(text(line.name));
    const words = line.left > 0
      ? t("refund_line_left", { sold: line.sold, refunded: line.refunded, left: line.left })
      : t("refund_line_none", { sold: line.sold });
    name.append(Object.assign(document.createElement("div"), { className: "left", textContent: `${storegw.money(line.price)} · ${words}` }));
    if (line.marked) name.append(refundCodes.describe(refunding, n)); // codes wanted, scanned
    if (refunding.refusal && refunding.refusal.n === n) { // why the gateway refused, here
      name.append(Object.assign(document.createElement("div"), { className: "refusal error", textContent: refunding.refusal.text }));
    }
    const qty = document.createElement("td");
    const box = document.createElement("div");
    box.className = "qty";
    const count = chosen.get(n);
    const set = (value) => {
      chosen.set(n, value);
      refunding.refusal = null; // changed: the refusal was of the request before
      refundCodes.fit(refunding, n);
      shift.drawRefund();
      if (refundCodes.needed(refunding, n)) refundCodes.focus(); // scan first
    };
    const less = action("−", () => set(Math.max(0, count - 1)));
    const more = action("+", () => set(Math.min(line.left, count + 1)));
    less.setAttribute("aria-label", `${line.name}: −`);
    more.setAttribute("aria-label", `${line.name}: +`);
    less.disabled = count <= 0;
    more.disabled = count >= line.left;
    box.append(less, Object.assign(document.createElement("output"), { textContent: String(count) }), more);
    qty.append(box);
    row.append(name, qty);
    return row;
  });
  const d = shift.el;
  d.refundLines.querySelector("tbody").replaceChildren(...rows);
  const total = receipt.lines.reduce((sum, line, n) => sum + line.price * chosen.get(n), 0);
  // Money goes back the way it came: to the card first (the gateway's rule), the rest in cash.
  const cardLeft = Math.max(0, receipt.card + receipt.prepaid - shift.refundedCard(receipt));
  const cash = total - Math.min(cardLeft, total);
  d.refundSum.textContent = t("refund_sum", { total });
  d.refundCash.textContent = cash > 0 ? t("refund_text", { cash_part: t("refund_cash_part", { cash: storegw.money(cash) }) }) : t("refund_text", { cash_part: "" });
  d.refundDo.textContent = t("refund_do", { total });
  d.refundDo.disabled = shift.busy || total <= 0;
  d.refundError.textContent = "";
  refundCodes.say(""); // a code taken is said after this (refund_codes.js), a change clears it
};

// The card part of the refunds already made (the receipt's refunds in the list, when shown).
shift.refundedCard = (receipt) =>
  (shift.receipts || []).filter((row) => receipt.refund_ids.includes(row.receipt_id))
    .reduce((sum, row) => sum + row.card, 0);

shift.refundAll = () => {
  const { receipt, chosen } = shift.refunding;
  receipt.lines.forEach((line, n) => chosen.set(n, line.left));
  shift.refunding.refusal = null;
  shift.drawRefund();
};

shift.refundNow = async () => {
  if (shift.busy || !shift.refunding) return; // a double tap does one thing
  const refunding = shift.refunding;
  const { receipt, chosen } = refunding;
  const d = shift.el;
  const everything = receipt.lines.every((line, n) => chosen.get(n) === line.left);
  if (!receipt.lines.some((line, n) => chosen.get(n) > 0)) {
    d.refundError.textContent = register.t("refund_none");
    return;
  }
  const short = refundCodes.missing(refunding); // the pieces still waiting for their code
  if (short.length) {
    const lines = short.map(({ line, missing }) => register.t("refund_codes_line", { name: line.name, n: missing }));
    refundCodes.say("");
    d.refundError.textContent = register.t("refund_codes_missing", { lines: lines.join(", ") });
    refundCodes.focus();
    return;
  }
  const id = receipt.receipt_id;
  refunding.restock = d.refundRestock.checked;
  const body = { restock: refunding.restock };
  // Everything left goes back as today (no items: the gateway takes all, codes from the receipt).
  if (!everything) body.items = refundCodes.items(refunding);
  const sent = JSON.stringify(body);
  // The key of a request whose answer was lost is reused only to send the same request again
  // (it refunds once, whatever happened to the first); a changed request is a new refund with a
  // new key -- sent once the gateway says the lost one did not go through (never twice).
  const lost = shift.refundKeys.get(id);
  if (lost && lost.sent !== sent && (await shift.lostLanded(id, lost, refunding))) return;
  const key = lost && lost.sent === sent ? lost.key : register.newKey("refund");
  shift.refundKeys.set(id, { key, sent, ids: lost && lost.sent === sent ? lost.ids : receipt.refund_ids });
  shift.busy = true;
  d.refundDo.disabled = true;
  // The dialog steps aside: a cashier's refund asks for the manager's PIN on the screen (app.js).
  d.refundDialog.close();
  register.say(register.t("working"), "wait");
  const refunded = await register.send(`/api/receipts/${id}/refund`, { ...body, idem_key: key });
  shift.busy = false;
  if (!refunded.network) shift.refundKeys.delete(id);
  if (refunded.ok) {
    const done = { id: refunded.data.receipt_id, total: storegw.money(refunded.data.total) };
    register.say(register.t("refunded", done), "ok");
  } else if (refunded.network) {
    // No answer: the choices and the key stay; «Вернуть» again sends the same request again.
    const text = register.t("refund_net_retry");
    register.say(text, "bad");
    shift.reopenRefund(refunding);
    d.refundError.textContent = text;
  } else if (refunded.signedOut) {
    register.fail(refunded); // nothing was done; signed in again, this receipt's dialog has them
    shift.kept = refunding;
  } else {
    register.fail(refunded);
    // What is left now, the choices kept, and why it did not go where it is wrong.
    await shift.refund(id, refunding, shift.refusalOf(refunding, body.items, refunded));
  }
  await shift.refresh();
};

// A changed request after a lost answer: did the lost one go through (the receipt has a refund
// it did not have then)? Yes, or no answer: nothing is sent, the dialog says what is left now.
shift.lostLanded = async (id, lost, refunding) => {
  const d = shift.el;
  shift.busy = true;
  d.refundDo.disabled = true;
  const found = await register.send(`/api/receipts/${id}/refund`);
  shift.busy = false;
  if (!found.ok) {
    d.refundDo.disabled = false;
    d.refundError.textContent = found.network ? register.t("refund_net_retry") : found.text;
    return true;
  }
  shift.refundKeys.delete(id); // answered now: the lost one went through, or never will
  const landed = found.data.refund_ids.filter((n) => !lost.ids.includes(n));
  if (!landed.length) return false;
  const text = register.t("refund_landed", { ids: landed.join(", ") });
  register.say(text, "bad");
  await shift.refund(id, refunding, { n: null, code: null, text });
  return true;
};

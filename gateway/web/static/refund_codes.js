// «Смена», the refund dialog's marking codes: some of a receipt's marked pieces go back only by
// the code of each piece brought back (the register needs them). The code field takes a scan
// (a keyboard-mode scanner, a typed or pasted code, or the serial scanner's scans while the
// dialog is open), finds the receipt's piece it names -- else reads it as «Продажа» does
// (marking.js) to say why not: not a code, not sold on this receipt, already refunded or
// already scanned is refused in red; a code taken is said under the field («код принят (1 из 2)»).
// All of a marked line's pieces left go back without scanning: their codes are on the receipt.
// The gateway checks every code again and refuses the refund, changing nothing, on a bad one.
"use strict";
const refundCodes = {
  scannerSeen: null, // the newest serial-scanner entry already handled (null: not looked yet)
  timer: null,
  polling: false,

  // A code without a symbology prefix and GS separators (pasted codes lose them).
  plain: (code) => String(code).replace(/^\](?:d2|C1|Q3)/, "").replace(/\x1d/g, ""),

  // Does line n go back by scanned codes? A marked line, some pieces chosen, and not all the
  // pieces of its sku left (those go back by the receipt's codes).
  needed(refunding, n) {
    const { receipt, chosen } = refunding;
    const line = receipt.lines[n];
    if (!line.marked || !chosen.get(n)) return false;
    return receipt.lines.some((other, m) => other.sku === line.sku && chosen.get(m) !== other.left);
  },

  // Lines still short of codes: [{line, n, missing}].
  missing(refunding) {
    const short = [];
    refunding.receipt.lines.forEach((line, n) => {
      if (!refundCodes.needed(refunding, n)) return;
      const missing = refunding.chosen.get(n) - (refunding.codes.get(n) || []).length;
      if (missing > 0) short.push({ line, n, missing });
    });
    return short;
  },

  // Fewer pieces chosen than codes scanned: the last scanned go.
  fit(refunding, n) {
    const codes = refunding.codes.get(n);
    if (codes) codes.length = Math.min(codes.length, refunding.chosen.get(n));
  },

  // Under a marked line's name: its scanned codes (each can be removed) and what still waits.
  describe(refunding, n) {
    const t = register.t;
    const line = refunding.receipt.lines[n];
    const box = document.createElement("div");
    box.className = "codes";
    if (line.left <= 0) return box;
    if (!refunding.chosen.get(n)) {
      box.append(refundNote("is-left", t("refund_marked")));
      return box;
    }
    if (!refundCodes.needed(refunding, n)) {
      box.append(refundNote("is-left", t("refund_marked_all")));
      return box;
    }
    const list = document.createElement("ul");
    for (const code of refunding.codes.get(n) || []) {
      const item = document.createElement("li");
      item.dataset.code = code;
      const drop = document.createElement("button");
      drop.type = "button";
      drop.className = "drop";
      drop.textContent = "×";
      drop.setAttribute("aria-label", t("refund_code_drop", { code: marking.shown(code) }));
      drop.onclick = () => {
        const codes = refunding.codes.get(n);
        codes.splice(codes.indexOf(code), 1);
        refunding.refusal = null; // changed: the refusal was of the request before
        shift.drawRefund();
        refundCodes.focus();
      };
      const refused = refunding.refusal && refunding.refusal.code === code; // the one refused
      item.append(refused ? refundNote("is-bad", `✗ ${marking.shown(code)}`)
        : refundNote("is-ok", `✓ ${marking.shown(code)}`), drop);
      list.append(item);
    }
    const missing = refunding.chosen.get(n) - (refunding.codes.get(n) || []).length;
    const state = missing > 0 ? refundNote("is-wait", `○ ${t("refund_codes_wait", { n: missing })}`)
      : refundNote("is-ok", `✓ ${t("refund_codes_done")}`);
    box.append(list, state);
    return box;
  },

  // The code field is there while the receipt has marked pieces left.
  show(refunding) {
    const marked = refunding.receipt.lines.some((line) => line.marked && line.left > 0);
    shift.el.refundScan.hidden = !marked;
  },

  focus() {
    if (!shift.el.refundScan.hidden) shift.el.refundCode.focus();
  },

  // Which piece of the receipt a code names: {n, sold} (the code as sold) or {back: true} (it
  // went back already) or null. The whole code, or without its GS separators (pasted), or only
  // its GTIN and serial (typed from the label) names the piece.
  locate(refunding, code) {
    const scanned = refundCodes.plain(code);
    const same = (sold) => refundCodes.plain(sold) === scanned || marking.shown(sold) === scanned;
    const lines = refunding.receipt.lines;
    for (const [n, line] of lines.entries()) {
      const sold = ((line.codes || {}).left || []).find(same);
      if (sold) return { n, sold };
    }
    return lines.some((line) => ((line.codes || {}).refunded || []).some(same)) ? { back: true } : null;
  },

  // A code scanned or typed into the dialog.
  async onCode(raw) {
    const refunding = shift.refunding;
    if (!refunding) return;
    const t = register.t;
    const d = shift.el;
    const wrong = (text) => {
      refundCodes.say("");
      d.refundError.textContent = text;
      refundCodes.focus();
    };
    let found = refundCodes.locate(refunding, raw);
    let code = raw;
    if (!found) { // read as the sale reads it: why it is not a code, or the gateway's parse
      const read = await marking.read(raw);
      if (shift.refunding !== refunding) return; // the dialog closed meanwhile
      if (!read.code) return wrong(read.text);
      code = read.code;
      found = refundCodes.locate(refunding, code);
    }
    const shown = marking.shown(code.replace(/^\](?:d2|C1|Q3)/, ""));
    if (!found) return wrong(t("refund_code_unsold", { code: shown, id: refunding.receipt.receipt_id }));
    if (found.back) return wrong(t("refund_code_back", { code: shown }));
    const { n, sold } = found;
    const line = refunding.receipt.lines[n];
    const codes = refunding.codes.get(n) || [];
    if (codes.includes(sold)) return wrong(t("refund_code_twice", { code: marking.shown(sold) }));
    codes.push(sold); // the code as it was sold goes to the register
    refunding.codes.set(n, codes);
    refunding.refusal = null; // changed: the refusal was of the request before
    // A scan is a piece brought back: it counts even if «−» said fewer.
    if (refunding.chosen.get(n) < codes.length) refunding.chosen.set(n, codes.length);
    shift.drawRefund();
    const qty = refunding.chosen.get(n);
    refundCodes.say(t("refund_code_added", { name: line.name, n: codes.length, qty }));
    refundCodes.focus();
  },

  // A code taken, said in the dialog under the code field (the page's message line is hidden
  // behind the open dialog); "" clears it. Refusals go to #refund-error.
  say(text) {
    const said = document.getElementById("refund-said");
    if (said) said.textContent = text;
  },

  // The request's items for what is chosen: a marked sku by its codes when only some of its
  // pieces go back, else by count (one sku sold at two prices: its pieces in one line).
  items(refunding) {
    const { receipt, chosen, codes } = refunding;
    const bySku = new Map();
    receipt.lines.forEach((line, n) => {
      if (!chosen.get(n)) return;
      const item = bySku.get(line.sku) || { sku: line.sku, qty: 0, marking_codes: [] };
      item.qty += chosen.get(n);
      if (refundCodes.needed(refunding, n)) item.marking_codes.push(...(codes.get(n) || []));
      bySku.set(line.sku, item);
    });
    return [...bySku.values()].map(({ sku, qty, marking_codes: scanned }) =>
      scanned.length ? { sku, marking_codes: scanned } : { sku, qty });
  },

  // The serial scanner (its scans land in the gateway's scan station): while the dialog asks
  // for codes, each new scan not taken by a receiving or a stocktake is a code for it.
  async poll() {
    if (refundCodes.polling) return;
    refundCodes.polling = true;
    try {
      const answer = await fetch("/api/scanner");
      if (!answer.ok) return;
      const entries = ((await answer.json()).last || []).filter((entry) => typeof entry.at === "number");
      const newest = Math.max(0, ...entries.map((entry) => entry.at));
      const seen = refundCodes.scannerSeen;
      refundCodes.scannerSeen = Math.max(seen ?? 0, newest);
      if (seen === null || !shift.refunding || shift.el.refundScan.hidden) return;
      for (const entry of entries.filter((each) => each.at > seen).reverse()) {
        if (!entry.target && (entry.code || entry.text)) await refundCodes.onCode(entry.code || entry.text);
      }
    } catch (error) {
      // no network: the next poll tries again
    } finally {
      refundCodes.polling = false;
    }
  },

  start() {
    refundCodes.stop();
    if (shift.el.refundScan.hidden) return; // no marked pieces left: no codes to take
    refundCodes.scannerSeen = null; // what was scanned before the dialog opened is not a code
    refundCodes.poll();
    refundCodes.timer = setInterval(refundCodes.poll, 800);
  },

  stop() {
    clearInterval(refundCodes.timer);
    refundCodes.timer = null;
  },
};

function refundNote(tone, words) {
  return Object.assign(document.createElement("div"), { className: `code-note ${tone}`, textContent: words });
}

document.addEventListener("DOMContentLoaded", () => {
  const dialog = document.getElementById("refund-dialog");
  storegw.onCode(document.getElementById("refund-code"), refundCodes.onCode);
  // A keyboard-mode scanner types wherever the focus is: typed on a button of the dialog, it
  // goes to the code field -- its Enter must never press «Вернуть».
  dialog.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select")) return;
    if (shift.el.refundScan.hidden) return;
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    shift.el.refundCode.focus();
  });
  dialog.addEventListener("close", refundCodes.stop);
});

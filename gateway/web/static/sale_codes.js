// «Продажа», the codes: the code field, the serial scanner's scans, the choice between items
// sharing a barcode, the marking-code dialog of a marked item, and the register's check of each
// marking code before it is added (marking.js; sale.js owns the sale).
"use strict";

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
  const read = await marking.read(code, line.sku); // a DataMatrix, of this item
  if (!read.code) return wrong(read.text);
  const parsed = read.code;
  if (sale.lines.some((each) => each.codes.includes(parsed))) {
    return wrong(register.t("duplicate_code"));
  }
  const verdict = await sale.check(parsed, line.sku);
  if (!verdict.allowed) return wrong(marking.refused(parsed, verdict));
  if (sale.marking !== line || line.codes.includes(parsed)) return; // closed, or added meanwhile
  line.codes.push(parsed);
  sale.el.markingError.textContent = "";
  const values = { name: line.name, n: line.codes.length, qty: line.qty };
  register.say(sale.withCheck(register.t("code_added", values), parsed), "ok");
  if (sale.missingCodes(line)) {
    sale.promptCode();
    return;
  }
  sale.closeMarking();
  const next = sale.lines.find((each) => sale.missingCodes(each));
  if (next) sale.askCodes(next);
  else register.say(sale.withCheck(register.t("codes_done"), parsed), "ok");
};

// A scanned DataMatrix adds its item only once the register allows the code.
sale.checkThenAdd = async (item, code) => {
  register.say(marking.tr("Проверяем код маркировки…", "Checking the marking code…"), "wait");
  const verdict = await sale.check(code, item.sku);
  if (!verdict.allowed) {
    register.say(marking.refused(code, verdict), "bad");
    return;
  }
  sale.add(item, code);
};

// The register's check of a code; a refused one is listed in red under the code field.
sale.check = async (code, sku) => {
  const verdict = await marking.check(code, sku);
  if (verdict.allowed) sale.checked[code] = verdict;
  else if (!verdict.answer) marking.listRefused(sale.el.refusedCodes, code, verdict);
  return verdict;
};

// The gateway checked the codes again when selling and the register refused some (its answer
// changed since the scan): they leave the sale, listed in red; their lines ask for other codes.
sale.dropRefused = (refusal) => {
  const said = register.half(refusal.detail) || String(refusal.detail || "");
  const parts = said.split("; ");
  for (const line of sale.lines) {
    const gone = line.codes.filter((code) => said.includes(marking.shown(code)));
    for (const code of gone) {
      delete sale.checked[code];
      const part = parts.find((each) => each.includes(marking.shown(code))) || said;
      marking.listRefused(sale.el.refusedCodes, code, { text: part.split(": ").slice(1).join(": ") || part });
    }
    line.codes = line.codes.filter((code) => !gone.includes(code));
  }
  sale.render();
};

// What to say of an added code: checked without a link, if it was.
sale.withCheck = (said, code) => {
  const verdict = sale.checked[code];
  if (!verdict || !verdict.offline) return said;
  return `${said} ${marking.offlineSaid()}`;
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

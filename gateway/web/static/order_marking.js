// «Заказ № …», shipping marked goods: each unit's marking code is asked for in a dialog and
// checked like the counter sale's -- a DataMatrix, of this item, not scanned before -- and with
// the register (marking.js): a code it refuses is not taken and its reason is said in red; one
// checked without an answer in time is taken and said to be checked offline.
"use strict";
const MARKING_CODE = /^(?:\](?:d2|C1|Q3))?01\d{14}21/;

scr.collectCodes = async (wanted) => {
  for (const line of wanted) {
    if (!line.marked) continue;
    const qty = scr.chosen[line.line_id];
    const codes = scr.codes[line.line_id] || (scr.codes[line.line_id] = []);
    codes.length = Math.min(codes.length, qty);
    while (codes.length < qty) {
      const code = await scr.askCode(line, codes.length + 1, qty);
      if (code === null) return false;
      codes.push(code);
    }
  }
  return true;
};

scr.askCode = (line, n, qty) =>
  new Promise((resolve) => {
    scr.codeWanted = { line, resolve };
    scr.el.markingPrompt.textContent = tr("marking_prompt", { name: line.name, n, qty });
    scr.el.markingError.textContent = "";
    if (!scr.el.marking.open) scr.el.marking.showModal();
    scr.el.markingCode.focus();
  });

scr.answerCode = (code) => {
  const wanted = scr.codeWanted;
  scr.codeWanted = null;
  if (scr.el.marking.open) scr.el.marking.close();
  if (wanted) wanted.resolve(code);
};

// The same checks as the counter sale's: a DataMatrix, of this item, not scanned before.
scr.onMarkingCode = async (code) => {
  const wanted = scr.codeWanted;
  if (!wanted) return;
  const wrong = (text) => {
    scr.el.markingError.textContent = text;
    scr.el.markingCode.focus();
  };
  const taken = Object.values(scr.codes).flat();
  const found = await register.send(`/api/lookup?code=${encodeURIComponent(code)}`);
  if (!found.ok && found.error !== "not_found") return wrong(found.text);
  const parsed = found.ok ? found.data.code : code;
  if (!MARKING_CODE.test(parsed)) return wrong(tr("not_marking"));
  const items = found.ok ? found.data.items : [];
  if (items.length && !items.some((item) => item.sku === wanted.line.sku)) {
    return wrong(tr("other_item", { name: items[0].name }));
  }
  if (taken.includes(parsed) || taken.includes(code)) return wrong(tr("duplicate_code"));
  const verdict = await marking.check(parsed, wanted.line.sku);
  if (!verdict.allowed) return wrong(marking.refused(parsed, verdict));
  if (scr.codeWanted !== wanted) return; // answered meanwhile (a second scan)
  if (verdict.offline) register.say(`${marking.shown(parsed)}: ${marking.offlineNote()}`, "wait");
  scr.answerCode(parsed);
};

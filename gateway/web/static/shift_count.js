// «Смена»: the count at the close (issue 10). The close dialog asks how much cash is in the
// drawer and shows it against the books, the difference in words and colour, before the
// manager confirms; under the closed shift's totals, what was counted. Loaded after shift.js
// (both deferred): these join its `shift` object before the page's DOMContentLoaded runs.
"use strict";

// The count dialog: resolves to the kopecks counted, or null when cancelled. «Закрыть смену»
// answers only with an amount typed; a double tap answers once.
shift.askCount = (title, text, expected) => {
  const el = shift.el;
  el.closeTitle.textContent = title;
  el.closeText.textContent = text;
  el.closeExpected.textContent = storegw.money(expected);
  el.counted.value = "";
  shift.showCount(expected);
  return new Promise((resolve) => {
    const finish = (value) => {
      el.closeYes.onclick = el.closeNo.onclick = el.closeDialog.oncancel = el.counted.oninput = null;
      el.counted.onkeydown = null;
      if (el.closeDialog.open) el.closeDialog.close();
      resolve(value);
    };
    const yes = () => {
      const counted = register.parseRoubles(el.counted.value);
      if (counted === null) {
        shift.showCount(expected, true);
        el.counted.focus();
        return;
      }
      finish(counted);
    };
    el.counted.oninput = () => shift.showCount(expected);
    el.counted.onkeydown = (event) => {
      if (event.key === "Enter") yes();
    };
    el.closeYes.onclick = yes;
    el.closeNo.onclick = () => finish(null);
    el.closeDialog.oncancel = () => finish(null);
    el.closeDialog.showModal();
    el.counted.focus();
  });
};

// Expected against what is typed so far: the difference and a verdict, never colour alone.
shift.showCount = (expected, insist) => {
  const el = shift.el;
  const counted = register.parseRoubles(el.counted.value);
  if (counted === null) {
    el.closeCounted.textContent = "—";
    el.closeDifference.textContent = "—";
    el.closeVerdict.textContent = el.counted.value.trim() || insist ? register.t("count_none") : "";
    el.closeVerdict.className = `verdict${insist ? " bad" : ""}`;
    return;
  }
  const difference = counted - expected;
  const amount = storegw.money(Math.abs(difference));
  el.closeCounted.textContent = storegw.money(counted);
  el.closeDifference.textContent = difference > 0 ? `+${amount}` : storegw.money(difference);
  const [key, tone] = difference === 0 ? ["count_exact", "ok"] : difference < 0 ? ["count_short", "bad"] : ["count_over", "wait"];
  el.closeVerdict.textContent = register.t(key, { amount });
  el.closeVerdict.className = `verdict ${tone}`;
};

// Under the closed shift's totals: what was counted against the books.
shift.renderClosedCount = (count) => {
  const line = shift.el.closedCount;
  line.hidden = !count || count.cash_counted === null || count.cash_counted === undefined;
  if (line.hidden) return;
  const difference = count.cash_difference;
  const key = difference === 0 ? "closed_exact" : difference < 0 ? "closed_short" : "closed_over";
  line.textContent = register.t(key, {
    counted: storegw.money(count.cash_counted),
    expected: storegw.money(count.cash_expected),
    amount: storegw.money(Math.abs(difference)),
  });
  line.className = `closed-count ${difference === 0 ? "ok" : difference < 0 ? "bad" : "wait"}`;
};

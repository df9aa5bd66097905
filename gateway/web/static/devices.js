// «Устройства и связь»: the page reloads every 10 s (the devices' state), except while a device
// test runs or its result is fresh, or the tablet is locked or a dialog open; each device's
// test button says what happened in the message line, in words (UI.md). The words come from
// the page (web/devices_words.py TEST_TEXTS, PAPER_TEXTS).
// «Проверьте документы» (its own block under the devices' table): paper cut off (`unknown`) or
// failed, each printed again («Напечатать ещё раз») or, when it did come out, confirmed
// («Вышел»); the entry then goes away and the message line says what happened.
"use strict";
(() => {
  const texts = JSON.parse(document.getElementById("device-test-texts").textContent);
  const every = 1000 * Number(document.getElementById("headline").dataset.refresh || 10);
  let holdUntil = 0;
  setInterval(() => { if (Date.now() >= holdUntil && storegw.mayReload()) location.reload(); }, every);
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
  const refused = (result) => result.network ? texts.no_network
    : fill(texts.failed, { detail: (result.data && result.data.detail) || result.status });

  const tests = {
    async fiscal() {
      const result = await storegw.send("/api/fiscal/x-report", {});
      if (result.ok) return [texts.fiscal_ok, true];
      if (result.signedOut) return [null];
      if (result.error === "register_unavailable") return [texts.fiscal_down, false];
      if (result.error === "register_refused") {
        return [fill(texts.fiscal_refused, { detail: result.data.detail }), false];
      }
      return [refused(result), false];
    },
    async printer() {
      const result = await storegw.send("/api/print/test-page", {});
      if (result.signedOut) return [null];
      if (!result.ok) return [refused(result), false];
      const id = result.data.print_job && result.data.print_job.id;
      storegw.say(texts.printer_sent, true);
      for (let waited = 0; waited < 8000; waited += 500) {
        await sleep(500);
        const jobs = await storegw.send("/api/print?limit=30");
        const job = jobs.ok ? jobs.data.find((row) => row.id === id) : null;
        if (job && job.state === "done") return [texts.printer_ok, true];
      }
      return [texts.printer_waits, false];
    },
    async scanner() {
      const before = await storegw.send("/healthz");
      const scanner = (answer) => (answer.data && answer.data.scanner) || {};
      if (scanner(before).target) return [texts.scanner_busy, false];
      const last = (answer) => (scanner(answer).last || [])[0];
      const first = JSON.stringify(last(before) || null);
      storegw.say(texts.scanner_ask, true);
      for (let waited = 0; waited < 20000; waited += 500) {
        await sleep(500);
        const now = last(await storegw.send("/healthz"));
        if (now && JSON.stringify(now) !== first) {
          return [fill(texts.scanner_ok, { code: now.text || "" }), true];
        }
      }
      return [texts.scanner_none, false];
    },
  };

  for (const button of document.querySelectorAll("button[data-test]")) {
    button.addEventListener("click", async () => {
      if (button.disabled) return; // a double tap does one thing
      button.disabled = true;
      holdUntil = Date.now() + 60000;
      try {
        const [text, ok] = await tests[button.dataset.test]();
        if (text) storegw.say(text, ok);
      } finally {
        button.disabled = false;
        holdUntil = Date.now() + 20000; // the result stays readable before the next reload
      }
    });
  }

  // A reprint's idempotency key is kept until the gateway answers (this tab's sessionStorage,
  // so it outlives the page's own reload): a double tap, or a retry after a lost answer, prints
  // the paper once.
  const keyName = (id) => `storegw.reprint.${id}`;
  const keptKey = (id) => {
    try { return window.sessionStorage.getItem(keyName(id)); } catch (error) { return null; }
  };
  const keepKey = (id, key) => {
    try {
      if (key) window.sessionStorage.setItem(keyName(id), key);
      else window.sessionStorage.removeItem(keyName(id));
    } catch (error) {
      // storage off: the key lives in `keys` below, for this page
    }
  };
  const keys = {};
  const reprintKey = (id) => {
    if (!keys[id]) {
      const bytes = crypto.getRandomValues(new Uint8Array(12));
      keys[id] = keptKey(id) || `reprint-${id}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
      keepKey(id, keys[id]);
    }
    return keys[id];
  };
  const answered = (id) => { delete keys[id]; keepKey(id, null); };
  const waitLine = (text) => { storegw.say(text, false); document.getElementById("message").className = "wait"; };

  // The entry goes; with the last one the list and the printer's «проверьте» lines go too.
  const gone = (entry) => {
    const list = entry.closest("#paper-check");
    entry.remove();
    if (list && !list.querySelector("li[data-job]")) {
      list.remove();
      for (const line of document.querySelectorAll(".device-to-check")) line.remove();
    }
  };

  const paper = {
    async reprint(entry, id, what) {
      const result = await storegw.send(`/api/print/${id}/reprint`, { idem_key: reprintKey(id) });
      if (result.signedOut) return; // the key stays: signed in again, the tap prints it once
      if (result.network) return storegw.say(texts.no_network, false); // the key stays too
      answered(id);
      if (!result.ok) {
        if (result.status === 404 || result.status === 409) {
          gone(entry);
          return storegw.say(fill(texts.paper_gone, { what }), false);
        }
        return storegw.say(refused(result), false);
      }
      gone(entry);
      storegw.say(fill(texts.paper_sent, { what }), true);
      const job = result.data.print_job_id;
      for (let waited = 0; waited < 10000; waited += 500) {
        await sleep(500);
        const jobs = await storegw.send("/api/print?limit=50", undefined, undefined, true);
        const found = jobs.ok ? jobs.data.find((row) => row.id === job) : null;
        if (found && found.state === "done") return storegw.say(fill(texts.paper_printed, { what }), true);
        if (found && found.state !== "queued" && found.state !== "printing") break;
      }
      return waitLine(fill(texts.paper_waits, { what }));
    },
    async confirm(entry, id, what) {
      const result = await storegw.send(`/api/print/${id}/confirm`, {});
      if (result.signedOut) return;
      if (result.network) {
        entry.dataset.asked = "1"; // it may have arrived: a refusal next time means it did
        return storegw.say(texts.no_network, false);
      }
      if (result.ok || (result.status === 409 && entry.dataset.asked)) {
        gone(entry);
        return storegw.say(fill(texts.paper_confirmed, { what }), true);
      }
      if (result.status === 404 || result.status === 409) {
        gone(entry);
        return storegw.say(fill(texts.paper_gone, { what }), false);
      }
      return storegw.say(refused(result), false);
    },
  };

  for (const entry of document.querySelectorAll("#paper-check li[data-job]")) {
    const buttons = entry.querySelectorAll("button");
    for (const [selector, action] of [["[data-reprint]", paper.reprint], ["[data-confirm]", paper.confirm]]) {
      const button = entry.querySelector(selector);
      if (!button) continue;
      button.addEventListener("click", async () => {
        if (entry.dataset.busy) return; // a double tap does one thing, and one button at a time
        entry.dataset.busy = "1";
        for (const each of buttons) each.disabled = true;
        holdUntil = Date.now() + 60000;
        try {
          await action(entry, entry.dataset.job, entry.dataset.what);
        } finally {
          delete entry.dataset.busy;
          for (const each of buttons) each.disabled = false;
          holdUntil = Date.now() + 20000;
        }
      });
    }
  }
})();

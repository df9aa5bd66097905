// «Устройства и связь»: the page reloads every 10 s (the devices' state), except while a device
// test runs or its result is fresh, or the tablet is locked or a dialog open; each device's
// test button says what happened in the message line, in words (UI.md). The words come from
// the page (web/devices_words.py TEST_TEXTS).
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
})();

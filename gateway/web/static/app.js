// The few lines of script every staff page shares: who is signed in, calling the JSON API, and
// one message line that says what happened (UI.md). No framework; pages add their own bits.
// The person comes from the session (the server knows it); requests carry the page's CSRF
// token and how long the tablet has been untouched (the server's idle lock).
// The idle clock counts a person's touches only: a page load or an automatic refresh is
// nobody's touch, so the last touch outlives a reload (this tab's sessionStorage) and a page
// that knows of none yet sends no idle time at all and asks the gateway (signin.js).
"use strict";
const TOUCHED_KEY = "storegw.touched";

function rememberedTouch() {
  try {
    const at = Number(window.sessionStorage.getItem(TOUCHED_KEY));
    return at > 0 && at <= Date.now() ? at : null;
  } catch (error) {
    return null; // storage off: the gateway's idle clock says it (signin.js)
  }
}

const storegw = {
  lang: document.documentElement.lang || "ru",
  touched: rememberedTouch(), // ms (Date.now) of the last touch known, or null: none yet

  // A person's hand on the tablet: a tap, a key, a scan, a PIN that signed in.
  touch(at = Date.now()) {
    storegw.touched = at;
    try {
      window.sessionStorage.setItem(TOUCHED_KEY, String(at));
    } catch (error) {
      // storage off: this page's own clock still counts
    }
  },

  // The gateway knows a later touch (another page of this tab, another tab of the session).
  touchedBefore(seconds) {
    if (typeof seconds !== "number" || !(seconds >= 0)) return;
    const at = Date.now() - seconds * 1000;
    if (storegw.touched === null || at > storegw.touched) storegw.touched = at;
  },

  // Seconds since the last touch, or null when this page knows of none yet.
  idleSeconds() {
    if (storegw.touched === null) return null;
    return Math.max(0, Math.round((Date.now() - storegw.touched) / 1000));
  },

  staff() {
    return document.body.dataset.staff || "";
  },

  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },

  say(text, ok) {
    const line = document.getElementById("message");
    line.textContent = text;
    line.className = ok ? "ok" : "bad";
  },

  // The lock screen or the manager's PIN pad is up (a <dialog> when open, a div when not
  // hidden): the keys are the PIN's, not a scanner's.
  screenUp() {
    return document.querySelector("div.screen:not([hidden]), dialog.screen[open]") !== null;
  },

  headers(extra) {
    const headers = { "X-CSRF-Token": storegw.csrf() };
    const idle = storegw.idleSeconds();
    if (idle !== null) headers["X-Storegw-Idle"] = String(idle);
    return { ...headers, ...extra };
  },

  // POST a JSON request (GET when body is undefined). Says nothing: resolves to {ok: true,
  // data, status} or {ok: false, network | signedOut | status, data, error}, and each page
  // words a refusal its own way. A signed-out session shows the PIN screen; an action that
  // needs a manager asks for a manager's PIN and, given one, is sent again with it.
  // `background`: the page's own automatic read, which the gateway never counts as a touch.
  async send(path, body, override, background) {
    const init = { method: body === undefined ? "GET" : "POST", headers: storegw.headers() };
    if (background) init.headers["X-Storegw-Background"] = "1";
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (override) init.headers["X-Storegw-Override"] = override;
    const sentIn = window.signin ? window.signin.session() : 0;
    let answer;
    try {
      answer = await fetch(path, init);
    } catch (error) {
      return { ok: false, network: true, status: 0, data: null };
    }
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) return { ok: true, data, status: answer.status };
    const refusal = { ok: false, status: answer.status, data, error: data.error || `http_${answer.status}` };
    if (answer.status === 401 && window.signin) {
      window.signin.signedOut(data.detail, sentIn);
      return { ...refusal, signedOut: true };
    }
    if (answer.status === 403 && body !== undefined && window.signin && window.signin.overridable(data)) {
      const pin = await window.signin.askManager(data.detail, override ? data : null);
      if (pin) return storegw.send(path, body, pin);
    }
    return refusal;
  },

  // `send`, saying what went wrong in the message line; resolves to the answer or null.
  async call(path, body) {
    const result = await storegw.send(path, body);
    if (result.ok) return result.data;
    const en = storegw.lang === "en";
    if (result.network) {
      storegw.say(en ? "The gateway does not answer: check the network."
                     : "Шлюз не отвечает: проверьте сеть.");
    } else if (result.signedOut) {
      storegw.say(en ? "Sign in, then try again." : "Войдите и повторите действие.");
    } else {
      storegw.say(result.data.detail || `${result.status}`);
    }
    return null;
  },

  // A count or a quantity a person typed: plain digits and nothing else, or null. Never
  // Number() or parseInt() on the raw text: those take "1e2" as 100, "0x10" as 16, "" as 0 and
  // "5.0" as 5, "12abc" as 12. `min` and `max` bound it (a count up to a million by default).
  wholeNumber(text, min = 0, max = 1000000) {
    const raw = String(text ?? "").trim(); // " 7 " typed with a space is 7
    if (!/^[0-9]{1,9}$/.test(raw)) return null;
    const value = Number(raw); // nine digits at most: exact
    return value < min || value > max ? null : value;
  },

  money(kopecks) {
    const sign = kopecks < 0 ? "−" : "";
    const abs = Math.abs(kopecks);
    const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
    return `${sign}${whole},${String(abs % 100).padStart(2, "0")} ₽`;
  },

  // A barcode scanner in keyboard mode types into the focused field and presses Enter.
  // A page that reloads itself waits while the tablet is locked or a dialog is open: the
  // reload would throw away a half-typed PIN or form.
  mayReload() {
    const lock = document.getElementById("lock-screen");
    return !(lock && !lock.hidden) && !document.querySelector("dialog[open]");
  },

  onCode(input, handler) {
    input.addEventListener("keydown", async (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const code = input.value.trim();
      input.value = "";
      if (code) await handler(code);
      input.focus();
    });
  },
};

for (const kind of ["pointerdown", "keydown", "touchstart"]) {
  // `isTrusted`: a person, not a page's own script.
  document.addEventListener(kind, (event) => { if (event.isTrusted) storegw.touch(); }, { capture: true, passive: true });
}

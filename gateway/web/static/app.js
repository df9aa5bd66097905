// The few lines of script every staff page shares: who is signed in, calling the JSON API, and
// one message line that says what happened (UI.md). No framework; pages add their own bits.
// The person comes from the session (the server knows it); requests carry the page's CSRF
// token and how long the tablet has been untouched (the server's idle lock).
"use strict";
const storegw = {
  lang: document.documentElement.lang || "ru",
  touched: Date.now(),

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

  headers(extra) {
    return {
      "X-CSRF-Token": storegw.csrf(),
      "X-Storegw-Idle": String(Math.round((Date.now() - storegw.touched) / 1000)),
      ...extra,
    };
  },

  // POST a JSON request (GET when body is undefined). Says nothing: resolves to {ok: true,
  // data, status} or {ok: false, network | signedOut | status, data, error}, and each page
  // words a refusal its own way. A signed-out session shows the PIN screen; an action that
  // needs a manager asks for a manager's PIN and, given one, is sent again with it.
  async send(path, body, override) {
    const init = { method: body === undefined ? "GET" : "POST", headers: storegw.headers() };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (override) init.headers["X-Storegw-Override"] = override;
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
      window.signin.lockScreen(data.detail);
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
  // Number() or parseInt() on the raw text: those take "1e2" as 100, "0x10" as 16, " 5 " and
  // "5.0" as 5, "12abc" as 12. `min` and `max` bound it (a count up to a million by default).
  wholeNumber(text, min = 0, max = 1000000) {
    const raw = String(text ?? "");
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
  document.addEventListener(kind, () => { storegw.touched = Date.now(); }, { capture: true, passive: true });
}

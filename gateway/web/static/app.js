// The few lines of script every staff page shares: who is working, calling the JSON API, and
// one message line that says what happened (UI.md). No framework; pages add their own bits.
"use strict";
const storegw = {
  lang: document.documentElement.lang || "ru",

  staff() {
    const field = document.getElementById("staff");
    return (field && field.value.trim()) || localStorage.getItem("storegw.staff") || "";
  },

  say(text, ok) {
    const line = document.getElementById("message");
    line.textContent = text;
    line.className = ok ? "ok" : "bad";
  },

  // POST a JSON request with `by` from the staff field (GET when body is undefined). Says
  // nothing: resolves to {ok: true, data, status} or {ok: false, unsent | network | status,
  // data, error}, and each page words a refusal its own way.
  async send(path, body) {
    const init = { method: body === undefined ? "GET" : "POST", headers: {} };
    if (body !== undefined) {
      const staff = storegw.staff();
      if (!staff) return { ok: false, unsent: true, status: 0, data: null };
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ by: staff, ...body });
    }
    let answer;
    try {
      answer = await fetch(path, init);
    } catch (error) {
      return { ok: false, network: true, status: 0, data: null };
    }
    const data = await answer.json().catch(() => ({}));
    if (answer.ok) return { ok: true, data, status: answer.status };
    return { ok: false, status: answer.status, data, error: data.error || `http_${answer.status}` };
  },

  // `send`, saying what went wrong in the message line; resolves to the answer or null.
  async call(path, body) {
    const result = await storegw.send(path, body);
    if (result.ok) return result.data;
    const en = storegw.lang === "en";
    if (result.unsent) {
      storegw.say(en ? "Enter your name first (top right)."
                     : "Сначала укажите, кто работает (справа вверху).");
      document.getElementById("staff").focus();
    } else if (result.network) {
      storegw.say(en ? "The gateway does not answer: check the network."
                     : "Шлюз не отвечает: проверьте сеть.");
    } else {
      storegw.say(result.data.detail || `${result.status}`);
    }
    return null;
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

document.addEventListener("DOMContentLoaded", () => {
  const field = document.getElementById("staff");
  if (field) {
    field.value = localStorage.getItem("storegw.staff") || "";
    field.addEventListener("change", () => localStorage.setItem("storegw.staff", field.value.trim()));
  }
});

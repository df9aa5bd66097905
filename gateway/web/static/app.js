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

  // POST (or GET with body === undefined) a JSON request; resolves to the answer or null after
  // saying what went wrong. `by` is added from the staff field.
  async call(path, body, method) {
    const init = { method: method || (body === undefined ? "GET" : "POST"), headers: {} };
    if (body !== undefined) {
      const staff = storegw.staff();
      if (!staff) {
        storegw.say(storegw.lang === "en" ? "Enter your name first (top right)."
                                          : "Сначала укажите, кто работает (справа вверху).");
        document.getElementById("staff").focus();
        return null;
      }
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ by: staff, ...body });
    }
    let answer;
    try {
      answer = await fetch(path, init);
    } catch (error) {
      storegw.say(storegw.lang === "en" ? "The gateway does not answer: check the network."
                                        : "Шлюз не отвечает: проверьте сеть.");
      return null;
    }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      storegw.say(data.detail || `${answer.status}`);
      return null;
    }
    return data;
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

// What the register screens («Продажа», «Смена») share: the page's words (a JSON block the
// server renders in the page's language), calling the API with the refusal's reason kept, a
// refusal said in words, one «are you sure» dialog, and roubles typed by a person -> kopecks.
// Loaded before app.js (both deferred): `storegw` is used only once the page has loaded.
"use strict";
const register = {
  _texts: null,

  get texts() {
    if (!register._texts) register._texts = JSON.parse(document.getElementById("texts").textContent);
    return register._texts;
  },

  // A text with {name} (and {name:money}, kopecks) filled in.
  t(key, values) {
    return register.fill(register.texts[key] ?? key, values || {});
  },

  fill(text, values) {
    return text.replace(/\{(\w+)(:money)?\}/g, (whole, name, money) => {
      const value = values[name];
      if (value === undefined || value === null) return whole;
      return money ? storegw.money(Number(value)) : String(value);
    });
  },

  // The message line; tone "ok", "bad" or "wait". A refusal (or `show`) scrolls it into view
  // when it is off screen (a phone, the cashier down at the pay button).
  say(text, tone, show) {
    storegw.say(text, tone === "ok");
    const line = document.getElementById("message");
    if (tone === "wait") line.className = "wait";
    const box = line.getBoundingClientRect();
    if ((tone === "bad" || show) && (box.top < 0 || box.bottom > window.innerHeight)) {
      line.scrollIntoView({ block: "nearest" });
    }
  },

  // GET (body undefined) or POST JSON (the person is the session's). Resolves to {ok: true,
  // data} or {ok: false, network | signedOut | error, text}: the caller decides what to say
  // (`register.fail`). Signed out, the lock screen is up and nothing was done.
  async send(path, body) {
    const result = await storegw.send(path, body);
    if (result.ok) return result;
    if (result.network) return { ok: false, network: true, text: register.t("no_network") };
    if (result.signedOut) {
      const text = register.t("signed_out");
      return { ok: false, signedOut: true, status: result.status, error: result.error, data: result.data, text };
    }
    const refusal = { ...result.data, error: result.error };
    return {
      ok: false, status: result.status, error: result.error, data: refusal,
      text: register.words(refusal),
    };
  },

  fail(result) {
    register.say(result.text, "bad");
  },

  // The part of an "English / Русский" detail in the page's language ("" if there is none); a
  // detail only in Russian counts on a Russian page.
  half(detail) {
    const russian = storegw.lang !== "en";
    const cyrillic = (text) => /[\u0400-\u04ff]/.test(text);
    const parts = String(detail || "").split(" / ").map((part) => part.trim());
    if (parts.length < 2) return russian && cyrillic(parts[0]) ? parts[0] : "";
    return parts.find((part) => part && cyrillic(part) === russian) || "";
  },

  // A refusal {error, detail} in words for this page (register_errors.ERRORS says how); `names`
  // (sku -> name) puts an item's name where the detail names its sku.
  words(data, names) {
    const reason = String(data.error || "");
    const detail = String(data.detail || "");
    const rules = register.texts.errors[reason] || [];
    const half = register.half(detail);
    for (const rule of rules) {
      const found = rule.pattern && detail.match(new RegExp(rule.pattern));
      if (!found) continue;
      const values = { ...found.groups, reason, detail: half };
      if (values.sku && names && names[values.sku]) values.sku = names[values.sku];
      return register.fill(rule.text, values);
    }
    const general = rules.filter((rule) => !rule.pattern);
    if (half) {
      const framed = general.find((rule) => rule.text.includes("{detail}"));
      return framed ? register.fill(framed.text, { detail: half }) : half;
    }
    const plain = general.find((rule) => !rule.text.includes("{detail}"));
    if (plain) return register.fill(plain.text, { reason });
    if (storegw.lang === "en" && detail) return detail;
    return register.fill(register.texts.errors[""][0].text, { reason });
  },

  // "1 234,50", "1234.5", "1 000 ₽" -> kopecks (integers only, never floats); null if it is not
  // an amount. Three digits after the separator ("1,234") are refused: thousands or kopecks?
  parseRoubles(text) {
    const plain = String(text || "")
      .replace(/[\s\u00a0\u202f]/g, "")
      .replace(/(₽|руб\.?|р\.?)$/i, "");
    const parts = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(plain);
    if (!parts) return null;
    return Number(parts[1]) * 100 + Number((parts[2] || "").padEnd(2, "0"));
  },

  // Kopecks as a person types them: 129950 -> "1299,50" (integers only).
  plain(kopecks) {
    return `${Math.floor(kopecks / 100)},${String(kopecks % 100).padStart(2, "0")}`;
  },

  // A fresh idempotency key (crypto.randomUUID needs https; getRandomValues does not).
  newKey(prefix) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  },

  // Ask once, saying what will happen. Resolves to false, or true (or the checkbox's state
  // when `check` is given: {checked}). A double tap on «yes» answers once.
  confirm(title, text, yes, options) {
    const opts = options || {};
    let dialog = document.getElementById("confirm");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "confirm";
      dialog.className = "register-dialog";
      dialog.innerHTML =
        '<h2></h2><p class="confirm-text"></p><label class="check" hidden><input type="checkbox">' +
        ' <span></span></label><div class="actions"><button type="button" class="primary"' +
        ' data-answer="yes"></button><button type="button" data-answer="no"></button></div>';
      document.body.append(dialog);
    }
    dialog.querySelector("h2").textContent = title;
    dialog.querySelector(".confirm-text").textContent = text;
    const check = dialog.querySelector(".check");
    check.hidden = !opts.check;
    if (opts.check) {
      check.querySelector("span").textContent = opts.check;
      check.querySelector("input").checked = opts.checked !== false;
    }
    const yesButton = dialog.querySelector('[data-answer="yes"]');
    yesButton.textContent = yes;
    yesButton.className = opts.danger ? "primary danger-fill" : "primary";
    dialog.querySelector('[data-answer="no"]').textContent = register.t("confirm_no");
    return register.answerOf(dialog, (button) => {
      if (button.dataset.answer === "no") return false;
      return opts.check ? { checked: check.querySelector("input").checked } : true;
    });
  },

  // Show a <dialog> of [data-answer] buttons: resolves once, to valueOf(the button tapped), or
  // false on Esc. «No» has the focus, so a stray Enter never says yes.
  answerOf(dialog, valueOf) {
    return new Promise((resolve) => {
      const answer = (value) => {
        dialog.onclick = null;
        dialog.oncancel = null;
        if (dialog.open) dialog.close();
        resolve(value);
      };
      dialog.onclick = (event) => {
        const button = event.target.closest("[data-answer]");
        if (button) answer(valueOf(button));
      };
      dialog.oncancel = (event) => {
        event.preventDefault();
        answer(false);
      };
      dialog.showModal();
      dialog.querySelector('[data-answer="no"]').focus();
    });
  },
};

// What the goods screens share: calling the API keeping the refusal's reason (so the screen
// says it in its own language), asking once before an irreversible step, one tap one action,
// dialogs, words. The scan-document piece (the scanner, polling, the feed) is scan_document.js.
// Runs after app.js (both are deferred; the pages start on DOMContentLoaded).
"use strict";
const goods = {
  en() {
    return storegw.lang === "en";
  },

  tr(ru, en) {
    return goods.en() ? en : ru;
  },

  // h("td", {class: "num"}, "5", child...): an element; text is never parsed as HTML.
  h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  },

  // The message line in a tone: ok (green), wait (amber: look at this), bad (red).
  say(text, tone) {
    storegw.say(text, tone === "ok");
    if (tone === "wait") document.getElementById("message").className = "note";
  },

  // Replace a node's children (arrays flattened, null/false left out, text never parsed).
  put(node, ...children) {
    node.replaceChildren(...goods.h("div", {}, ...children).childNodes);
    return node;
  },

  badge(tone, text) {
    return goods.h("span", { class: `badge ${tone}` }, text);
  },

  // Russian plural: plural(5, "позиция", "позиции", "позиций").
  plural(n, one, few, many) {
    const tens = Math.abs(n) % 100;
    const units = tens % 10;
    if (tens > 10 && tens < 20) return many;
    if (units === 1) return one;
    if (units >= 2 && units <= 4) return few;
    return many;
  },

  positions(n) {
    return goods.en()
      ? `${n} item${n === 1 ? "" : "s"}`
      : `${n} ${goods.plural(n, "позиция", "позиции", "позиций")}`;
  },

  // «по 2 позициям», «по 1 позиции»
  byPositions(n) {
    if (goods.en()) return `of ${goods.positions(n)}`;
    return `по ${n} ${n % 10 === 1 && n % 100 !== 11 ? "позиции" : "позициям"}`;
  },

  units(n) {
    return goods.tr(`${n} шт.`, `${n} pcs`);
  },

  signed(n) {
    return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0";
  },

  time(iso) {
    if (!iso) return "";
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return "";
    const locale = goods.en() ? "en-GB" : "ru-RU";
    const clock = when.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === new Date().toDateString()) return clock;
    return `${when.toLocaleDateString(locale, { day: "numeric", month: "short" })} ${clock}`;
  },

  // «Анна, 17:12»: who did it and when.
  who(name, iso) {
    return [name, goods.time(iso)].filter(Boolean).join(", ");
  },

  item(name, sku) {
    return name && name !== sku ? `${name} (${sku})` : sku;
  },

  // The parser's messages come as «по-русски / in English: detail»: the screen's half.
  half(text) {
    const at = text.indexOf(" / ");
    if (at < 0 || !/[а-яё]/i.test(text.slice(0, at))) return text;
    return goods.en() ? text.slice(at + 3) : text.slice(0, at);
  },

  // Refusals the goods API gives, in words a shop assistant can act on. The API's own detail is
  // English (or «ru / en» from the barcode parser); a page adds its own words per reason.
  REASONS: {
    posted: ["Этот документ уже проведён — экран обновлён.", "This document is already posted: the screen is reloaded."],
    voided: ["Этот документ отменён — экран обновлён.", "This document was cancelled: the screen is reloaded."],
    applied: ["Эта инвентаризация уже применена — экран обновлён.", "This stocktake is already applied: the screen is reloaded."],
    abandoned: ["Эта инвентаризация отменена — экран обновлён.", "This stocktake was cancelled: the screen is reloaded."],
    stocktake_open: ["Уже идёт другая инвентаризация: продолжите её или отмените.", "Another stocktake is counting: continue it or cancel it."],
    out_of_scope: ["Этот товар не входит в эту инвентаризацию.", "This item is not part of this stocktake."],
    unknown_code: ["Этого кода нет в каталоге.", "The catalog does not know this code."],
    not_found: ["Не найдено: возможно, документ закрыли на другом планшете — экран обновлён.", "Not found: the document may have been closed on another tablet; the screen is reloaded."],
    invalid: ["Шлюз не принял эти данные: проверьте введённое (количество — целое число от 0).", ""],
  },

  explain(data, status, words) {
    const reason = (data && data.error) || "";
    const detail = (data && data.detail) || "";
    if (/[а-яё]/i.test(detail) && detail.includes(" / ")) return goods.half(detail);
    for (const table of [words || {}, goods.REASONS]) {
      const own = table[reason];
      if (!own) continue;
      const text = typeof own === "function" ? own(detail) : goods.tr(own[0], own[1]);
      if (text) return text;
    }
    if (goods.en()) return detail || `The gateway refused (${status}).`;
    return `Шлюз отказал (${reason || status}). Обновите страницу; если повторяется — позовите управляющего.`;
  },

  // GET (body undefined) or POST (the person is the session's); resolves to {ok, data,
  // status, text}; on refusal the message line already says why (in `text`, too). Signed out
  // (the lock screen is up), the action was not done: it is done again once someone signs in.
  async request(path, body, words) {
    const result = await storegw.send(path, body);
    if (result.ok) return result;
    let text;
    if (result.network) {
      text = goods.tr("Шлюз не отвечает: проверьте сеть и повторите.", "The gateway does not answer: check the network and try again.");
    } else if (result.signedOut) {
      text = goods.tr("Войдите по PIN и повторите действие.", "Sign in with your PIN, then try again.");
    } else {
      text = goods.explain(result.data, result.status, words);
    }
    if (body !== undefined) storegw.say(text);
    return { ok: false, data: result.data, status: result.status, text };
  },

  async get(path) {
    const answer = await goods.request(path);
    return answer.ok ? answer.data : null;
  },

  // A fresh idempotency key (crypto.randomUUID needs https; getRandomValues does not).
  newKey(prefix) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  },

  // One tap, one action: a second tap while the first is under way does nothing.
  async once(button, action) {
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    button.disabled = true;
    try {
      await action();
    } finally {
      delete button.dataset.busy;
      button.disabled = false;
    }
  },

  // --- dialogs: a modal over the page, big buttons, Escape = the safe answer --------------
  dialog(...children) {
    const box = goods.h("dialog", { class: "ask" }, ...children);
    document.body.append(box);
    box.addEventListener("close", () => setTimeout(() => box.remove(), 0));
    box.showModal();
    return box;
  },

  // Ask once before an irreversible step; resolves true only for the «yes» button. The question
  // and the warning stay at the top, the buttons at the bottom; a long `list` (a node: what the
  // step touches) scrolls in its own box between them (`listLabel`: its name for a screen
  // reader). The safe answer has the focus, without scrolling the question out of view.
  confirm({ text, warn, list, listLabel, yes, danger }) {
    return new Promise((resolve) => {
      let answer = false;
      const yesButton = goods.h("button", { type: "button", class: danger ? "primary danger-fill" : "primary", "data-answer": "yes" }, yes);
      const noButton = goods.h("button", { type: "button", "data-answer": "no" }, goods.tr("Вернуться", "Go back"));
      const scroller = list
        ? goods.h("div", { class: "ask-list", tabindex: "0", role: "region", "aria-label": listLabel || goods.tr("Список", "The list") }, list)
        : null;
      const box = goods.dialog(
        goods.h("div", { class: "ask-head" },
          goods.h("p", { class: "ask-text" }, text),
          warn ? goods.h("p", { class: "ask-warn" }, goods.badge("wait", goods.tr("внимание", "note")), " ", warn) : null),
        scroller,
        goods.h("div", { class: "actions" }, yesButton, noButton),
      );
      box.classList.add("ask-confirm");
      yesButton.addEventListener("click", () => {
        answer = true;
        box.close();
      }, { once: true });
      noButton.addEventListener("click", () => box.close());
      box.addEventListener("close", () => resolve(answer));
      noButton.focus({ preventScroll: true });
      box.scrollTop = 0;
      if (scroller) scroller.scrollTop = 0;
    });
  },

  // A number typed on the tablet (a count, a quantity); resolves to the number or null.
  askNumber({ title, label, value }) {
    return new Promise((resolve) => {
      let answer = null;
      const input = goods.h("input", { inputmode: "numeric", autocomplete: "off", class: "big-number", value: String(value ?? "") });
      const warn = goods.h("p", { class: "ask-warn", role: "alert" });
      const save = goods.h("button", { type: "submit", class: "primary" }, goods.tr("Сохранить", "Save"));
      const cancel = goods.h("button", { type: "button" }, goods.tr("Отмена", "Cancel"));
      const form = goods.h("form", { method: "dialog" },
        goods.h("h2", {}, title),
        goods.h("label", {}, label, goods.h("br"), input),
        warn,
        goods.h("div", { class: "actions" }, save, cancel));
      const box = goods.dialog(form);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const number = storegw.wholeNumber(input.value);
        if (number === null) {
          warn.textContent = goods.tr("Введите целое число от 0 до 1 000 000.", "Type a whole number from 0 to 1,000,000.");
          return;
        }
        answer = number;
        box.close();
      });
      cancel.addEventListener("click", () => box.close());
      box.addEventListener("close", () => resolve(answer));
      input.focus();
      input.select();
    });
  },

  // A barcode that belongs to several items (DOMAIN 29): the tablet asks which one.
  choose(title, candidates) {
    return new Promise((resolve) => {
      let answer = null;
      const buttons = candidates.map((candidate) => {
        const pack = candidate.pack > 1 ? goods.tr(` · упаковка ${candidate.pack} шт.`, ` · pack of ${candidate.pack}`) : "";
        const button = goods.h("button", { type: "button", class: "choice", "data-sku": candidate.sku }, `${goods.item(candidate.name, candidate.sku)}${pack}`);
        button.addEventListener("click", () => {
          answer = candidate;
          box.close();
        });
        return button;
      });
      const cancel = goods.h("button", { type: "button" }, goods.tr("Отмена", "Cancel"));
      const box = goods.dialog(goods.h("h2", {}, title), goods.h("div", { class: "choices" }, buttons), goods.h("div", { class: "actions" }, cancel));
      cancel.addEventListener("click", () => box.close());
      box.addEventListener("close", () => resolve(answer));
    });
  },

  anyDialogOpen() {
    return document.querySelector("dialog[open]") !== null;
  },

  // Follow a print job until it is out or says why not; `words` are the paper's own:
  // {printed, failed, waiting, queued, printing, again}. `reprint` offers printing it once more;
  // `watching()` false stops following (the screen moved on).
  async followPrint(jobId, { state, reprint, watching, ...words }) {
    const started = Date.now();
    let job = jobId;
    const follow = async () => {
      for (;;) {
        const jobs = (await goods.get("/api/print?limit=50")) || [];
        const found = jobs.find((row) => row.id === job);
        const waited = (Date.now() - started) / 1000;
        if (found && found.state === "done") {
          goods.put(state, goods.badge("ok", goods.tr("напечатан", "printed")), " ", words.printed);
          reprint.hidden = false;
          return;
        }
        if (found && (found.state === "failed" || found.state === "unknown")) {
          goods.put(state, goods.badge("bad", goods.tr("не напечатан", "not printed")), " ", words.failed);
          reprint.hidden = false;
          return;
        }
        // Queued is not printing: behind an offline printer it waits (the bar's word too).
        const printing = found && found.state === "printing";
        const badge = printing ? goods.tr("печатается", "printing") : goods.tr("ждёт печати", "waiting to print");
        goods.put(state, goods.badge("wait", badge), " ", waited > 8 ? words.waiting : printing ? words.printing : words.queued);
        if (!watching() || waited > 120) return;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    let key = null; // one reprint per tap: kept until answered, so a retry prints it once
    reprint.onclick = () => goods.once(reprint, async () => {
      key = key || goods.newKey(`reprint-${job}`);
      const answer = await goods.request(`/api/print/${job}/reprint`, { idem_key: key });
      if (!answer.ok) return;
      key = null; // done: the next tap is a new reprint
      job = answer.data.print_job_id;
      reprint.hidden = true;
      goods.say(words.again, "ok");
      follow();
    });
    await follow();
  },
};

// «Остатки»: find an item (typed, or scanned while no receiving or stocktake holds the scanner),
// show its characteristics, on hand / reserved / available in words and colours, its threshold
// and its history; a manager corrects the stock with a reason and sets the threshold (a cashier's
// tap gets the manager's PIN pad from storegw.send). Words come from the page (#texts).
"use strict";
(() => {
  const T = JSON.parse(document.getElementById("texts").textContent);
  const $ = (id) => document.getElementById(id);
  const en = () => storegw.lang === "en";
  const POLL_MS = 1500;
  const state = { sku: null, card: null, seen: null, scannerDrawn: "" };

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
  }

  // h("td", {class: "num"}, "5", child...): an element; text is never parsed as HTML.
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const badge = (tone, text) => h("span", { class: `badge ${tone}` }, text);
  const pcs = (n) => fmt(T.pcs, { n });
  const signed = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0");

  // Parts of refusals come as «по-русски / in English»: the screen's half.
  function half(text) {
    const at = (text || "").indexOf(" / ");
    if (at < 0) return text || "";
    return en() ? text.slice(at + 3) : text.slice(0, at);
  }

  function refusal(result) {
    if (result.network) return T.no_network;
    if (result.signedOut) return "";
    return fmt(T.failed, { detail: half((result.data && result.data.detail) || String(result.status)) });
  }

  function when(iso) {
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) return "";
    const locale = en() ? "en-GB" : "ru-RU";
    const clock = at.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    if (at.toDateString() === new Date().toDateString()) return clock;
    return `${at.toLocaleDateString(locale, { day: "numeric", month: "short" })} ${clock}`;
  }

  // One word and one colour per state (UI.md): archived grey, none red, running out amber.
  function tone(item) {
    if (item.archived) return ["off", T.archived];
    if (item.available <= 0) return ["bad", T.out];
    if (item.low) return ["wait", T.low];
    return ["ok", T.in_stock];
  }

  function chars(item) {
    return h("span", { class: "chars" }, item.characteristics.map((c) =>
      h("span", { class: "char" }, h("span", { class: "muted" }, `${c.name}: `), h("strong", {}, c.value))));
  }

  // --- the search ----------------------------------------------------------------------------
  async function search(q, openSingle) {
    const result = await storegw.send(`/api/stock?q=${encodeURIComponent(q)}`);
    if (!result.ok) {
      storegw.say(refusal(result));
      return null;
    }
    showResults(q, result.data);
    const { items, exact } = result.data;
    if (openSingle && (items.length === 1 || exact === 1)) await openCard(items[0].sku);
    return result.data;
  }

  function showResults(q, data) {
    const list = $("results");
    list.replaceChildren(...data.items.map((item) => {
      const [t, word] = tone(item);
      return h("button", { type: "button", class: `row result ${item.sku === state.sku ? "here" : ""}`, "data-sku": item.sku, onclick: () => openCard(item.sku) },
        h("span", { class: "what" }, h("strong", {}, item.product), " ", chars(item),
          h("span", { class: "muted sku" }, ` · ${item.sku}`)),
        h("span", { class: "amount" }, badge(t, word), " ", h("span", { class: "avail" }, `${T.available}: ${item.available}`)));
    }));
    $("results-title").hidden = data.items.length === 0;
    $("results-empty").textContent = q ? fmt(T.none_found, { q }) : $("results-empty").dataset.start;
    $("results-empty").hidden = data.items.length > 0;
    $("results-more").hidden = !data.more;
    $("results-more").textContent = fmt(T.more, { n: data.items.length });
  }

  // --- one sku's card ------------------------------------------------------------------------
  async function openCard(sku) {
    const result = await storegw.send(`/api/stock/${encodeURIComponent(sku)}`);
    if (!result.ok) {
      storegw.say(result.status === 404 ? T.not_found : refusal(result));
      return;
    }
    state.sku = sku;
    state.card = result.data;
    const url = new URL(window.location.href);
    url.searchParams.set("sku", sku);
    window.history.replaceState(null, "", url);
    for (const row of document.querySelectorAll("#results .result")) {
      row.classList.toggle("here", row.dataset.sku === sku);
    }
    drawCard(result.data);
    // A phone shows the item above the list: bring it into view when it opens.
    if (window.matchMedia("(max-width: 900px)").matches) $("card-box").scrollIntoView({ block: "start" });
  }

  function number(label, value, cls) {
    return h("div", { class: `tile ${cls || ""}` }, h("span", { class: "tile-label" }, label), h("span", { class: "tile-value" }, value));
  }

  function thresholdLine(card) {
    const source = card.min_source;
    if (card.min_stock > 0) {
      return `${fmt(T.threshold, { n: card.min_stock })} · ${T[`from_${source}`] || ""}`;
    }
    if (source === "local" || source === "catalog") return `${T.no_threshold} · ${T[`off_${source}`]}`;
    return T.no_threshold;
  }

  function drawCard(card) {
    const [t, word] = tone(card);
    const correct = h("button", { type: "button", id: "correct", class: "primary", onclick: (e) => once(e.target, () => askCorrection(card)) }, T.correct);
    const threshold = h("button", { type: "button", id: "set-min", onclick: (e) => once(e.target, () => askThreshold(card)) }, T.set_min);
    const codes = card.barcodes.map((b, i) => [i ? ", " : "", h("code", {}, b.code), b.pack > 1 ? ` (${fmt(T.pack, { n: b.pack })})` : ""]);
    const view = h("div", {},
      h("div", { class: "card-head" },
        h("h2", { id: "card-title" }, card.product),
        badge(t, word)),
      h("p", { class: "card-chars" }, chars(card),
        h("span", { class: "muted" }, ` · ${card.sku}${card.article ? ` · ${card.article}` : ""} · ${storegw.money(card.price)}`)),
      h("div", { class: "tiles" },
        number(T.on_hand, card.on_hand),
        number(T.reserved, card.reserved, card.reserved ? "held" : ""),
        number(T.available, card.available, `avail-${t}`)),
      h("div", { class: "actions card-actions" },
        h("span", { class: "threshold", id: "threshold" }, thresholdLine(card),
          card.low && card.low_since ? h("span", { class: "muted" }, ` · ${fmt(T.low_since, { when: when(card.low_since) })}`) : null),
        threshold, correct),
      document.body.dataset.role === "manager" ? null : h("p", { class: "muted" }, T.manager_note),
      card.safety ? h("p", { class: "muted" }, fmt(T.safety, { n: card.safety })) : null,
      card.orders.length ? h("div", { class: "held" }, h("h3", {}, T.orders), h("ul", {}, card.orders.map((o) =>
        h("li", {}, fmt(T.order_line, { number: o.number, reserved: o.reserved }), o.short ? fmt(T.order_short, { short: o.short }) : "")))) : null,
      codes.length ? h("p", { class: "muted codes" }, `${T.barcodes}: `, codes) : null,
      h("h3", {}, T.history),
      card.history.length ? history(card.history) : h("p", { class: "empty", id: "history-empty" }, T.history_empty));
    $("card").replaceChildren(...view.childNodes);
    $("card").hidden = false;
    $("card-empty").hidden = true;
    $("stock-page").classList.add("has-card");
  }

  function reference(move) {
    if (move.ref_type === "order" && move.order_id) return fmt(T.order_ref, { id: move.order_id });
    if (move.ref_type === "correction") return "";
    if (!move.ref_id) return "";
    if (move.ref_id.startsWith("receipt/")) return fmt(T.receipt_ref, { id: move.ref_id.slice(8) });
    if (move.reason === "cloud_set" || move.reason === "cloud_adjust") return "";
    return fmt(T.doc_ref, { id: move.ref_id });
  }

  function history(moves) {
    return h("div", { class: "scroll" }, h("table", { class: "history", id: "history" },
      h("thead", {}, h("tr", {}, h("th", {}, T.col_when), h("th", {}, T.col_what), h("th", { class: "num" }, T.col_change), h("th", {}, T.col_who))),
      h("tbody", {}, moves.map((move) => {
        const what = [T.moves[move.reason] || move.reason];
        if (move.correction) {
          what.push(`: ${T.reasons[move.correction.reason] || move.correction.reason}`);
          if (move.correction.note) what.push(` — ${move.correction.note}`);
        }
        const ref = reference(move);
        const change = [];
        if (move.d_on_hand) change.push(signed(move.d_on_hand));
        if (move.d_reserved) change.push(fmt(T.reserve_change, { n: signed(move.d_reserved) }));
        return h("tr", {},
          h("td", { class: "when" }, when(move.at)),
          h("td", {}, what.join(""), ref ? h("span", { class: "muted" }, ` · ${ref}`) : null),
          h("td", { class: "num" }, change.join(" · ")),
          h("td", {}, move.by || T.system));
      }))));
  }

  // One tap, one action: a second tap while the first is under way does nothing.
  async function once(button, action) {
    if (button.dataset.busy) return;
    button.dataset.busy = "1";
    button.disabled = true;
    try {
      await action();
    } finally {
      delete button.dataset.busy;
      button.disabled = false;
    }
  }

  function dialog(...children) {
    const box = h("dialog", { class: "ask stock-dialog" }, ...children);
    document.body.append(box);
    box.addEventListener("close", () => setTimeout(() => { if (!box.dataset.aside) box.remove(); }, 0));
    box.showModal();
    return box;
  }

  // Send from a dialog. A cashier's request may come back asking for a manager's PIN: the PIN
  // pad is part of the page, under a modal dialog, so the dialog steps aside while it is sent.
  async function sendFrom(box, path, body) {
    const aside = document.body.dataset.role !== "manager";
    if (aside) {
      box.dataset.aside = "1";
      box.close();
    }
    const result = await storegw.send(path, body);
    if (aside) {
      delete box.dataset.aside;
      if (result.ok) box.dispatchEvent(new Event("close")); // done: gone for good
      else box.showModal();
    }
    return result;
  }

  function wholeNumber(input) {
    return storegw.wholeNumber(input.value); // digits only, 0 to 1 000 000 (app.js)
  }

  // --- a manager's correction ----------------------------------------------------------------
  function askCorrection(card) {
    return new Promise((resolve) => {
      const key = `correct-${card.sku}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const input = h("input", { inputmode: "numeric", class: "big-number", name: "on_hand", value: String(card.on_hand) });
      const becomes = h("p", { class: "becomes" });
      const reasons = T.reason_list.map(([code, word, help]) =>
        h("label", { class: "check" }, h("input", { type: "radio", name: "reason", value: code }),
          h("span", {}, h("strong", {}, word), " ", h("span", { class: "muted" }, help))));
      const note = h("input", { name: "note", maxlength: "200", class: "wide" });
      const error = h("p", { class: "ask-warn refused", role: "alert" });
      const yes = h("button", { type: "submit", class: "primary" }, T.do_correct);
      const no = h("button", { type: "button" }, T.cancel);
      const form = h("form", { method: "dialog", novalidate: true, autocomplete: "off" },
        h("p", { class: "ask-text" }, fmt(T.correct_title, { name: card.name })),
        h("p", {}, fmt(T.was, card)),
        h("label", { class: "block" }, T.counted, h("br"), input), becomes,
        h("fieldset", { class: "reasons" }, h("legend", {}, T.why), reasons),
        h("label", { class: "block" }, T.note, note), error,
        h("div", { class: "actions" }, yes, no));
      const box = dialog(form);
      const update = () => {
        const after = wholeNumber(input);
        if (after === null) becomes.textContent = "";
        else if (after < card.reserved) becomes.textContent = fmt(T.below_reserved_now, card);
        else becomes.textContent = fmt(T.becomes, { after, delta: signed(after - card.on_hand) });
        becomes.className = after !== null && after < card.reserved ? "becomes refused" : "becomes";
      };
      input.addEventListener("input", update);
      update();
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        once(yes, async () => {
          const onHand = wholeNumber(input);
          const reason = (form.querySelector('input[name="reason"]:checked') || {}).value;
          if (onHand === null) return void (error.textContent = T.bad_number);
          if (onHand === card.on_hand) return void (error.textContent = T.same);
          if (onHand < card.reserved) return void (error.textContent = fmt(T.below_reserved_now, card));
          if (!reason) return void (error.textContent = T.need_reason);
          if (reason === "other" && !note.value.trim()) return void (error.textContent = T.need_note);
          const body = { on_hand: onHand, reason, note: note.value.trim(), idem_key: key };
          const result = await sendFrom(box, `/api/stock/${encodeURIComponent(card.sku)}/correct`, body);
          if (!result.ok) {
            error.textContent = refusal(result);
            return;
          }
          const done = result.data;
          let text = fmt(T.corrected, { name: card.name, on_hand: done.on_hand, delta: signed(done.delta) });
          if (done.orders_filled && done.orders_filled.length) text += fmt(T.filled, { orders: done.orders_filled.join(", ") });
          storegw.say(text, true);
          box.close();
          await refresh();
        });
      });
      no.addEventListener("click", () => box.close());
      box.addEventListener("close", () => resolve());
      input.focus();
      input.select();
    });
  }

  // --- the threshold -------------------------------------------------------------------------
  function askThreshold(card) {
    return new Promise((resolve) => {
      const input = h("input", { inputmode: "numeric", class: "big-number", name: "min_stock", value: String(card.min_stock) });
      const error = h("p", { class: "ask-warn refused", role: "alert" });
      const save = h("button", { type: "submit", class: "primary" }, T.save);
      const reset = h("button", { type: "button", id: "min-reset" }, T.min_reset);
      const no = h("button", { type: "button" }, T.cancel);
      const catalog = card.catalog_min === null ? T.min_catalog_none : fmt(T.min_catalog, { n: card.catalog_min });
      const form = h("form", { method: "dialog", novalidate: true, autocomplete: "off" },
        h("p", { class: "ask-text" }, fmt(T.min_title, { name: card.name })),
        h("p", { class: "muted" }, catalog),
        h("label", { class: "block" }, T.min_label, h("br"), input), error,
        h("div", { class: "actions" }, save, card.local_min === null ? null : reset, no));
      const box = dialog(form);
      const send = async (value) => {
        const result = await sendFrom(box, `/api/stock/${encodeURIComponent(card.sku)}/min`, { min_stock: value });
        if (!result.ok) {
          error.textContent = refusal(result);
          return;
        }
        const done = result.data;
        const source = T[`from_${done.min_source}`] || "";
        storegw.say(done.min_stock > 0 ? fmt(T.min_saved, { name: card.name, n: done.min_stock, source }) : fmt(T.min_none, { name: card.name }), true);
        box.close();
        await refresh();
      };
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const value = wholeNumber(input);
        if (value === null) return void (error.textContent = T.bad_number);
        once(save, () => send(value));
      });
      reset.addEventListener("click", () => once(reset, () => send(null)));
      no.addEventListener("click", () => box.close());
      box.addEventListener("close", () => resolve());
      input.focus();
      input.select();
    });
  }

  async function refresh() {
    const q = $("q").value.trim();
    if (q) await search(q, false);
    if (state.sku) await openCard(state.sku);
  }

  // --- the scanner: a scan that no document took opens the item here -------------------------
  function drawScanner(target) {
    const signature = JSON.stringify(target);
    if (signature === state.scannerDrawn) return;
    state.scannerDrawn = signature;
    const box = $("scanner-state");
    if (target === undefined) { // the gateway did not answer: where scans go is unknown
      box.replaceChildren(badge("off", T.scanner_unknown));
      return;
    }
    if (!target) {
      box.replaceChildren(badge("ok", T.scanner_free));
      return;
    }
    const doc = fmt(T[target.kind] || "{id}", { id: target.id });
    box.replaceChildren(badge("wait", fmt(T.scanner_busy, { doc })));
  }

  async function onScan(entry) {
    if (entry.target) return; // it went into a receiving or a stocktake
    if (!entry.ok) {
      storegw.say(entry.code ? fmt(T.unknown_code, { code: entry.code }) : fmt(T.scan_refused, { why: half(entry.message) }));
      return;
    }
    const items = (entry.found && entry.found.items) || [];
    if (!items.length) return;
    $("q").value = entry.code;
    const found = await search(entry.code, false);
    if (items.length === 1) await openCard(items[0].sku);
    else if (found) storegw.say(T.choose, false);
  }

  async function poll() {
    if (document.hidden || document.querySelector("dialog[open]")) return;
    const result = await storegw.send("/api/scanner", undefined, undefined, true);
    if (!result.ok) {
      if (result.network || result.status >= 500) drawScanner(undefined);
      return;
    }
    const snapshot = result.data;
    drawScanner(snapshot.target);
    const keys = new Set();
    const fresh = [];
    for (const entry of snapshot.last || []) {
      const key = `${entry.at}|${entry.text}`;
      keys.add(key);
      if (state.seen && !state.seen.has(key)) fresh.push(entry);
    }
    state.seen = keys; // the station keeps the last few: older scans never come back
    const newest = fresh[0];
    if (newest) await onScan(newest);
  }

  function loop() {
    poll().catch((error) => console.error(error)).finally(() => setTimeout(loop, POLL_MS));
  }

  function hint() {
    const box = $("hint");
    const key = "storegw.hint.stock";
    box.hidden = localStorage.getItem(key) === "seen";
    box.querySelector("button").addEventListener("click", () => {
      localStorage.setItem(key, "seen");
      box.hidden = true;
    });
  }

  document.addEventListener("DOMContentLoaded", async () => {
    hint();
    $("results-empty").dataset.start = $("results-empty").textContent;
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const q = $("q").value.trim();
      if (q) search(q, true);
    });
    const sku = new URL(window.location.href).searchParams.get("sku");
    if (sku) await openCard(sku);
    loop();
  });
})();

// The marking check before a sale (разрешительный режим), shared by «Продажа» and an order's
// shipment: each marking code is checked with the register as it is scanned. A refused code
// (sold already, failed the Честный ЗНАК check) is not added and its reason is said in red; a
// code checked without an answer in time is added and marked «проверено без связи». The sale
// and the shipment are checked again by the gateway: this only says it sooner.
"use strict";
const marking = {
  tr: (ru, en) => (document.documentElement.lang === "en" ? en : ru),

  // A Честный ЗНАК code: 01 + GTIN + 21 + serial (a symbology prefix the scanner may add first).
  PATTERN: /^(?:\](?:d2|C1|Q3))?01\d{14}21/,

  // The part of a code a person compares with the box: GTIN and serial, before the first GS.
  shown: (code) => String(code).split("\x1d")[0],

  // A scanned or typed code read as a marking code (of `sku`, when given), as the sale's code
  // dialog reads it: the gateway's parse of it, a DataMatrix, not another item's. Resolves to
  // {code} or {text}: why not, in the page's words (texts `not_marking`, `other_item`).
  async read(code, sku) {
    const found = await register.send(`/api/lookup?code=${encodeURIComponent(code)}`);
    if (!found.ok && found.error !== "not_found") return { text: found.text };
    const parsed = found.ok ? found.data.code : code;
    if (!marking.PATTERN.test(parsed)) return { text: register.t("not_marking") };
    const items = found.ok ? found.data.items : [];
    if (sku && items.length && !items.some((item) => item.sku === sku)) {
      return { text: register.t("other_item", { name: items[0].name }) };
    }
    return { code: parsed };
  },

  // Resolves to {allowed, offline, reason, detail, text}; `text` is the reason in the page's
  // language. A check that could not be asked (no network, a wrong code) is not allowed.
  async check(code, sku) {
    const answer = await register.send("/api/marking/check", { code, ...(sku ? { sku } : {}) });
    if (!answer.ok) return { allowed: false, offline: false, reason: answer.error, text: answer.text, answer };
    const data = answer.data;
    return { ...data, text: register.half(data.detail) || data.detail };
  },

  offlineNote: () => marking.tr("проверено без связи (автономный режим)", "checked offline (offline mode)"),

  offlineSaid: () =>
    marking.tr("Код проверен без связи (автономный режим).", "The code was checked offline (offline mode)."),

  refused: (code, verdict) =>
    marking.tr(`Код ${marking.shown(code)} не добавлен. ${verdict.text}`,
               `Code ${marking.shown(code)} not added: ${verdict.text}`),

  // Adds "code — reason" to a list shown in red under the code field (kept until cleared).
  listRefused(list, code, verdict) {
    if (!list) return;
    const item = document.createElement("li");
    item.dataset.code = code;
    item.textContent = `${marking.shown(code)} — ${verdict.text}`;
    list.append(item);
    list.hidden = false;
  },

  clearRefused(list) {
    if (!list) return;
    list.replaceChildren();
    list.hidden = true;
  },
};

// The marking check before a sale (разрешительный режим), shared by «Продажа» and an order's
// shipment: each marking code is checked with the register as it is scanned. A refused code
// (sold already, failed the Честный ЗНАК check) is not added and its reason is said in red; a
// code checked without an answer in time is added and marked «проверено без связи». The sale
// and the shipment are checked again by the gateway: this only says it sooner.
"use strict";
const marking = {
  tr: (ru, en) => (document.documentElement.lang === "en" ? en : ru),

  // The part of a code a person compares with the box: GTIN and serial, before the first GS.
  shown: (code) => String(code).split("\x1d")[0],

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

// «Продажа», after «Пробить чек»: the result box and the receipt watched until the register
// printed it (or says why it waits), never talking over a newer message (sale.js sells).
"use strict";
sale.sold = (answer, pay) => {
  sale.lines = [];
  sale.discount = 0;
  sale.key = null;
  sale.el.received.value = "";
  sale.el.contact.value = "";
  sale.pay = "cash";
  marking.clearRefused(sale.el.refusedCodes);
  const values = { id: answer.receipt_id, total: storegw.money(answer.total) };
  sale.showResult({ ...answer, pay });
  sale.said = register.t("sold", values);
  register.say(sale.said, "ok", true);
  sale.render();
  sale.el.code.focus();
  sale.watch(answer.receipt_id, values);
};

sale.showResult = (answer) => {
  const box = sale.el.result;
  box.hidden = !answer;
  if (!answer) return;
  const money = storegw.money;
  box.querySelector(".result-receipt").textContent =
    `${register.t("receipt", { id: answer.receipt_id })} · ${money(answer.total)}`;
  box.querySelector(".result-change").textContent =
    answer.pay === "card"
      ? register.t("paid_card", { total: money(answer.total) })
      : answer.change > 0
        ? register.t("give_change", { change: money(answer.change) })
        : register.t("no_change");
  sale.showState(answer.state || "queued");
};

sale.showState = (state) => {
  const badge = sale.el.result.querySelector(".result-state");
  const word = register.texts.receipt_states[state] || { tone: "bad", word: state };
  badge.className = `badge ${word.tone} result-state`;
  badge.textContent = word.word;
};

// Say when the receipt is printed (or why it waits, or that the register refused it).
sale.watch = async (id, values) => {
  const mine = {};
  sale.watching = mine;
  const started = Date.now();
  const until = started + 60_000;
  const tell = (text, tone) => {
    if (document.getElementById("message").textContent === sale.said) register.say(text, tone);
    sale.said = text;
  };
  while (sale.watching === mine) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    if (sale.watching !== mine) return;
    const rows = await register.send("/api/receipts?limit=20");
    const row = rows.ok && rows.data.find((each) => each.receipt_id === id);
    if (!row) continue;
    if (sale.watching === mine && !sale.el.result.hidden) sale.showState(row.state);
    if (row.state === "done") {
      tell(register.t("receipt_printed", { ...values, fd: row.fd }), "ok");
      return;
    }
    if (row.state === "failed") {
      const why = register.half(row.error);
      tell(register.t("receipt_failed", { ...values, why: why ? `: ${why}` : "" }), "bad");
      return;
    }
    if (Date.now() > until) {
      tell(register.t("receipt_slow", values), "wait");
      return;
    }
    const fiscal = await register.send("/api/fiscal");
    const device = fiscal.ok && fiscal.data.device;
    if (device && device.state !== "ok") {
      const say = (register.texts.device[device.state] || {}).say || device.state;
      tell(register.t("receipt_waits", { ...values, why: say }), "wait");
    } else if (device && device.shift && !device.shift.open && Date.now() > started + 3000) {
      // The register does not open the shift by itself here: staff must.
      tell(register.t("receipt_waits", { ...values, why: register.t("shift_closed_why") }), "wait");
    }
  }
};

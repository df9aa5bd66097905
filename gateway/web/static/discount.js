// A discount in percent, chosen on big buttons (5, 10, 15, 20, another, none): a line's or
// the whole sale's. The gateway checks the cashier's cap; above it, app.js asks a manager's PIN.
"use strict";
const discount = {
  tr: (ru, en) => (document.documentElement.lang === "en" ? en : ru),

  // The price of one unit after `pct` % off, rounded to the kopeck as the gateway does.
  unit(price, pct) {
    return pct ? price - Math.floor((price * pct + 50) / 100) : price;
  },

  // Resolves to a percent (0 removes the discount) or null (cancelled).
  ask(title, current) {
    const tr = discount.tr;
    const dialog = document.createElement("dialog");
    dialog.className = "register-dialog discount-dialog";
    const heading = document.createElement("h2");
    heading.textContent = title;
    const choices = document.createElement("div");
    choices.className = "discount-choices";
    for (const pct of [5, 10, 15, 20]) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.pct = String(pct);
      button.textContent = `${pct}%`;
      if (pct === current) button.className = "primary";
      choices.append(button);
    }
    const other = document.createElement("label");
    other.className = "field";
    other.textContent = tr("Другая скидка, %", "Another discount, %");
    const input = document.createElement("input");
    input.inputMode = "numeric";
    input.autocomplete = "off";
    other.append(input);
    const error = document.createElement("p");
    error.className = "refusal";
    const actions = document.createElement("div");
    actions.className = "actions";
    const set = document.createElement("button");
    set.type = "button";
    set.className = "primary";
    set.textContent = tr("Применить", "Apply");
    const none = document.createElement("button");
    none.type = "button";
    none.textContent = tr("Без скидки", "No discount");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = tr("Отмена", "Cancel");
    actions.append(set, none, cancel);
    dialog.append(heading, choices, other, error, actions);
    document.body.append(dialog);
    return new Promise((resolve) => {
      const done = (value) => {
        dialog.close();
        dialog.remove();
        resolve(value);
      };
      choices.onclick = (event) => {
        const button = event.target.closest("[data-pct]");
        if (button) done(Number(button.dataset.pct));
      };
      set.onclick = () => {
        const pct = storegw.wholeNumber(input.value.replace(/%$/, ""), 1, 100); // "10" or "10%"
        if (pct === null) {
          error.textContent = tr("Скидка — целое число от 1 до 100.", "A discount is a whole number from 1 to 100.");
          input.focus();
          return;
        }
        done(pct);
      };
      none.onclick = () => done(0);
      cancel.onclick = () => done(null);
      dialog.oncancel = () => done(null);
      dialog.showModal();
    });
  },
};

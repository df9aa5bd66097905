// «Чек коррекции»: the goods of the sale being recorded (or of the right receipt) -- found by a
// scan, a code or words of the name, with the quantity, the price it was sold at (the catalog's
// by default) and a marked product's codes -- and the preview of what will be printed. Loaded
// before correction.js (both deferred); both are used once the page has loaded.
"use strict";
const correctionLines = {
  // A receipt's items (one per marked piece) as editable lines: pieces of one sku at one price
  // together, their marking codes one per line.
  fromReceipt(items) {
    const lines = [];
    for (const item of items) {
      const same = lines.find((line) => line.sku === item.sku && line.price === item.price);
      const codes = item.marking_code ? [item.marking_code] : [];
      if (same) {
        same.qty += item.qty;
        same.codes = [same.codes, ...codes].filter(Boolean).join("\n");
      } else {
        lines.push({ sku: item.sku, name: item.name, price: item.price, qty: item.qty, marked: codes.length > 0, codes: codes.join("\n") });
      }
    }
    return lines;
  },

  total: (lines) => lines.reduce((sum, line) => sum + line.price * line.qty, 0),

  // The lines as the API takes them, or the first problem in words.
  items(lines) {
    if (!lines.length) return register.t("corr_no_lines");
    const bad = lines.find((line) => line.price === null);
    if (bad) return register.t("corr_price_bad", { name: bad.name });
    return lines.map((line) => {
      const item = { sku: line.sku, qty: line.qty, price: line.price };
      const codes = line.codes.split("\n").map((code) => code.trim()).filter(Boolean);
      if (line.marked) item.marking_codes = codes;
      return item;
    });
  },

  // A refusal in words, an item's name where the gateway named its sku.
  refusal(answer, lines) {
    if (answer.network || answer.signedOut) return answer.text;
    const names = Object.fromEntries(lines.map((line) => [line.sku, line.name]));
    return register.words(answer.data, names);
  },

  // A scan or typed words: one exact match is added, several are offered to choose from.
  async find(text) {
    const el = correction.el;
    const answer = await register.send(`/api/fiscal/corrections/goods?q=${encodeURIComponent(text)}`);
    if (!answer.ok) return correction.error(answer.text);
    const found = answer.data;
    if (found.length === 1) {
      el.results.replaceChildren();
      return correctionLines.add(found[0]);
    }
    if (!found.length) {
      el.results.replaceChildren(corrNote(register.t("corr_unknown", { q: text })));
      return null;
    }
    el.results.replaceChildren(
      corrNote(register.t("corr_choose")),
      ...found.map((item) => {
        const label = `${item.name} · ${item.sku} · ${storegw.money(item.price || 0)}`;
        const b = Object.assign(document.createElement("button"), { type: "button", textContent: label });
        b.dataset.sku = item.sku;
        b.onclick = () => {
          el.results.replaceChildren();
          correctionLines.add(item);
          el.code.focus();
        };
        return b;
      }),
    );
    return null;
  },

  add(item) {
    const same = correction.lines.find((line) => line.sku === item.sku && line.price === item.price);
    if (same) same.qty += 1;
    else correction.lines.push({ sku: item.sku, name: item.name, price: item.price, qty: 1, marked: !!item.marked, codes: "" });
    correction.error("");
    correction.renderLines();
  },

  render() {
    const el = correction.el;
    const t = register.t;
    const lines = correction.lines;
    el.lines.hidden = !lines.length;
    el.total.textContent = lines.length ? `${el.dialog.dataset.totalWord || ""}${storegw.money(correctionLines.total(lines))}` : "";
    el.lines.querySelector("tbody").replaceChildren(
      ...lines.map((line, n) => {
        const tr = document.createElement("tr");
        tr.dataset.sku = line.sku;
        const name = corrCell(line.name);
        name.append(Object.assign(document.createElement("div"), { className: "muted", textContent: line.sku }));
        if (line.marked) {
          const codes = Object.assign(document.createElement("textarea"), { rows: 2, value: line.codes, placeholder: t("corr_codes") });
          codes.setAttribute("aria-label", `${line.name}: ${t("corr_codes")}`);
          codes.oninput = () => { line.codes = codes.value; };
          name.append(codes);
        }
        const qty = document.createElement("td");
        const box = Object.assign(document.createElement("div"), { className: "qty" });
        box.append(
          corrButton("−", t("corr_less"), () => { if (line.qty > 1) line.qty -= 1; correction.renderLines(); }),
          Object.assign(document.createElement("output"), { textContent: String(line.qty) }),
          corrButton("+", t("corr_more"), () => { line.qty += 1; correction.renderLines(); }),
        );
        qty.append(box);
        const priceCell = document.createElement("td");
        const price = Object.assign(document.createElement("input"), {
          className: "price", inputMode: "decimal", autocomplete: "off",
          value: line.price === null ? "" : register.plain(line.price),
        });
        price.setAttribute("aria-label", `${line.name}: ${el.dialog.dataset.priceWord || ""}`);
        price.onchange = () => {
          line.price = register.parseRoubles(price.value);
          if (line.price === null) correction.error(t("corr_price_bad", { name: line.name }));
          correction.renderLines();
        };
        priceCell.append(price);
        const sum = corrCell(line.price === null ? "—" : storegw.money(line.price * line.qty));
        sum.className = "num";
        const act = document.createElement("td");
        act.append(corrButton("✕", t("corr_remove"), () => { lines.splice(n, 1); correction.renderLines(); }));
        tr.append(name, qty, priceCell, sum, act);
        return tr;
      }),
    );
  },
};

// What the gateway will print, receipt by receipt, and what the stock will do.
const correctionPreview = {
  render(data, body) {
    const el = correction.el;
    const t = register.t;
    const names = {};
    el.print.replaceChildren(
      ...data.receipts.map((receipt) => {
        const li = document.createElement("li");
        const basis = receipt.correction;
        const title = `${t(`corr_${receipt.operation}`)} — ${storegw.money(receipt.total)}`;
        li.append(Object.assign(document.createElement("strong"), { textContent: title }));
        const facts = receipt.items.map((item) => {
          names[item.sku] = item.name;
          return t("corr_line", { name: item.name, qty: item.qty, amount: storegw.money(item.amount) });
        });
        facts.push(t("corr_paid", { how: correctionPreview.paid(receipt.payments) }));
        const when = basis.date.split("-").reverse().join(".");
        facts.push(basis.by_order ? t("corr_basis_order", { number: basis.number, date: when })
                                  : t("corr_basis_own", { date: when }));
        if (receipt.role === "reverse") facts.push(t("corr_reverses", { id: basis.corrects }));
        if (receipt.role === "replace") facts.push(t("corr_replaces", { id: basis.corrects }));
        facts.push(t("corr_reason", { reason: basis.reason }));
        const list = document.createElement("ul");
        list.append(...facts.map((fact) => Object.assign(document.createElement("li"), { textContent: fact })));
        li.append(list);
        return li;
      }),
    );
    const moves = data.stock.map((move) =>
      t(move.delta < 0 ? "corr_stock_take" : "corr_stock_back", { name: names[move.sku] || move.sku, qty: Math.abs(move.delta) }));
    el.moves.textContent = moves.length ? moves.join(" ") : body.take_from_stock ? "" : t("corr_stock_none");
  },

  paid(payments) {
    const parts = [];
    for (const how of ["cash", "card", "prepaid"]) {
      if (payments[how]) parts.push(register.t(`corr_paid_${how}`, { amount: storegw.money(payments[how]) }));
    }
    return parts.join(", ");
  },
};

function corrNote(text) {
  return Object.assign(document.createElement("p"), { className: "muted", textContent: text });
}

function corrCell(text) {
  return Object.assign(document.createElement("td"), { textContent: text });
}

function corrButton(label, title, handler) {
  const b = Object.assign(document.createElement("button"), { type: "button", textContent: label, title });
  b.setAttribute("aria-label", title);
  b.onclick = handler;
  return b;
}

// «Продажа», drawing: the lines with their notes (marking codes, the register's offline check,
// discounts, stock), the total and the change (sale.js holds the sale; each drawing keeps it
// in the tab's sessionStorage, sale.save).
"use strict";
sale.render = () => {
  const money = storegw.money;
  const t = register.t;
  const body = sale.el.lines.querySelector("tbody");
  body.replaceChildren(
    ...sale.lines.map((line) => {
      const row = document.createElement("tr");
      row.dataset.sku = line.sku;
      const name = document.createElement("td");
      name.className = "name";
      name.append(line.name);
      const notes = [];
      if (line.marked) {
        const need = line.qty;
        const have = line.codes.length;
        notes.push(badge(have >= need ? "ok" : "wait", t("codes", { have, need })));
        if (line.codes.some((code) => sale.checked[code] && sale.checked[code].offline)) {
          notes.push(badge("wait", marking.offlineNote()));
        }
        if (have < need) {
          const scan = document.createElement("button");
          scan.type = "button";
          scan.className = "scan-code";
          scan.textContent = t("marking_scan");
          scan.onclick = () => sale.askCodes(line);
          notes.push(scan);
        }
      }
      const pct = sale.pct(line);
      const off = document.createElement("button");
      off.type = "button";
      off.className = "line-discount";
      off.textContent = pct ? discount.tr(`скидка ${pct}%`, `${pct}% off`) : discount.tr("Скидка", "Discount");
      off.onclick = () => sale.askDiscount(line);
      notes.push(off);
      if (Number.isInteger(line.onHand) && line.qty > line.onHand) {
        notes.push(badge("bad", t("few_left", { on_hand: line.onHand })));
      } else if (Number.isInteger(line.available) && line.qty > line.available) {
        notes.push(badge("wait", t("reserved")));
      }
      if (notes.length) {
        const extra = document.createElement("div");
        extra.className = "notes";
        extra.append(...notes);
        name.append(extra);
      }
      const price = cell("num price", line.price === null ? t("price_unknown") : money(sale.unit(line)));
      const qty = document.createElement("td");
      qty.className = "qty-cell";
      const box = document.createElement("div");
      box.className = "qty";
      const count = document.createElement("output");
      count.textContent = line.qty;
      box.append(
        button("−", t("less"), () => sale.change(line, -1)),
        count,
        button("+", t("more"), () => sale.change(line, +1)),
      );
      qty.append(box);
      const sum = cell("num", line.price === null ? t("price_unknown") : money(sale.unit(line) * line.qty));
      const remove = document.createElement("td");
      remove.append(button("✕", t("remove"), () => sale.change(line, -line.qty), "remove"));
      row.append(name, price, qty, sum, remove);
      return row;
    }),
  );
  sale.el.lines.hidden = !sale.lines.length;
  sale.el.empty.hidden = sale.lines.length > 0;
  const total = sale.total();
  sale.el.total.textContent = total === null ? "—" : money(total);
  const off = sale.off();
  sale.el.discountNote.textContent = off
    ? discount.tr(`скидка ${money(off)}${sale.discount ? ` (${sale.discount}% на чек)` : ""}`,
                  `${money(off)} off${sale.discount ? ` (${sale.discount}% on the sale)` : ""}`)
    : "";
  sale.el.payCash.setAttribute("aria-pressed", String(sale.pay === "cash"));
  sale.el.payCard.setAttribute("aria-pressed", String(sale.pay === "card"));
  sale.el.cashBox.hidden = sale.pay !== "cash";
  sale.el.sell.disabled = sale.busy;
  sale.el.clear.hidden = !sale.lines.length;
  for (const quick of sale.el.quick) {
    const amount = Number(quick.dataset.amount);
    quick.disabled = amount > 0 && total !== null && amount < total;
  }
  sale.renderChange();
  sale.save();
};

sale.renderChange = () => {
  const line = sale.el.change;
  const total = sale.total();
  const received = sale.received();
  line.className = "change";
  if (!sale.lines.length) {
    line.textContent = "";
  } else if (received === null) {
    line.textContent = register.t("amount_bad");
    line.classList.add("short");
  } else if (total === null) {
    line.textContent = register.t("total_unknown"); // the lookup gave no price (API gap)
    line.classList.add("later");
  } else if (received === undefined) {
    line.textContent = register.t("no_change");
  } else if (received < total) {
    line.textContent = `${register.t("short")}: ${storegw.money(total - received)}`;
    line.classList.add("short");
  } else {
    line.textContent = `${register.t("change")}: ${storegw.money(received - total)}`;
  }
};

function badge(tone, text) {
  const span = document.createElement("span");
  span.className = `badge ${tone}`;
  span.textContent = text;
  return span;
}

function cell(className, text) {
  const td = document.createElement("td");
  td.className = className;
  td.textContent = text;
  return td;
}

function button(text, label, onclick, className) {
  const b = document.createElement("button");
  b.type = "button";
  b.disabled = sale.busy || sale.unsure; // the sale on its way (or maybe sold) is not changed
  b.textContent = text;
  b.title = label;
  b.setAttribute("aria-label", label);
  if (className) b.className = className;
  b.onclick = onclick;
  return b;
}


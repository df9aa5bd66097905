// «Инвентаризация»: the web orders a count takes reserve from (DOMAIN 31), as the report lists
// them (`reserve_orders`: {order_id, number, sku, name, qty, paid}). Applying carries the list
// the person confirmed; the gateway refuses (`reserve_orders_changed`, nothing changed) when the
// orders that lose reserve are no longer those, and the page asks again with the new list.
// Runs before stocktake.js (deferred).
"use strict";
goods.stocktakeOrders = {
  CHANGED: "reserve_orders_changed", // the refusal's reason

  // Number, item (`withItem`), pieces; paid on the site marked (the buyer paid for those goods).
  // `before`: the list the person saw last time (asking again): what is new there or changed
  // (another quantity, paid meanwhile) is marked, and comes first.
  list(orders, withItem = true, before = null) {
    const { h, tr } = goods;
    const marks = before ? goods.stocktakeOrders.marks(orders, before) : new Map();
    const rank = (order) => (marks.has(goods.stocktakeOrders.key(order)) ? 0 : 1);
    const shown = before ? [...orders].sort((a, b) => rank(a) - rank(b)) : orders;
    return h("ul", { class: "reserve-orders" }, ...shown.map((order) => {
      const item = withItem ? `: ${order.name || order.sku} — ` : " — ";
      const mark = marks.get(goods.stocktakeOrders.key(order));
      return h("li", { "data-order": order.number, class: mark ? `fresh ${mark}` : null },
        mark === "new" ? [goods.badge("wait", tr("новый", "new")), " "] : null,
        mark === "changed" ? [goods.badge("wait", tr("изменился", "changed")), " "] : null,
        tr(`Заказ № ${order.number}${item}${goods.units(order.qty)}`, `Order ${order.number}${item}${goods.units(order.qty)}`),
        order.paid ? [" ", goods.badge("bad", tr("оплачен на сайте", "paid on the site"))] : null);
    }));
  },

  key(order) {
    return `${order.order_id}\u0000${order.sku}`;
  },

  // key → "new" (an order not in `before`) or "changed" (another quantity, paid since, or a
  // line of an order that was there).
  marks(orders, before) {
    const { key } = goods.stocktakeOrders;
    const was = new Map(before.map((order) => [key(order), order]));
    const known = new Set(before.map((order) => order.order_id));
    const marks = new Map();
    for (const order of orders) {
      const old = was.get(key(order));
      if (!known.has(order.order_id)) marks.set(key(order), "new");
      else if (!old || old.qty !== order.qty || Boolean(old.paid) !== Boolean(order.paid)) marks.set(key(order), "changed");
    }
    return marks;
  },

  // The report's orders losing reserve of one sku.
  of(data, sku) {
    return (data.reserve_orders || []).filter((order) => order.sku === sku);
  },

  // What the apply carries: the orders the dialog showed.
  seen(orders) {
    return orders.map(({ order_id, sku, qty, paid }) => ({ order_id, sku, qty, paid }));
  },

  // Asking again after the refusal: said on the message line and at the top of the dialog,
  // with how many orders are new or changed (marked in the list, first) and how many left it.
  changedNote(orders, before) {
    const { tr, stocktakeOrders } = goods;
    const marks = stocktakeOrders.marks(orders, before);
    const count = (mark) => new Set(orders.filter((order) => marks.get(stocktakeOrders.key(order)) === mark).map((order) => order.order_id)).size;
    const fresh = count("new");
    const changed = count("changed");
    const now = new Set(orders.map((order) => order.order_id));
    const gone = new Set(before.filter((order) => !now.has(order.order_id)).map((order) => order.order_id)).size;
    const parts = [];
    if (fresh) parts.push(tr(`новых заказов: ${fresh}`, `new orders: ${fresh}`));
    if (changed) parts.push(tr(`изменились: ${changed}`, `changed: ${changed}`));
    const said = [tr("Пока вы подтверждали, заказы, с которых снимется резерв, изменились: проверьте новый список.",
                     "While you were confirming, the orders that lose their reserve changed: check the new list.")];
    const upper = (text) => text.charAt(0).toUpperCase() + text.slice(1);
    if (parts.length) said.push(`${upper(parts.join(", "))}${tr(" — они отмечены и стоят первыми.", ": they are marked and come first.")}`);
    if (gone) said.push(tr(`Выбыли из списка: ${gone}.`, `Left the list: ${gone}.`));
    const text = said.join(" ");
    goods.say(text, "bad");
    return goods.h("strong", { class: "reserve-changed" }, text);
  },
};

// «Инвентаризация»: the web orders a count takes reserve from (DOMAIN 31), as the report lists
// them (`reserve_orders`: {order_id, number, sku, name, qty, paid}). Applying carries the list
// the person confirmed; the gateway refuses (`reserve_orders_changed`, nothing changed) when the
// orders that lose reserve are no longer those, and the page asks again with the new list.
// Runs before stocktake.js (deferred).
"use strict";
goods.stocktakeOrders = {
  CHANGED: "reserve_orders_changed", // the refusal's reason

  // Number, item (`withItem`), pieces; paid on the site marked (the buyer paid for those goods).
  list(orders, withItem = true) {
    const { h, tr } = goods;
    return h("ul", { class: "reserve-orders" }, ...orders.map((order) => {
      const item = withItem ? `: ${order.name || order.sku} — ` : " — ";
      return h("li", { "data-order": order.number },
        tr(`Заказ № ${order.number}${item}${goods.units(order.qty)}`, `Order ${order.number}${item}${goods.units(order.qty)}`),
        order.paid ? [" ", goods.badge("bad", tr("оплачен на сайте", "paid on the site"))] : null);
    }));
  },

  // The report's orders losing reserve of one sku.
  of(data, sku) {
    return (data.reserve_orders || []).filter((order) => order.sku === sku);
  },

  // What the apply carries: the orders the dialog showed.
  seen(orders) {
    return orders.map(({ order_id, sku, qty, paid }) => ({ order_id, sku, qty, paid }));
  },

  // Asking again after the refusal: said on the message line and at the top of the dialog.
  changedNote() {
    const said = goods.tr("Пока вы подтверждали, заказы, с которых снимется резерв, изменились: проверьте новый список.",
                          "While you were confirming, the orders that lose their reserve changed: check the new list.");
    goods.say(said, "bad");
    return goods.h("strong", { class: "reserve-changed" }, said);
  },
};

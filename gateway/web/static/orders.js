// «Заказы»: the order board. Tabs by what the desk has to do (new, short, to pick, partly
// shipped, finished) with their counts, a search over every tab, one card per order. Live: the
// frame's nav.js polls the counts every second and fires "storegw:orders"; when they change
// (an order arrived, or was handled on another tablet) this page fetches its list again.
"use strict";
const board = {
  tab: "new",
  q: "",
  page: 1,
  orders: [],
  more: false,
  loading: false,
  again: false, // something changed while the list was on its way: fetch once more
  fetchedAt: 0, // performance.now() of the last list: ages count on from it
  known: null, // order ids on the last list (a new one is said in words)
  el: {},
};
const t = (key, values) => register.t(key, values);

board.url = (page) => {
  const query = new URLSearchParams({ tab: board.tab, q: board.q, page: String(page) });
  return `/api/orders?${query}`;
};

board.load = async (append) => {
  if (board.loading) {
    board.again = true;
    return;
  }
  board.loading = true;
  const asked = `${board.tab}|${board.q}`;
  const page = append ? board.page + 1 : 1;
  const answer = await register.send(board.url(page));
  board.loading = false;
  if (asked !== `${board.tab}|${board.q}`) board.again = true; // the tab or search changed
  else if (answer.ok) board.show(answer.data, append);
  else if (!answer.signedOut) register.say(t("load_failed", { why: answer.text }), "bad");
  if (board.again) {
    board.again = false;
    board.load(false);
  }
};

board.show = (data, append) => {
  board.page = data.page || 1;
  board.more = Boolean(data.more);
  board.orders = append ? board.orders.concat(data.orders) : data.orders;
  board.fetchedAt = performance.now();
  if (data.counts) board.showCounts(data.counts);
  const fresh = board.known
    ? board.orders.filter((order) => !order.seen && !board.known.has(order.order_id))
    : [];
  board.known = new Set(board.orders.map((order) => order.order_id));
  board.render();
  if (fresh.length) {
    const order = fresh[0];
    const name = (order.customer && order.customer.name) || "—";
    register.say(t("arrived", { number: order.number, name, total: storegw.money(order.total) }), "ok");
  }
};

board.showCounts = (counts) => {
  for (const count of document.querySelectorAll("[data-count]")) {
    const value = counts[count.dataset.count];
    if (value !== undefined) count.textContent = String(value);
  }
};

// --- drawing ---------------------------------------------------------------------------------
board.age = (order) => {
  const seconds = order.age_s + Math.round((performance.now() - board.fetchedAt) / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return t("now");
  if (minutes < 60) return t("minutes", { n: minutes });
  if (minutes < 24 * 60) return t("hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
  return t("days", { n: Math.floor(minutes / (24 * 60)) });
};

board.card = (order) => {
  const state = register.texts.states[order.status] || { tone: "bad", word: order.status };
  const card = document.createElement("a");
  card.className = `card tone-${state.tone}${order.seen ? "" : " unseen"}`;
  card.href = `/orders/${encodeURIComponent(order.order_id)}${storegw.lang === "en" ? "?lang=en" : ""}`;
  card.dataset.order = order.order_id;
  card.setAttribute("aria-label", t("open", { number: order.number }));
  const head = div("card-head");
  const number = document.createElement("strong");
  number.className = "number";
  number.textContent = `№ ${order.number}`;
  head.append(number, badge(state.tone, state.word));
  if (!order.seen) head.append(badge("wait new", t("new_badge")));
  if (order.confirm_overdue) head.append(badge("bad", t("confirm_overdue")));
  if (order.pickup_overdue) head.append(badge("bad", t("pickup_overdue")));
  const age = document.createElement("span");
  age.className = "age";
  age.textContent = board.age(order);
  head.append(age);
  const customer = order.customer || {};
  const buyer = div("buyer", [customer.name, customer.phone].filter(Boolean).join(" · ") || "—");
  const lines = document.createElement("ul");
  lines.className = "card-lines";
  for (const line of order.lines.slice(0, 3)) {
    const item = document.createElement("li");
    const traits = Object.values(line.characteristics || {}).join(", ");
    item.textContent = `${line.name}${traits ? ` (${traits})` : ""} × ${line.qty}`;
    if (line.short > 0) item.append(" ", badge("wait", t("short_line", { n: line.short })));
    lines.append(item);
  }
  if (order.lines.length > 3) {
    const rest = document.createElement("li");
    rest.className = "muted";
    rest.textContent = t("more_lines", { n: order.lines.length - 3 });
    lines.append(rest);
  }
  const foot = div("card-foot");
  const total = document.createElement("strong");
  total.textContent = storegw.money(order.total);
  foot.append(total, ` · ${t("items", { n: order.items })} `);
  foot.append(order.paid ? badge("ok", t("paid")) : badge("pill", t("to_pay")));
  card.append(head, buyer, lines, foot);
  return card;
};

board.render = () => {
  board.el.cards.replaceChildren(...board.orders.map(board.card));
  const searching = board.q !== "";
  for (const tab of board.el.tabs) {
    tab.setAttribute("aria-selected", String(!searching && tab.dataset.tab === board.tab));
  }
  board.el.searchNote.hidden = !searching;
  board.el.searchNote.textContent = searching ? t("searching", { q: board.q }) : "";
  board.el.empty.hidden = board.orders.length > 0;
  board.el.empty.textContent = searching ? t("empty_search", { q: board.q }) : t(`empty_${board.tab}`);
  board.el.more.hidden = !board.more;
};

board.tick = () => {
  for (const card of board.el.cards.children) {
    const order = board.orders.find((each) => each.order_id === card.dataset.order);
    if (order) card.querySelector(".age").textContent = board.age(order);
  }
};

function div(className, text) {
  const box = document.createElement("div");
  box.className = className;
  if (text !== undefined) box.textContent = text;
  return box;
}

function badge(tone, text) {
  const span = document.createElement("span");
  span.className = `badge ${tone}`;
  span.textContent = text;
  return span;
}

// --- tabs, search, live -----------------------------------------------------------------------
board.choose = (tab) => {
  board.tab = tab;
  board.q = "";
  board.el.search.value = "";
  const url = new URL(window.location.href);
  url.searchParams.set("tab", tab);
  history.replaceState(null, "", url);
  board.load(false);
};

board.search = (text) => {
  const q = text.trim();
  if (q === board.q) return;
  board.q = q;
  board.load(false);
};

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  Object.assign(board.el, {
    cards: $("cards"),
    empty: $("empty"),
    more: $("more"),
    search: $("search"),
    searchNote: $("search-note"),
    tabs: document.querySelectorAll("[data-tab]"),
  });
  const asked = new URLSearchParams(window.location.search).get("tab");
  if ([...board.el.tabs].some((tab) => tab.dataset.tab === asked)) board.tab = asked;
  for (const tab of board.el.tabs) tab.addEventListener("click", () => board.choose(tab.dataset.tab));
  let typing = null;
  board.el.search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => board.search(board.el.search.value), 300);
  });
  board.el.search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return; // a scanner's Enter, or a person's: search at once
    event.preventDefault();
    clearTimeout(typing);
    board.search(board.el.search.value);
  });
  // A scanner in keyboard mode types wherever the focus is: off any field, into the search.
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea, select, dialog, .screen")) return;
    if (storegw.screenUp()) return; // the PIN pad takes the keys
    if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
    board.el.search.focus();
  });
  board.el.more.addEventListener("click", () => board.load(true));
  document.addEventListener("storegw:orders", (event) => {
    board.showCounts(event.detail.data.counts || {});
    if (event.detail.changed && board.known !== null) board.load(false);
  });
  board.render();
  board.load(false);
  setInterval(board.tick, 30000);
});

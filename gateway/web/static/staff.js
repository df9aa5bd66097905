// «Сотрудники» and «Журнал» (manager only): the people with their role, state and last sign-in,
// adding one, a new PIN, a role, an INN, disabling and enabling (each asked once, saying what
// will happen), API tokens (shown once), and the audit trail with its filter. The words come
// from the page (#texts); the API's refusals ("English / Русский") are shown in the page's half.
"use strict";
const staff = { texts: {}, busy: false, el: {} };
const AUDIT_ROWS = 200;

staff.t = (key, values) =>
  String(staff.texts[key] ?? key).replace(/\{(\w+)\}/g, (all, name) =>
    values && name in values ? values[name] : all);

staff.half = (detail) => {
  const [english, russian] = String(detail || "").split(" / ");
  return storegw.lang === "en" ? english : russian || english;
};

// What went wrong, in words; nothing when the lock screen already asks for a PIN.
staff.refusal = (answer) => {
  if (answer.network) return staff.t("no_network");
  if (answer.signedOut) return "";
  return staff.t("failed", { detail: staff.half(answer.data && answer.data.detail) || answer.error });
};

staff.fail = (answer) => {
  const why = staff.refusal(answer);
  if (why) storegw.say(why);
};

// --- «Сотрудники» ----------------------------------------------------------------------------
const ACTIONS = { // what a button asks, which API it calls, with what
  pin: { path: "pin", fields: "pin", me: "pin_me", label: "pin_do" },
  promote: { path: "change", body: () => ({ role: "manager" }) },
  demote: { path: "change", body: () => ({ role: "cashier" }), me: "demote_me" },
  inn: { path: "change", fields: "inn", label: "inn_do", yes: "save" },
  disable: { path: "disable", danger: true, me: "disable_me" },
  enable: { path: "enable" },
  revoke: { path: "disable", danger: true },
};

staff.load = async () => {
  const answer = await storegw.send("/api/staff");
  if (!answer.ok) return staff.fail(answer);
  const { people, tokens, me } = answer.data;
  const managers = people.filter((p) => p.active && p.role === "manager").length;
  staff.el.people.replaceChildren(...people.map((p) => personRow(p, p.id === me, managers)));
  staff.el.noPeople.hidden = people.length > 0;
  staff.el.tokens.replaceChildren(...tokens.map(tokenRow));
  staff.el.noTokens.hidden = tokens.length > 0;
};

function personRow(person, isMe, managers) {
  const t = staff.t;
  const lastManager = person.active && person.role === "manager" && managers <= 1;
  const kinds = !person.active ? ["enable"]
    : lastManager ? ["pin", "inn"] // the shop keeps its manager: no disable, no demote
      : ["pin", person.role === "manager" ? "demote" : "promote", "inn", "disable"];
  const ask = (kind) =>
    button(t(ACTIONS[kind].label || kind), () => staff.ask(kind, person, isMe), ACTIONS[kind].danger);
  const seen = person.last_sign_in ? t("last", { when: when(person.last_sign_in) }) : t("never");
  return entryRow(person, {
    me: isMe,
    facts: [[person.inn && t("inn_is", { inn: person.inn }), seen].filter(Boolean).join(" · "),
      lastManager && t("only_manager")],
    state: t(person.active ? "can_sign_in" : "disabled"),
    buttons: kinds.map(ask),
  });
}

function tokenRow(token) {
  const t = staff.t;
  return entryRow(token, {
    facts: [t("created", { when: when(token.created_at) })],
    state: t(token.active ? "token_active" : "token_revoked"),
    buttons: token.active ? [button(t("revoke"), () => staff.ask("revoke", token, false), true)] : [],
  });
}

// One person or token: name and role, a few facts, the state as a badge and a word, buttons.
function entryRow(entry, { me, facts, state, buttons }) {
  const row = node("div", `row${entry.active ? "" : " disabled"}`);
  row.dataset.staffId = entry.id;
  const what = node("div", "what");
  what.append(node("strong", "name", entry.name), " ", node("span", "role", staff.t(entry.role)));
  if (me) what.append(" ", node("span", "muted", `(${staff.t("me")})`));
  for (const line of facts) if (line) what.append(node("div", "muted", line));
  const ops = node("div", "ops");
  ops.append(...buttons);
  row.append(what, badge(entry.active ? "ok" : "off", state), ops);
  return row;
}

// The one question an action asks: what will happen, the fields it needs, «Да» or «Отмена».
staff.ask = (kind, person, isMe) => {
  const action = ACTIONS[kind];
  const el = staff.el;
  const names = { name: person.name };
  el.askForm.reset();
  el.askTitle.textContent = staff.t(`${kind}_title`, names);
  el.askWhat.textContent = staff.t(`${kind}_what`, names) + (isMe && action.me ? staff.t(action.me) : "");
  el.askPin.hidden = action.fields !== "pin";
  el.askInn.hidden = action.fields !== "inn";
  if (action.fields === "inn") el.askForm.elements.inn.value = person.inn || "";
  el.askError.textContent = "";
  el.askYes.textContent = staff.t(action.yes || action.label || kind);
  el.askYes.classList.toggle("danger-fill", Boolean(action.danger));
  el.askYes.disabled = false;
  el.askForm.onsubmit = async (event) => {
    event.preventDefault();
    if (staff.busy) return; // a double tap does one thing
    const fields = Object.fromEntries(new FormData(el.askForm));
    const problem = action.fields === "pin" ? pinProblem(fields.pin, fields.pin2)
      : action.fields === "inn" ? innProblem(fields.inn) : "";
    if (problem) {
      el.askError.textContent = problem;
      return;
    }
    const body = action.body ? action.body() : action.fields ? { [action.fields]: fields[action.fields].trim() } : {};
    staff.busy = el.askYes.disabled = true;
    const answer = await storegw.send(`/api/staff/${person.id}/${action.path}`, body);
    staff.busy = el.askYes.disabled = false;
    if (!answer.ok) {
      el.askError.textContent = staff.refusal(answer);
      if (answer.signedOut) el.ask.close();
      return;
    }
    el.ask.close();
    // No longer a manager: the screen is drawn afresh for a cashier (it says it is not hers).
    if (isMe && kind === "demote") return window.location.reload();
    await staff.load(); // the message comes with the list that shows it
    storegw.say(staff.t(`${kind}_done`, names), true);
  };
  el.ask.showModal();
  const first = el.ask.querySelector("div:not([hidden]) input");
  if (first) first.focus();
};

function pinProblem(pin, again) {
  if (!/^\d{4,8}$/.test(pin || "")) return staff.t("bad_pin");
  return pin === again ? "" : staff.t("pin_mismatch");
}

const INN_WEIGHTS = [[7, 2, 4, 10, 3, 5, 9, 4, 6, 8], [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]]; // FNS

function innProblem(inn) { // the check digits too, as the gateway checks them (domain/staff.py)
  const text = (inn || "").trim();
  if (!text) return "";
  if (!/^\d{12}$/.test(text)) return staff.t("bad_inn");
  const sum = (weights) => weights.reduce((total, w, i) => total + w * Number(text[i]), 0) % 11 % 10;
  return INN_WEIGHTS.every((w) => sum(w) === Number(text[w.length])) ? "" : staff.t("bad_inn_sum");
}

staff.add = async (event) => {
  event.preventDefault();
  if (staff.busy) return;
  const form = staff.el.addForm;
  const fields = Object.fromEntries(new FormData(form));
  const name = (fields.name || "").trim();
  const problem = !name ? staff.t("need_name") : pinProblem(fields.pin, fields.pin2) || innProblem(fields.inn);
  if (problem) return storegw.say(problem);
  staff.busy = true;
  const body = { name, role: fields.role, pin: fields.pin, inn: fields.inn.trim() || null };
  const answer = await storegw.send("/api/staff", body);
  staff.busy = false;
  if (!answer.ok) return staff.fail(answer);
  form.reset();
  await staff.load();
  storegw.say(staff.t("added", { name: answer.data.name, role: staff.t(answer.data.role) }), true);
};

staff.addToken = async (event) => {
  event.preventDefault();
  if (staff.busy) return;
  const form = staff.el.tokenForm;
  const fields = Object.fromEntries(new FormData(form));
  const name = (fields.name || "").trim();
  if (!name) return storegw.say(staff.t("need_token_name"));
  staff.busy = true;
  const answer = await storegw.send("/api/staff/tokens", { name, role: fields.role });
  staff.busy = false;
  if (!answer.ok) return staff.fail(answer);
  form.reset();
  const el = staff.el;
  el.newTokenTitle.textContent = staff.t("token_title", { name: answer.data.name });
  el.newTokenValue.value = answer.data.token;
  el.newTokenHeader.textContent = `Authorization: Bearer ${answer.data.token}`;
  el.newToken.hidden = false;
  await staff.load();
  storegw.say(staff.t("token_done", { name: answer.data.name }), true);
};

staff.copyToken = async () => {
  const input = staff.el.newTokenValue;
  input.select();
  try {
    await navigator.clipboard.writeText(input.value); // only on https or localhost
    return storegw.say(staff.t("copied"), true);
  } catch (error) {
    storegw.say(staff.t(document.execCommand("copy") ? "copied" : "copy_by_hand"), true);
  }
};

staff.hideToken = () => { // the token is shown once: hidden, it is gone from the page too
  staff.el.newToken.hidden = true;
  staff.el.newTokenValue.value = staff.el.newTokenHeader.textContent = "";
};

// --- «Журнал» ---------------------------------------------------------------------------------
staff.group = new URLSearchParams(window.location.search).get("group") || "";

staff.loadAudit = async () => {
  const group = staff.group;
  const answer = await storegw.send(`/api/audit?group=${encodeURIComponent(group)}&limit=${AUDIT_ROWS}`);
  if (group !== staff.group) return; // the filter changed meanwhile
  if (!answer.ok) return staff.fail(answer);
  const rows = answer.data;
  const el = staff.el;
  for (const b of el.filters) b.setAttribute("aria-pressed", String(b.dataset.group === group));
  el.audit.hidden = !rows.length;
  el.noAudit.hidden = rows.length > 0;
  el.noAudit.textContent = staff.texts.groups[group] || "";
  el.auditMore.hidden = rows.length < AUDIT_ROWS;
  el.auditMore.textContent = staff.t("more", { n: rows.length });
  el.audit.querySelector("tbody").replaceChildren(...rows.map(auditRow));
};

function auditRow(row) {
  const t = staff.t;
  const kind = staff.texts.kinds[row.kind] || { tone: "", word: row.kind };
  // The table's word stays as it is: the next plain wrong PIN is no manager's approval.
  const approval = row.kind === "pin_refused" && /manager's approval/.test(row.detail || "");
  const word = approval ? t("approval_refused") : kind.word;
  const what = node("td", "what");
  what.append(kind.tone ? badge(kind.tone, word) : node("strong", "", word));
  const about = describe(row);
  if (about) what.append(" ", node("span", "", about));
  // A refused PIN: whose PIN it was (the row's `staff`, if any, asked for a manager's PIN).
  const who = row.kind === "pin_refused" ? row.subject || row.staff || "—" : row.staff || t("system");
  const tr = node("tr");
  tr.dataset.kind = row.kind;
  tr.append(
    labelled(node("td", "when", when(row.created_at)), "when"),
    labelled(what, "what"),
    labelled(node("td", "", who), "who"),
    labelled(node("td", "", row.approved_by || ""), "approved_by"),
    labelled(node("td", "num", amount(row)), "amount"),
    labelled(node("td", "muted", row.client || ""), "client"),
  );
  return tr;
}

// The money of the act: at a shift's close the cash counted, when somebody counted it (the
// books' figure and the difference are in «Что»).
function amount(row) {
  if (row.cash_counted !== undefined && row.cash_counted !== null) return storegw.money(row.cash_counted);
  return row.amount === null ? "" : storegw.money(row.amount);
}

// The reason the staff gave (a cancel, a released reserve), as the order screen says it.
function reason(row) {
  if (!row.reason && !row.reason_text) return "";
  const words = staff.texts.reasons[row.reason] || row.reason || "";
  const why = row.reason === "other" && row.reason_text ? row.reason_text
    : [words, row.reason_text].filter(Boolean).join(": ");
  return staff.t("reason", { why });
}

// A shift's close: counted against the books, and the shortage or surplus.
function cashCount(row) {
  if (row.cash_counted === undefined || row.cash_counted === null) return "";
  const t = staff.t;
  const money = storegw.money;
  const said = [t("cash_counted", { counted: money(row.cash_counted), expected: money(row.cash_expected) })];
  const difference = row.cash_difference;
  if (difference < 0) said.push(t("shortage", { n: money(-difference) }));
  else if (difference > 0) said.push(t("surplus", { n: money(difference) }));
  else if (difference === 0) said.push(t("cash_match"));
  return said.join(", ");
}

// The audit's detail (written for people reading the database) in the page's words.
function describe(row) {
  const t = staff.t;
  const tables = staff.texts;
  const detail = row.detail || "";
  const thing = (text) => {
    const found = text.match(/^(receipt|shift|job) (\S+)$/);
    return found ? t(found[1], { n: found[2] }) : text;
  };
  switch (row.kind) {
    case "pin_refused": { // "wrong PIN[; locked for N s]", "refused unchecked while locked (N s
      // left)", "not a manager"; for a manager's PIN "; manager's approval for <request>" too
      const approval = /manager's approval/.test(detail);
      const [unchecked, locked] = [/while locked \((\d+) s left/, /locked for (\d+)/].map((r) => detail.match(r));
      return [unchecked ? t("unchecked", { seconds: unchecked[1] }) : /not a manager/.test(detail)
        ? t("not_manager") : approval && t("wrong_pin"), locked && t("locked_for", { seconds: locked[1] }),
      /setup code/.test(detail) && t("setup_code"), approval && row.staff && t("approval_for", { name: row.staff }),
      ].filter(Boolean).join(", ");
    }
    case "override": {
      const [permission, ...rest] = detail.split(" ");
      const about = row.order_number !== undefined ? t("order", { n: row.order_number }) : thing(rest.join(" "));
      return [tables.actions[permission] || permission, about, reason(row)].filter(Boolean).join(", ");
    }
    case "close_shift":
      return [thing(detail), cashCount(row)].filter(Boolean).join(": ");
    case "refund": case "cash_in": case "cash_out":
      return thing(detail);
    case "correction": {  // "receipt N [reverses|replaces receipt M]: the reason"
      const found = detail.match(/^receipt (\d+)(?: (reverses|replaces) receipt (\d+))?: ([\s\S]*)$/);
      if (!found) return detail;
      const which = found[2] ? t(found[2], { n: found[3] }) : "";
      return [t("receipt", { n: found[1] }), which, found[4]].filter(Boolean).join(" — ");
    }
    case "staff_added": case "token_created": {
      const role = detail.match(/\((\w+)/);
      return [row.subject, role && tables.roles[role[1]]].filter(Boolean).join(" — ");
    }
    case "staff_changed": {
      const changes = detail.slice(detail.indexOf(": ") + 2).split(", ").map((pair) => {
        const [key, value] = pair.split("=");
        if (key === "role") { // "manager (was cashier)": «роль: кассир → управляющий»
          const [to, was] = [value.split(" ")[0], (value.match(/\(was (\w+)\)/) || [])[1]]
            .map((role) => role && (tables.roles[role] || role));
          return was ? t("role_change", { from: was, to }) : t("role_is", { to });
        }
        if (key === "inn") return value === "None" ? t("inn_removed") : t("inn_is", { inn: value });
        return pair;
      });
      return [row.subject, ...changes].join(" — ");
    }
    default:
      return row.subject || "";
  }
}

// --- shared bits ------------------------------------------------------------------------------
function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const options = { hour: "2-digit", minute: "2-digit" };
  if (date.toDateString() !== new Date().toDateString()) Object.assign(options, { day: "numeric", month: "short" });
  return date.toLocaleString(storegw.lang === "en" ? "en-GB" : "ru-RU", options);
}

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

const badge = (tone, words) => node("span", `badge ${tone}`, words);

function button(label, handler, danger) {
  const b = node("button", danger ? "danger" : "", label);
  b.type = "button";
  b.onclick = handler;
  return b;
}

// A phone shows each cell on its own line with its heading.
const labelled = (cell, key) => { cell.dataset.label = staff.t(key); return cell; };

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  staff.texts = JSON.parse($("texts").textContent);
  // Someone signed in on the lock screen: the page is drawn afresh for them (a cashier sees it
  // is for a manager), and a token shown before the lock is gone.
  new MutationObserver(() => window.location.reload()).observe(document.body, { attributeFilter: ["data-staff"] });
  if ($("manager-only")) {
    $("ask-manager").onclick = () => $("switch").click();
    return;
  }
  const el = staff.el;
  if ($("staff-page")) {
    const ids = ["people", "no-people", "tokens", "no-tokens", "add-form", "token-form", "new-token",
      "new-token-title", "new-token-value", "new-token-header", "ask", "ask-form", "ask-title",
      "ask-what", "ask-pin", "ask-inn", "ask-error", "ask-yes"];
    for (const id of ids) el[id.replace(/-(\w)/g, (all, c) => c.toUpperCase())] = $(id);
    [el.addForm.onsubmit, el.tokenForm.onsubmit] = [staff.add, staff.addToken];
    [$("copy-token").onclick, $("hide-token").onclick] = [staff.copyToken, staff.hideToken];
    $("ask-no").onclick = () => el.ask.close();
    const hint = $("hint"); // one sentence of help on the first visit, until dismissed
    hint.hidden = localStorage.getItem("storegw.hint.staff") === "seen";
    hint.querySelector("button").onclick = () => { localStorage.setItem("storegw.hint.staff", "seen"); hint.hidden = true; };
    staff.load();
  } else {
    Object.assign(el, { audit: $("audit"), noAudit: $("no-audit"), auditMore: $("audit-more") });
    el.filters = [...document.querySelectorAll("[data-group]")];
    for (const b of el.filters) {
      b.onclick = () => {
        staff.group = b.dataset.group;
        const url = new URL(window.location.href);
        if (staff.group) url.searchParams.set("group", staff.group);
        else url.searchParams.delete("group");
        window.history.replaceState(null, "", url);
        staff.loadAudit();
      };
    }
    staff.loadAudit();
    const locked = document.getElementById("lock-screen");
    setInterval(() => { if (!document.hidden && locked.hidden) staff.loadAudit(); }, 10000);
  }
});

// The PIN pad (templates/pinpad.html) in its three places: the sign-in screen, the lock screen
// over any page («Сменить кассира», idle), and a manager's PIN for one action (override).
"use strict";
const signin = (() => {
  const en = () => document.documentElement.lang === "en";
  const tr = (ru, english) => (en() ? english : ru);
  const MAX_PIN = 8;

  // One pad: choose a person, type the PIN, `submit(id, pin)` resolves to a refusal text or null.
  function pad(root, submit) {
    const pinBox = root.querySelector("[data-pin]");
    const peopleBox = root.querySelector("[data-people]");
    const dots = root.querySelector("[data-dots]");
    const refusal = root.querySelector("[data-refusal]");
    let chosen = null;
    let pin = "";
    const draw = () => { dots.textContent = "●".repeat(pin.length) || "\u00a0"; };
    const choose = (button) => {
      chosen = button ? button.dataset.id : null;
      pin = "";
      draw();
      peopleBox.hidden = Boolean(button);
      pinBox.hidden = !button;
      if (button) root.querySelector("[data-picked]").textContent = button.firstChild.textContent.trim();
    };
    const enter = async () => {
      if (!chosen || pin.length < 4) {
        refusal.textContent = tr("PIN — от 4 до 8 цифр.", "A PIN is 4 to 8 digits.");
        return;
      }
      const typed = pin;
      pin = "";
      draw();
      refusal.textContent = "";
      const why = await submit(Number(chosen), typed);
      if (why) refusal.textContent = why;
    };
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || !root.contains(button)) return;
      if (button.classList.contains("person")) choose(button);
      else if (button.dataset.digit && pin.length < MAX_PIN) pin += button.dataset.digit;
      else if (button.hasAttribute("data-clear")) pin = "";
      else if (button.hasAttribute("data-back")) choose(null);
      else if (button.hasAttribute("data-enter")) enter();
      draw();
    });
    // A barcode scanner in keyboard mode types a burst of keys (a few ms apart) and Enter:
    // on a locked screen that is a scan, not a PIN, and must not count as a wrong one.
    let lastKey = 0;
    let burst = false;
    const keys = (event) => {
      if (root.closest("[hidden], dialog:not([open])") || pinBox.hidden) return;
      const now = performance.now();
      burst = now - lastKey < 35 || (burst && now - lastKey < 300);
      lastKey = now;
      if (burst && event.key === "Enter") {
        pin = "";
        refusal.textContent = tr("Это был скан: введите PIN кнопками.", "That was a scan: type the PIN.");
      } else if (/^\d$/.test(event.key) && pin.length < MAX_PIN) pin += event.key;
      else if (event.key === "Backspace") pin = pin.slice(0, -1);
      else if (event.key === "Enter") enter();
      else return;
      event.preventDefault();
      draw();
    };
    document.addEventListener("keydown", keys);
    const onlyOne = () => {
      const people = peopleBox.querySelectorAll(".person");
      return people.length === 1 ? people[0] : null;
    };
    return {
      reset(text) {
        choose(onlyOne()); // the names may have been redrawn
        refusal.textContent = text || "";
      },
      // The names were redrawn: a pad still waiting for a name takes them (one: chosen).
      redrawn() {
        if (!chosen && onlyOne()) choose(onlyOne());
      },
    };
  }

  // The names on a pad as the gateway knows them now (a person hired, or a manager made or
  // demoted, on another tablet since this page loaded); `which` picks some. No answer: the
  // names stay as they were.
  async function freshPeople(root, which) {
    let people;
    try {
      const answer = await fetch(`/api/signin?lang=${en() ? "en" : "ru"}`, { cache: "no-store" });
      if (!answer.ok) return;
      people = (await answer.json()).filter(which);
    } catch (error) {
      return;
    }
    const buttons = people.map((person) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "person";
      button.dataset.id = person.id;
      button.dataset.role = person.role;
      const role = document.createElement("small");
      role.textContent = person.role_word;
      button.append(document.createTextNode(person.name), role);
      return button;
    });
    root.querySelector("[data-people]").replaceChildren(...buttons);
  }

  async function post(path, body) {
    try {
      const answer = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      return { ok: answer.ok, data: await answer.json().catch(() => ({})) };
    } catch (error) {
      return { ok: false, data: { detail: tr("Шлюз не отвечает: проверьте сеть.", "The gateway does not answer: check the network.") } };
    }
  }

  const words = (data) => {
    const [english, russian] = String(data.detail || "").split(" / ");
    return (en() ? english : russian || english) || tr("Не получилось.", "That did not work.");
  };

  // --- a staff page: lock screen, override, idle ------------------------------------------
  const lockBox = document.getElementById("lock-screen");
  // A modal <dialog>: in the top layer, above a page's own dialog that asked for it (which
  // stays open beneath, so its action goes on after the PIN).
  const overrideBox = document.getElementById("override-screen");
  let lockPad = null;
  let overridePad = null;
  let asked = null; // the pending override: resolve("id:pin") or resolve(null)

  // What the last person left open when the tablet locked. A modal <dialog> sits in the
  // browser's top layer, above any z-index: it is closed (quietly: its page does not take that
  // for a «no»), and the rest of the page is made inert, so nothing of it shows or answers
  // above the PIN pad. The same person signing in gets it back as it was (the typed count
  // too); someone else gets it cancelled, and the message line says so.
  const held = { by: null, dialogs: [], override: false, inert: [] };
  const quiet = new Set(); // dialogs whose close events are the lock's, not their page's

  window.addEventListener("close", (event) => {
    if (quiet.has(event.target)) event.stopImmediatePropagation();
  }, true); // the capture phase runs before the dialog's own listeners

  function hide(dialog) {
    if (!dialog.open) return;
    held.dialogs.push({ dialog, modal: dialog.matches(":modal") });
    quiet.add(dialog);
    dialog.close();
  }

  function hideEverything() {
    if (held.by === null) held.by = document.body.dataset.staff || "";
    if (overrideBox && overrideBox.open) { // held apart: it comes back last, on top
      quiet.add(overrideBox);
      overrideBox.close();
      held.override = true;
    }
    document.querySelectorAll("dialog[open]").forEach(hide);
    for (const element of document.body.children) {
      if (element === lockBox || element.inert || element.tagName === "SCRIPT") continue;
      if (element.id === "training-banner") continue; // nothing to tap; stays above the lock
      element.inert = true;
      held.inert.push(element);
    }
  }

  // While locked, a dialog a page opens (a late answer, a scan) is held too.
  if (lockBox) {
    new MutationObserver((changes) => {
      if (lockBox.hidden) return;
      for (const change of changes) {
        if (change.target.tagName === "DIALOG" && change.target.open) hide(change.target);
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["open"] });
  }

  const titleOf = (dialog) => {
    const title = dialog.querySelector("h1, h2, h3, .ask-text, legend");
    return title ? title.textContent.trim().replace(/\s+/g, " ") : "";
  };

  // Back after a sign-in: `same` -- the person who was working. Returns a sentence for the
  // message line, or "".
  function giveBack(same) {
    for (const element of held.inert) element.inert = false;
    const dialogs = held.dialogs.filter(({ dialog }) => dialog.isConnected);
    const override = held.override;
    held.by = null;
    held.dialogs = [];
    held.override = false;
    held.inert = [];
    if (same) {
      for (const { dialog, modal } of dialogs) {
        quiet.delete(dialog);
        if (!dialog.open) {
          if (modal) dialog.showModal();
          else dialog.show();
        }
      }
      if (override) {
        quiet.delete(overrideBox);
        overrideBox.showModal();
      }
      const last = dialogs.length ? dialogs[dialogs.length - 1].dialog : null;
      const field = last && last.querySelector("input:not([type=hidden]):not([disabled])");
      if (field) field.focus();
      return dialogs.length || override
        ? tr("Незаконченное окно открыто снова: продолжайте.", "The unfinished window is back: carry on.")
        : "";
    }
    // Someone else: each page's own «cancel» -- Esc, then the close it listens for.
    const titles = [];
    for (const { dialog } of dialogs) {
      quiet.delete(dialog);
      const title = titleOf(dialog);
      if (title) titles.push(`«${title}»`);
      dialog.dispatchEvent(new Event("cancel", { cancelable: true }));
      dialog.dispatchEvent(new Event("close"));
    }
    if (override) {
      quiet.delete(overrideBox);
      answerOverride(null);
    }
    if (!dialogs.length && !override) return "";
    return titles.length
      ? tr(`Окно ${titles.join(", ")} закрыто, ничего не сделано: начните заново.`,
        `The window ${titles.join(", ")} was closed and nothing was done: start again.`)
      : tr("Незаконченное окно закрыто, ничего не сделано: начните заново.",
        "The unfinished window was closed and nothing was done: start again.");
  }

  const ROLE_WORDS = { manager: ["управляющий", "manager"], cashier: ["кассир", "cashier"] };

  // Sign-ins on this page so far. A refusal of a request sent before the latest one (a read in
  // flight while the tablet was locked) is about a session already replaced: it locks nothing.
  let sessions = 0;

  function signedIn(data) {
    sessions += 1;
    document.querySelector('meta[name="csrf-token"]').content = data.csrf;
    const same = held.by !== null && held.by === data.staff.name;
    const manager = data.staff.role === "manager";
    document.body.dataset.staff = data.staff.name;
    document.body.dataset.role = data.staff.role;
    document.getElementById("staff").textContent = data.staff.name;
    const role = ROLE_WORDS[data.staff.role]; // the gateway's word: the pad's may be stale
    if (role) document.getElementById("staff-role").textContent = tr(...role);
    // The menu offers what this person may open (a cashier: no «Сотрудники», no «Журнал»).
    for (const link of document.querySelectorAll("#nav-links [data-managers-only]")) link.hidden = !manager;
    lockBox.hidden = true;
    const back = giveBack(same);
    if (typeof storegw !== "undefined") { // a top-level const: not a property of window
      storegw.touch();
      const who = tr(`Работает: ${data.staff.name}.`, `${data.staff.name} is working.`);
      storegw.say(back ? `${who} ${back}` : who, true);
    }
  }

  function lockScreen(detail) {
    if (!lockBox) return;
    hideEverything();
    if (lockBox.hidden) {
      lockPad.reset(detail ? words({ detail }) : "");
      // The names of now: someone hired, let go or shut out on another tablet since the load.
      freshPeople(lockBox, () => true).then(() => lockPad.redrawn());
    }
    lockBox.hidden = false;
  }

  async function lock() {
    lockScreen(); // at once: nothing of this person's screen waits for the gateway's answer
    await fetch("/api/lock", { method: "POST", headers: storegw.headers() }).catch(() => null);
  }

  // The gateway's idle clock: a page just loaded (a reload, an automatic refresh) starts from
  // the last touch the gateway knows, not from now (`adopt`). Later calls tell the gateway of
  // this page's touches. A 401 shows the lock screen (storegw.send).
  async function syncIdle(adopt) {
    const answer = await storegw.send("/api/me", undefined, undefined, adopt);
    if (answer.ok && (adopt || storegw.touched === null)) storegw.touchedBefore(answer.data.idle);
    return answer;
  }

  // `refused`: the PIN just typed was refused -- the question stays, the refusal is added.
  // The managers are asked of the gateway each time: roles change on other tablets too.
  async function askManager(detail, refused) {
    if (asked) asked(null);
    let mine;
    const answer = new Promise((resolve) => { asked = mine = resolve; });
    await freshPeople(overrideBox, (person) => person.role === "manager");
    if (asked !== mine) return answer; // asked again meanwhile: this one is answered already
    if (!refused) overrideBox.querySelector("[data-override-why]").textContent = words({ detail });
    overridePad.reset(refused ? words(refused) : "");
    if (!overrideBox.open) overrideBox.showModal();
    return answer;
  }

  function answerOverride(value) {
    if (overrideBox.open) overrideBox.close();
    const resolve = asked;
    asked = null;
    if (resolve) resolve(value);
  }

  const OVERRIDE_REFUSALS = ["needs_manager", "wrong_pin", "locked", "not_manager"];

  if (lockBox) {
    lockPad = pad(lockBox, async (id, pin) => {
      const answer = await post("/api/signin", { staff_id: id, pin });
      if (!answer.ok) return words(answer.data);
      signedIn(answer.data);
      return null;
    });
    overridePad = pad(overrideBox, async (id, pin) => {
      answerOverride(`${id}:${pin}`);
      return null;
    });
    overrideBox.querySelector("[data-override-cancel]").addEventListener("click", () => answerOverride(null));
    // Closed another way (Esc on a keyboard): a «no». The lock's own closes never get here.
    overrideBox.addEventListener("close", () => { if (asked && !overrideBox.open) answerOverride(null); });
    document.getElementById("switch").addEventListener("click", lock);
    const idleMinutes = Number(document.body.dataset.idleLock || 0);
    syncIdle(true); // a background read: it tells the gateway nothing of hands on the tablet
    setInterval(async () => {
      if (!lockBox.hidden) return;
      // The gateway's idle clock learns of the touches (real ones only: app.js); either
      // clock past the limit locks the tablet.
      if (!document.hidden) await syncIdle(false);
      const idle = storegw.idleSeconds();
      if (idleMinutes && lockBox.hidden && idle !== null && idle > idleMinutes * 60) lock();
    }, 15000);
  }

  // --- the sign-in and setup screens ----------------------------------------------------------
  const signinPad = document.querySelector('[data-pad="signin"]');
  if (signinPad) {
    pad(signinPad, async (id, pin) => {
      const answer = await post("/api/signin", { staff_id: id, pin });
      if (!answer.ok) return words(answer.data);
      try { // the next page's idle clock starts at this PIN (app.js)
        window.sessionStorage.setItem("storegw.touched", String(Date.now()));
      } catch (error) { /* storage off: the gateway's clock says it */ }
      window.location.assign(document.body.dataset.next || "/");
      return null;
    }).reset();
  }
  const setup = document.getElementById("setup");
  if (setup) {
    setup.addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = new FormData(setup);
      const refusal = document.getElementById("refusal");
      if (form.get("pin") !== form.get("pin2")) {
        refusal.textContent = setup.dataset.mismatch;
        return;
      }
      const answer = await post("/api/setup", { code: form.get("code"), name: form.get("name"), pin: form.get("pin") });
      if (!answer.ok) {
        // The PIN's own mistakes are 422s: a refused "PIN" here is the one-time code.
        const code = ["wrong_pin", "bad_code"].includes(answer.data.error);
        refusal.textContent = code
          ? tr("Неверный одноразовый код: возьмите его из журнала шлюза.", "Wrong one-time code: take it from the gateway's log.")
          : words(answer.data);
        return;
      }
      window.location.assign("/");
    });
  }

  // A request sent in session `sentIn` (`session()` then) was refused as signed out.
  function signedOut(detail, sentIn) {
    if (sentIn === sessions) lockScreen(detail);
  }

  return {
    lockScreen,
    session: () => sessions,
    signedOut,
    askManager,
    overridable: (data) => OVERRIDE_REFUSALS.includes(data && data.error),
  };
})();
window.signin = signin;

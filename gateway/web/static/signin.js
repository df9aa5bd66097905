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
      if (root.closest("[hidden]") || pinBox.hidden) return;
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
    const only = peopleBox.querySelectorAll(".person");
    return {
      reset(text) {
        choose(only.length === 1 ? only[0] : null);
        refusal.textContent = text || "";
      },
    };
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
  const overrideBox = document.getElementById("override-screen");
  let lockPad = null;
  let overridePad = null;
  let asked = null; // the pending override: resolve("id:pin") or resolve(null)

  function signedIn(data) {
    document.querySelector('meta[name="csrf-token"]').content = data.csrf;
    document.body.dataset.staff = data.staff.name;
    document.body.dataset.role = data.staff.role;
    document.getElementById("staff").textContent = data.staff.name;
    const role = document.querySelector(`#lock-screen .person[data-id="${data.staff.id}"] small`);
    if (role) document.getElementById("staff-role").textContent = role.textContent;
    lockBox.hidden = true;
    if (typeof storegw !== "undefined") { // a top-level const: not a property of window
      storegw.touched = Date.now();
      storegw.say(tr(`Работает: ${data.staff.name}.`, `${data.staff.name} is working.`), true);
    }
  }

  function lockScreen(detail) {
    if (!lockBox) return;
    if (lockBox.hidden) lockPad.reset(detail ? words({ detail }) : "");
    lockBox.hidden = false;
  }

  async function lock() {
    await fetch("/api/lock", { method: "POST", headers: storegw.headers() }).catch(() => null);
    lockScreen();
  }

  // `refused`: the PIN just typed was refused -- the question stays, the refusal is added.
  function askManager(detail, refused) {
    if (asked) asked(null);
    if (!refused) overrideBox.querySelector("[data-override-why]").textContent = words({ detail });
    overridePad.reset(refused ? words(refused) : "");
    overrideBox.hidden = false;
    return new Promise((resolve) => { asked = resolve; });
  }

  function answerOverride(value) {
    overrideBox.hidden = true;
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
    document.getElementById("switch").addEventListener("click", lock);
    const idleMinutes = Number(document.body.dataset.idleLock || 0);
    setInterval(() => {
      const idle = Date.now() - storegw.touched;
      if (idleMinutes && lockBox.hidden && idle > idleMinutes * 60000) lock();
      // Keep the server's idle clock in step while hands are on the tablet.
      else if (lockBox.hidden && idle < 60000 && !document.hidden) storegw.send("/api/me");
    }, 15000);
  }

  // --- the sign-in and setup screens ----------------------------------------------------------
  const signinPad = document.querySelector('[data-pad="signin"]');
  if (signinPad) {
    pad(signinPad, async (id, pin) => {
      const answer = await post("/api/signin", { staff_id: id, pin });
      if (!answer.ok) return words(answer.data);
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

  return {
    lockScreen,
    askManager,
    overridable: (data) => OVERRIDE_REFUSALS.includes(data && data.error),
  };
})();
window.signin = signin;

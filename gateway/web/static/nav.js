// The frame's live part, on every staff page: the open web orders' count and the «new» badge in
// the navigation, a short sound when an order arrives (repeated every ~20 s until someone opens
// it: one beep is easily missed in a shop), and the phone's folded menu and device line.
// One small poll of /api/orders/counts every 0.7 s (at once when a sleeping tablet wakes); the
// board (orders.js) listens to the "storegw:orders" event instead of polling on its own.
// The status bar's words (the cloud link, the register, the printer, the scanner) are asked
// again from /api/bar every few seconds, a background read that is nobody's touch (the idle
// lock keeps counting); not while the tablet is locked or the tab hidden, and not on a page
// that reloads itself (the bar's data-every is 0 there: «Устройства и связь»).
// No answer from the gateway twice in a row: the bar says the tablet has no connection to it.
"use strict";
const desk = {
  every: 700, // ms between polls: an order on the screen well within a second (bench_ui.py)
  repeatMs: 20000, // the alert comes back this often while an order is unseen
  last: null, // the last answer: {counts, unseen, latest}
  alerts: 0, // alerts given (sound or not): tests and the badge's flash read it
  sounded: 0, // of which the speaker played
  audio: null,
  asking: false,
  timer: null,
};
const OPEN_TABS = ["new", "short", "confirmed", "partly"];
const ALERTED = "storegw.orders.alerted"; // when the last alert was given, across page loads

desk.poll = async () => {
  if (desk.asking || document.hidden) return;
  desk.asking = true;
  try {
    const answer = await storegw.send("/api/orders/counts");
    if (answer.ok) desk.update(answer.data);
  } finally {
    desk.asking = false;
  }
};

desk.update = (data) => {
  const before = desk.last;
  desk.last = data;
  const counts = data.counts || {};
  const open = OPEN_TABS.reduce((sum, tab) => sum + (Number(counts[tab]) || 0), 0);
  const unseen = Number(data.unseen) || 0;
  for (const count of document.querySelectorAll("[data-orders-open]")) {
    count.textContent = String(open);
    count.title = count.dataset.title.replace("{n}", open);
  }
  const word = (document.querySelector("[data-unseen-word]") || { dataset: {} }).dataset.unseenWord || "{n}";
  for (const badge of document.querySelectorAll("[data-orders-unseen]")) {
    badge.hidden = unseen === 0;
    badge.title = word.replace("{n}", unseen);
    badge.textContent = badge.hasAttribute("data-short") ? String(unseen) : badge.title;
  }
  const arrived =
    before !== null && JSON.stringify(data.latest) !== JSON.stringify(before.latest) && unseen > 0;
  const more = before !== null && unseen > (Number(before.unseen) || 0);
  const since = Date.now() - Number(sessionStorage.getItem(ALERTED) || 0);
  if (unseen > 0 && (arrived || more || since >= desk.repeatMs)) desk.alert();
  const changed = before === null || JSON.stringify(data) !== JSON.stringify(before);
  document.dispatchEvent(new CustomEvent("storegw:orders", { detail: { data, changed } }));
};

desk.alert = () => {
  desk.alerts += 1;
  sessionStorage.setItem(ALERTED, String(Date.now()));
  for (const badge of document.querySelectorAll("[data-orders-unseen]")) {
    badge.classList.remove("ring");
    void badge.offsetWidth; // restart the flash
    badge.classList.add("ring");
  }
  if (desk.beep()) desk.sounded += 1;
};

// --- the status bar ------------------------------------------------------------------------
// No answer (a network error, or none within `wait`: a frozen gateway) twice in a row -- the
// second ask comes soon after the first failed -- and the bar says the tablet has no connection
// to the gateway, each device grey «неизвестно»; the next answer puts it right by itself. A
// server error twice is said apart: the Wi-Fi works, the gateway itself is in trouble.
desk.bar = {
  every: 0,
  asking: false,
  last: null,
  at: Date.now(), // the last ask (or the page)
  wait: 4000, // ms an ask may take before it counts as no answer
  again: 1500, // ms after a failed ask to ask once more
  failed: 0, // asks in a row without an answer
  lostAfter: 2, // that many: the bar says so
  lost: null, // what the bar says instead of the devices: null, "lost" or "broken"
};

desk.pollBar = async () => {
  const lock = document.getElementById("lock-screen");
  if (desk.bar.asking || document.hidden || (lock && !lock.hidden)) return;
  desk.bar.asking = true;
  desk.bar.at = Date.now();
  try {
    const query = storegw.lang === "en" ? "?lang=en" : "";
    const answer = await desk.askBar(`/api/bar${query}`);
    if (answer === null) {
      desk.barFailed("lost");
    } else if (answer.status >= 500) {
      desk.barFailed("broken");
    } else if (answer.ok && Array.isArray(answer.data.bar)) {
      desk.barAnswered();
      desk.showBar(answer.data.bar);
    } else {
      desk.barAnswered(); // a refusal is an answer: the gateway is there
    }
  } finally {
    desk.bar.asking = false;
  }
};

// A background read (nobody's touch) that gives up after `wait`: {ok, status, data}, or null
// when nothing answered. A signed-out session shows the PIN screen (as storegw.send).
desk.askBar = async (path) => {
  const init = { headers: storegw.headers({ "X-Storegw-Background": "1" }) };
  const control = typeof AbortController === "function" ? new AbortController() : null;
  if (control) init.signal = control.signal;
  let timer = null;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => {
      if (control) control.abort();
      resolve(null);
    }, desk.bar.wait);
  });
  const sentIn = window.signin ? window.signin.session() : 0;
  const asked = (async () => {
    try {
      const answer = await fetch(path, init);
      const data = await answer.json().catch(() => ({}));
      if (answer.status === 401 && window.signin) window.signin.signedOut(data.detail, sentIn);
      return { ok: answer.ok, status: answer.status, data };
    } catch (error) {
      return null; // no network, or given up
    }
  })();
  try {
    return await Promise.race([asked, late]);
  } finally {
    clearTimeout(timer);
  }
};

desk.barFailed = (kind) => {
  desk.bar.failed += 1;
  if (desk.bar.failed >= desk.bar.lostAfter) desk.showLost(kind);
  else setTimeout(desk.pollBar, desk.bar.again); // one lost answer may be nothing: ask again soon
};

desk.barAnswered = () => {
  desk.bar.failed = 0;
  desk.showLost(null);
};

// No connection (`kind` "lost") or a failing gateway ("broken"): the line above the devices,
// in the words base.html keeps for it, and each device's word «неизвестно» in grey.
desk.showLost = (kind) => {
  if (kind === desk.bar.lost) return;
  desk.bar.lost = kind;
  const bar = document.getElementById("bar");
  const line = document.getElementById("bar-lost");
  bar.classList.toggle("lost", Boolean(kind));
  line.hidden = !kind;
  if (!kind) return; // the answer redraws the devices (showBar)
  line.textContent = line.dataset[kind];
  line.title = line.dataset[`${kind}Why`];
  desk.bar.last = null;
  const unknown = bar.dataset.unknown;
  for (const span of bar.querySelectorAll(".device")) {
    span.title = `${span.querySelector(".dev-name").textContent}: ${unknown}`;
    span.querySelector(".badge").className = "badge off";
    span.querySelector(".dev-word").textContent = unknown;
  }
};

// Each entry into the bar's own markup (base.html): the first .device is the pattern.
desk.showBar = (entries) => {
  const key = JSON.stringify(entries);
  if (key === desk.bar.last) return;
  desk.bar.last = key;
  const box = document.getElementById("devices");
  const shown = [...box.querySelectorAll(".device")];
  if (!shown.length) return;
  entries.forEach((entry, n) => {
    let span = shown[n];
    if (!span) {
      span = shown[0].cloneNode(true);
      box.append(" ", span);
    }
    span.title = `${entry.name}: ${entry.word}`;
    span.querySelector(".dev-name").textContent = entry.name;
    span.querySelector(".dev-short").textContent = entry.short;
    span.querySelector(".badge").className = `badge ${entry.tone}`;
    span.querySelector(".dev-word").textContent = entry.word;
  });
  for (const gone of shown.slice(entries.length)) gone.remove();
};

// --- the sound: two short tones from an oscillator (no audio file to load) ----------------------
desk.startAudio = () => {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (!desk.audio) desk.audio = new Context();
  if (desk.audio.state === "suspended") desk.audio.resume().then(desk.showSound, desk.showSound);
  desk.showSound();
};

// Browsers keep audio off until the page is touched (a tap on the page before, same site, counts).
desk.showSound = () => {
  const button = document.getElementById("sound-on");
  if (button) button.hidden = Boolean(desk.audio && desk.audio.state === "running");
};

desk.beep = () => {
  const audio = desk.audio;
  if (!audio || audio.state !== "running") return false;
  const start = audio.currentTime + 0.01;
  for (const [offset, pitch] of [[0, 880], [0.2, 1320]]) {
    const tone = audio.createOscillator();
    const loudness = audio.createGain();
    tone.frequency.value = pitch;
    loudness.gain.setValueAtTime(0.0001, start + offset);
    loudness.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
    loudness.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    tone.connect(loudness).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.2);
  }
  return true;
};

// --- the phone's folds ------------------------------------------------------------------------
desk.fold = (button, box) => {
  button.addEventListener("click", () => {
    const open = !box.classList.contains("open");
    box.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
  });
};

desk.wake = () => {
  if (document.hidden) return;
  desk.poll();
  if (desk.bar.every > 0 && Date.now() - desk.bar.at >= desk.bar.every) desk.pollBar();
};

document.addEventListener("DOMContentLoaded", () => {
  const menu = document.getElementById("nav-menu");
  if (!menu) return; // not a staff page
  desk.fold(menu, document.getElementById("nav"));
  desk.fold(document.getElementById("devices"), document.getElementById("bar"));
  desk.startAudio();
  document.getElementById("sound-on").addEventListener("click", desk.startAudio);
  for (const kind of ["pointerdown", "keydown"]) {
    document.addEventListener(kind, desk.startAudio, { capture: true, passive: true });
  }
  document.addEventListener("visibilitychange", desk.wake);
  window.addEventListener("pageshow", desk.wake);
  window.addEventListener("focus", desk.wake);
  desk.poll();
  desk.timer = setInterval(desk.poll, desk.every);
  desk.bar.every = Number(document.getElementById("bar").dataset.every) || 0;
  if (desk.bar.every > 0) setInterval(desk.pollBar, desk.bar.every);
});

// The language link (base.html) is «?lang=en»: followed as it is, it would drop the rest of the
// address (an open receiving's «doc=R-1», a day on «Сводка»), so it keeps them.
document.addEventListener("click", (event) => {
  const language = event.target.closest && event.target.closest("a.lang");
  if (!language) return;
  const url = new URL(window.location.href);
  url.searchParams.set("lang", new URL(language.href).searchParams.get("lang"));
  language.href = url.href;
});

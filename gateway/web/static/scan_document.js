// The scan-document piece every goods screen builds on («Приёмка», «Инвентаризация», and any
// later screen that fills a document by scan): open a document, point the USB scanner at it,
// re-read it while open, the feed of the last scans, the code field, leaving. A page gives its
// own words and drawing (`goods.scanDocument({...})`) and adds its own actions around it.
// Runs after goods.js (deferred; the pages start on DOMContentLoaded).
"use strict";
Object.assign(goods, {
  // --- the last scans: newest first, each a colour and a word ----------------------------
  feed(list, empty, tone, text) {
    const word = { ok: goods.tr("принято", "taken"), wait: goods.tr("внимание", "note"), bad: goods.tr("не принято", "refused") }[tone];
    const clock = new Date().toLocaleTimeString(goods.en() ? "en-GB" : "ru-RU");
    list.prepend(goods.h("li", { class: `scan-${tone}` }, goods.badge(tone, word), " ", goods.h("span", { class: "feed-text" }, text), " ", goods.h("span", { class: "muted" }, clock)));
    while (list.children.length > 8) list.lastChild.remove();
    if (empty) empty.hidden = true;
  },

  // --- the USB scanner: its scans go to the open document ---------------------------------
  // kind: "receiving" | "stocktake". onEntry(entry) gets each new scan of the station's history.
  scanner(kind, badgeBox, onEntry) {
    const state = {
      id: null,
      wanted: false, // this screen wants the scanner (until another screen takes it)
      paused: false, // a dialog takes the scans as lookups (target null) for a moment
      seen: null,
      target: undefined,
      claimedOnce: false, // pointed here once; another screen may take it later
    };
    const ours = (target) => target && target.kind === kind && target.id === state.id;

    // `take`: the «Сканировать сюда» button takes the scanner from another document; opening a
    // document only points it here when nobody has it.
    async function claim(take) {
      if (!state.id) return false;
      const body = { kind, id: state.id, replace: Boolean(take) };
      const answer = await goods.request("/api/scanner/target", body);
      if (answer.ok) state.target = answer.data.target;
      drawBadge();
      return answer.ok;
    }

    function drawBadge() {
      const target = state.target;
      // Redrawn only when something changed, so a tap never lands on a replaced button.
      const signature = JSON.stringify([state.id, state.paused, target && target.kind, target && target.id]);
      if (signature === state.drawn) return;
      state.drawn = signature;
      goods.put(badgeBox);
      if (!state.id) return;
      if (state.paused) {
        badgeBox.append(goods.badge("wait", goods.tr("Сканер: ищет товар для привязки", "Scanner: finding the item to link")));
        return;
      }
      if (ours(target)) {
        badgeBox.append(goods.badge("ok", goods.tr("Сканер: в этот документ", "Scanner: into this document")));
        return;
      }
      const where = target
        ? goods.tr(`Сканер: в ${target.kind === "receiving" ? "приёмку" : "инвентаризацию"} ${target.id}`, `Scanner: into ${target.kind} ${target.id}`)
        : goods.tr("Сканер: никуда не направлен", "Scanner: not pointed at a document");
      const here = goods.h("button", { type: "button", id: "scan-here" }, goods.tr("Сканировать сюда", "Scan into this"));
      here.addEventListener("click", () => goods.once(here, async () => {
        state.wanted = true;
        state.claimedOnce = await claim(true);
      }));
      badgeBox.append(goods.badge("wait", where), " ", here);
    }

    return {
      state,
      ours,
      // Open a document: remember what is already in the history, then point the scanner here.
      async open(id) {
        state.id = id;
        state.wanted = true;
        state.paused = false;
        state.seen = null;
        state.claimedOnce = false;
        await this.poll();
        if (!state.target || ours(state.target)) {
          state.claimedOnce = await claim(false);
        }
        drawBadge();
      },
      // Leaving the screen (another page, a closed tab): scans stop going into this document.
      // A beacon cannot carry the CSRF header: a keepalive fetch outlives the page the same way.
      releaseOnLeave() {
        window.addEventListener("pagehide", () => {
          if (!state.id || state.paused || !ours(state.target)) return;
          fetch("/api/scanner/target", {
            method: "POST",
            keepalive: true,
            headers: storegw.headers({ "Content-Type": "application/json" }),
            body: JSON.stringify({ kind: null, id: state.id }),
          }).catch(() => null);
        });
      },
      async close(release) {
        if (release && state.id && ours(state.target)) {
          await goods.request("/api/scanner/target", { kind: null, id: state.id });
        }
        state.id = null;
        state.wanted = false;
        state.drawn = null;
        goods.put(badgeBox);
      },
      // While a dialog needs a scan as a lookup (the known barcode of the item to link).
      async pause() {
        if (!ours(state.target)) return;
        const answer = await goods.request("/api/scanner/target", { kind: null, id: state.id });
        if (answer.ok) {
          state.paused = true;
          state.target = null;
        }
        drawBadge();
      },
      async resume() {
        if (!state.paused) return;
        state.paused = false;
        await claim(false);
      },
      async poll() {
        const snapshot = await goods.get("/api/scanner");
        if (!snapshot) return;
        const fresh = [];
        const keys = new Set();
        for (const entry of snapshot.last || []) {
          const key = `${entry.at}|${entry.text}`;
          keys.add(key);
          if (state.seen && !state.seen.has(key)) fresh.push(entry);
        }
        const first = state.seen === null;
        state.seen = keys; // the history holds the last few scans: older ones never come back
        state.target = snapshot.target;
        // Point the scanner here when nobody has it: another screen let it go (or the first
        // try was refused while the tablet was locked). Never taken from another document.
        if (state.id && state.wanted && !state.paused && !state.target) {
          state.claimedOnce = await claim(false);
        }
        drawBadge();
        if (!first) for (const entry of fresh.reverse()) onEntry(entry);
      },
    };
  },

  // Every `ms` (not overlapping, paused while the tab is hidden): fn().
  every(ms, fn) {
    let stopped = false;
    const tick = async () => {
      if (stopped) return;
      if (!document.hidden) {
        try {
          await fn();
        } catch (error) {
          console.error(error);
        }
      }
      if (!stopped) setTimeout(tick, typeof ms === "function" ? ms() : ms);
    };
    setTimeout(tick, typeof ms === "function" ? ms() : ms);
    return () => {
      stopped = true;
    };
  },

  // The one-sentence help a first visit shows, until dismissed.
  hint(name) {
    const box = document.getElementById("hint");
    if (!box) return;
    const key = `storegw.hint.${name}`;
    box.hidden = localStorage.getItem(key) === "seen";
    box.querySelector("button").addEventListener("click", () => {
      localStorage.setItem(key, "seen");
      box.hidden = true;
    });
  },

  // The page's address says which document is open, so a reload keeps it.
  setParam(name, value) {
    const url = new URL(window.location.href);
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
    window.history.replaceState(null, "", url);
  },

  // One document screen. `options`:
  //   kind: "receiving" | "stocktake" — where the scanner's scans go; also the hint's name
  //   api: "/api/receivings" — GET {api}/{id} reads it, POST {api}/{id}/scan takes a code
  //   param: "doc" — the address keeps the open document (?doc=R-1), so a reload keeps it
  //   idField: "doc_id", openStatus: "draft" — the document's id and the status it is open in
  //   views: {home, work, done} — element ids: nothing open, one open, one closed
  //   title(doc) — the heading while open; draw(doc) — redraw it (only when it changed)
  //   describe(result) — a scan's {tone, text} (none: the piece words «ambiguous» and the rest);
//   tracks — outcomes that mark the «last scan»
  //   words — the page's refusal words (goods.explain); reload — refusals that re-read it
  //   showDone(doc, result) — a closed document; closedMeanwhile(doc, id) — said when another
  //     tablet closed it; notFound(id) — said when it is gone (optional)
  //   onHome() — the page's part of the «nothing open» view (optional)
  //   lookingUp() — a dialog takes scans as lookups: poll faster and do not redraw (optional)
  //   onLookup(entry) — a scan that did not go into this document; true if handled (optional)
  scanDocument(options) {
    const $ = (id) => document.getElementById(id);
    const views = Object.fromEntries(Object.entries(options.views).map(([name, id]) => [name, $(id)]));
    const feedList = $("feed");
    const feedEmpty = $("feed-empty");
    const heading = document.querySelector("h1");
    const pageTitle = heading.textContent;
    const tracks = new Set(options.tracks || ["counted"]);
    const reload = new Set(["not_found", "invalid_transition", ...(options.reload || [])]);
    const lookingUp = options.lookingUp || (() => false);
    let id = null;
    let view = null; // the open document as last read
    let drawn = ""; // what the page shows, to redraw only on a change
    let last = null; // {line, added, manual}: the line the last scan or correction changed
    let stopPolling = null;
    let closing = false; // this tablet is posting (applying, cancelling) it right now
    const scanner = goods.scanner(options.kind, $("scanner-state"), onScannerEntry);
    scanner.releaseOnLeave();

    const path = (suffix, of) => `${options.api}/${encodeURIComponent(of || id)}${suffix || ""}`;

    function show(name) {
      for (const [key, node] of Object.entries(views)) node.hidden = key !== name;
      if (name !== "work") heading.textContent = pageTitle;
    }

    function feed(tone, text) {
      goods.feed(feedList, feedEmpty, tone, text);
    }

    function send(suffix, body) {
      return goods.request(path(suffix), body, options.words);
    }

    function render(doc) {
      view = doc;
      const signature = JSON.stringify([doc, last, storegw.lang]);
      if (signature === drawn) return;
      drawn = signature;
      heading.textContent = options.title(doc);
      options.draw(doc);
    }

    async function open(wanted) {
      const answer = await goods.request(path("", wanted));
      if (!answer.ok) {
        const said = options.notFound && options.notFound(wanted);
        if (said) goods.say(said, "bad");
        return home();
      }
      goods.setParam(options.param, wanted);
      if (answer.data.status !== options.openStatus) {
        await finish(true);
        show("done");
        options.showDone(answer.data, null);
        return;
      }
      id = wanted;
      view = null;
      drawn = "";
      last = null;
      goods.put(feedList);
      feedEmpty.hidden = false;
      show("work");
      render(answer.data);
      // Focus before pointing the scanner: a field tapped meanwhile keeps what is typed into it.
      $("code").focus();
      await scanner.open(wanted);
      if (!stopPolling) stopPolling = goods.every(() => (lookingUp() ? 700 : 1500), tick);
    }

    // Nothing open: the scanner lets go of the document, the address forgets it.
    async function leave() {
      await finish(true);
      goods.setParam(options.param, null);
    }

    async function home() {
      await leave();
      show("home");
      if (options.onHome) await options.onHome();
    }

    // The document was closed (here or elsewhere): polling stops, the address keeps it.
    // `release`: let the scanner go (posting or applying frees it on the gateway already).
    async function finish(release) {
      if (stopPolling) stopPolling();
      stopPolling = null;
      if (id) await scanner.close(release);
      id = null;
      view = null;
    }

    async function tick() {
      if (!id) return;
      await scanner.poll();
      if (!lookingUp()) await refresh();
    }

    async function refresh() {
      if (!id || closing) return;
      const fresh = await goods.get(path());
      if (closing || !fresh || fresh[options.idField] !== id) return;
      if (fresh.status !== options.openStatus) {
        const was = id;
        await finish(true);
        show("done");
        options.showDone(fresh, null);
        goods.say(options.closedMeanwhile(fresh, was), "wait");
        return;
      }
      render(fresh);
    }

    // --- scans: the code field and the USB scanner ------------------------------------------
    storegw.onCode($("code"), async (code) => {
      if (!id) return;
      const answer = await send("/scan", { code });
      if (answer.ok) {
        await scanned(answer.data);
      } else {
        feed("bad", answer.text);
        if (reload.has(answer.data && answer.data.error)) await refresh();
      }
    });

    // The page words what its own outcomes did; what every document says alike is here.
    function describe(result) {
      const own = options.describe(result);
      if (own) return own;
      if (result.outcome === "ambiguous") {
        return { tone: "wait", text: goods.tr(`Код ${result.code} есть у нескольких товаров — выберите, какой это.`, `Code ${result.code} belongs to several items: choose which one.`) };
      }
      return { tone: "bad", text: result.outcome };
    }

    async function scanned(result, fromScanner) {
      const { tone, text } = describe(result);
      feed(tone, text);
      goods.say(text, tone);
      if (tracks.has(result.outcome)) last = { line: result.line, added: result.added };
      if (result.outcome === "ambiguous" && !goods.anyDialogOpen()) {
        const title = goods.tr(`Какой товар с кодом ${result.code}?`, `Which item has code ${result.code}?`);
        const choice = await goods.choose(title, result.candidates);
        if (choice) {
          const again = await send("/scan", { code: result.code, sku: choice.sku });
          if (again.ok) return scanned(again.data);
        }
      }
      if (!fromScanner) await refresh(); // the scanner's scans: the poll reads the document next
    }

    // What a refused scan of the USB scanner says, in the screen's language.
    function entryText(entry) {
      if (!entry.reason) return goods.half(entry.message || "");
      return goods.explain({ error: entry.reason, detail: entry.message || "" }, 0, options.words);
    }

    // A scan from the USB scanner, as the station's history tells it.
    function onScannerEntry(entry) {
      const target = entry.target;
      if (target && target.kind === options.kind && target.id === id && entry.result) {
        scanned(entry.result, true);
        return;
      }
      if (options.onLookup && options.onLookup(entry)) return;
      if (!entry.ok && !target) {
        const text = entryText(entry);
        feed("bad", text);
        goods.say(text, "bad");
      }
    }

    // Post, apply, void, abandon (`suffix`): meanwhile the screen is not re-read, so this
    // tablet's own closing is never taken for another tablet's. Resolves to the answer and
    // the document's id.
    async function close(suffix, body) {
      const was = id;
      closing = true;
      try {
        return { ...(await send(suffix, body)), id: was };
      } finally {
        closing = false;
      }
    }

    // Continue what is open: `find()` resolves to the id to open, or null for the home view.
    async function resume(find) {
      const wanted = await find();
      return wanted ? open(wanted) : home();
    }

    return {
      get id() { return id; },
      get view() { return view; },
      get last() { return last; },
      set last(value) { last = value; },
      views,
      scanner,
      asked: () => new URLSearchParams(window.location.search).get(options.param),
      path, show, feed, send, render, open, home, finish, close, refresh, entryText, resume,
    };
  },
});

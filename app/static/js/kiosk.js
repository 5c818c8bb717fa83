// Kiosk mode (issue 18): a shared tablet taking answers from one person after another.
// Without this file the kiosk still works online (the server clears everything after each Send).
// With it: an idle warning (WCAG 2.2.1) before a half-finished questionnaire is cleared; a page
// restored from the back-forward cache is reloaded; and with no signal the questionnaire runs
// here, from blank pages fetched while online, the person's answers held in memory only. What
// waits to be sent is encrypted with a non-extractable AES-GCM key made at pairing (IndexedDB
// keeps CryptoKey objects without their bytes), sent to the offline half's endpoint
// (POST /q/<id>/queued) when back online, and deleted once received; all of it is wiped when
// the server says the kiosk is revoked, after sending what it already held. A shared children's
// link (issue 20) has a kit per age band: each child's choice picks theirs, offline too.
(function () {
  "use strict";
  var d = document, body = d.body, mode = body.getAttribute("data-kiosk");
  if (!mode || !window.indexedDB || !window.crypto || !crypto.subtle) { return; }
  var home = body.getAttribute("data-kiosk-home"), kitUrl = body.getAttribute("data-kiosk-offline");
  var idleMs = 1000 * +body.getAttribute("data-kiosk-idle");
  var warnS = Math.max(20, +body.getAttribute("data-kiosk-warn"));
  var poolSize = +body.getAttribute("data-kiosk-pool");
  var words = (d.getElementById("kiosk-words") || {}).dataset || {};
  var DB = "chorus-kiosk", SHELL = "chorus-kiosk-shell", kit = null, answers = {}, offline = false, welcomeHtml = null;
  var bands = null, kits = {};  // a shared children's link's bands, and each band's kit

  // -- IndexedDB: keys (the CryptoKey), outbox (encrypted), grants ------------------------------
  function openDb() {
    return new Promise(function (ok, fail) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () {
        var db = r.result;
        db.createObjectStore("keys");
        db.createObjectStore("outbox", { keyPath: "id" });
        db.createObjectStore("grants", { keyPath: "submission_id" });
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
  }
  function run(store, rw, fn) {
    return openDb().then(function (db) {
      return new Promise(function (ok, fail) {
        var t = db.transaction(store, rw ? "readwrite" : "readonly"), out;
        var req = fn(t.objectStore(store));
        if (req) { req.onsuccess = function () { out = req.result; }; }
        t.oncomplete = function () { db.close(); ok(out); };
        t.onerror = t.onabort = function () { db.close(); fail(t.error); };
      });
    });
  }
  function all(store) { return run(store, false, function (s) { return s.getAll(); }); }
  function wipe() {
    var shell = window.caches ? caches.delete(SHELL).catch(function () {}) : Promise.resolve();
    return shell.then(function () {
      return new Promise(function (ok) {
        var r = indexedDB.deleteDatabase(DB);
        r.onsuccess = r.onerror = r.onblocked = function () { ok(); };
      });
    });
  }
  function newKey() {
    return crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
      .then(function (key) { return run("keys", true, function (s) { return s.put(key, "k"); }).then(function () { return key; }); });
  }
  function key() {
    return run("keys", false, function (s) { return s.get("k"); }).then(function (k) { return k || newKey(); });
  }
  function seal(record) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return key().then(function (k) {
      return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, new TextEncoder().encode(JSON.stringify(record)));
    }).then(function (ct) {
      var id = Array.from(crypto.getRandomValues(new Uint8Array(16)), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      return run("outbox", true, function (s) { return s.put({ id: id, iv: iv, ct: ct }); });
    });
  }
  function unseal(row) {
    return key().then(function (k) { return crypto.subtle.decrypt({ name: "AES-GCM", iv: row.iv }, k, row.ct); })
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // -- status line -----------------------------------------------------------------------------
  function say(text) { var s = d.getElementById("kiosk-status"); if (s) { s.textContent = text || ""; } }
  function showWaiting() {
    return all("outbox").then(function (rows) {
      say(rows.length ? (words.waiting || "").replace("{n}", rows.length) : (offline ? words.offline : ""));
      body.setAttribute("data-kiosk-waiting", String(rows.length));
    });
  }

  // -- sending what waits ----------------------------------------------------------------------
  var flushing = null;
  function flush() {
    if (flushing) { return flushing; }
    if (!navigator.onLine) { return showWaiting(); }
    flushing = all("outbox").then(function (rows) {
      var chain = Promise.resolve(true);
      rows.forEach(function (row) {
        chain = chain.then(function (going) {
          if (!going) { return false; }
          return unseal(row).then(function (rec) {
            return fetch(rec.url, {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "Accept": "application/json" },
              body: JSON.stringify({ grant: rec.grant, submission_id: rec.submission_id, answers: rec.answers, language: rec.language })
            });
          }).then(function (res) {
            if (res.status === 429 || res.status >= 500) { return false; }  // keep, try later
            // Received (or refused for good: it can never be accepted): nothing stays here.
            return run("outbox", true, function (s) { return s.delete(row.id); }).then(function () { return true; });
          }, function () { return false; });  // no network: keep
        });
      });
      return chain;
    }).then(function () { flushing = null; return showWaiting(); }, function () { flushing = null; });
    return flushing;
  }

  if (mode === "revoked") {  // send what was queued before the revocation, then keep nothing
    flush().then(function () { return all("outbox"); }).then(function (rows) {
      if (!rows || !rows.length) { return wipe(); }
    }, wipe);
    return;
  }

  // -- the kit: blank pages and grants, fetched while online ------------------------------------
  function getKit() {
    if (!navigator.onLine) { return Promise.resolve(ready() || keptKit()); }
    if (bands) { return getBands(); }
    return fetchKit(kitUrl + "?", null, kit).then(function (got) {
      if (!got || !got.bands) { kit = got; return kit; }
      bands = got.bands;
      if (!/class="bands"/.test(welcomeHtml)) { welcomeHtml = null; }  // the choice comes first
      return getBands();
    });
  }
  function getBands() {  // each band's kit and grants
    return Promise.all(bands.map(function (b) {
      return fetchKit(kitUrl + "?band=" + b.band + "&", b.q, kits[b.band]).then(function (got) { if (got) { kits[b.band] = got; } });
    })).then(ready);
  }
  function ready() { return bands ? bands.every(function (b) { return kits[b.band]; }) : kit; }
  function fetchKit(url, q, have) {
    return held(q).then(function (got) {
      var want = Math.max(0, poolSize - got.length);
      if (have && want < poolSize / 2) { return have; }
      return fetch(url + "want=" + want, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (res) {
          if (!res.ok) { if (res.status === 410) { location.replace(home); } return have; }
          return res.json().then(function (got) {
            return run("grants", true, function (s) {
              (got.grants || []).forEach(function (g) { s.put({ grant: g, submission_id: claim(g, "s") }); });
            }).then(function () { return got; });
          });
        }, function () { return have; });
    });
  }
  // -- a reload with no signal: the service worker (scope /q/) answers this tablet's pages from
  // the shell kept here: the welcome page (or band choice), its assets and each kit's blank
  // pages (no grants: in IndexedDB; no answers: in memory or encrypted in the outbox).
  function keepShell() {
    var sw = navigator.serviceWorker, swUrl = body.getAttribute("data-kiosk-sw"), choice = d.querySelector("#survey form.bands");
    var page = bands ? choice && choice.getAttribute("action").replace(/\/band$/, "?band=change") : kit && kit.welcome;
    if (!sw || !swUrl || !window.caches || !page || !ready() || !navigator.onLine) { return Promise.resolve(); }
    var assets = Array.prototype.map.call(d.querySelectorAll('link[rel="stylesheet"], script[src]'), function (el) {
      return el.href || el.src;
    });
    var blank = JSON.stringify({ bands: bands, kits: kits, kit: kit }, function (k, v) { return k === "grants" ? [] : v; });
    return sw.register(swUrl, { scope: "/q/" }).then(function () { return sw.ready; }).then(function () {
      return caches.open(SHELL);
    }).then(function (cache) {
      return Promise.all([
        cache.addAll(assets),
        fetch(page, { credentials: "same-origin" }).then(function (res) {
          if (res.ok) { return cache.put(page, res); }
        }),
        cache.put(kitUrl, new Response(blank))  // read back by keptKit() only
      ]);
    }).catch(function () {});  // no worker: the kiosk still works offline until a reload
  }
  function keptKit() {
    if (!window.caches) { return Promise.resolve(null); }
    return caches.open(SHELL).then(function (cache) { return cache.match(kitUrl); }).then(function (res) {
      return res ? res.json().then(function (got) { bands = got.bands; kits = got.kits; kit = got.kit; return ready(); }) : null;
    }).catch(function () { return null; });
  }
  // A grant's submission id is its signed payload's "s", its questionnaire "q" (offline/grants.py).
  function claim(grant, name) {
    var p = grant.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(p + "===".slice((p.length + 3) % 4)))[name];
  }
  function held(q) {  // the grants for questionnaire q (all when q is null)
    return all("grants").then(function (rows) {
      return rows.filter(function (g) { return !q || claim(g.grant, "q") === q; });
    });
  }
  function takeGrant() {
    return held(bands && kit.q).then(function (got) {
      if (!got.length) { return null; }
      var g = got[0];
      return run("grants", true, function (s) { return s.delete(g.submission_id); }).then(function () { return g; });
    });
  }

  // -- the person's answers: in memory only ----------------------------------------------------
  var SKIP = { csrf_token: 1, nav: 1, t: 1, hp_note: 1, check: 1, change: 1 };
  function names(form) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name && !SKIP[el.name]) { seen[el.name] = 1; } });
    return Object.keys(seen);
  }
  function remember(form) {
    var data = new FormData(form);
    names(form).forEach(function (n) { delete answers[n]; });
    data.forEach(function (v, n) {
      if (SKIP[n] || String(v).trim() === "") { return; }
      // several choices (checkboxes) travel as one comma-separated value, as offline.js sends
      answers[n] = n in answers && form.querySelector('input[type=checkbox][name="' + n + '"]') ? answers[n] + "," + String(v) : String(v);
    });
  }
  function restore(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name]) { return; }
      if (el.type === "radio") { el.checked = answers[el.name] === el.value; }
      else if (el.type === "checkbox") { el.checked = (answers[el.name] || "").split(",").indexOf(el.value) >= 0; }
      else if (el.tagName === "TEXTAREA" || el.type === "text") { el.value = answers[el.name] || ""; }
    });
  }
  function missing(form) {
    var groups = {}, gaps = [];
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]"), function (el) {
      if (el.closest(".own")) { return; }  // the round's own questions may be left blank
      groups[el.name] = groups[el.name] || el.checked;
    });
    Object.keys(groups).forEach(function (n) { if (!groups[n]) { gaps.push(n); } });
    return gaps;
  }
  function pageNumber(form) {
    var m = /\/page\/(\d+)$/.exec(form.getAttribute("action") || "");
    return m ? +m[1] : (kit ? kit.pages.length : 1);
  }

  // -- running the questionnaire here when there is no signal ----------------------------------
  function swap(html) {
    var s = d.getElementById("survey");
    s.outerHTML = html;
    s = d.getElementById("survey");
    if (s.getAttribute("data-title")) { d.title = s.getAttribute("data-title"); }
    window.scrollTo(0, 0);
    var h = s.querySelector("[data-autofocus]") || s.querySelector("h1");
    if (h) { h.focus(); }
    watch();
    return s;
  }
  var changing = false;  // a page opened from the check page's Change: Continue goes back there
  function showIntro() { swap(kit.intro); say(words.offline); }  // a band's own welcome page
  function showPage(n, change) {
    var page = kit.pages[n - 1], s = swap(page.html), form = s.querySelector("form");
    changing = !!change;
    restore(form);
    say(words.offline);
  }
  // The check page, from the kit's frame: one row per question of each blank page the kit
  // holds, with the answer held in memory (a chosen answer shown as on its page: face and words).
  function showCheck() {
    changing = false;
    var s = swap(kit.check.html), row = s.querySelector("template[data-check-row]");
    var button = s.querySelector("template[data-check-change]");
    var none = s.querySelector("template[data-check-none]").content.textContent.trim();
    var blank = s.querySelector("template[data-check-blank]").content.textContent.trim();
    Array.prototype.forEach.call(s.querySelectorAll("[data-rows]"), function (box) {
      var page = d.createElement("template"), first = "";
      page.innerHTML = kit.pages[+box.getAttribute("data-rows") - 1].html;
      var url = page.content.querySelector("form").getAttribute("action") + "?change=1";
      // A statement's fieldset, a comment box, or one of the round's own questions (optional).
      page.content.querySelectorAll(".q:not(.own) fieldset, .ft, .own").forEach(function (q) {
        var input = q.querySelector("input:not([type=hidden]), textarea"), said = q.querySelector("legend, label").cloneNode(true);
        Array.prototype.forEach.call(said.querySelectorAll(".qn"), function (el) { el.remove(); });
        var asked = said.textContent.trim(), v = answers[input.name], r = row.content.cloneNode(true), a = r.querySelector("[data-a]");
        var pick = input.type === "radio" || input.type === "checkbox", other = answers[input.name + "-text"];
        first = first || asked;
        r.querySelectorAll("[data-q]").forEach(function (el) { el.textContent = asked; });
        // Several choices are one comma-separated value; "Other" shows the words written.
        var chosen = pick && v ? v.split(",").map(function (c) {
          var l = q.querySelector('input[value="' + CSS.escape(c) + '"] + label'), s = d.createElement("span");
          s.textContent = other;
          return c === "other" && other ? s.outerHTML : l ? l.innerHTML : "";
        }).filter(Boolean) : [];
        if (chosen.length) { a.innerHTML = chosen.join("<br>"); } else { a.textContent = !pick && v || (q.matches(".ft") ? blank : none); }
        r.querySelectorAll("a").forEach(function (el) { el.href = url + "#" + input.name; });
        box.appendChild(r);
      });
      if (button) {
        var b = button.content.cloneNode(true);
        b.querySelector("[data-q]").textContent = first;
        b.querySelector("a").href = url;
        box.appendChild(b);
      }
    });
    say(words.offline);
  }
  function isCheck(form) { return !!form.querySelector('input[name="check"]'); }
  function showWelcome(message) {
    answers = {};
    var s = swap(welcomeHtml);
    if (message) {
      var p = d.createElement("div");
      p.className = "done kiosk-sent";
      p.setAttribute("role", "status");
      p.textContent = message;
      s.insertBefore(p, s.firstChild);
    }
    showWaiting();
  }
  function problem(form, text) {
    var old = form.querySelector(".kiosk-problem");
    if (old) { old.remove(); }
    var p = d.createElement("p");
    p.className = "err kiosk-problem";
    p.setAttribute("role", "alert");
    p.setAttribute("tabindex", "-1");
    p.textContent = text;
    form.insertBefore(p, form.firstChild);
    p.focus();
  }
  function offlineSubmit(form, nav) {
    offline = true;
    var band = form.classList.contains("bands") && form.querySelector(":checked");
    if (band === null) { return problem(form, words.band); }
    if (band) { kit = kits[band.value]; }  // the child's band: its kit, its welcome page first
    if (band && kit.intro) { return showIntro(); }
    if (band || form.hasAttribute("data-kiosk-start")) {
      answers = {};
      return held(bands && kit.q).then(function (got) {
        if (!got.length) { return problem(form, words.full); }
        showPage(1);
      });
    }
    var n = pageNumber(form), change = changing || !!form.querySelector('input[name="change"]');
    remember(form);
    if (nav === "back") { return change ? showCheck() : n > 1 ? showPage(n - 1) : kit.intro ? showIntro() : showWelcome(""); }
    if (missing(form).length) { return problem(form, words.missing); }
    var last = n >= kit.pages.length;
    if (nav !== "send") {
      if (kit.check && (change || last)) { return showCheck(); }
      if (!last) { return showPage(n + 1); }
    }
    if (kit.check && !isCheck(form)) { return showCheck(); }  // an old last page's Send
    return takeGrant().then(function (g) {
      if (!g) { return problem(form, words.full); }
      var record = { url: kit.queue, grant: g.grant, submission_id: g.submission_id, answers: answers, language: d.documentElement.lang };
      answers = {};
      return seal(record).then(function () {
        showWelcome(words.queued);
        offline = !navigator.onLine;
        flush();
      });
    });
  }

  // Every submit passes here first (capture phase, before htmx): online, note the answers in
  // memory in case the signal drops before Send; offline, take the page here instead.
  var lastNav = "";
  d.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.closest || !form.closest("#survey")) { return; }
    var nav = (e.submitter && e.submitter.value) || "next";
    lastNav = nav;
    if (form.hasAttribute("data-kiosk-form")) { remember(form); }
    if (bands) { kit = kitOf(form) || kit; }
    if ((offline || !navigator.onLine) && ready() && welcomeHtml) {
      e.preventDefault();
      e.stopImmediatePropagation();
      offlineSubmit(form, nav);
    }
  }, true);
  // Offline, the check page's Change links open the kit's copy of the page; a band's "Not your
  // age?" link, the band choice.
  d.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("#survey a[href*='change']") : null;
    if (!a || !(offline || !navigator.onLine) || !kit || !welcomeHtml) { return; }
    var m = /\/page\/(\d+)/.exec(a.href), again = /band=change/.test(a.href);
    if (!m && !again) { return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    if (again) { showWelcome(""); } else { showPage(+m[1], true); }
  }, true);
  // The signal dropped during a request htmx made: carry on here with that page.
  d.addEventListener("htmx:sendError", function (e) {
    var form = e.detail.elt && e.detail.elt.closest ? e.detail.elt.closest("form") : null;
    if (form && kit && welcomeHtml) { offlineSubmit(form, lastNav); }
  });
  function kitOf(form) {  // online: the kit of the band whose page this is
    for (var b in kits) { if (form.getAttribute("action").indexOf(kits[b].welcome + "/") === 0) { return kits[b]; } }
  }
  d.addEventListener("htmx:afterSettle", function () { noteWelcome(); watch(); });
  function noteWelcome() {
    var s = d.getElementById("survey"), choice = s && s.querySelector("form.bands");
    // The welcome page, or on a shared children's link the age-band choice (never a band's own).
    if (!s || !(choice || !bands && s.querySelector("[data-kiosk-start]"))) { return; }
    answers = {};  // a welcome page: the last person is gone
    var copy = s.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".kiosk-sent"), function (el) { el.remove(); });
    welcomeHtml = copy.outerHTML;
  }

  // -- idle warning: at least 20 seconds to say "I am still here" (WCAG 2.2.1) -----------------
  var idleTimer = null, countTimer = null, box = d.getElementById("kiosk-idle");
  function answering() {
    var s = d.getElementById("survey");
    return !!(s && s.querySelector("form[data-kiosk-form]"));
  }
  function watch() {
    clearTimeout(idleTimer);
    if (answering() && box && box.hidden) { idleTimer = setTimeout(warn, idleMs); }
  }
  function warn() {
    var left = warnS, count = d.getElementById("kiosk-idle-count");
    box.hidden = false;
    count.textContent = String(left);
    d.getElementById("kiosk-idle-stay").focus();
    countTimer = setInterval(function () {
      left -= 1;
      count.textContent = String(Math.max(0, left));
      if (left <= 0) { clearInterval(countTimer); clearAll(); }
    }, 1000);
  }
  function clearAll() {
    answers = {};
    box.hidden = true;
    if (offline && welcomeHtml) { showWelcome(""); return; }
    location.replace(home + "?idle=1");  // the server clears the answers cookie
  }
  if (box) {
    d.getElementById("kiosk-idle-stay").addEventListener("click", function () {
      clearInterval(countTimer);
      box.hidden = true;
      var h = d.querySelector("#survey h1");
      if (h) { h.focus(); }
      watch();
    });
  }
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (type) {
    d.addEventListener(type, function () { if (box && box.hidden) { watch(); } }, true);
  });

  // A page brought back from the back-forward cache might show someone's answers: ask again.
  window.addEventListener("pageshow", function (e) { if (e.persisted) { location.reload(); } });
  window.addEventListener("online", function () { flush(); getKit(); });
  window.addEventListener("offline", function () { showWaiting(); });

  // Just paired: a new key and an empty store, once anything an earlier pairing of this
  // tablet still held has been sent (it may be accepted: it was queued before any revocation).
  var fresh = /[?&]paired=1/.test(location.search);
  if (fresh && history.replaceState) {  // a later reload is not a new pairing
    history.replaceState(history.state, "", location.pathname);
  }
  function renew() {
    return flush().then(function () { return all("outbox"); }).then(function (rows) {
      return rows.length ? key() : wipe().then(newKey);
    });
  }
  (fresh ? renew() : key()).then(function () {
    noteWelcome();
    watch();
    return getKit();
  }).then(keepShell).then(function () {
    // For people running the event (and tests): ready to work offline once the kit is here.
    if (ready()) { body.setAttribute("data-kiosk-ready", "1"); }
    return flush();
  });
  setInterval(flush, 30000);
})();

// Answering offline (issue 18), loaded by respond.js after the page is shown, after
// offline-store.js. Keeps the answers in IndexedDB as the person goes; with no signal, moves
// between the pages the service worker kept and queues Send; sends the queue by itself when
// the device is online again (Background Sync, the "online" event, the next page load).
// The server decides everything again: this only carries answers, a submission id and a grant.
(function () {
  "use strict";
  var d = document, S = self.ChorusStore, rec = null, form = null, timer = 0;
  if (!S) { return; }

  function fields(f) {
    var out = {};
    Array.prototype.forEach.call(f.elements, function (el) {
      if (!el.name || /^(csrf_token|nav|_)/.test(el.name) || el.type === "hidden") { return; }
      if (el.closest && el.closest(".hp")) { return; }
      if (el.type === "checkbox") {  // several choices travel as one comma-separated value
        var had = out[el.name] || "";
        out[el.name] = el.checked ? (had ? had + "," : "") + el.value : had;
      } else if (el.type === "radio") {
        if (el.checked) { out[el.name] = el.value; } else if (!(el.name in out)) { out[el.name] = ""; }
      } else { out[el.name] = el.value; }
    });
    return out;
  }
  function save() {
    if (!rec) { return Promise.resolve(); }
    var now = fields(form);
    Object.keys(now).forEach(function (k) { if (now[k]) { rec.fields[k] = now[k]; } else { delete rec.fields[k]; } });
    return S.put("answers", rec.q, rec);
  }
  function restore() {
    Array.prototype.forEach.call(form.elements, function (el) {
      var v = rec.fields[el.name];
      if (v === undefined || el.type === "hidden") { return; }
      if (el.type === "radio") {
        if (!form.querySelector('input[name="' + el.name + '"]:checked')) { el.checked = el.value === v; }
      } else if (el.type === "checkbox") {
        if (!form.querySelector('input[name="' + el.name + '"]:checked')) { el.checked = v.split(",").indexOf(el.value) >= 0; }
      } else if ((el.tagName === "TEXTAREA" || el.type === "text") && !el.value) { el.value = v; }
    });
  }
  function show(sel, text) {
    var el = form && form.querySelector(sel);
    if (!el) { return; }
    if (text !== undefined) { el.textContent = text; }
    el.hidden = false;
    if (el.getAttribute("role") === "alert") { el.tabIndex = -1; el.focus(); }
  }
  function complete() {
    var missing = null;
    form.querySelectorAll("fieldset").forEach(function (fs) {
      if (fs.closest(".own")) { return; }  // the round's own questions may be left blank
      var radios = fs.querySelectorAll('input[type="radio"]');
      if (radios.length && !fs.querySelector("input:checked") && !missing) { missing = radios[0]; }
    });
    if (missing) { show("[data-offline-missing]"); }
    return !missing;
  }
  function item() {
    return {
      q: rec.q, url: rec.queue, grant: rec.grant, submission_id: rec.sid,
      answers: rec.fields, language: rec.lang
    };
  }
  // What the server said of this questionnaire's queue, sent from here or by the worker.
  function answered(results) {
    results.forEach(function (r) {
      if (!rec || r.q !== rec.q) { return; }
      var there = location.pathname === rec.base + "/thanks";
      if (r.sent) { if (!there) { location.href = rec.base + "/thanks"; } } else if (r.status && r.body.message) {
        show("[data-offline-refused]", r.body.message);
      }
    });
  }
  function flush() {
    if (!navigator.onLine) { return Promise.resolve(); }
    return S.flush().then(answered);
  }
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "sent") { answered(e.data.results); }
    });
  }
  // Background Sync only once the send has failed: online, the form's own POST is the send, and
  // a sync registered beside it would post the same answers again at once.
  function sync() {
    return Promise.resolve(navigator.serviceWorker && navigator.serviceWorker.ready).then(function (reg) {
      if (reg && reg.sync) { return reg.sync.register("chorus-outbox").catch(function () {}); }
    });
  }
  function queue() {
    return save().then(function () { return S.put("outbox", rec.sid, item()); });
  }
  function waiting() {
    rec.offline = true;
    show("[data-offline-note]");
    return S.put("answers", rec.q, rec);
  }
  function go(n) {  // 0: the welcome page, kept with the pages (its Start goes on to page 1)
    var pages = +form.getAttribute("data-offline-pages");
    save().then(function () {
      // "?offline": the service worker answers from the copy it kept, network or not.
      location.href = rec.base + (n < 1 ? "" : n > pages ? "/check" : "/page/" + n) + "?offline=1";
    });
  }
  // A page opened from the check page's Change link goes back there (Continue and Back).
  function changing() {
    return !!form.querySelector('input[name="change"]') || /[?&]change=1/.test(location.search);
  }
  // The check page as kept on the device (blank): each answer on the phone put in its row.
  function fill() {
    if (!d.querySelector("[data-offline-scale]")) { return; }  // the server's own: already filled
    d.querySelectorAll("[data-answer]").forEach(function (cell) {
      var v = rec.fields[cell.getAttribute("data-answer")], scale = cell.getAttribute("data-scale");
      var other = rec.fields[cell.getAttribute("data-other")];
      if (!v) { return; }
      if (!scale) { cell.textContent = v; return; }
      // Several choices are one comma-separated value; "Other" shows the words written.
      var shown = v.split(",").map(function (code) {
        var li = d.querySelector('[data-offline-scale="' + scale + '"] [data-code="' + CSS.escape(code) + '"]');
        if (code === "other" && other) { var s = d.createElement("span"); s.textContent = other; return s.outerHTML; }
        return li ? li.innerHTML : "";
      }).filter(Boolean);
      if (shown.length) { cell.innerHTML = shown.join("<br>"); }
    });
  }

  // Taken before HTMX sees it: offline, the pages kept on the device carry on.
  d.addEventListener("submit", function (e) {
    var f = e.target;
    if (!rec || !f.getAttribute || f.getAttribute("data-offline-q") !== rec.q) { return; }
    if (f !== form) {  // a page HTMX has just swapped in, before setUp has run for it
      form = f;
      if (f.getAttribute("data-offline-sid")) {
        rec.sid = f.getAttribute("data-offline-sid"); rec.grant = f.getAttribute("data-offline-grant");
      }
    }
    var nav = e.submitter ? e.submitter.value : "next", n = +form.getAttribute("data-offline-page");
    var away = !navigator.onLine || rec.offline;
    if (nav === "send") {
      if (away) {
        e.preventDefault(); e.stopImmediatePropagation();
        if (!complete()) { return; }
        queue().then(sync).then(waiting).then(flush);
      } else {
        queue();  // waits on the device in case the connection drops during the POST
      }
    } else if (away && /^(next|back|start)$/.test(nav)) {
      e.preventDefault(); e.stopImmediatePropagation();
      var check = +form.getAttribute("data-offline-pages") + 1;
      if (nav === "back") { go(changing() ? check : n - 1); } else if (complete()) { go(changing() ? check : n + 1); }
    } else { save(); }
  }, true);
  // Offline, a Change link opens the page kept on the device (not an HTMX request).
  d.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href*='change=1']") : null;
    if (!a || !rec || !(rec.offline || !navigator.onLine)) { return; }
    e.preventDefault(); e.stopImmediatePropagation();
    location.href = a.getAttribute("href").split("#")[0] + "&offline=1";
  }, true);

  d.addEventListener("htmx:sendError", function (e) {
    if (!rec) { return; }
    var sent = e.detail && e.detail.requestConfig && e.detail.requestConfig.path;
    rec.offline = true;
    if (sent && /\/send$/.test(sent)) { sync(); waiting(); return; }
    var n = +form.getAttribute("data-offline-page"), check = +form.getAttribute("data-offline-pages") + 1;
    S.put("answers", rec.q, rec).then(function () { go(changing() ? check : Math.min(n + 1, check)); });
  });

  function setUp() {
    form = d.querySelector("form[data-offline-q]");
    if (!form) { return Promise.resolve(); }
    var q = form.getAttribute("data-offline-q"), a = function (k) { return form.getAttribute("data-offline-" + k); };
    // After an HTMX swap the answers in memory are the newest (a save may still be writing).
    var kept = rec && rec.q === q ? Promise.resolve(rec) : S.get("answers", q);
    return kept.then(function (kept) {
      rec = kept || { q: q, fields: {} };
      rec.base = a("base"); rec.queue = a("queue"); rec.lang = a("lang");
      if (a("sid")) {
        if (rec.sid && rec.sid !== a("sid")) { rec.fields = {}; rec.offline = false; }  // started again
        rec.sid = a("sid"); rec.grant = a("grant");
      }
      if (!rec.sid) { rec = null; return; }  // a kept page and nothing kept: nothing to do
      restore();
      fill();
      return S.get("outbox", rec.sid).then(function (waits) {
        if (waits) { show("[data-offline-note]"); }
        form.addEventListener("change", save);
        form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(save, 400); });
        return S.put("answers", rec.q, rec);
      });
    });
  }
  function worker(message) {
    var sw = navigator.serviceWorker;
    if (!sw) { return Promise.resolve(); }
    var url = (form || d.querySelector("[data-offline-js]")).getAttribute("data-offline-sw");
    return (url ? sw.register(url, { scope: "/q/" }) : Promise.resolve()).then(function () {
      return sw.ready;
    }).then(function (reg) {
      return new Promise(function (ok) {
        var ch = new MessageChannel();
        ch.port1.onmessage = function () { ok(); };
        reg.active.postMessage(message, [ch.port2]);
      });
    });
  }
  function start() {
    var done = d.querySelector("[data-offline-done]");
    if (done) {
      var q = done.getAttribute("data-offline-done");
      S.forget(q).then(function () { return worker({ type: "forget", q: q }); });
      return;
    }
    setUp().then(function () {
      if (!rec) { return; }
      var assets = Array.prototype.map.call(d.querySelectorAll('link[rel="stylesheet"], script[src]'), function (el) {
        return el.href || el.src;
      });
      return worker({
        type: "keep", q: rec.q, base: rec.base, assets: assets,
        pages: +form.getAttribute("data-offline-pages")
      }).then(function () { d.documentElement.setAttribute("data-offline-ready", rec.q); });
    }).then(flush);
  }
  d.addEventListener("htmx:afterSettle", start);
  self.addEventListener("online", flush);
  start();
})();

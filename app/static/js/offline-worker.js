// Answering offline (issue 18): the service worker's work. /q/offline-sw.js (scope /q/)
// imports offline-store.js and this file under their current fingerprinted names.
// Keeps, per questionnaire, its pages as first shown (no answers: those stay in IndexedDB)
// and the page's assets; answers a page the network cannot reach from that copy; and sends
// waiting submissions when Background Sync says the device is online again.
var PREFIX = "chorus-q-";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

function keep(m) {
  return caches.open(PREFIX + m.q).then(function (cache) {
    var work = m.assets.map(function (url) {
      return cache.match(url).then(function (hit) { return hit || cache.add(url); });
    });
    // Every page (and the blank check page, and the welcome page) in one compressed request,
    // each kept under its own address.
    var html = function (text) {
      return new Response(text, { headers: { "Content-Type": "text/html; charset=utf-8" } });
    };
    work.push(cache.match(m.base + "/check").then(function (hit) {
      if (hit) { return; }
      return fetch(m.base + "/offline/pages", { credentials: "same-origin" }).then(function (res) {
        return res.ok ? res.json() : { pages: {} };
      }).then(function (body) {
        var kept = Object.keys(body.pages).map(function (n) {
          return cache.put(m.base + "/page/" + n, html(body.pages[n]));
        });
        if (body.check) { kept.push(cache.put(m.base + "/check", html(body.check))); }
        if (body.welcome) { kept.push(cache.put(m.base, html(body.welcome))); }
        return Promise.all(kept);
      });
    }));
    return Promise.all(work);
  });
}

self.addEventListener("message", function (e) {
  var m = e.data || {}, port = e.ports && e.ports[0];
  var done = function (ok) { if (port) { port.postMessage({ ok: ok }); } };
  var work = m.type === "keep" ? keep(m)
    : m.type === "forget" ? caches.delete(PREFIX + m.q) : null;
  if (work) {
    e.waitUntil(work.then(function () { done(true); }, function () { done(false); }));
  }
});

function fromCache(request) {
  var path = new URL(request.url).pathname;
  return caches.match(path, { ignoreSearch: true, ignoreVary: true }).then(function (hit) {
    return hit || kioskShell(path);
  });
}

// A kiosk reloaded with no signal on any of its questionnaire's pages starts again at the
// welcome page its script kept (app/static/js/kiosk.js): the next person, nothing of the last.
// On a shared children's link every band's pages start again at the one band choice it kept.
function kioskShell(path) {
  var base = path.split("/").slice(0, 3).join("/");  // "/q/<questionnaire id>"
  return caches.open("chorus-kiosk-shell").then(function (cache) {
    return cache.keys().then(function (keys) {
      var pages = keys.filter(function (k) { return new URL(k.url).pathname.indexOf("/q/") === 0; });
      var shell = pages.filter(function (k) { return (new URL(k.url).pathname + "/").indexOf(base + "/") === 0; })[0] || pages[0];
      return shell ? cache.match(shell) : undefined;
    });
  }).then(function (hit) { return hit || Response.error(); });
}

self.addEventListener("fetch", function (e) {
  var r = e.request, url = new URL(r.url);
  if (r.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (r.mode === "navigate" && url.searchParams.has("offline")) {
    e.respondWith(fromCache(r).then(function (hit) { return hit.type === "error" ? fetch(r) : hit; }));
  } else if (r.mode === "navigate" && url.pathname.indexOf("/q/") === 0) {
    e.respondWith(fetch(r).catch(function () { return fromCache(r); }));
  } else if (url.pathname.indexOf("/static/") === 0) {
    // Fingerprinted names never change: the kept copy is the right one.
    e.respondWith(caches.match(r, { ignoreVary: true }).then(function (hit) { return hit || fetch(r); }));
  }
});

self.addEventListener("sync", function (e) {
  if (e.tag !== "chorus-outbox") { return; }
  // Tell any open page what happened, so it shows the thank-you page (or the refusal).
  e.waitUntil(self.ChorusStore.flush().then(function (results) {
    return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (all) {
      all.forEach(function (c) { c.postMessage({ type: "sent", results: results }); });
    });
  }));
});

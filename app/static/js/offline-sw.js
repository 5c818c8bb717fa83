// Answering offline (issue 18): the service worker, served at /q/offline-sw.js (scope /q/).
// Keeps, per questionnaire, its pages as first shown (no answers: those stay in IndexedDB)
// and the page's assets; answers a page the network cannot reach from that copy; and sends
// waiting submissions when Background Sync says the device is online again.
importScripts("__STORE__");
var PREFIX = "chorus-q-";
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

function keep(m) {
  return caches.open(PREFIX + m.q).then(function (cache) {
    var work = m.assets.map(function (url) {
      return cache.match(url).then(function (hit) { return hit || cache.add(url); });
    });
    for (var n = 1; n <= m.pages; n++) {
      work.push((function (n) {
        return fetch(m.base + "/offline/page/" + n, { credentials: "same-origin" }).then(function (res) {
          if (res.ok) { return cache.put(m.base + "/page/" + n, res); }
        });
      })(n));
    }
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
    return hit || Response.error();
  });
}

self.addEventListener("fetch", function (e) {
  var r = e.request, url = new URL(r.url);
  if (r.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (r.mode === "navigate" && url.pathname.indexOf("/q/") === 0) {
    e.respondWith(fetch(r).catch(function () { return fromCache(r); }));
  } else if (url.pathname.indexOf("/static/") === 0) {
    // Fingerprinted names never change: the kept copy is the right one.
    e.respondWith(caches.match(r, { ignoreVary: true }).then(function (hit) { return hit || fetch(r); }));
  }
});

self.addEventListener("sync", function (e) {
  if (e.tag === "chorus-outbox") { e.waitUntil(self.ChorusStore.flush()); }
});

// Answering offline (issue 18): the device's store, shared by the page and the service worker.
// IndexedDB "chorus-offline": "answers" (questionnaire id -> the answers kept as the person
// goes, with the grant) and "outbox" (submission id -> a submission waiting to be sent).
// Holds answers, the submission id and a grant: never a token. Emptied once sent.
(function (self) {
  "use strict";
  function open() {
    return new Promise(function (ok, no) {
      var r = indexedDB.open("chorus-offline", 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore("answers");
        r.result.createObjectStore("outbox");
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { no(r.error); };
    });
  }
  function tx(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (ok, no) {
        var t = db.transaction(store, mode), req = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); ok(req ? req.result : undefined); };
        t.onerror = t.onabort = function () { db.close(); no(t.error); };
      });
    });
  }
  var S = {
    get: function (store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); },
    put: function (store, key, value) { return tx(store, "readwrite", function (s) { s.put(value, key); }); },
    del: function (store, key) { return tx(store, "readwrite", function (s) { s.delete(key); }); },
    all: function (store) { return tx(store, "readonly", function (s) { return s.getAll(); }); },
    // Everything this device keeps of one questionnaire, gone (after sending, or refused).
    forget: function (q) {
      return S.all("outbox").then(function (items) {
        return Promise.all(items.filter(function (i) { return i.q === q; }).map(function (i) {
          return S.del("outbox", i.submission_id);
        }));
      }).then(function () { return S.del("answers", q); });
    },
    // POST one waiting submission. 200/201: stored; 429, 5xx or no network: try again later;
    // any other answer is final, so it is not kept either; after 422 (answers to correct) the
    // answers stay, for the person to finish on the pages.
    send: function (item) {
      return fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          grant: item.grant, submission_id: item.submission_id,
          answers: item.answers, language: item.language
        })
      }).then(function (res) {
        var retry = res.status === 429 || res.status >= 500;
        return res.json().catch(function () { return {}; }).then(function (body) {
          var out = { q: item.q, status: res.status, sent: res.ok, body: body };
          if (retry) { return out; }
          return (res.status === 422 ? S.del("outbox", item.submission_id) : S.forget(item.q))
            .then(function () { return out; });
        });
      }, function () { return { q: item.q, status: 0, sent: false, body: {} }; });
    },
    // Send everything waiting, one at a time; resolves with what each answer was.
    flush: function () {
      return S.all("outbox").then(function (items) {
        var results = [];
        return items.reduce(function (p, item) {
          return p.then(function () { return S.send(item); }).then(function (r) { results.push(r); });
        }, Promise.resolve()).then(function () { return results; });
      });
    }
  };
  self.ChorusStore = S;
})(self);

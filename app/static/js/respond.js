// Respondent pages: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  var d = document;
  // Send the CSRF token with HTMX requests (the forms carry it too).
  d.addEventListener("htmx:configRequest", function (e) {
    var m = d.querySelector('meta[name="csrf-token"]');
    if (m) { e.detail.headers["X-CSRFToken"] = m.content; }
  });
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  // GOV.UK character count: visible count as you type, announced after a pause.
  function counter(area) {
    var info = d.getElementById(area.id + "-info"), max = +area.getAttribute("data-max");
    if (!info || area.getAttribute("data-counted")) { return; }
    area.setAttribute("data-counted", "1");
    var live = d.createElement("span"), timer;
    live.className = "vh";
    live.setAttribute("aria-live", "polite");
    info.parentNode.insertBefore(live, info.nextSibling);
    function update(announce) {
      var left = max - Array.from(area.value).length;
      var text = left >= 0 ? "You have " + plural(left, "character") + " remaining"
        : "You have " + plural(-left, "character") + " too many";
      info.textContent = text;
      info.classList.toggle("over", left < 0);
      clearTimeout(timer);
      if (announce) { timer = setTimeout(function () { live.textContent = text; }, 1000); }
    }
    area.addEventListener("input", function () { update(true); });
    update(false);
  }
  function enhance(root, moved) {
    root.querySelectorAll("textarea[data-max]").forEach(counter);
    // Focus the error summary (GOV.UK pattern); after an in-place swap, the new heading.
    var target = root.querySelector("[data-autofocus]") || (moved && root.querySelector("h1"));
    if (target) { target.focus(); }
  }
  d.addEventListener("DOMContentLoaded", function () { enhance(d, false); });
  // Answering offline (issue 18): its scripts come only after the page is shown.
  var offline = false;
  function loadOffline() {
    var el = d.querySelector("[data-offline-js]"), js = el && el.getAttribute("data-offline-js");
    if (offline || !js || !window.indexedDB || !("serviceWorker" in navigator)) { return; }
    offline = true;
    js.split(" ").forEach(function (src) {  // the store, then the page's script
      var s = d.createElement("script");
      s.src = src; s.async = false;
      d.head.appendChild(s);
    });
  }
  window.addEventListener("load", loadOffline);
  // A kiosk's script (idle warning, offline queue) also comes after its first page is shown.
  window.addEventListener("load", function () {
    var js = d.body.getAttribute("data-kiosk-js"), s = d.createElement("script");
    if (js) { s.src = js; d.head.appendChild(s); }
  });
  d.addEventListener("htmx:afterSettle", function () {
    var s = d.getElementById("survey");
    if (!s) { return; }
    if (s.getAttribute("data-title")) { d.title = s.getAttribute("data-title"); }
    window.scrollTo(0, 0);
    enhance(s, true);
    loadOffline();
  });
})();

// Chorus progressive enhancement. Everything works without this file.
(function () {
  "use strict";
  // Send the CSRF token with every HTMX request (DESIGN.md: CSRF on every state change).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // Move focus to an error summary or a swapped region's marked element (GOV.UK pattern).
  function focusMarked(root) {
    var target = (root || document).querySelector("[data-autofocus]");
    if (target) { target.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusMarked(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusMarked(event.detail.target); });
})();

/* The online assessment's countdown (TRN-2): informative only, the server keeps the deadline.
   Reads data-seconds-left (computed by the server when the page was rendered) and counts down. */
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("attempt-countdown");
    if (!el) return;
    var left = parseInt(el.getAttribute("data-seconds-left"), 10) || 0;
    var ends = Date.now() + left * 1000;
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function tick() {
      var s = Math.max(0, Math.round((ends - Date.now()) / 1000));
      if (s <= 0) {
        el.textContent = el.getAttribute("data-expired-text");
        el.classList.add("text-danger");
        return;
      }
      el.textContent = Math.floor(s / 60) + ":" + pad(s % 60);
      if (s <= 60) el.classList.add("text-danger");
      window.setTimeout(tick, 1000);
    }
    tick();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

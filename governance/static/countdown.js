// Counts down to each <time data-countdown="ISO date"> on the page, once a second.
// Elements are looked up on every tick: live updates (htmx SSE swaps) replace them.
(function () {
  "use strict";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var left = Math.round((Date.parse(el.getAttribute("data-countdown")) - now) / 1000);
      if (isNaN(left)) { return; }
      if (left <= 0) {
        el.textContent = el.getAttribute("data-done") || "0:00";
        el.parentElement.classList.add("time-up");
        return;
      }
      var minutes = Math.floor(left / 60), seconds = left % 60;
      el.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    });
  }
  tick();
  setInterval(tick, 1000);
})();

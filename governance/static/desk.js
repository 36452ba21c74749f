// The secretary's desk (templates/meetings/desk.html): an arrival, a departure or an undo
// swaps the register below the search; the page must not move under the secretary's finger
// (the scroll position is kept across the swap), and the focus goes back to the search, its
// text selected, so the next name can be typed at once. Enter in the search posts the
// arrival; the search's own filter request, still waiting for its delay, is then dropped
// (it would otherwise answer after the arrival and wipe its notice and undo button).
(function () {
  "use strict";
  var enteredValue = null;
  var kept = null;

  function isRegister(event) {
    var target = event.detail && event.detail.target;
    return Boolean(target && target.id === "desk-register");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.id === "q") { enteredValue = event.target.value; }
  });

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "q") { enteredValue = null; }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "q" && enteredValue !== null && elt.value === enteredValue) { event.preventDefault(); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (isRegister(event)) { kept = { x: window.scrollX, y: window.scrollY }; }
  });

  function restore() {
    if (kept) { window.scrollTo(kept.x, kept.y); }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (isRegister(event)) { restore(); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!isRegister(event)) { return; }
    var search = document.getElementById("q");
    var elt = event.detail.elt;
    if (search && !(elt && elt.id === "q")) {  // filtering while typing: the focus is there already
      search.focus({ preventScroll: true });
      search.select();
    }
    restore();
    kept = null;
  });
})();

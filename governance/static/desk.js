// The secretary's desk (templates/meetings/desk.html): after an arrival, a departure or an
// undo swaps the register, the focus goes back to the search, its text selected, so the next
// name can be typed at once, and the page does not move. Enter in the search posts the
// arrival; the search's own filter request, still waiting for its delay, is then dropped
// (it would otherwise answer after the arrival and wipe its notice and undo button).
(function () {
  "use strict";
  var enteredValue = null;

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.id === "q") { enteredValue = event.target.value; }
  });

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "q" && enteredValue !== null && elt.value === enteredValue) { event.preventDefault(); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target || event.target;
    if (!document.getElementById("desk-register") || !target || target.id !== "desk-register") { return; }
    var search = document.getElementById("q");
    var elt = event.detail.elt;
    if (!search || (elt && elt.id === "q")) { return; }  // filtering while typing: the focus is there already
    var x = window.scrollX, y = window.scrollY;
    search.focus({ preventScroll: true });
    search.select();
    window.scrollTo(x, y);
  });

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "q") { enteredValue = null; }
  });
})();

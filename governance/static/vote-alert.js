// A vote reaches every member: when a ballot appears on the tablet (a vote opened, by a live
// update or on arrival at the page), bring it into view, move the focus to it, highlight it,
// announce it to screen readers (aria-live) and vibrate where the device can. Once per vote:
// later live updates of the same vote ("n of N voted") leave the page where the member put it.
// A member typing in a field is not moved: the ballot is announced and highlighted only.
(function () {
  "use strict";
  var brought = {};
  function typing() {
    var el = document.activeElement;
    return el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text")) && el.value !== "";
  }
  function bring() {
    var ballot = document.querySelector("form.vote[data-poll]");
    if (!ballot) {
      // No ballot (the vote closed, or this tablet's votes are in): the announcement is stale.
      var stale = document.getElementById("vote-announcer");
      if (stale) { stale.textContent = ""; }
      return;
    }
    var poll = ballot.getAttribute("data-poll");
    if (brought[poll]) { return; }
    brought[poll] = true;
    var section = ballot.closest("section.poll") || ballot;
    var announcer = document.getElementById("vote-announcer");
    if (announcer) { announcer.textContent = ballot.getAttribute("data-announce") || ""; }
    section.classList.add("arrived");
    setTimeout(function () { section.classList.remove("arrived"); }, 6000);
    if (navigator.vibrate) { try { navigator.vibrate(200); } catch (e) { /* not allowed: fine */ } }
    if (typing()) { return; }
    section.scrollIntoView({block: "start"});
    var heading = section.querySelector("h2");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({preventScroll: true});
    }
  }
  document.addEventListener("DOMContentLoaded", bring);
  document.addEventListener("htmx:afterSettle", bring);
  document.addEventListener("htmx:sseMessage", bring);
})();

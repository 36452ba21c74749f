// Live updates (htmx SSE swaps) redraw whole panels. What a person is typing in a panel, the
// folded sections they opened and where their cursor was must survive the redraw: remember
// them just before the swap and put them back just after. Fields are matched by their form's
// action and item plus their name, so text typed for one agenda item never lands in another's.
(function () {
  "use strict";
  var FIELDS = "textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])";

  function key(field) {
    var form = field.form;
    if (!form || !field.name) { return null; }
    var item = form.elements.namedItem("item");
    return (form.getAttribute("action") || "") + "|" + (item && item.value ? item.value : "") + "|" + field.name;
  }

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      var option = field.options[field.selectedIndex];
      return option ? !option.defaultSelected : false;
    }
    return field.value !== field.defaultValue;
  }

  var saved = new WeakMap();

  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var panel = event.target, state = { open: [], values: {}, focus: null };
    panel.querySelectorAll("details[id][open]").forEach(function (d) { state.open.push(d.id); });
    panel.querySelectorAll(FIELDS).forEach(function (field) {
      var k = key(field);
      if (k && changed(field)) {
        state.values[k] = field.type === "checkbox" || field.type === "radio" ? field.checked : field.value;
      }
    });
    var active = document.activeElement;
    if (active && panel.contains(active) && key(active)) {
      state.focus = { key: key(active), start: active.selectionStart, end: active.selectionEnd };
    }
    saved.set(panel, state);
  });

  document.addEventListener("htmx:sseMessage", function (event) {
    var panel = event.target, state = saved.get(panel);
    if (!state) { return; }
    saved.delete(panel);
    state.open.forEach(function (id) {
      var details = document.getElementById(id);
      if (details && panel.contains(details)) { details.open = true; }
    });
    panel.querySelectorAll(FIELDS).forEach(function (field) {
      var k = key(field);
      if (!k || !(k in state.values)) { return; }
      if (field.type === "checkbox" || field.type === "radio") { field.checked = state.values[k]; }
      else if (field.tagName !== "SELECT" || Array.prototype.some.call(field.options, function (o) { return o.value === state.values[k]; })) {
        field.value = state.values[k];
      }
      if (state.focus && state.focus.key === k) {
        field.focus();
        if (typeof state.focus.start === "number" && field.setSelectionRange) {
          try { field.setSelectionRange(state.focus.start, state.focus.end); } catch (e) { /* not a text field */ }
        }
      }
    });
    if (state.focus && !(state.focus.key in state.values)) {
      panel.querySelectorAll(FIELDS).forEach(function (field) { if (key(field) === state.focus.key) { field.focus(); } });
    }
  });
})();

// The workflow editor: open the side panel when a step's form arrives, show the property
// inputs of "property changed" events only, and remove event rows.
(function () {
  "use strict";

  function panel() {
    return bootstrap.Offcanvas.getOrCreateInstance(document.getElementById("step-panel"));
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "step-panel-content") panel().show();
    showEventProperties(event.detail.target);
  });

  function showEventProperties(root) {
    root.querySelectorAll("[data-event-row]").forEach(function (row) {
      const select = row.querySelector("[data-event-select]");
      const chosen = select.options[select.selectedIndex];
      const needs = chosen && chosen.getAttribute("data-needs-property") === "1";
      row.querySelector("[data-event-property]").classList.toggle("d-none", !needs);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { showEventProperties(document); });
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-event-select]")) showEventProperties(event.target.closest("[data-event-row]").parentNode);
  });
  document.addEventListener("click", function (event) {
    const remove = event.target.closest("[data-remove-event]");
    if (remove) remove.closest("[data-event-row]").remove();
  });
})();

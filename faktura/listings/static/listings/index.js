// Index pages: the "N selected" count, removing filter rows, and ordering columns in the
// edit-columns dialog. Everything else is HTMX attributes and plain forms.
(function () {
  "use strict";

  function showSelection(table) {
    const count = table.querySelectorAll("input[data-row-select]:checked").length;
    document.querySelectorAll("[data-selection-count]").forEach(function (label) {
      label.textContent = count ? count + " selected" : "";
    });
    const all = table.querySelector("[data-select-all]");
    if (all) {
      const boxes = table.querySelectorAll("input[data-row-select]").length;
      all.checked = boxes > 0 && count === boxes;
      all.indeterminate = count > 0 && count < boxes;
    }
  }

  document.addEventListener("change", function (event) {
    const box = event.target.closest("input[data-row-select]");
    if (box) showSelection(box.closest("table"));
  });
  document.addEventListener("selection-changed", function (event) {
    showSelection(event.target);
  });

  // A filter row reacts to its selects once htmx has processed it (page load or a swap).
  document.addEventListener("htmx:load", function (event) {
    const root = event.detail.elt;
    const rows = root.matches("[data-filter-row]") ? [root] : root.querySelectorAll("[data-filter-row]");
    rows.forEach(function (row) { row.setAttribute("data-ready", "1"); });
  });

  document.addEventListener("click", function (event) {
    const remove = event.target.closest("[data-remove-filter]");
    if (remove) {
      const row = remove.closest("[data-filter-row]");
      const group = row.closest("[data-filter-group]");
      row.remove();
      // A group left empty goes too, unless it is the last one (it keeps its "Add filter").
      const groups = document.querySelectorAll("[data-filter-group]");
      if (group && groups.length > 1 && !group.querySelector("[data-filter-row]")) group.remove();
      return;
    }
    const move = event.target.closest("[data-move]");
    if (move) {
      const item = move.closest("[data-column]");
      if (move.getAttribute("data-move") === "up" && item.previousElementSibling) {
        item.parentNode.insertBefore(item, item.previousElementSibling);
      } else if (move.getAttribute("data-move") === "down" && item.nextElementSibling) {
        item.parentNode.insertBefore(item.nextElementSibling, item);
      }
      move.focus();
    }
  });
})();

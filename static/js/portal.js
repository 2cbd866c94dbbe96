// Progressive enhancement only; every page works without it (no inline script: CSP).
(function () {
  "use strict";
  // "Select all" checkbox in a table header ticks the row checkboxes of that table.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input.select-all")) { return; }
    var table = box.closest("table");
    if (!table) { return; }
    table.querySelectorAll("tbody input[type=checkbox][name=select]").forEach(function (row) {
      row.checked = box.checked;
    });
  });
})();

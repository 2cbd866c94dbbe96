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
  // Progress pages reload themselves until the job is done (a script, not <meta refresh>, so the
  // reader can stop it: WCAG 2.2.1); "Stop reloading" cancels it.
  document.addEventListener("DOMContentLoaded", function () {
    var note = document.querySelector("[data-refresh-seconds]");
    if (!note) { return; }
    var timer = window.setTimeout(function () { window.location.reload(); }, Number(note.dataset.refreshSeconds) * 1000);
    var stop = note.querySelector("[data-stop-refresh]");
    if (stop) {
      stop.addEventListener("click", function () { window.clearTimeout(timer); stop.disabled = true; stop.textContent = "Reloading stopped"; });
    }
  });
  // The login form tells the server the browser's time zone: a new organization starts in it.
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.querySelector("input[name=browser_time_zone]");
    if (!field || !window.Intl) { return; }
    try { field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { field.value = ""; }
  });
})();

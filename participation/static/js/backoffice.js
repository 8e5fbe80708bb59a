// Back office, progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // "Select all on this page" for the inbox's bulk actions.
    document.querySelectorAll(".js-select-all").forEach(function (all) {
      var boxes = all.closest("table").querySelectorAll("tbody input[type=checkbox][name=ids]");
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
    });
    // Print buttons on the printable pages.
    document.querySelectorAll(".js-print").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();

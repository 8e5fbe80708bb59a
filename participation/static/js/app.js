// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen-reader users hear what went wrong.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    keepTypedAcrossLanguageSwitch();
    focusableScrollingTables();
    window.addEventListener("resize", focusableScrollingTables);
  });

  // A table wider than its box scrolls inside it (nothing scrolls sideways at 320 px);
  // such a box must be reachable with the keyboard to be scrolled (WCAG 2.1.1).
  function focusableScrollingTables() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
      }
    });
  }

  // Switching language mid-form keeps what was typed: just before the switcher's link
  // is followed, the fields of the page's forms are put in this tab's sessionStorage;
  // the page in the new language puts them back and forgets them at once. Nothing is
  // sent to the server, and files, passwords and hidden fields are left out.
  var KEPT = "innspill-typed:";

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      var type = (el.type || "").toLowerCase();
      return el.name && !el.disabled && el.name.indexOf("csrf") === -1 &&
        ["hidden", "file", "password", "submit", "button", "reset", "image"].indexOf(type) === -1;
    });
  }

  function keepTypedAcrossLanguageSwitch() {
    var forms = document.querySelectorAll("form[method=post], form[method=POST]");
    var key = KEPT + window.location.pathname;
    var saved = null;
    try { saved = window.sessionStorage.getItem(key); window.sessionStorage.removeItem(key); }
    catch (e) { return; }  // storage turned off: the switch works as before
    if (saved) {
      JSON.parse(saved).forEach(function (item) {
        var form = forms[item.form];
        if (!form) { return; }
        keptFields(form).forEach(function (el) {
          if (el.name !== item.name) { return; }
          var type = (el.type || "").toLowerCase();
          if (type === "checkbox" || type === "radio") {
            if (el.value === item.value) { el.checked = item.checked; }
          } else if (type === "select-multiple") {
            Array.prototype.forEach.call(el.options, function (o) {
              o.selected = item.values.indexOf(o.value) !== -1;
            });
          } else {
            el.value = item.value;
          }
          el.dispatchEvent(new Event("input", { bubbles: true }));
        });
      });
    }
    var links = document.querySelectorAll(".language-switcher a");
    Array.prototype.forEach.call(links, function (link) {
      link.addEventListener("click", function () {
        var items = [];
        Array.prototype.forEach.call(forms, function (form, index) {
          keptFields(form).forEach(function (el) {
            var type = (el.type || "").toLowerCase();
            var item = { form: index, name: el.name, value: el.value };
            if (type === "checkbox" || type === "radio") { item.checked = el.checked; }
            if (type === "select-multiple") {
              item.values = Array.prototype.filter.call(el.options, function (o) {
                return o.selected;
              }).map(function (o) { return o.value; });
            }
            items.push(item);
          });
        });
        try { window.sessionStorage.setItem(key, JSON.stringify(items)); } catch (e) { /* full */ }
      });
    });
  }
})();

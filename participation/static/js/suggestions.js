// Character count and a personal-data hint for long text fields.
// Progressive enhancement: the server checks everything again, and the form works
// without this file. Messages come translated from data-* attributes on the field.
(function () {
  "use strict";

  // Code points, and one character per line break: the same as the server counts.
  function length(value) {
    return Array.from(value.replace(/\r\n?/g, "\n").trim()).length;
  }

  var EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-zA-Z]{2,}/;
  var PHONE = /(^|[^\d])(\+47|0047)?[ -]?[2-9]\d{1,3}([ .-]?\d{2,4}){2,3}($|[^\d])/;
  var NATIONAL_ID = /(^|[^\d])\d{6} ?\d{5}($|[^\d])/;

  function looksPersonal(value) {
    return EMAIL.test(value) || PHONE.test(value) || NATIONAL_ID.test(value);
  }

  function setUp(field) {
    var min = parseInt(field.getAttribute("data-count-min"), 10) || 0;
    var max = parseInt(field.getAttribute("data-count-max"), 10) || 0;

    var visible = document.createElement("div");
    visible.className = "char-count hint";
    visible.id = field.id + "-count";
    visible.setAttribute("aria-hidden", "true");
    var spoken = document.createElement("div");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    var personal = document.createElement("div");
    personal.className = "personal-data-hint";
    personal.setAttribute("role", "status");

    field.insertAdjacentElement("afterend", personal);
    field.insertAdjacentElement("afterend", spoken);
    field.insertAdjacentElement("afterend", visible);

    function message() {
      var n = length(field.value);
      if (n < min) {
        return { text: field.getAttribute("data-msg-under").replace("{count}", min - n), over: false };
      }
      if (max && n > max) {
        return { text: field.getAttribute("data-msg-over").replace("{count}", n - max), over: true };
      }
      return { text: field.getAttribute("data-msg-left").replace("{count}", max - n), over: false };
    }

    var timer = null;
    function update() {
      var m = message();
      visible.textContent = m.text;
      visible.classList.toggle("is-over", m.over);
      var hint = looksPersonal(field.value) ? field.getAttribute("data-msg-personal") : "";
      if (personal.textContent !== hint) { personal.textContent = hint; }
      // Screen readers hear the count once typing pauses, not on every key.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { spoken.textContent = m.text; }, 1000);
    }

    field.addEventListener("input", update);
    var first = message();
    visible.textContent = first.text;
    visible.classList.toggle("is-over", first.over);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll("textarea[data-charcount]");
    for (var i = 0; i < fields.length; i++) { setUp(fields[i]); }
  });
})();

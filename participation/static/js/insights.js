// Progress of a running analysis: polls the run's JSON status and updates the page.
// Progressive enhancement: without this file the page has a refresh link instead.
(function () {
  "use strict";

  var INTERVAL = 2000;

  function setUp(box) {
    var url = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-run-percent]");
    var stage = box.querySelector("[data-run-stage]");
    var status = box.querySelector("[data-run-status]");
    var live = box.querySelector("[data-run-live]");
    var done = box.querySelector("[data-run-done]");
    var lastStage = stage ? stage.textContent : "";
    var failures = 0;

    function finish(data) {
      var ok = data.status === "done";
      live.textContent = box.getAttribute(ok ? "data-msg-done" : "data-msg-failed") +
        (data.error ? " " + data.error : "");
      if (done) { done.hidden = false; }
    }

    function update(data) {
      if (bar) { bar.value = data.percent; bar.textContent = data.percent + " %"; }
      if (percent) { percent.textContent = data.percent + " %"; }
      if (status) { status.textContent = data.status_label; }
      if (stage && data.stage_label !== lastStage) {
        stage.textContent = data.stage_label;
        lastStage = data.stage_label;
        // Announce stages, not every percent: enough to follow without chatter.
        live.textContent = data.stage_label;
      }
      if (data.active) {
        window.setTimeout(poll, INTERVAL);
      } else {
        finish(data);
      }
    }

    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) { failures = 0; update(data); })
        .catch(function () {
          failures += 1;
          if (failures >= 3) {
            live.textContent = box.getAttribute("data-msg-lost");
            if (done) { done.hidden = false; }
          } else {
            window.setTimeout(poll, INTERVAL * 2);
          }
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    var boxes = document.querySelectorAll("[data-status-url]");
    for (var i = 0; i < boxes.length; i++) { setUp(boxes[i]); }
  });
})();

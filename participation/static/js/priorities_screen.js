// The workshop screen: fetch the room's result every few seconds and put it in the
// aria-live region. Without script the page still shows the result as loaded.
(function () {
  "use strict";
  var region = document.getElementById("live-results");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-live-url");
  var seconds = parseInt(region.getAttribute("data-live-seconds"), 10) || 5;
  var last = region.innerHTML;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html && html !== last) { region.innerHTML = html; last = html; }
      })
      .catch(function () { /* try again next time */ })
      .then(function () { window.setTimeout(refresh, seconds * 1000); });
  }
  window.setTimeout(refresh, seconds * 1000);
})();

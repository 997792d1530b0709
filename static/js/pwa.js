// The installable app on every page: register the service worker (scope: the whole site),
// say when a page is shown from the offline copy, and clear the kept pages on log-out
// (the server's Clear-Site-Data header does the same where browsers support it).
(function () {
  "use strict";
  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-worker");
  if ("serviceWorker" in navigator && workerUrl && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {});
    });
  }

  function showOffline() {
    var note = document.getElementById("offline-note");
    if (note) {
      note.hidden = navigator.onLine;
    }
  }
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  document.addEventListener("DOMContentLoaded", showOffline);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]") || !window.caches) {
      return;
    }
    if (form.dataset.cleared) {
      return;
    }
    event.preventDefault();
    var done = function () {
      form.dataset.cleared = "1";
      form.submit();
    };
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        return caches.delete(name);
      }));
    }).then(done, done);
  });
})();

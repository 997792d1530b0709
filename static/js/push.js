// The reminders page's phone notification switch for this device: register the service
// worker, ask for permission, subscribe with the server's VAPID public key and send the
// subscription to the server (CSRF token in a header); or take this device off again.
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  if (!box) {
    return;
  }
  var on = document.getElementById("push-on");
  var off = document.getElementById("push-off");
  var state = document.getElementById("push-state");
  var unsupported = document.getElementById("push-unsupported");
  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window && window.isSecureContext;
  if (!supported) {
    return;
  }
  unsupported.hidden = true;

  // How long to wait for the browser's push service (a data-subscribe-wait-ms attribute on the
  // section may shorten it).
  var SUBSCRIBE_WAIT_MS = 20000;

  function csrf() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function say(text) {
    state.textContent = text;
    state.hidden = !text;
  }

  function keyBytes(base64url) {
    var padded = base64url + "===".slice((base64url.length + 3) % 4);
    var raw = window.atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (body) {
        if (!response.ok) {
          // The server's reason is written for the patient ("... not one we can send to").
          throw new Error(body.error || "The server said " + response.status);
        }
        return body;
      });
    });
  }

  function registration() {
    return navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  function show(subscribed) {
    on.hidden = subscribed;
    off.hidden = !subscribed;
    if (Notification.permission === "denied") {
      on.hidden = true;
      say("Notifications are blocked for this site in this browser's settings: allow them " +
        "there, then come back to this page.");
    }
  }

  function refresh() {
    return registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) {
      show(Boolean(sub));
      if (sub) {
        say("This device gets notifications.");
      }
    });
  }

  on.addEventListener("click", function () {
    on.disabled = true;
    say("Asking this browser…");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error("Notifications were not allowed.");
      }
      return registration();
    }).then(function (reg) {
      // A browser whose push service cannot be reached never settles: give up after a while.
      return Promise.race([
        reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-public-key")),
        }),
        new Promise(function (resolve, reject) {
          window.setTimeout(function () {
            reject(new Error(
              "this browser's notification service did not answer. Check the connection " +
              "and try again later; email and text reminders still come."
            ));
          }, Number(box.getAttribute("data-subscribe-wait-ms")) || SUBSCRIBE_WAIT_MS);
        }),
      ]);
    }).then(function (sub) {
      return post(box.getAttribute("data-subscribe-url"), sub.toJSON()).catch(function (error) {
        // Refused: this browser must not keep a subscription the server does not know of.
        var fail = function () {
          throw error;
        };
        return sub.unsubscribe().then(fail, fail);
      });
    }).then(function () {
      window.location.reload();
    }).catch(function (error) {
      say("Notifications could not be turned on: " + error.message);
      show(false);
    }).then(function () {
      on.disabled = false;
    });
  });

  off.addEventListener("click", function () {
    registration().then(function (reg) {
      return reg.pushManager.getSubscription();
    }).then(function (sub) {
      if (!sub) {
        return null;
      }
      return post(box.getAttribute("data-unsubscribe-url"), { endpoint: sub.endpoint })
        .then(function () {
          return sub.unsubscribe();
        });
    }).then(function () {
      window.location.reload();
    }).catch(function (error) {
      say("Notifications could not be turned off: " + error.message);
    });
  });

  refresh().catch(function () {
    show(false);
  });
})();

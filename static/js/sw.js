// B12 Tracker's service worker, served at /sw.js with its settings (self.B12) in front.
// - Install: keep the offline page and our own static files.
// - Pages: network first; without a network, the home page as its viewer last saw it (only
//   the home page, only while every page fetched since was made for the same person, and
//   only until a session begun when it was fetched would have ended), else the offline page.
// - Phone notifications: show what the server pushed; a tap opens the action's page.
(function () {
  "use strict";
  var config = self.B12;
  var STATIC = "b12-static-" + config.version;
  var HOME = "b12-home";
  var OWNER = "X-Offline-Owner";
  var KEPT_AT = "X-Kept-At";

  self.addEventListener("install", function (event) {
    event.waitUntil(
      caches.open(STATIC).then(function (cache) {
        // One missing file must not stop the worker: each is kept on its own.
        return Promise.all(
          config.precache.map(function (url) {
            return cache.add(new Request(url, { credentials: "omit" })).catch(function () {});
          })
        );
      }).then(function () {
        return self.skipWaiting();
      })
    );
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(
      caches.keys().then(function (names) {
        return Promise.all(
          names.filter(function (name) {
            return name.indexOf("b12-static-") === 0 && name !== STATIC;
          }).map(function (name) {
            return caches.delete(name);
          })
        );
      }).then(function () {
        return self.clients.claim();
      })
    );
  });

  function isHome(url) {
    return url.origin === self.location.origin && url.pathname === config.home;
  }

  // Keep the home page only for the person it was made for: a page made for anyone else
  // (or for nobody, such as the log-in page) throws the kept copy away.
  function remember(request, response) {
    var owner = response.headers.get(OWNER) || "";
    return caches.open(HOME).then(function (cache) {
      return cache.match(config.home).then(function (kept) {
        var keptOwner = kept ? kept.headers.get(OWNER) || "" : "";
        var stale = kept && keptOwner !== owner;
        var done = stale ? cache.delete(config.home) : Promise.resolve();
        var url = new URL(request.url);
        if (isHome(url) && response.ok && owner && !response.redirected) {
          return done.then(function () {
            return stamped(response);
          }).then(function (copy) {
            return cache.put(config.home, copy);
          });
        }
        return done;
      });
    });
  }

  // The copy carries when it was kept: a session that was not logged out of (a shared
  // computer) still ends, and its page must not outlive it.
  function stamped(response) {
    return response.blob().then(function (body) {
      var headers = new Headers(response.headers);
      headers.set(KEPT_AT, String(Date.now()));
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: headers,
      });
    });
  }

  function fresh(kept) {
    var at = Number(kept.headers.get(KEPT_AT));
    var age = Date.now() - at;
    return at > 0 && age >= 0 && age < config.keepSeconds * 1000;
  }

  // The kept home page while it is fresh; an expired one is thrown away.
  function keptHome() {
    return caches.open(HOME).then(function (cache) {
      return cache.match(config.home).then(function (kept) {
        if (!kept || fresh(kept)) {
          return kept;
        }
        return cache.delete(config.home).then(function () {
          return undefined;
        });
      });
    });
  }

  function offlinePage(request) {
    var url = new URL(request.url);
    var home = isHome(url) ? keptHome() : Promise.resolve(undefined);
    return home.then(function (kept) {
      return kept || caches.match(config.offline);
    }).then(function (page) {
      return page || new Response("You are offline.", {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8" },
      });
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") {
      return;
    }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) {
      return;
    }
    if (request.mode === "navigate") {
      event.respondWith(
        fetch(request).then(function (response) {
          event.waitUntil(remember(request, response.clone()));
          return response;
        }).catch(function () {
          return offlinePage(request);
        })
      );
      return;
    }
    if (config.precache.indexOf(url.pathname) !== -1) {
      event.respondWith(
        caches.match(request).then(function (kept) {
          return kept || fetch(request);
        })
      );
    }
  });

  self.addEventListener("push", function (event) {
    var data = {};
    try {
      data = event.data ? event.data.json() : {};
    } catch (error) {
      data = { body: event.data ? event.data.text() : "" };
    }
    var links = data.links || {};
    event.waitUntil(
      self.registration.showNotification(data.title || "B12 Tracker", {
        body: data.body || "",
        tag: data.tag || undefined,
        icon: config.precache.filter(function (path) {
          return path.indexOf("icon-192") !== -1;
        })[0],
        data: { url: data.url || config.home, links: links },
        actions: (data.actions || []).filter(function (action) {
          return links[action.action];
        }),
      })
    );
  });

  self.addEventListener("notificationclick", function (event) {
    var data = event.notification.data || {};
    var links = data.links || {};
    var target = (event.action && links[event.action]) || data.url || config.home;
    event.notification.close();
    event.waitUntil(
      self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
        for (var i = 0; i < list.length; i += 1) {
          if (list[i].url === target && "focus" in list[i]) {
            return list[i].focus();
          }
        }
        return self.clients.openWindow(target);
      })
    );
  });
})();

/* The observers' service worker (served as /report/sw.js, scope /report/).

   Guarantees:
   - Pages under /report/ are asked from the network first; when the network fails or takes more
     than a few seconds (a blockage often hangs rather than fails), the copy kept after the last
     online visit is shown. Only pages that answered 200 to a logged-in observer are kept.
   - What is kept is what the page asked it to keep (the list comes from /report/offline/setup.json,
     after an online login) plus the site's own scripts and styles: nothing from another host.
   - It never answers a request that changes something (POST, PATCH…), nor the API: sending is done
     by the page (sender.js), with the observer's session and an Idempotency-Key.
   - "wipe" and logout delete every cache it keeps; the page then unregisters it.
   - Background Sync: when the browser fires "sync" for the outbox, open pages are told to send.
   Classic script (not a module), so that every browser with service workers can run it. */
"use strict";

var CACHE = "notes-v1";
var NETWORK_WAIT_MS = 4000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function keep(urls) {
  return caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url, response);
      }).catch(function () { /* offline now: kept next time */ });
    }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep") {
    event.waitUntil(keep(data.urls || []).then(function () {
      if (event.source) event.source.postMessage({ type: "kept", count: (data.urls || []).length });
    }));
  } else if (data.type === "forget") {
    event.waitUntil(caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }).then(function () { if (event.source) event.source.postMessage({ type: "forgotten" }); }));
  }
});

function fromCache(request) {
  // A page opened with ?region= or ?outbox= is the same kept page; a list of stations is kept per region.
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || (request.mode === "navigate" ? cache.match(request, { ignoreSearch: true }) : undefined);
    });
  });
}

function networkFirst(request) {
  return new Promise(function (resolve) {
    var settled = false;
    var timer = setTimeout(function () {
      fromCache(request).then(function (hit) {
        if (hit && !settled) { settled = true; resolve(hit); }
      });
    }, NETWORK_WAIT_MS);
    fetch(request).then(function (response) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (response.ok && !response.redirected && request.mode === "navigate") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) {
          return cache.match(request).then(function (kept) { if (kept) return cache.put(request, copy); });
        });
      }
      resolve(response);
    }).catch(function () {
      fromCache(request).then(function (hit) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(hit || Response.error());
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromCache(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (url.pathname.indexOf("/report/") === 0) event.respondWith(networkFirst(request));
});

self.addEventListener("sync", function (event) {
  if (event.tag !== "outbox") return;
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    windows.forEach(function (client) { client.postMessage({ type: "send" }); });
  }));
});

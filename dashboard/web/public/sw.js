// Service worker: meeting pages are network-first with the last copy kept for offline reading;
// static assets are served from the cache and refreshed in the background.
'use strict';
var CACHE = 'minutes-v1';
var STATIC = ['/static/app.css', '/static/app.js', '/static/live.js', '/static/actions.js', '/static/icon.svg',
  '/static/vendor/chartist.js', '/static/vendor/chartist.css', '/manifest.webmanifest'];

self.addEventListener('install', function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(STATIC); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// A page may ask to forget cached minutes (on sign-out).
self.addEventListener('message', function (event) {
  if (event.data && event.data.type === 'clear') event.waitUntil(caches.delete(CACHE));
});

function offline() {
  return new Response('<!doctype html><meta charset="utf-8"><title>Offline</title><p>You are offline and this page was not saved for offline reading. <a href="/">Meetings</a></p>',
    { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok && response.type === 'basic') {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || offline(); });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) {
    var fresh = fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
    if (!hit) return fresh;
    fresh.catch(function () { /* offline: the cached copy stands */ });
    return hit;
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf('/static/') === 0 || url.pathname === '/manifest.webmanifest') {
    event.respondWith(cacheFirst(request));
  } else if (/^\/meetings\/[^/]+$/.test(url.pathname) || (url.pathname === '/' && request.mode === 'navigate')) {
    event.respondWith(networkFirst(request));
  }
});

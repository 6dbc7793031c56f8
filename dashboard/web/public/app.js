// Progressive enhancement shared by every page: service worker, click-to-cite, talk-time chart.
(function () {
  'use strict';
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () { /* offline reading is optional */ });
    });
  }

  // Signing out also forgets the meetings cached for offline reading on this device.
  document.addEventListener('submit', function (e) {
    if (e.target && e.target.id === 'signout' && navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: 'clear' });
    }
  });

  // Evidence links (#seg-<id>): CSS :target highlights the line; this scrolls it to the middle and marks it.
  function cite(hash, smooth) {
    if (!/^#seg-\d+$/.test(hash)) return;
    var line = document.getElementById(hash.slice(1));
    if (!line) return;
    var old = document.querySelectorAll('.seg.cited');
    for (var i = 0; i < old.length; i++) old[i].classList.remove('cited');
    line.classList.add('cited');
    line.scrollIntoView({ block: 'center', behavior: smooth ? 'smooth' : 'auto' });
  }
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[href^="#seg-"]');
    if (!link) return;
    e.preventDefault();
    var hash = link.getAttribute('href');
    history.pushState(null, '', hash);
    cite(hash, true);
  });
  window.addEventListener('hashchange', function () { cite(location.hash, true); });
  document.addEventListener('DOMContentLoaded', function () {
    cite(location.hash, false);
    drawTalkTime();
  });

  function minutes(ms) { return Math.round(ms / 6000) / 10; }

  // Chartist writes style="" attributes, which a strict style-src blocks; set them through CSSOM instead.
  function cspSafeStyles(Svg) {
    if (!Svg || Svg.prototype.attr.cspSafe) return;
    var attr = Svg.prototype.attr;
    Svg.prototype.attr = function (attributes, ns) {
      if (attributes && typeof attributes === 'object' && typeof attributes.style === 'string') {
        var copy = {};
        for (var k in attributes) if (k !== 'style') copy[k] = attributes[k];
        this._node.style.cssText = attributes.style;
        attributes = copy;
      }
      return attr.call(this, attributes, ns);
    };
    Svg.prototype.attr.cspSafe = true;
  }

  function drawTalkTime() {
    var el = document.querySelector('[data-talk-time]');
    if (!el || !window.Chartist) return;
    var rows;
    try { rows = JSON.parse(el.getAttribute('data-talk-time')); } catch (err) { return; }
    if (!rows.length) return;
    cspSafeStyles(window.Chartist.Svg);
    el.classList.add('drawn');
    el.style.height = Math.max(6, rows.length * 2.2 + 2) + 'rem';
    new window.Chartist.BarChart(el, {
      labels: rows.map(function (r) { return r.name; }),
      series: [rows.map(function (r) { return minutes(r.ms); })],
    }, {
      horizontalBars: true,
      reverseData: true,
      axisY: { offset: 90 },
      chartPadding: { top: 10, right: 30, bottom: 5, left: 10 },
      axisX: { onlyInteger: false, labelInterpolationFnc: function (v) { return v + 'm'; } },
    });
  }
})();

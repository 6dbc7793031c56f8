// Live meeting view: fills <section id="live"> from the WebSocket /ws/meetings/:id.
(function () {
  'use strict';
  var live = document.getElementById('live');
  if (!live || !window.WebSocket) return;
  var meetingId = live.getAttribute('data-meeting-id');
  var transcript = document.getElementById('transcript');
  var lines = transcript && transcript.querySelector('.lines');
  var statusLine = live.querySelector('.live-status');
  var speakers = {};
  try { speakers = JSON.parse((transcript && transcript.getAttribute('data-speakers')) || '{}'); } catch (err) { speakers = {}; }
  var nextSpeaker = Object.keys(speakers).length;
  var ended = false;
  var retry = 1000;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock(ms) {
    var s = Math.floor(ms / 1000), h = Math.floor(s / 3600);
    var mmss = pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
    return h ? h + ':' + mmss : mmss;
  }
  function speakerClass(name) {
    if (!(name in speakers)) speakers[name] = nextSpeaker++;
    return 'spk-' + (speakers[name] % 8);
  }
  function nearBottom() { return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200; }

  function addSegments(segments) {
    if (!lines) return;
    var follow = nearBottom();
    var empty = transcript.querySelector('.empty-transcript');
    if (empty) empty.remove();
    var last = null;
    segments.forEach(function (s) {
      var id = 'seg-' + Math.trunc(Number(s.id));
      if (document.getElementById(id)) return;
      var row = el('div', 'seg new ' + speakerClass(s.speaker));
      row.id = id;
      var ts = el('a', 'ts', clock(Number(s.startMs) || 0));
      ts.href = '#' + id;
      row.appendChild(ts);
      row.appendChild(el('span', 'spk', s.speaker));
      row.appendChild(el('span', 'text', s.text));
      lines.appendChild(row);
      last = row;
    });
    if (follow && last) last.scrollIntoView({ block: 'end' });
  }

  var FIELDS = ['status', 'priority', 'ownerName', 'dueDate'];
  function updateAction(item) {
    if (!item || !item.id) return;
    var rows = document.querySelectorAll('tr[data-action-id="' + String(item.id).replace(/[^0-9a-f-]/gi, '') + '"]');
    for (var i = 0; i < rows.length; i++) {
      FIELDS.forEach(function (name) {
        var field = rows[i].querySelector('[data-field="' + name + '"]');
        if (!field || !(name in item) || field === document.activeElement) return;
        field.value = item[name] === null ? '' : String(item[name]);
        field.setAttribute('data-saved', field.value);
      });
      rows[i].classList.remove('flash');
      void rows[i].offsetWidth; // restart the highlight animation
      rows[i].classList.add('flash');
    }
  }

  function addInsight(insight, evidence) {
    var list = live.querySelector('.insights');
    if (!list || !insight) return;
    var li = el('li', 'insight');
    li.appendChild(el('strong', null, String(insight.kind || 'note').replace(/_/g, ' ') + ': '));
    li.appendChild(document.createTextNode(insight.text || ''));
    var extra = [insight.ownerName, insight.dueDate].filter(Boolean).join(' · ');
    if (extra) li.appendChild(el('span', 'muted', ' (' + extra + ')'));
    (evidence || []).forEach(function (e) {
      var id = Math.trunc(Number(typeof e === 'object' && e ? e.id : e));
      if (!id) return;
      var a = el('a', 'cite', ' #' + id);
      a.href = '#seg-' + id;
      li.appendChild(a);
    });
    list.insertBefore(li, list.firstChild);
  }

  function showViewers(viewers) {
    var box = live.querySelector('.viewers');
    if (!box) return;
    box.textContent = '';
    (viewers || []).forEach(function (v) { box.appendChild(el('span', 'viewer', v.name || 'someone')); });
  }

  function status(text) { if (statusLine) statusLine.textContent = text; }

  function handle(msg) {
    switch (msg.type) {
      case 'segment.added': addSegments(msg.segments || []); break;
      case 'insight.added': addInsight(msg.insight, msg.evidence); break;
      case 'action_item.updated': updateAction(msg.actionItem); break;
      case 'presence': showViewers(msg.viewers); break;
      case 'meeting.ended':
        ended = true;
        status('The meeting has ended. Minutes are being written; reload in a moment to see them.');
        break;
    }
  }

  function connect() {
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/meetings/' + encodeURIComponent(meetingId);
    var ws = new WebSocket(url);
    ws.onopen = function () {
      retry = 1000;
      live.hidden = false;
      if (!ended) status(live.getAttribute('data-status') === 'in_progress' ? 'Live: new lines appear as they are said.' : 'Connected.');
    };
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (err) { return; }
      if (msg && typeof msg.type === 'string') handle(msg);
    };
    ws.onclose = function () {
      if (ended) return;
      status('Connection lost; reconnecting…');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();

// Record page: browser microphone → 16 kHz PCM over /ws/record/:id → live
// transcript from /ws/meetings/:id. Builds its UI inside <section id="recorder">
// (data-meeting-id: record into that meeting instead of creating one). No
// inline script or style (strict CSP); transcript text only via textContent.
(() => {
  'use strict';
  const root = document.getElementById('recorder');
  if (!root) return;

  const el = (tag, props = {}, children = []) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  };

  const title = el('input', { type: 'text', name: 'title', id: 'recorder-title', maxlength: '300', required: '', placeholder: 'Meeting title' });
  title.value = `Recording ${new Date().toLocaleString()}`;
  const startBtn = el('button', { type: 'submit', class: 'recorder-start', id: 'recorder-start', text: 'Start recording' });
  const stopBtn = el('button', { type: 'button', class: 'recorder-stop', id: 'recorder-stop', text: 'Stop', disabled: '' });
  const status = el('p', { class: 'recorder-status', id: 'recorder-status', role: 'status', 'aria-live': 'polite', text: 'Ready. Your browser will ask for the microphone.' });
  const list = el('ol', { class: 'recorder-transcript', id: 'recorder-transcript', 'aria-label': 'Live transcript' });
  const form = el('form', { class: 'recorder-controls' }, [el('label', { for: 'recorder-title', text: 'Title ' }), title, startBtn, stopBtn]);
  root.replaceChildren(form, status, list);

  let session = null;
  const shown = new Set();

  const setStatus = (text, state) => {
    status.textContent = text;
    root.dataset.state = state || '';
  };

  const csrf = () => {
    const m = document.cookie.match(/(?:^|;\s*)minutes_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
  };

  async function api(method, path, body) {
    const res = await fetch(path, {
      method, credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf(), accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || `${method} ${path}: HTTP ${res.status}`);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  const wsUrl = (path) => `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;

  const clock = (ms) => {
    const s = Math.max(0, Math.floor(ms / 1000));
    const h = Math.floor(s / 3600);
    const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  };

  function addSegments(segments) {
    for (const s of segments || []) {
      if (!s || shown.has(s.id)) continue;
      shown.add(s.id);
      const li = el('li', { class: 'segment', 'data-segment-id': String(s.id) }, [
        el('time', { class: 'segment-time', text: clock(Number(s.startMs) || 0) }), ' ',
        el('strong', { class: 'segment-speaker', text: String(s.speaker ?? '') }), ' ',
        el('span', { class: 'segment-text', text: String(s.text ?? '') }),
      ]);
      list.append(li);
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  function openLive(meetingId) {
    let live;
    try {
      live = new WebSocket(wsUrl(`/ws/meetings/${encodeURIComponent(meetingId)}`));
    } catch {
      return null;
    }
    live.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      if (msg && msg.type === 'segment.added') addSegments(msg.segments);
    };
    return live; // the live view is a bonus here: recording goes on without it
  }

  async function start() {
    if (session) return;
    startBtn.disabled = true;
    title.disabled = true;
    setStatus('Asking for the microphone…', 'starting');
    const s = { meetingId: root.dataset.meetingId || '', stream: null, ctx: null, node: null, ws: null, live: null, ready: false, stopping: false, queued: [] };
    session = s;
    try {
      s.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
      if (!s.meetingId) {
        setStatus('Creating the meeting…', 'starting');
        const meeting = await api('POST', '/api/meetings', { title: title.value.trim() || 'Browser recording', platform: 'web' });
        s.meetingId = meeting.id;
      }
      await api('POST', `/api/meetings/${encodeURIComponent(s.meetingId)}/start`).catch((err) => {
        if (err.status !== 409) throw err; // already running: record into it
      });
      root.dataset.meetingId = s.meetingId;
      s.ctx = new AudioContext();
      await s.ctx.audioWorklet.addModule('/static/record-worklet.js');
      const source = s.ctx.createMediaStreamSource(s.stream);
      s.node = new AudioWorkletNode(s.ctx, 'record-pcm16k', { numberOfInputs: 1, numberOfOutputs: 1, channelCountMode: 'explicit', channelCount: 1 });
      const mute = s.ctx.createGain();
      mute.gain.value = 0; // pulled by the destination, heard by nobody
      source.connect(s.node).connect(mute).connect(s.ctx.destination);
      s.node.port.onmessage = (e) => send(s, e.data);
      s.live = openLive(s.meetingId);
      await connect(s);
      stopBtn.disabled = false;
      setStatus('Recording. Speak; lines appear below as they are transcribed.', 'recording');
    } catch (err) {
      await teardown(s);
      session = null;
      startBtn.disabled = false;
      title.disabled = false;
      setStatus(`Could not start: ${err && err.message ? err.message : err}`, 'error');
    }
  }

  function send(s, buf) {
    if (s.stopping) return;
    if (!s.ready) {
      if (s.queued.length < 250) s.queued.push(buf); // up to 5 s while the socket opens
      return;
    }
    if (s.ws.bufferedAmount < 1 << 20) s.ws.send(buf);
  }

  function connect(s) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl(`/ws/record/${encodeURIComponent(s.meetingId)}`));
      ws.binaryType = 'arraybuffer';
      s.ws = ws;
      s.stopped = new Promise((done) => { s.onStopped = done; });
      ws.onmessage = (e) => {
        let msg;
        try { msg = JSON.parse(e.data); } catch { return; }
        if (msg.type === 'ready') {
          s.ready = true;
          for (const b of s.queued.splice(0)) ws.send(b);
          resolve();
        } else if (msg.type === 'ack') {
          root.dataset.bytes = String(msg.bytes);
        } else if (msg.type === 'paused') {
          setStatus('You opted out of recording in this meeting: your audio is not transcribed.', 'paused');
        } else if (msg.type === 'stopped') {
          s.onStopped();
        }
      };
      ws.onclose = (e) => {
        s.onStopped();
        if (!s.ready) return reject(new Error(`recording socket refused (${e.code}${e.reason ? `: ${e.reason}` : ''})`));
        if (!s.stopping) {
          void teardown(s);
          session = null;
          startBtn.disabled = false;
          stopBtn.disabled = true;
          setStatus(`Recording interrupted (${e.code}${e.reason ? `: ${e.reason}` : ''}). The meeting is still open; start again to continue.`, 'error');
        }
      };
    });
  }

  async function teardown(s) {
    if (s.node) { s.node.port.postMessage('stop'); s.node.disconnect(); }
    if (s.stream) for (const t of s.stream.getTracks()) t.stop();
    if (s.ctx && s.ctx.state !== 'closed') await s.ctx.close().catch(() => {});
  }

  async function stop() {
    const s = session;
    if (!s || s.stopping) return;
    s.stopping = true;
    stopBtn.disabled = true;
    setStatus('Finishing the transcript…', 'stopping');
    await teardown(s);
    if (s.ws && s.ws.readyState === WebSocket.OPEN) {
      s.ws.send(JSON.stringify({ type: 'stop' }));
      await Promise.race([s.stopped, new Promise((r) => setTimeout(r, 60000))]);
    }
    try {
      await api('POST', `/api/meetings/${encodeURIComponent(s.meetingId)}/end`);
      setStatus('Meeting ended. The minutes are being written.', 'ended');
      const link = el('a', { href: `/meetings/${encodeURIComponent(s.meetingId)}`, class: 'recorder-open', text: 'Open the meeting' });
      status.append(' ', link);
    } catch (err) {
      setStatus(`Recording stopped, but the meeting could not be ended: ${err.message}`, 'error');
    }
    // Segments may still arrive on the live socket for a moment.
    setTimeout(() => s.live && s.live.close(), 5000);
    session = null;
    startBtn.disabled = false;
    title.disabled = false;
    delete root.dataset.meetingId;
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); void start(); });
  stopBtn.addEventListener('click', () => void stop());
  window.addEventListener('beforeunload', (e) => {
    if (session && !session.stopping) e.preventDefault();
  });
})();

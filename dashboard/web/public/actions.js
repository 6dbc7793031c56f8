// Action items editable in place: each change is sent as PATCH /api/action-items/:id.
(function () {
  'use strict';
  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)minutes_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
  }
  var NULLABLE = { ownerName: true, dueDate: true };

  function remember(root) {
    var fields = root.querySelectorAll('[data-action-id] [data-field]');
    for (var i = 0; i < fields.length; i++) fields[i].setAttribute('data-saved', fields[i].value);
  }

  function apply(row, item) {
    var fields = row.querySelectorAll('[data-field]');
    for (var i = 0; i < fields.length; i++) {
      var name = fields[i].getAttribute('data-field');
      if (!(name in item)) continue;
      fields[i].value = item[name] === null ? '' : String(item[name]);
      fields[i].setAttribute('data-saved', fields[i].value);
    }
  }

  function save(field) {
    var row = field.closest('[data-action-id]');
    if (!row) return;
    var name = field.getAttribute('data-field');
    var value = field.value.trim();
    var body = {};
    body[name] = value === '' && NULLABLE[name] ? null : value;
    var out = row.querySelector('.save-state');
    out.className = 'save-state';
    out.textContent = 'saving…';
    fetch('/api/action-items/' + encodeURIComponent(row.getAttribute('data-action-id')), {
      method: 'PATCH',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() },
      body: JSON.stringify(body),
    })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (json) {
          if (!res.ok) throw new Error((json && json.error && json.error.message) || 'HTTP ' + res.status);
          return json;
        });
      })
      .then(function (item) {
        apply(row, item);
        out.className = 'save-state ok';
        out.textContent = 'saved';
      })
      .catch(function (err) {
        field.value = field.getAttribute('data-saved') || '';
        out.className = 'save-state err';
        out.textContent = 'not saved: ' + err.message;
      });
  }

  document.addEventListener('change', function (e) {
    var field = e.target.closest && e.target.closest('[data-action-id] [data-field]');
    if (field) save(field);
  });
  document.addEventListener('DOMContentLoaded', function () { remember(document); });
})();

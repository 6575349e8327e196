// Spindle dashboard: action buttons (API calls with the CSRF token) and live updates (SSE).
(function () {
  'use strict';
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  function flash(text, bad) {
    let f = document.getElementById('flash');
    if (!f) {
      f = document.createElement('p');
      f.id = 'flash';
      document.querySelector('main').prepend(f);
    }
    f.textContent = text;
    f.className = bad ? 'error' : 'muted';
  }

  async function call(method, url, body) {
    const init = { method: method, headers: { 'X-CSRF-Token': csrf }, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(url, init);
    const type = r.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await r.json() : null;
    if (!r.ok) {
      throw new Error((data && data.detail) || ('HTTP ' + r.status));
    }
    return data;
  }

  document.addEventListener('click', async function (e) {
    const b = e.target.closest('button[data-post], button[data-api]');
    if (!b) {
      return;
    }
    e.preventDefault();
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
      return;
    }
    try {
      if (b.dataset.post) {
        await fetch(b.dataset.post, { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
        window.location = '/login';
        return;
      }
      let body;
      if (b.dataset.body) {
        body = JSON.parse(b.dataset.body);
      }
      const data = await call(b.dataset.method || 'POST', b.dataset.api, body);
      flash(b.dataset.done || 'Done.', false);
      const row = b.closest('tr[data-job]');
      if (row && data && data.state) {
        const st = row.querySelector('.state');
        st.textContent = data.state;
        st.className = 'state ' + data.state;
        b.disabled = true;
      }
      if (data && b.dataset.show) {
        flash(b.dataset.done + ' ' + (data[b.dataset.show] !== undefined ? data[b.dataset.show] : ''), false);
      }
      if (b.dataset.reload !== 'no') {
        window.setTimeout(function () { window.location.reload(); }, 300);
      }
    } catch (err) {
      flash(err.message, true);
    }
  });

  function setText(sel, v) {
    document.querySelectorAll(sel).forEach(function (el) {
      if (el.textContent !== String(v)) {
        el.textContent = v;
      }
    });
  }

  function onStats(s) {
    const t = s.totals;
    setText('[data-live="total-waiting"]', t.QUEUED + t.SCHEDULED);
    setText('[data-live="total-running"]', t.RUNNING);
    setText('[data-live="total-succeeded"]', t.SUCCEEDED);
    setText('[data-live="total-failed"]', t.FAILED);
    setText('[data-live="total-dead"]', t.DEAD);
    setText('[data-live="throughput"]', s.throughputPerSecond.toFixed(1));
    setText('[data-live="workers"]', s.workersAlive);
    s.queues.forEach(function (q) {
      const row = document.querySelector('tr[data-queue="' + CSS.escape(q.name) + '"]');
      if (!row) {
        return;
      }
      const cols = { waiting: q.waiting, running: q.running, succeeded: q.counts.SUCCEEDED,
        failed: q.counts.FAILED, dead: q.counts.DEAD, paused: q.paused ? 'paused' : 'active' };
      Object.keys(cols).forEach(function (k) {
        const td = row.querySelector('[data-col="' + k + '"]');
        if (td && td.textContent !== String(cols[k])) {
          td.textContent = cols[k];
        }
      });
    });
    refreshJob();
  }

  let jobEtag = null;
  async function refreshJob() {
    const el = document.querySelector('[data-job-id]');
    if (!el) {
      return;
    }
    const headers = jobEtag ? { 'If-None-Match': jobEtag } : {};
    const r = await fetch('/api/v1/jobs/' + el.dataset.jobId, { headers: headers });
    if (r.status !== 200) {
      return;
    }
    jobEtag = r.headers.get('ETag');
    const j = await r.json();
    const st = document.querySelector('[data-live="job-state"]');
    if (st && st.textContent !== j.state) {
      st.textContent = j.state;
      st.className = 'state ' + j.state;
      setText('[data-live="job-attempt"]', j.attempt);
      setText('[data-live="job-worker"]', j.workerId || '-');
    }
  }

  function onJob(j) {
    const row = document.querySelector('tr[data-job="' + j.id + '"] .state');
    if (row) {
      row.textContent = j.state;
      row.className = 'state ' + j.state;
    }
  }

  if (csrf && window.EventSource && document.querySelector('[data-live]')) {
    const es = new EventSource('/api/v1/events');
    const dot = document.getElementById('live');
    es.addEventListener('open', function () { if (dot) { dot.classList.add('on'); } });
    es.addEventListener('error', function () { if (dot) { dot.classList.remove('on'); } });
    es.addEventListener('stats', function (e) { onStats(JSON.parse(e.data)); });
    es.addEventListener('job', function (e) { onJob(JSON.parse(e.data)); });
  }
})();

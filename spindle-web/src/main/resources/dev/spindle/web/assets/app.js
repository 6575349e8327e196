// Spindle dashboard: action buttons (API calls with the CSRF token) and live updates (SSE).
// Every URL is relative to the page's <base href>, so the dashboard works wherever it is mounted.
(function () {
  'use strict';
  function meta(name) {
    return (document.querySelector('meta[name="' + name + '"]') || {}).content || '';
  }
  const csrf = meta('csrf-token');
  const csrfHeader = meta('csrf-header') || 'X-CSRF-Token';
  // Mounted in an application with CSRF protection of its own: its token goes along too.
  const hostHeader = meta('host-csrf-header');
  const hostToken = meta('host-csrf-token');

  function tokens() {
    const h = {};
    h[csrfHeader] = csrf;
    if (hostHeader) {
      h[hostHeader] = hostToken;
    }
    return h;
  }

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
    const init = { method: method, headers: tokens(), credentials: 'same-origin' };
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
        await fetch(b.dataset.post, { method: 'POST', headers: tokens() });
        window.location = 'login';
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

  // Actions on the jobs selected in the list: the confirmation names the count and the filter.
  document.addEventListener('change', function (e) {
    if (e.target.id === 'select-all') {
      document.querySelectorAll('input.select-job').forEach(function (c) { c.checked = e.target.checked; });
    }
  });

  document.addEventListener('click', async function (e) {
    const b = e.target.closest('button[data-selected]');
    if (!b) {
      return;
    }
    e.preventDefault();
    const ids = Array.from(document.querySelectorAll('input.select-job:checked')).map(function (c) { return c.value; });
    if (ids.length === 0) {
      flash('Select jobs first.', true);
      return;
    }
    const action = b.dataset.selected;
    const filter = b.closest('[data-filter]').dataset.filter;
    const verb = action.charAt(0).toUpperCase() + action.slice(1);
    if (!window.confirm(verb + ' ' + ids.length + ' selected job(s) (filter: ' + filter + ')?')) {
      return;
    }
    try {
      const r = await call('POST', 'api/v1/jobs/selected', { action: action, ids: ids, filter: filter });
      const skipped = Object.keys(r.skipped);
      flash(verb + ': ' + r.done + ' done' + (skipped.length === 0 ? '.' : ', ' + skipped.length + ' skipped (' +
        skipped.map(function (id) { return '#' + id + ': ' + r.skipped[id]; }).join('; ') + ').'), false);
      window.setTimeout(function () { window.location.reload(); }, 1500);
    } catch (err) {
      flash(err.message, true);
    }
  });

  // A form that sends its JSON payload to data-api-base + its name field (a durable job's signal).
  document.addEventListener('submit', async function (e) {
    const f = e.target.closest('form[data-api-base]');
    if (!f) {
      return;
    }
    e.preventDefault();
    try {
      const name = f.elements.name.value.trim();
      const text = f.elements.payload.value.trim();
      const data = await call('POST', f.dataset.apiBase + encodeURIComponent(name), text === '' ? null : JSON.parse(text));
      flash('Signal ' + name + ': ' + data.outcome + '.', false);
      window.setTimeout(function () { window.location.reload(); }, 300);
    } catch (err) {
      flash(err.message, true);
    }
  });

  // A workflow's resume: the first submit previews the moves (dryRun), the confirm button does them.
  function resumeBody(f, dryRun) {
    const body = { node: f.elements.node.value, dryRun: dryRun };
    const text = f.elements.args.value.trim();
    if (text !== '') {
      body.args = JSON.parse(text);
    }
    return body;
  }

  function showPlan(f, plan) {
    const box = document.getElementById('resume-plan');
    box.textContent = '';
    const p = document.createElement('p');
    p.id = 'resume-count';
    p.textContent = 'Resuming job ' + plan.node + ' moves ' + plan.moves.length + ' job(s)' +
      (plan.argsEdited ? ', the node with new arguments' : '') + ':';
    box.appendChild(p);
    const ul = document.createElement('ul');
    ul.id = 'resume-moves';
    plan.moves.forEach(function (m) {
      const li = document.createElement('li');
      li.dataset.move = m.id;
      li.textContent = '#' + m.id + ' ' + (m.task || '') + ': ' + m.from + ' \u2192 ' + m.to;
      ul.appendChild(li);
    });
    box.appendChild(ul);
    const ok = document.createElement('button');
    ok.type = 'button';
    ok.id = 'resume-confirm';
    ok.textContent = 'Confirm: resume';
    ok.addEventListener('click', async function () {
      try {
        const done = await call('POST', f.dataset.api, resumeBody(f, false));
        flash('Resumed: ' + done.summary + '.', false);
        window.setTimeout(function () { window.location.reload(); }, 300);
      } catch (err) {
        flash(err.message, true);
      }
    });
    box.appendChild(ok);
    box.hidden = false;
  }

  document.addEventListener('submit', async function (e) {
    const f = e.target.closest('form#resume-form');
    if (!f) {
      return;
    }
    e.preventDefault();
    try {
      showPlan(f, await call('POST', f.dataset.api, resumeBody(f, true)));
    } catch (err) {
      flash(err.message, true);
    }
  });

  // The workflow page's node states, read again at each live tick.
  async function refreshWorkflow() {
    const el = document.querySelector('[data-workflow-id]');
    if (!el) {
      return;
    }
    const r = await fetch('api/v1/workflows/' + encodeURIComponent(el.dataset.workflowId));
    if (r.status !== 200) {
      return;
    }
    (await r.json()).jobs.forEach(function (j) {
      setNodeState(j.id, j.state);
      onJob(j);
    });
  }

  function setNodeState(id, state) {
    const g = document.querySelector('g[data-node="' + CSS.escape(id) + '"]');
    if (!g) {
      return;
    }
    const rect = g.querySelector('rect');
    rect.setAttribute('class', 'state ' + state);
    const t = g.querySelector('.node-state');
    if (t.textContent !== state) {
      t.textContent = state;
    }
  }

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
    if (s.overview) {
      onOverview(s.overview);
    }
    refreshJob();
    refreshWorkflow();
  }

  function waitText(ms) {
    if (ms < 0) {
      return '-';
    }
    return '\u2264 ' + (ms < 1000 ? ms + ' ms' : human(ms));
  }

  function human(ms) {
    const s = ms / 1000;
    if (s < 60) {
      return (Math.round(s * 10) / 10) + ' s';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + ' min ' + Math.floor(s % 60) + ' s';
    }
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function onOverview(o) {
    setText('[data-live="wait-p50"]', waitText(o.waitMillis.p50));
    setText('[data-live="wait-p95"]', waitText(o.waitMillis.p95));
    setText('[data-live="wait-p99"]', waitText(o.waitMillis.p99));
    setText('[data-live="failures"]', o.failures);
    setText('[data-live="retried"]', o.retried);
    setText('[data-live="oldest"]', o.oldestWaitingSeconds === null ? '-' : human(o.oldestWaitingSeconds * 1000));
    drawCharts(o);
  }

  // Redraws the overview's two SVG charts (the same layout as the server's Overview.charts()).
  const SVG = 'http://www.w3.org/2000/svg';
  function drawCharts(o) {
    const fin = document.getElementById('chart-finished');
    const wait = document.getElementById('chart-wait');
    if (!fin || !wait) {
      return;
    }
    const n = o.windowMinutes;
    const first = Math.floor(Date.parse(o.at) / 60000) - (n - 1);
    const ok = new Array(n).fill(0);
    const bad = new Array(n).fill(0);
    const w = new Array(n).fill(-1);
    o.minutes.forEach(function (m) {
      const i = Math.floor(Date.parse(m.minute) / 60000) - first;
      if (i >= 0 && i < n) {
        ok[i] = m.succeeded + m.cancelled;
        bad[i] = m.failed;
        w[i] = m.waitP95;
      }
    });
    const maxDone = Math.max(1, Math.max.apply(null, ok.map(function (v, i) { return v + bad[i]; })));
    const maxWait = Math.max(1, Math.max.apply(null, w));
    const bw = 600 / n;
    function bars(svg, rows) {
      while (svg.lastChild && svg.lastChild.nodeName !== 'line') {
        svg.removeChild(svg.lastChild);
      }
      rows.forEach(function (r) {
        if (r.h <= 0) {
          return;
        }
        const e = document.createElementNS(SVG, 'rect');
        e.setAttribute('class', r.cls);
        e.setAttribute('x', (r.i * bw).toFixed(1));
        e.setAttribute('y', (120 - r.y - r.h).toFixed(1));
        e.setAttribute('width', Math.max(0.5, bw - 0.6).toFixed(1));
        e.setAttribute('height', r.h.toFixed(1));
        svg.appendChild(e);
      });
    }
    const a = [];
    const b = [];
    for (let i = 0; i < n; i++) {
      const hOk = 120 * ok[i] / maxDone;
      a.push({ i: i, y: 0, h: hOk, cls: 'ok' });
      a.push({ i: i, y: hOk, h: 120 * bad[i] / maxDone, cls: 'bad' });
      if (w[i] >= 0) {
        b.push({ i: i, y: 0, h: Math.max(1, 120 * w[i] / maxWait), cls: 'wait' });
      }
    }
    bars(fin, a);
    bars(wait, b);
  }

  let jobEtag = null;
  async function refreshJob() {
    const el = document.querySelector('[data-job-id]');
    if (!el) {
      return;
    }
    const headers = jobEtag ? { 'If-None-Match': jobEtag } : {};
    const r = await fetch('api/v1/jobs/' + el.dataset.jobId, { headers: headers });
    if (r.status !== 200) {
      return;
    }
    jobEtag = r.headers.get('ETag');
    const j = await r.json();
    if (j.progress) {
      await showProgress(el.dataset.jobId, j.progress);
    }
    const st = document.querySelector('[data-live="job-state"]');
    if (st && st.textContent !== j.state) {
      st.textContent = j.state;
      st.className = 'state ' + j.state;
      setText('[data-live="job-attempt"]', j.attempt);
      setText('[data-live="job-worker"]', j.workerId || '-');
    }
  }

  // the job page's progress bar and log: new lines are read from /logs, above the last one shown
  async function showProgress(id, p) {
    const bar = document.getElementById('job-progress-bar');
    const table = document.getElementById('job-log');
    if (!bar || !table) {
      return;
    }
    if (p.fraction !== null) {
      bar.value = p.fraction;
      setText('#job-progress-pct', Math.round(p.fraction * 100) + '%');
    }
    setText('#job-progress-message', p.message);
    const last = Number(table.dataset.lastSeq || 0);
    if (p.linesTotal <= last) {
      return;
    }
    const r = await fetch('api/v1/jobs/' + id + '/logs?after=' + last);
    if (r.status !== 200) {
      return;
    }
    const logs = await r.json();
    const body = table.tBodies[0];
    logs.lines.forEach(function (l) {
      if (l.seq <= Number(table.dataset.lastSeq || 0)) {
        return;
      }
      const tr = body.insertRow();
      tr.dataset.seq = l.seq;
      tr.className = l.level;
      [String(l.seq), l.at, l.level].forEach(function (v) { tr.insertCell().textContent = v; });
      const code = document.createElement('code');
      code.textContent = l.message;
      tr.insertCell().appendChild(code);
      table.dataset.lastSeq = l.seq;
    });
    const kept = body.rows.length;
    setText('#job-log-count', logs.linesTotal + ' line(s) logged' + (logs.linesTotal > kept ? ', the last ' + kept
      + ' kept' : ''));
  }

  function onJob(j) {
    setNodeState(j.id, j.state);
    const row = document.querySelector('tr[data-job="' + j.id + '"] .state');
    if (row) {
      row.textContent = j.state;
      row.className = 'state ' + j.state;
    }
  }

  if (csrf && window.EventSource && document.querySelector('[data-live]')) {
    const es = new EventSource('api/v1/events');
    const dot = document.getElementById('live');
    es.addEventListener('open', function () { if (dot) { dot.classList.add('on'); } });
    es.addEventListener('error', function () { if (dot) { dot.classList.remove('on'); } });
    es.addEventListener('stats', function (e) { onStats(JSON.parse(e.data)); });
    es.addEventListener('jobs', function (e) { JSON.parse(e.data).forEach(onJob); });
  }
})();

import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

/*
 * GET /_resultbox/: one HTML document, its CSS and script inline, nothing
 * loaded from elsewhere. It holds no data: its script reads the control API
 * (GET state, faults, requests) every second with the token the user gives,
 * so it shows nothing a test suite could not read itself. Everything it
 * renders goes in as text (textContent, setAttribute), never as markup:
 * journal paths come from clients.
 */

const STYLE = `
:root { --bg: #f4f5f7; --panel: #fff; --line: #e2e5ea; --text: #1c2330; --muted: #667085;
  --ok: #1d8a4b; --run: #2d6bd8; --bad: #c53a3a; --off: #8791a3; --warn: #b26f12; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
.mono, .now, code { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, monospace; }
header { display: flex; align-items: center; gap: 18px; padding: 10px 20px; background: #1c2330; color: #f4f6fa; }
header h1 { margin: 0; font-size: 18px; font-weight: 650; letter-spacing: .01em; }
header .sub { color: #9aa6ba; margin-left: 8px; font-size: 12px; }
.clock { display: flex; align-items: center; gap: 10px; margin-left: auto; }
.clock .label { color: #9aa6ba; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; }
.now { font-size: 15px; font-weight: 600; }
.mode { font-size: 12px; color: #c8d1df; min-width: 86px; }
button { font: inherit; padding: 4px 10px; border-radius: 6px; border: 1px solid #c8d0dd; background: #fff; color: var(--text); cursor: pointer; }
header button { background: #2a3445; border-color: #3c4a61; color: #f4f6fa; }
header button:hover { background: #35425a; }
header button.primary { background: var(--run); border-color: var(--run); }
header button.primary:hover { background: #2459b8; }
button:disabled { opacity: .55; cursor: progress; }
.connection { padding: 2px 9px; border-radius: 10px; font-size: 12px; white-space: nowrap; background: #2a3445; color: #c8d1df; }
.connection.live { background: rgba(29, 138, 75, .25); color: #a6e9c0; }
.connection.lost { background: var(--bad); color: #fff; }
.connection.token { background: var(--warn); color: #fff; }
.auth { margin: 14px 20px 0; padding: 12px 14px; background: #fff8ea; border: 1px solid #f0d49b; border-radius: 8px; }
.auth h2 { margin: 0 0 4px; font-size: 14px; }
.auth p { margin: 0 0 8px; color: #6b4e16; }
.auth form { display: flex; gap: 8px; align-items: center; }
.auth input { font: inherit; padding: 4px 8px; border: 1px solid #c8d0dd; border-radius: 6px; width: 280px; }
main { display: grid; grid-template-columns: minmax(0, 1.4fr) minmax(0, 1fr); gap: 14px; padding: 14px 20px 20px; }
.column { display: flex; flex-direction: column; gap: 14px; min-width: 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; min-width: 0; }
.panel h2 { display: flex; align-items: baseline; gap: 8px; margin: 0 0 6px; font-size: 13px; font-weight: 650; }
.panel h2 .count { margin-left: auto; color: var(--muted); font-weight: 400; font-size: 12px; }
.panel h2 .what { color: var(--muted); font-weight: 400; font-size: 12px; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th { text-align: left; color: var(--muted); font-weight: 500; font-size: 11px; text-transform: uppercase; letter-spacing: .04em;
  padding: 3px 6px; border-bottom: 1px solid var(--line); }
td { padding: 5px 6px; border-bottom: 1px solid #eff1f4; vertical-align: middle; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
tr:last-child td { border-bottom: 0; }
.muted { color: var(--muted); }
.small { font-size: 11px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; font-size: 11px; font-weight: 600; background: #eef0f4; color: #475467; }
.badge.ok { background: #e2f3e9; color: var(--ok); }
.badge.run { background: #e5edfb; color: var(--run); }
.badge.bad { background: #fbe6e6; color: var(--bad); }
.badge.off { background: #eef0f3; color: var(--off); }
.bar { display: flex; align-items: center; gap: 6px; }
progress { width: 72px; height: 8px; appearance: none; border: 0; border-radius: 4px; background: #e7ebf1; }
progress::-webkit-progress-bar { background: #e7ebf1; border-radius: 4px; }
progress::-webkit-progress-value { background: var(--run); border-radius: 4px; }
progress.full::-webkit-progress-value { background: var(--ok); }
.chips { display: flex; gap: 4px; overflow: hidden; }
.chip { padding: 0 6px; border-radius: 4px; font-size: 11px; border: 1px solid #dfe3ea; background: #f7f8fa; }
.chip.ok { border-color: #b7e0c6; color: var(--ok); }
.chip.run { border-color: #b9cdf3; color: var(--run); }
.chip.bad { border-color: #f0bcbc; color: var(--bad); }
.chip.off { color: var(--off); }
.projects { margin-top: 6px; color: var(--muted); font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.code { font-weight: 600; }
.code.s2 { color: var(--ok); } .code.s3 { color: var(--off); } .code.s4 { color: var(--warn); } .code.s5 { color: var(--bad); }
.tag { font-size: 10px; padding: 0 4px; border-radius: 4px; background: #fbe6e6; color: var(--bad); margin-left: 5px; font-weight: 600; }
.tag.slow { background: #fdf1dc; color: var(--warn); }
.empty { color: var(--muted); font-style: italic; padding: 6px; }
@media (max-width: 1000px) { main { grid-template-columns: minmax(0, 1fr); } header { flex-wrap: wrap; } }
/* Column widths: table-layout fixed takes them from the header row. */
#prpm th:nth-child(1) { width: 14%; } #prpm th:nth-child(2) { width: 16%; } #prpm th:nth-child(3) { width: 14%; }
#prpm th:nth-child(4) { width: 23%; } #prpm th:nth-child(5) { width: 23%; } #prpm th:nth-child(6) { width: 10%; }
#explorer th:nth-child(1) { width: 24%; } #explorer th:nth-child(2) { width: 13%; } #explorer th:nth-child(3) { width: 22%; }
#explorer th:nth-child(4) { width: 19%; } #explorer th:nth-child(5) { width: 22%; }
#modelarts th:nth-child(1) { width: 25%; } #modelarts th:nth-child(2) { width: 15%; } #modelarts th:nth-child(3) { width: 14%; }
#modelarts th:nth-child(4) { width: 21%; } #modelarts th:nth-child(5) { width: 9%; } #modelarts th:nth-child(6) { width: 16%; }
#faults th:nth-child(1) { width: 18%; } #faults th:nth-child(2) { width: 36%; } #faults th:nth-child(3) { width: 18%; }
#faults th:nth-child(4) { width: 14%; } #faults th:nth-child(5) { width: 14%; }
#journal th:nth-child(1) { width: 15%; } #journal th:nth-child(2) { width: 17%; } #journal th:nth-child(3) { width: 38%; }
#journal th:nth-child(4) { width: 19%; } #journal th:nth-child(5) { width: 11%; }
`

// No template literals in here: it sits inside one.
const SCRIPT = `
'use strict';
(() => {
  const PREFIX = document.documentElement.dataset.prefix;
  const POLL_MS = 1000;
  const TOKEN_KEY = 'resultbox.controlToken';
  const $ = (id) => document.getElementById(id);
  let timer = null;
  let inFlight = false;
  let again = false;
  let waitingForToken = false;
  let clock = null;

  // A token in the fragment (never sent to the server) is kept for this tab, then taken out of the address bar.
  const fromFragment = /^#token=(.+)$/.exec(location.hash);
  if (fromFragment) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromFragment[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  class Unauthorized extends Error {}

  async function call(method, path, body) {
    const headers = { accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = 'Bearer ' + token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(PREFIX + path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (response.status === 401) throw new Unauthorized((data && data.message) || 'the control API wants a token');
    if (!response.ok) throw new Error(method + ' ' + path + ' answered ' + response.status + (data && data.message ? ': ' + data.message : ''));
    return data;
  }

  function el(tag, options, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(options || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  const KIND = {
    processing: 'run', preparing: 'run', initialized: 'run', running: 'run', stopping: 'run',
    WAITING: 'run', PREPROCESSING: 'run', TRAINING: 'run', STREAMING: 'run', SIMULATING: 'run',
    complete: 'ok', success: 'ok', completed: 'ok', TRAINED: 'ok',
    failed: 'bad', ERROR: 'bad', interrupted: 'off', stopped: 'off',
  };
  const badge = (name, title) => el('span', { class: 'badge ' + (KIND[name] || ''), text: name, title });

  function bar(progress, unit, label) {
    const full = progress.total > 0 && progress.done >= progress.total;
    return el('div', { class: 'bar' }, [
      el('progress', { class: full ? 'full' : '', max: Math.max(progress.total, 1), value: progress.done, 'aria-label': label + ': ' + progress.done + ' of ' + progress.total + ' ' + unit }),
      el('span', { class: 'small', text: progress.done + ' / ' + progress.total + ' ' + unit }),
    ]);
  }

  function relative(iso) {
    if (!iso || !clock) return '';
    const seconds = Math.round((Date.parse(iso) - clock.now_ms) / 1000);
    const size = Math.abs(seconds);
    const amount = size < 120 ? size + ' s' : size < 7200 ? Math.round(size / 60) + ' min' : size < 172800 ? Math.round(size / 3600) + ' h' : Math.round(size / 86400) + ' d';
    return seconds === 0 ? 'now' : seconds > 0 ? 'in ' + amount : amount + ' ago';
  }
  const timeCell = (iso) => el('td', { class: 'muted', text: relative(iso), title: iso });
  const nextCell = (next) => next
    ? el('td', { title: next.what + ' at ' + next.at }, [el('span', { text: next.what + ' ' }), el('span', { class: 'muted', text: relative(next.at) })])
    : el('td', { class: 'muted', text: '–' });

  function fill(id, rows, empty, columns) {
    const body = $(id);
    body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, [el('td', { class: 'empty', colspan: columns, text: empty })])]));
  }
  function count(id, shown, total, noun) {
    const nouns = total === 1 ? noun : noun + 's';
    $(id).textContent = shown < total ? 'newest ' + shown + ' of ' + total + ' ' + nouns : total + ' ' + nouns;
  }

  function renderClock(state) {
    clock = state;
    const now = $('clock-now');
    now.textContent = state.now.replace('T', ' ').replace('Z', ' UTC');
    now.setAttribute('datetime', state.now);
    $('clock-mode').textContent = state.frozen ? 'frozen' : 'running ×' + state.speed;
    $('freeze').textContent = state.frozen ? 'Unfreeze' : 'Freeze';
    $('freeze').setAttribute('aria-pressed', String(state.frozen));
  }

  function renderPrpm(part) {
    fill('prpm-rows', part.results.map((result) => el('tr', { 'data-key': result.result_key }, [
      el('td', { class: 'mono', text: result.result_key, title: result.result_url }),
      el('td', { text: '#' + result.project_id + ' ' + result.project_status }),
      el('td', {}, [badge(result.status)]),
      el('td', {}, [bar(result.progress, 'plugins', result.result_key)]),
      nextCell(result.next),
      timeCell(result.created_at),
    ])), 'No results. POST /_resultbox/scenarios/prpm makes one.', 6);
    count('prpm-count', part.results.length, part.total, 'result');
    $('prpm-projects').replaceChildren(el('span', { text: 'Projects: ' }), ...part.projects.map((project, index) =>
      el('span', { title: project.name || '', text: (index > 0 ? ' · ' : '') + '#' + project.id + ' ' + project.status + (project.next ? ' (' + project.next.what + ' ' + relative(project.next.at) + ')' : '') })));
  }

  function renderExplorer(part) {
    fill('explorer-rows', part.jobs.map((job) => el('tr', { 'data-key': String(job.id) }, [
      el('td', { title: job.name + ' · ' + job.job_url }, [el('span', { class: 'mono', text: String(job.id) }), el('span', { class: 'muted small', text: ' ' + job.name })]),
      el('td', {}, [badge(job.status_name, 'status ' + job.status)]),
      el('td', {}, [bar(job.progress, 'tasks', 'job ' + job.id)]),
      el('td', {}, [el('div', { class: 'chips' }, job.tasks.map((task) =>
        el('span', { class: 'chip ' + (KIND[task.status_name] || ''), text: task.name, title: task.id + ': ' + task.status_name + ' (' + task.status + ')' })))]),
      nextCell(job.next),
    ])), 'No jobs. POST /_resultbox/scenarios/explorer makes one.', 5);
    count('explorer-count', part.jobs.length, part.total, 'job');
  }

  function renderModelArts(part) {
    fill('modelarts-rows', part.versions.map((version) => el('tr', { 'data-key': version.version_id }, [
      el('td', { title: version.version_url }, [el('span', { text: version.version_name + ' ' }), el('span', { class: 'mono muted small', text: version.version_id })]),
      el('td', { text: version.task_name, title: version.task_id }),
      el('td', {}, [badge(version.status_name, 'status ' + version.status)]),
      el('td', {}, [bar(version.progress, 'steps', version.version_id)]),
      el('td', { class: 'muted', text: String(version.sample_count) }),
      nextCell(version.next),
    ])), 'No versions. POST /_resultbox/scenarios/modelarts makes one.', 6);
    count('modelarts-count', part.versions.length, part.total, 'version');
  }

  function effect(rule) {
    const parts = [];
    if (rule.latency) parts.push('fixed_ms' in rule.latency ? rule.latency.fixed_ms + ' ms' : rule.latency.min_ms + '–' + rule.latency.max_ms + ' ms');
    if (rule.error) parts.push(rule.error.status + (rule.error.probability < 1 ? ' at p=' + rule.error.probability : ''));
    return parts.join(' + ');
  }

  function renderFaults(state) {
    fill('fault-rows', state.rules.map((rule, index) => el('tr', { 'data-key': String(index) }, [
      el('td', { text: rule.vendor }),
      el('td', { class: 'mono', text: rule.operation || 'every request' }),
      el('td', { text: effect(rule) }),
      el('td', { text: String(rule.matched) }),
      el('td', { text: String(rule.injected) }),
    ])), 'No faults. PUT /_resultbox/faults installs some.', 5);
    $('fault-count').textContent = state.rules.length > 0 ? 'seed ' + state.seed : '';
  }

  // A rule that injected the status is marked as such; one that only delayed the request shows the delay.
  function faultTag(fault) {
    if (!fault) return null;
    const title = 'fault rule ' + fault.rule + ', ' + fault.latency_ms + ' ms latency';
    return fault.injected_status === null
      ? el('span', { class: 'tag slow', text: '+' + fault.latency_ms + ' ms', title })
      : el('span', { class: 'tag', text: 'fault', title });
  }

  function renderJournal(journal) {
    fill('journal-rows', journal.requests.map((entry) => el('tr', { 'data-key': String(entry.id) }, [
      el('td', { class: 'mono small muted', text: entry.time.slice(11, 19), title: entry.time }),
      el('td', { text: entry.vendor }),
      el('td', { class: 'mono small', title: entry.method + ' ' + entry.path + (entry.query ? '?' + entry.query : '') + (entry.operation ? ' · ' + entry.operation : '') }, [
        el('span', { text: entry.method + ' ' + entry.path }),
      ]),
      el('td', {}, [el('span', { class: 'code s' + String(entry.status).charAt(0), text: String(entry.status) }), faultTag(entry.fault)]),
      el('td', { class: 'muted small', text: Math.round(entry.duration_ms) + ' ms' }),
    ])), 'No vendor requests yet.', 5);
    count('journal-count', journal.requests.length, journal.total, 'request');
  }

  function setConnection(kind, text) {
    const node = $('connection');
    node.className = 'connection ' + kind;
    node.textContent = text;
  }

  function askForToken(message) {
    waitingForToken = true;
    $('auth').hidden = false;
    $('auth-message').textContent = sessionStorage.getItem(TOKEN_KEY)
      ? 'The control API refused the token (' + message + '). Enter RESULTBOX_CONTROL_TOKEN again.'
      : 'The control API wants a token: RESULTBOX_CONTROL_TOKEN. It is kept in this tab only.';
    setConnection('token', 'token needed');
    $('token').focus();
  }

  async function refresh() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    clearTimeout(timer);
    try {
      const [state, faults, journal] = await Promise.all([call('GET', '/state'), call('GET', '/faults'), call('GET', '/requests?limit=20')]);
      waitingForToken = false;
      $('auth').hidden = true;
      renderClock(state.clock);
      renderPrpm(state.prpm);
      renderExplorer(state.explorer);
      renderModelArts(state.modelarts);
      renderFaults(faults);
      renderJournal(journal);
      setConnection('live', 'live');
    } catch (error) {
      if (error instanceof Unauthorized) askForToken(error.message);
      else setConnection('lost', 'connection lost: ' + error.message);
    } finally {
      inFlight = false;
      if (again) { again = false; timer = setTimeout(refresh, 0); }
      else if (!waitingForToken) timer = setTimeout(refresh, POLL_MS);
    }
  }

  async function changeClock(change) {
    const buttons = document.querySelectorAll('header button');
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await call('POST', '/clock', change);
    } catch (error) {
      if (error instanceof Unauthorized) askForToken(error.message);
      else setConnection('lost', 'the clock did not move: ' + error.message);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
    if (!waitingForToken) refresh();
  }

  document.querySelectorAll('[data-advance]').forEach((button) =>
    button.addEventListener('click', () => changeClock({ advance_ms: Number(button.dataset.advance) })));
  $('freeze').addEventListener('click', () => changeClock({ frozen: !(clock && clock.frozen) }));
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
    $('token').value = '';
    waitingForToken = false;
    setConnection('', 'connecting…');
    refresh();
  });
  refresh();
})();
`

function page(prefix: string): string {
  return `<!doctype html>
<html lang="en" data-prefix="${prefix}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>resultbox status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <div><h1>resultbox<span class="sub">sandbox status</span></h1></div>
  <div id="connection" class="connection" role="status" aria-live="polite">connecting…</div>
  <div class="clock" role="group" aria-label="Sandbox clock">
    <span class="label">Sandbox clock</span>
    <time id="clock-now" class="now">–</time>
    <span id="clock-mode" class="mode"></span>
    <button type="button" data-advance="1000" aria-label="Advance clock 1 s">+1 s</button>
    <button type="button" class="primary" data-advance="10000" aria-label="Advance clock 10 s">+10 s</button>
    <button type="button" data-advance="60000" aria-label="Advance clock 1 min">+1 min</button>
    <button type="button" id="freeze" aria-pressed="false">Freeze</button>
  </div>
</header>
<section id="auth" class="auth" hidden aria-labelledby="auth-title">
  <h2 id="auth-title">Control API token</h2>
  <p id="auth-message"></p>
  <form id="token-form">
    <label for="token">Token</label>
    <input id="token" name="token" type="password" autocomplete="off" required>
    <button type="submit">Use token</button>
  </form>
</section>
<main>
  <div class="column">
    <section class="panel" id="prpm" aria-labelledby="prpm-title">
      <h2 id="prpm-title">PrPM <span class="what">results</span><span id="prpm-count" class="count"></span></h2>
      <table>
        <thead><tr><th>Result</th><th>Project</th><th>Status</th><th>Plugins</th><th>Next</th><th>Created</th></tr></thead>
        <tbody id="prpm-rows"></tbody>
      </table>
      <div id="prpm-projects" class="projects"></div>
    </section>
    <section class="panel" id="explorer" aria-labelledby="explorer-title">
      <h2 id="explorer-title">NebulaGraph Explorer <span class="what">jobs</span><span id="explorer-count" class="count"></span></h2>
      <table>
        <thead><tr><th>Job</th><th>Status</th><th>Tasks</th><th>Task status</th><th>Next</th></tr></thead>
        <tbody id="explorer-rows"></tbody>
      </table>
    </section>
    <section class="panel" id="modelarts" aria-labelledby="modelarts-title">
      <h2 id="modelarts-title">ModelArts <span class="what">versions</span><span id="modelarts-count" class="count"></span></h2>
      <table>
        <thead><tr><th>Version</th><th>Task</th><th>Status</th><th>Progress</th><th>Samples</th><th>Next</th></tr></thead>
        <tbody id="modelarts-rows"></tbody>
      </table>
    </section>
  </div>
  <div class="column">
    <section class="panel" id="faults" aria-labelledby="faults-title">
      <h2 id="faults-title">Faults<span id="fault-count" class="count"></span></h2>
      <table>
        <thead><tr><th>Vendor</th><th>Operation</th><th>Effect</th><th>Matched</th><th>Injected</th></tr></thead>
        <tbody id="fault-rows"></tbody>
      </table>
    </section>
    <section class="panel" id="journal" aria-labelledby="journal-title">
      <h2 id="journal-title">Journal <span class="what">newest vendor requests</span><span id="journal-count" class="count"></span></h2>
      <table>
        <thead><tr><th>Time</th><th>Vendor</th><th>Request</th><th>Status</th><th>Took</th></tr></thead>
        <tbody id="journal-rows"></tbody>
      </table>
    </section>
  </div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/**
 * Only this page's own style and script run, and it talks to its own origin
 * only: were some client's journaled path ever rendered as markup by mistake,
 * it still could not run.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * GET /_resultbox/: the status page. Open without the control token, like
 * the docs page: the page itself holds nothing, and the data it reads asks
 * for the token.
 */
export const statusPageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const html = page(app.prefix)

  app.get(
    '/',
    {
      // Only the slashed form: the page is one URL, and /_resultbox redirects to it.
      prefixTrailingSlash: 'slash',
      schema: {
        operationId: 'getStatusPage',
        tags: ['control'],
        summary: 'The status page: results, jobs and versions with progress, the clock, faults and the journal, live',
        response: {
          200: { description: 'an HTML page with its CSS and script inline; it reads GET /_resultbox/state, /faults and /requests', content: { 'text/html': { schema: Type.String() } } },
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(html),
  )
  app.get('', { prefixTrailingSlash: 'no-slash', schema: { hide: true } }, async (_request, reply) => reply.redirect(`${app.prefix}/`, 302))
}

// @ts-check
// The status page's script, served inline as it is here (the page's CSP names its hash). Plain JavaScript,
// typed by JSDoc: tsconfig.json beside it has the build check it as the browser runs it.

/**
 * The shapes the page reads, as the control API sends them (GET /_resultbox/state, /faults, /requests).
 * @typedef {{ done: number, total: number }} Progress
 * @typedef {{ what: string, at: string } | null} Next
 * @typedef {{ now: string, now_ms: number, frozen: boolean, speed: number }} Clock
 * @typedef {{ result_key: string, result_url: string, project_id: number, project_status: string, status: string, progress: Progress, next: Next, created_at: string }} PrpmResult
 * @typedef {{ id: number, name: string | null, status: string, next: Next }} PrpmProject
 * @typedef {{ posted: number, total: number, next_post_at: string | null }} PrpmSimulator
 * @typedef {{ project_id: number, kind: string, status: string, started_at: string, finished_at: string | null, events: number, prescribed: number, sent: number, cases: number, reader: boolean, simulation: PrpmSimulator | null, result_url: string }} PrpmStream
 * @typedef {{ results: PrpmResult[], projects: PrpmProject[], total: number, streams: PrpmStream[], streams_total: number }} PrpmPart
 * @typedef {{ id: string, name: string, status: number, status_name: string }} ExplorerTask
 * @typedef {{ id: number, name: string, job_url: string, status: number, status_name: string, progress: Progress, tasks: ExplorerTask[], next: Next }} ExplorerJob
 * @typedef {{ id: string, name: string, tasks: string[], jobs_url: string }} ExplorerWorkflow
 * @typedef {{ jobs: ExplorerJob[], total: number, workflows: ExplorerWorkflow[] }} ExplorerPart
 * @typedef {{ sample_id: string, origin_url: string, processed_url: string }} Preview
 * @typedef {{ version_id: string, version_name: string, version_url: string, task_id: string, task_name: string, status: number, status_name: string, progress: Progress, sample_count: number, next: Next, previews: Preview[] }} ModelArtsVersion
 * @typedef {{ versions: ModelArtsVersion[], total: number }} ModelArtsPart
 * @typedef {{ clock: Clock, prpm: PrpmPart, explorer: ExplorerPart, modelarts: ModelArtsPart }} State
 * @typedef {{ fixed_ms: number } | { min_ms: number, max_ms: number }} Latency
 * @typedef {{ vendor: string, operation?: string, latency?: Latency, error?: { status: number, probability: number }, matched: number, injected: number }} FaultRule
 * @typedef {{ seed: number, rules: FaultRule[] }} FaultState
 * @typedef {{ rule: number, latency_ms: number, injected_status: number | null }} AppliedFault
 * @typedef {{ id: number, time: string, vendor: string, operation: string | null, method: string, path: string, query: string, status: number | null, duration_ms: number, aborted: boolean, fault: AppliedFault | null }} JournalEntry
 * @typedef {{ requests: JournalEntry[], total: number }} Journal
 * @typedef {{ advance_ms: number } | { frozen: boolean }} ClockChange
 * @typedef {{ name: string, base_path: string, port: number | null, port_url: string | null, clock: Clock, requests: number, last_used_at: string, created_at: string }} NamedSandbox
 * @typedef {{ total: number, max: number, sandboxes: NamedSandbox[] }} SandboxList
 */

'use strict';
(() => {
  const PREFIX = document.documentElement.dataset.prefix ?? '';
  // A named sandbox's page is reached under its prefix: /sandboxes/{name}/_resultbox.
  const SANDBOX = /^\/sandboxes\/([a-z0-9-]+)\//.exec(PREFIX)?.[1] ?? null;
  const POLL_MS = 1000;
  const TOKEN_KEY = 'resultbox.controlToken';
  /** @param {string} id */
  const $ = (id) => {
    const node = document.getElementById(id);
    if (node === null) throw new Error('the page has no #' + id);
    return node;
  };
  /** @param {string} id */
  const input = (id) => /** @type {HTMLInputElement} */ ($(id));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let inFlight = false;
  let again = false;
  let waitingForToken = false;
  /** @type {Clock | null} */
  let clock = null;

  // A token in the fragment (never sent to the server) is kept for this tab, then taken out of the address bar.
  const fromFragment = /^#token=(.+)$/.exec(location.hash);
  if (fromFragment?.[1] !== undefined) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(fromFragment[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }

  class Unauthorized extends Error {}

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>} the answer's JSON, as the control API documents it
   */
  async function call(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.authorization = 'Bearer ' + token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(PREFIX + path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    /** @type {{ message?: string } | null} */
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (response.status === 401) throw new Unauthorized((data && data.message) || 'the control API wants a token');
    if (!response.ok) throw new Error(method + ' ' + path + ' answered ' + response.status + (data && data.message ? ': ' + data.message : ''));
    return data;
  }

  /**
   * An element whose text and attributes go in as text, never as markup.
   * @param {string} tag
   * @param {Record<string, string | number | boolean | null | undefined>} [options]
   * @param {Array<Node | string | null>} [children]
   */
  function el(tag, options, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(options || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else if (name === 'class') node.className = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  /** @type {Record<string, string>} */
  const KIND = {
    processing: 'run', streaming: 'run', finished: 'off', preparing: 'run', initialized: 'run', running: 'run', stopping: 'run',
    WAITING: 'run', PREPROCESSING: 'run', TRAINING: 'run', STREAMING: 'run', SIMULATING: 'run',
    complete: 'ok', success: 'ok', completed: 'ok', TRAINED: 'ok',
    failed: 'bad', ERROR: 'bad', interrupted: 'off', stopped: 'off',
  };
  /** @param {string} name @param {string} [title] */
  const badge = (name, title) => el('span', { class: 'badge ' + (KIND[name] || ''), text: name, title });

  /** @param {Progress} progress @param {string} unit @param {string} label */
  function bar(progress, unit, label) {
    const full = progress.total > 0 && progress.done >= progress.total;
    return el('div', { class: 'bar' }, [
      el('progress', { class: full ? 'full' : '', max: Math.max(progress.total, 1), value: progress.done, 'aria-label': label + ': ' + progress.done + ' of ' + progress.total + ' ' + unit }),
      el('span', { class: 'small', text: progress.done + ' / ' + progress.total + ' ' + unit }),
    ]);
  }

  /** @param {string | null} iso */
  function relative(iso) {
    if (!iso || !clock) return '';
    const seconds = Math.round((Date.parse(iso) - clock.now_ms) / 1000);
    const size = Math.abs(seconds);
    const amount = size < 120 ? size + ' s' : size < 7200 ? Math.round(size / 60) + ' min' : size < 172800 ? Math.round(size / 3600) + ' h' : Math.round(size / 86400) + ' d';
    return seconds === 0 ? 'now' : seconds > 0 ? 'in ' + amount : amount + ' ago';
  }
  /** @param {string} iso */
  const timeCell = (iso) => el('td', { class: 'muted', text: relative(iso), title: iso });
  /** @param {Next} next */
  const nextCell = (next) => next
    ? el('td', { title: next.what + ' at ' + next.at }, [el('span', { text: next.what + ' ' }), el('span', { class: 'muted', text: relative(next.at) })])
    : el('td', { class: 'muted', text: '–' });

  /** @param {string} id @param {HTMLElement[]} rows @param {string} empty @param {number} columns */
  function fill(id, rows, empty, columns) {
    $(id).replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, [el('td', { class: 'empty', colspan: columns, text: empty })])]));
  }
  /** @param {number} amount @param {string} noun */
  const plural = (amount, noun) => amount + ' ' + (amount === 1 ? noun : noun + 's');
  /** @param {string} id @param {number} shown @param {number} total @param {string} noun */
  function count(id, shown, total, noun) {
    const nouns = total === 1 ? noun : noun + 's';
    $(id).textContent = shown < total ? 'newest ' + shown + ' of ' + total + ' ' + nouns : total + ' ' + nouns;
  }

  /** @param {Clock} state */
  function renderClock(state) {
    clock = state;
    const now = $('clock-now');
    now.textContent = state.now.replace('T', ' ').replace('Z', ' UTC');
    now.setAttribute('datetime', state.now);
    $('clock-mode').textContent = state.frozen ? 'frozen' : 'running ×' + state.speed;
    $('freeze').textContent = state.frozen ? 'Unfreeze' : 'Freeze';
    $('freeze').setAttribute('aria-pressed', String(state.frozen));
  }

  /** @param {PrpmPart} part */
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
    fill('prpm-streams-rows', part.streams.map(streamRow), 'No streams. PUT /project/{id}/stream/start, or a scenario with "stream", starts one.', 7);
    count('prpm-streams-count', part.streams.length, part.streams_total, 'stream');
  }

  /** @param {PrpmStream} stream */
  function streamRow(stream) {
    const simulation = stream.simulation;
    const times = 'started ' + stream.started_at + (stream.finished_at ? ', finished ' + stream.finished_at : '');
    return el('tr', { 'data-key': String(stream.project_id) }, [
      el('td', { title: stream.result_url }, [el('span', { text: '#' + stream.project_id + ' ' }), el('span', { class: 'muted small', text: stream.kind })]),
      el('td', { title: times }, [badge(stream.status)]),
      el('td', { text: stream.events + ' · ' + plural(stream.cases, 'case'), title: plural(stream.events, 'event') + ' posted, of ' + plural(stream.cases, 'case') }),
      el('td', { text: String(stream.prescribed), title: 'events whose prescriptions are due by now' }),
      el('td', { text: String(stream.sent), title: 'events sent to a reader of ' + stream.result_url }),
      el('td', {}, [el('span', { class: stream.reader ? 'reader on' : 'reader', text: stream.reader ? 'connected' : 'none' })]),
      simulation
        ? el('td', { title: simulation.next_post_at ? 'next row ' + relative(simulation.next_post_at) : 'every row posted' }, [
          bar({ done: simulation.posted, total: simulation.total }, 'rows', 'simulator of project ' + stream.project_id)])
        : el('td', { class: 'muted', text: '–', title: 'a client posts the events' }),
    ]);
  }

  /** @param {ExplorerPart} part */
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
    $('explorer-workflows').replaceChildren(el('span', { text: 'Workflows: ' }), ...part.workflows.map((workflow, index) =>
      el('span', { title: workflow.tasks.join(' → ') + ' · ' + workflow.jobs_url, text: (index > 0 ? ' · ' : '') + '#' + workflow.id + ' ' + workflow.name })));
  }

  /**
   * Thumbnails by object: each poll signs the URLs anew (a later Expires), and an image made once is moved
   * into the new row rather than fetched again every second.
   * @type {Map<string, HTMLImageElement>}
   */
  const thumbnails = new Map();
  /** @param {string} url @param {string} label */
  function thumbnail(url, label) {
    const object = url.split('?')[0] ?? url;
    let image = thumbnails.get(object);
    if (!image) {
      image = /** @type {HTMLImageElement} */ (el('img', { src: url, alt: label, title: object, width: 64, height: 48, loading: 'lazy' }));
      thumbnails.set(object, image);
    }
    return image;
  }

  /** @param {ModelArtsVersion} version */
  function previewRow(version) {
    if (version.previews.length === 0) return null;
    return el('tr', { class: 'previews', 'data-key': version.version_id + '-previews' }, [el('td', { colspan: 6 }, version.previews.map((preview) =>
      el('span', { class: 'preview', 'data-key': preview.sample_id }, [
        thumbnail(preview.origin_url, 'origin of ' + preview.sample_id),
        el('span', { class: 'muted', text: '→' }),
        preview.processed_url ? thumbnail(preview.processed_url, 'processed ' + preview.sample_id) : el('span', { class: 'muted small gone', text: 'deleted' }),
      ])))]);
  }

  /** @param {ModelArtsPart} part */
  function renderModelArts(part) {
    fill('modelarts-rows', part.versions.flatMap((version) => [el('tr', { 'data-key': version.version_id }, [
      el('td', { title: version.version_url }, [el('span', { text: version.version_name + ' ' }), el('span', { class: 'mono muted small', text: version.version_id })]),
      el('td', { text: version.task_name, title: version.task_id }),
      el('td', {}, [badge(version.status_name, 'status ' + version.status)]),
      el('td', {}, [bar(version.progress, 'steps', version.version_id)]),
      el('td', { class: 'muted', text: String(version.sample_count) }),
      nextCell(version.next),
    ]), previewRow(version)].filter((row) => row !== null)), 'No versions. POST /_resultbox/scenarios/modelarts makes one.', 6);
    count('modelarts-count', part.versions.length, part.total, 'version');
  }

  /** @param {FaultRule} rule */
  function effect(rule) {
    const parts = [];
    if (rule.latency) parts.push('fixed_ms' in rule.latency ? rule.latency.fixed_ms + ' ms' : rule.latency.min_ms + '–' + rule.latency.max_ms + ' ms');
    if (rule.error) parts.push(rule.error.status + (rule.error.probability < 1 ? ' at p=' + rule.error.probability : ''));
    return parts.join(' + ');
  }

  /** @param {FaultState} state */
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
  /** @param {AppliedFault | null} fault */
  function faultTag(fault) {
    if (!fault) return null;
    const title = 'fault rule ' + fault.rule + ', ' + fault.latency_ms + ' ms latency';
    return fault.injected_status === null
      ? el('span', { class: 'tag slow', text: '+' + fault.latency_ms + ' ms', title })
      : el('span', { class: 'tag', text: 'fault', title });
  }

  /** @param {Journal} journal */
  function renderJournal(journal) {
    fill('journal-rows', journal.requests.map((entry) => el('tr', { 'data-key': String(entry.id) }, [
      el('td', { class: 'mono small muted', text: entry.time.slice(11, 19), title: entry.time }),
      el('td', { text: entry.vendor }),
      el('td', { class: 'mono small', title: entry.method + ' ' + entry.path + (entry.query ? '?' + entry.query : '') + (entry.operation ? ' · ' + entry.operation : '') }, [
        el('span', { text: entry.method + ' ' + entry.path }),
      ]),
      el('td', {}, [
        entry.status === null
          ? el('span', { class: 'code muted', text: '–', title: 'the client left before an answer began' })
          : el('span', { class: 'code s' + String(entry.status).charAt(0), text: String(entry.status) }),
        entry.aborted ? el('span', { class: 'tag slow', text: 'left', title: 'the client closed the connection before the answer ended' }) : null,
        faultTag(entry.fault),
      ]),
      el('td', { class: 'muted small', text: Math.round(entry.duration_ms) + ' ms' }),
    ])), 'No vendor requests yet.', 5);
    count('journal-count', journal.requests.length, journal.total, 'request');
  }

  /** @param {string} iso real time */
  function realAgo(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return seconds < 120 ? seconds + ' s ago' : seconds < 7200 ? Math.round(seconds / 60) + ' min ago' : Math.round(seconds / 3600) + ' h ago';
  }

  /** The server's page lists its named sandboxes, each linked to its own page. @param {SandboxList} list */
  function renderSandboxes(list) {
    $('sandboxes').hidden = false;
    fill('sandboxes-rows', list.sandboxes.map((sandbox) => el('tr', { 'data-key': sandbox.name }, [
      el('td', {}, [el('a', { href: sandbox.base_path + '/_resultbox/', text: sandbox.name, title: 'its status page' })]),
      el('td', { class: 'small', text: sandbox.clock.now.slice(0, 19).replace('T', ' ') + (sandbox.clock.frozen ? ' frozen' : ''), title: sandbox.clock.now }),
      el('td', { class: 'mono', text: sandbox.port === null ? '–' : String(sandbox.port), title: sandbox.port_url || 'under ' + sandbox.base_path + ' only' }),
      el('td', { text: String(sandbox.requests) }),
      el('td', { class: 'muted', text: realAgo(sandbox.last_used_at), title: sandbox.last_used_at }),
    ])), 'No named sandboxes. PUT /_resultbox/sandboxes/{name} makes one.', 5);
    $('sandboxes-count').textContent = list.total + ' of at most ' + list.max;
  }

  /** @param {string} kind @param {string} text */
  function setConnection(kind, text) {
    const node = $('connection');
    node.className = 'connection ' + kind;
    node.textContent = text;
  }

  /** @param {string} message */
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
      /** @type {[State, FaultState, Journal, SandboxList | null]} */
      const [state, faults, journal, sandboxes] = await Promise.all([
        call('GET', '/state'), call('GET', '/faults'), call('GET', '/requests?limit=20'), SANDBOX === null ? call('GET', '/sandboxes') : Promise.resolve(null),
      ]);
      waitingForToken = false;
      $('auth').hidden = true;
      renderClock(state.clock);
      renderPrpm(state.prpm);
      renderExplorer(state.explorer);
      renderModelArts(state.modelarts);
      renderFaults(faults);
      renderJournal(journal);
      if (sandboxes) renderSandboxes(sandboxes);
      setConnection('live', 'live');
    } catch (error) {
      if (error instanceof Unauthorized) askForToken(error.message);
      else setConnection('lost', 'connection lost: ' + /** @type {Error} */ (error).message);
    } finally {
      inFlight = false;
      if (again) { again = false; timer = setTimeout(refresh, 0); }
      else if (!waitingForToken) timer = setTimeout(refresh, POLL_MS);
    }
  }

  /** @param {ClockChange} change */
  async function changeClock(change) {
    /** @type {NodeListOf<HTMLButtonElement>} */
    const buttons = document.querySelectorAll('header button');
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await call('POST', '/clock', change);
    } catch (error) {
      if (error instanceof Unauthorized) askForToken(error.message);
      else setConnection('lost', 'the clock did not move: ' + /** @type {Error} */ (error).message);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
    if (!waitingForToken) refresh();
  }

  /** @type {NodeListOf<HTMLButtonElement>} */ (document.querySelectorAll('[data-advance]')).forEach((button) =>
    button.addEventListener('click', () => changeClock({ advance_ms: Number(button.dataset.advance) })));
  $('freeze').addEventListener('click', () => changeClock({ frozen: !(clock && clock.frozen) }));
  if (SANDBOX !== null) {
    $('world').replaceChildren(el('span', { text: 'sandbox ' + SANDBOX + ' · ' }), el('a', { href: '/_resultbox/', text: "the server's page" }));
    document.title = 'resultbox · ' + SANDBOX;
  }
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input('token').value);
    input('token').value = '';
    waitingForToken = false;
    setConnection('', 'connecting…');
    refresh();
  });
  refresh();
})();

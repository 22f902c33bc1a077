import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { EventSource } from 'eventsource'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { CREDENTIALS, get, startSandbox } from './helpers/sandbox.js'
import { DEFINITION, TRAINING_CSV, postForm, prpmRows, sendJson } from './helpers/prpm.js'

/*
 * PrCore's streaming as its SSE clients see it: a project started streaming, events posted,
 * prescriptions read live from GET /project/{id}/stream/result, on the sandbox clock (a frozen
 * clock holds them), and the simulator replaying the simulation dataset by itself. The reader
 * polls on real time: these tests make it poll every 20 ms.
 */

const auth = CREDENTIALS.prpm
const POLL = { RESULTBOX_PRPM_STREAM_POLL_MS: '20' }

interface SseEvent {
  id?: string
  event?: string
  data?: string
}

/** Server-Sent Events as a client reads them: events end with a blank line, lines end CRLF. */
function parseSse(text: string): SseEvent[] {
  return text.split('\r\n\r\n').filter(Boolean).map((block) => {
    const event: SseEvent = {}
    for (const line of block.split('\r\n')) {
      const colon = line.indexOf(': ')
      event[line.slice(0, colon) as keyof SseEvent] = line.slice(colon + 2)
    }
    return event
  })
}

/** An event of case `caseId` with every column of the seeded projects' definition. */
const event = (caseId: string, activity: string, extra: Record<string, unknown> = {}) => ({
  'Case ID': caseId, Activity: activity, REG_DATE: '2011-10-01T00:00:00.000Z', Resource: 112, end_time: '2011-10-01 10:00:00.000',
  AMOUNT_REQ: 20000, start_time: '2011-10-01 10:00:00.000', ...extra,
})

const put = (app: FastifyInstance, url: string) => app.inject({ method: 'PUT', url, headers: auth })
const post = (app: FastifyInstance, projectId: number, body: unknown) => sendJson(app, 'POST', `/project/${projectId}/stream/event`, body)
const project = async (app: FastifyInstance, id: number) => (await get(app, `/project/${id}`, auth)).json().project
/** Waits for the reader's polls to have run (real time). */
const polls = (count = 3) => sleep(20 * count + 10)

t.test('stream/start, the checks in PrCore\'s order', async (t) => {
  const { app, clock } = await startSandbox(t)
  const started = await put(app, '/project/1/stream/start')
  t.equal(started.statusCode, 200)
  t.equal(started.body, '{"message":"Project streaming started successfully","project_id":1}')
  const streaming = await project(app, 1)
  t.equal(streaming.status, 'STREAMING')
  t.ok(streaming.plugins.every((plugin: { status: string }) => plugin.status === 'STREAMING'), 'the plugins have loaded their models')

  const refusals: [string, string][] = [
    ['/project/1/stream/start', 'Streaming already started'],
    ['/project/1/stream/start/simulating', 'Streaming already started'],
    ['/project/99/stream/start/bogus', 'Invalid streaming type'],
    ['/project/3/stream/start/trained', 'Invalid streaming type'],
    ['/project/99/stream/start', 'Project not found'],
    ['/project/2/stream/start', 'Project is in error status'],
  ]
  for (const [url, detail] of refusals) {
    const refused = await put(app, url)
    t.strictSame([refused.statusCode, refused.json()], [400, { detail }], `${url}: ${detail}`)
  }
  t.equal((await put(app, '/project/3/stream/start/SIMULATING')).statusCode, 200, 'the type in any case')
  t.strictSame((await put(app, '/project/3/stream/start')).json(), { detail: 'Simulation already started' })

  const uploaded = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json()
  await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: uploaded.event_log_id })).json()
  t.strictSame((await put(app, `/project/${created.project.id}/stream/start`)).json(), { detail: 'Project not trained' }, 'not while it pre-processes')
  clock.advance(42_000)
  t.equal((await put(app, `/project/${created.project.id}/stream/start`)).statusCode, 200, 'a trained client project streams')

  const stopped = await put(app, '/project/1/stream/stop')
  t.equal(stopped.body, '{"message":"Project streaming stopped successfully","project_id":1}')
  const after = await project(app, 1)
  t.equal(after.status, 'TRAINED')
  t.ok(after.plugins.every((plugin: { status: string }) => plugin.status === 'TRAINED'))
  t.strictSame((await put(app, '/project/1/stream/stop')).json(), { detail: 'Streaming not started' })
  t.strictSame((await put(app, '/project/2/stream/stop')).json(), { detail: 'Project is in error status' })
  t.strictSame((await put(app, '/project/99/stream/clear')).json(), { detail: 'Project not found' })
})

t.test('POST stream/event: checks, values as strings, the last event of a case', async (t) => {
  const { app } = await startSandbox(t)
  t.strictSame((await post(app, 1, event('c1', 'A_SUBMITTED'))).json(), { detail: 'Project not streaming' }, 'before stream/start')
  await put(app, '/project/1/stream/start')
  const rows = prpmRows(app)
  const refusals: [number, unknown, string][] = [
    [99, event('c1', 'A'), 'Project not found'],
    [1, { 'Case ID': 'c1', Activity: 'A' }, 'Missing pre-defined column REG_DATE'],
    [1, (({ AMOUNT_REQ: _amount, ...rest }) => rest)(event('c1', 'A')), 'Missing pre-defined column AMOUNT_REQ'],
  ]
  for (const [id, body, detail] of refusals) {
    const refused = await post(app, id, body)
    t.strictSame([refused.statusCode, refused.json()], [400, { detail }], detail)
  }
  const nested = await post(app, 1, event('c1', 'A', { Resource: { id: 1 }, AMOUNT_REQ: [1] }))
  t.equal(nested.statusCode, 400)
  t.equal(nested.headers['content-type'], undefined, 'PrCore\'s middleware: no Content-Type')
  t.strictSame(JSON.parse(nested.body), [
    { loc: ['attributes', 'Resource'], msg: 'str type expected', type: 'type_error.str' },
    { loc: ['attributes', 'AMOUNT_REQ'], msg: 'str type expected', type: 'type_error.str' },
  ])
  t.match(nested.body, /^\[\n {2}\{\n {4}"loc": \[\n/, 'indented by 2')
  for (const payload of ['{"Case ID": ', 'not json', '']) {
    const broken = await app.inject({ method: 'POST', url: '/project/1/stream/event', headers: { ...auth, 'content-type': 'application/json' }, payload })
    t.strictSame([broken.statusCode, broken.body, broken.headers['content-type']], [500, 'Internal server error', 'text/plain; charset=utf-8'], `${JSON.stringify(payload)}: PrCore reads the body itself`)
  }
  const bodiless = await app.inject({ method: 'POST', url: '/project/1/stream/event', headers: auth })
  t.strictSame([bodiless.statusCode, bodiless.body], [500, 'Internal server error'], 'no body at all: PrCore\'s json() fails too')
  const list = await post(app, 1, [event('c1', 'A')])
  t.equal(list.statusCode, 500, 'a JSON list is no event')
  t.strictSame(prpmRows(app), rows, 'no refusal stored an event')

  const accepted = await app.inject({ method: 'POST', url: '/project/1/stream/event', headers: { ...auth, 'content-type': 'text/plain' }, payload: JSON.stringify(event(' 7', 'A_SUBMITTED', { flag: false, ratio: 0.25, note: null })) })
  t.equal(accepted.statusCode, 200, 'any content type')
  t.equal(accepted.headers['content-type'], 'application/json')
  const body = accepted.json()
  t.strictSame(Object.keys(body), ['message', 'event'])
  t.equal(body.message, 'Event received successfully')
  t.strictSame(Object.keys(body.event), ['project_id', 'attributes', 'id', 'created_at', 'updated_at'])
  t.match(body.event, { project_id: 1, created_at: '2026-01-01T00:00:00.000000+00:00', updated_at: null })
  t.strictSame(body.event.attributes, {
    flag: 'False', note: null, ratio: '0.25', 'Case ID': ' 7', Activity: 'A_SUBMITTED', REG_DATE: '2011-10-01T00:00:00.000Z', Resource: '112',
    end_time: '2011-10-01 10:00:00.000', AMOUNT_REQ: '20000', start_time: '2011-10-01 10:00:00.000',
  }, 'strings in JSONB key order, null kept')
  for (const indicator of [true, 'TRUE', 1, '1']) {
    const last = (await post(app, 1, event('c2', 'A_APPROVED', { COMPLETE_INDICATOR: indicator }))).json()
    t.equal(last.message, 'Event received successfully, this is the last event of the case', `COMPLETE_INDICATOR ${JSON.stringify(indicator)}`)
  }
  for (const indicator of [false, 'false', 0, 'yes']) {
    t.equal((await post(app, 1, event('c3', 'A', { COMPLETE_INDICATOR: indicator }))).json().message, 'Event received successfully', `not last: ${JSON.stringify(indicator)}`)
  }
})

t.test('the SSE reader: CONNECTED, prescriptions once the clock releases them, FINISHED on stop', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  await put(app, '/project/1/stream/start')
  const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await polls()
  const second = await get(app, '/project/1/stream/result', auth)
  t.strictSame([second.statusCode, second.json()], [400, { detail: 'Project streaming result already be reading' }], 'one reader per project')
  await post(app, 1, event('c1', 'A_SUBMITTED'))
  await post(app, 1, event('c1', 'A_PARTLYSUBMITTED', { start_time: '2011-10-01 10:05:00.000' }))
  await polls(5)
  t.equal((app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_stream_events WHERE sent = 1').get() as { n: number }).n, 0, 'a frozen clock holds the prescriptions')
  clock.advance(1_000)
  await polls()
  await post(app, 1, event('c1', 'A_DECLINED', { COMPLETE_INDICATOR: true }))
  await polls()
  await put(app, '/project/1/stream/stop')
  const response = await reading
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/event-stream')
  t.equal(response.headers['cache-control'], 'no-cache')
  t.equal(response.headers['x-accel-buffering'], 'no')
  t.equal(response.headers['transfer-encoding'], 'chunked')
  t.ok(response.body.endsWith('\r\n\r\n'))
  const events = parseSse(response.body)
  t.strictSame(events[0], { id: '0', event: 'notification', data: 'CONNECTED' })
  const messages = events.filter((item) => item.event === 'message')
  t.strictSame(messages.map((item) => item.id), ['1', '2'])
  t.strictSame(events.at(-1), { id: '3', event: 'notification', data: 'FINISHED' }, 'FINISHED: messages sent plus one')
  const first = JSON.parse(messages[0]?.data as string)
  t.equal(first.length, 2, 'both events prescribed at once go in one message')
  t.match(messages[0]?.data, /^\[\{"id": \d+, "timestamp": /, 'Python\'s json.dumps separators')
  t.strictSame(Object.keys(first[0]), ['id', 'timestamp', 'case_completed', 'data', 'prescriptions'])
  t.match(first[0], { timestamp: '2026-01-01T00:00:01.000000+00:00', case_completed: false })
  t.strictSame(Object.keys(first[0].data), ['Case ID', 'Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time'])
  t.strictSame(Object.keys(first[0].prescriptions), ['plugin-knn-next-activity', 'plugin-random-forest-alarm', 'plugin-causallift-treatment-effect'], 'one per streaming plugin, JSONB key order')
  const alarm = first[0].prescriptions['plugin-random-forest-alarm']
  t.strictSame(Object.keys(alarm), ['date', 'type', 'output', 'plugin'])
  t.strictSame(Object.keys(alarm.plugin), ['name', 'model', 'recall', 'accuracy', 'f1_score', 'precision'])
  t.match(alarm, { type: 'ALARM', date: /^2026-01-01T00:00:01\.000\d{3}$/, plugin: { name: 'Random forest negative outcome probability', model: 'SIMPLE_INDEX-length-1' } })
  t.equal(first[1].prescriptions['plugin-knn-next-activity'].plugin.model, 'SIMPLE_INDEX-length-2', 'the case\'s events so far')
  const effect = first[0].prescriptions['plugin-causallift-treatment-effect']
  t.strictSame(effect.output.treatment, [[{ value: 'O_SENT_BACK', column: 'Activity', operator: 'EQUAL' }]])
  const last = JSON.parse(messages[1]?.data as string)
  t.equal(last.length, 1)
  t.match(last[0], { case_completed: true, prescriptions: {} }, 'a last event: no prescriptions, its case completed')
  t.notOk('COMPLETE_INDICATOR' in last[0].data, 'the indicator is left out of data')
  t.ok(JSON.parse(messages[0]?.data as string).every((item: { case_completed: boolean }) => item.case_completed === false), 'the flag as it was when sent')

  const notStreaming = await get(app, '/project/1/stream/result', auth)
  t.strictSame([notStreaming.statusCode, notStreaming.json()], [400, { detail: 'Project not streaming' }], 'a TRAINED project has nothing to read')
  t.strictSame((await get(app, '/project/2/stream/result', auth)).json(), { detail: 'Project is in error status' })
  t.strictSame((await get(app, '/project/99/stream/result', auth)).json(), { detail: 'Project not found' })
})

t.test('the same events give the same prescriptions; a later reader gets what piled up', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  await put(app, '/project/1/stream/start')
  await put(app, '/project/3/stream/start')
  for (const id of [1, 3]) {
    await post(app, id, event('k', 'A_SUBMITTED'))
    await post(app, id, event('k', 'A_ACCEPTED', { start_time: '2011-10-01 11:00:00.000' }))
  }
  clock.advance(1_000)
  const read = async (id: number) => {
    const reading = app.inject({ method: 'GET', url: `/project/${id}/stream/result`, headers: auth })
    await polls()
    await put(app, `/project/${id}/stream/stop`)
    return parseSse((await reading).body).filter((item) => item.event === 'message').map((item) => JSON.parse(item.data as string))
  }
  const [one, three] = [await read(1), await read(3)]
  t.equal(one.length, 1, 'what was prescribed before the reader came, in one message')
  t.strictSame(one[0].map((item: { prescriptions: unknown }) => item.prescriptions), three[0].map((item: { prescriptions: unknown }) => item.prescriptions))
  await put(app, '/project/1/stream/start')
  const again = await read(1)
  t.strictSame(again, [], 'sent events are never sent again')
})

t.test('pings every 15 polls, with no id', async (t) => {
  const { app } = await startSandbox(t, { env: POLL })
  await put(app, '/project/1/stream/start')
  const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await sleep(20 * 16 + 50)
  await put(app, '/project/1/stream/stop')
  const pings = parseSse((await reading).body).filter((item) => item.event === 'ping')
  t.ok(pings.length >= 1)
  t.match(pings[0], { data: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/ })
  t.equal(pings[0]?.id, undefined)
})

t.test('what ends a reader: clear, delete and redefinition; clear drops unsent events', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  const finishedBy = async (start: string, end: () => Promise<unknown>) => {
    await put(app, start)
    const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
    await polls()
    await end()
    return parseSse((await reading).body).at(-1)
  }
  t.match(await finishedBy('/project/1/stream/start', () => put(app, '/project/1/stream/clear')), { event: 'notification', data: 'FINISHED' }, 'clear')
  await put(app, '/project/1/stream/start')
  await post(app, 1, event('x', 'A'))
  await put(app, '/project/1/stream/clear')
  t.equal((app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_stream_events').get() as { n: number }).n, 0, 'every event gone')
  t.equal((await project(app, 1)).status, 'TRAINED')
  t.match(await finishedBy('/project/1/stream/start', () => sendJson(app, 'PUT', '/event_log/1', { columns_definition: { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', start_time: 'TIMESTAMP' } })), { data: 'FINISHED' }, 'redefinition')
  const waiting = await project(app, 1)
  t.equal(waiting.status, 'WAITING')
  t.ok(waiting.plugins.every((plugin: { status: string }) => plugin.status === 'WAITING'))
  const reading = (async () => {
    await put(app, '/project/3/stream/start')
    const pending = app.inject({ method: 'GET', url: '/project/3/stream/result', headers: auth })
    await polls()
    await app.inject({ method: 'DELETE', url: '/project/3', headers: auth })
    return pending
  })()
  t.match(parseSse((await reading).body).at(-1), { data: 'FINISHED' }, 'delete')
  // A clear while the project trains leaves it TRAINED, as PrCore's clear does.
  const uploaded = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json()
  await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: uploaded.event_log_id })).json()
  t.equal((await put(app, `/project/${created.project.id}/stream/clear`)).statusCode, 200)
  t.equal((await project(app, created.project.id)).status, 'TRAINED')
  clock.advance(60_000)
  t.equal((await project(app, created.project.id)).status, 'TRAINED', 'its training does not run on')
})

t.test('the simulator replays the simulation dataset on the clock', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  const simulationCsv = (await get(app, '/project/1/dataset/simulation', auth)).body.trim().split('\n').slice(1)
  t.equal((await put(app, '/project/1/stream/start/simulating')).body, '{"message":"Project streaming started successfully","project_id":1}')
  t.equal((await project(app, 1)).status, 'SIMULATING')
  const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await polls()
  // The first event goes at once, the next every 5 s; each is prescribed 1 s later.
  for (let second = 0; second < 11; second++) {
    clock.advance(1_000)
    await polls(2)
  }
  await put(app, '/project/1/stream/stop')
  const events = parseSse((await reading).body)
  const posted = events.filter((item) => item.event === 'message').flatMap((item) => JSON.parse(item.data as string))
  t.equal(posted.length, 3, 'at 0, 5 and 10 s')
  t.strictSame(posted.map((item: { timestamp: string }) => item.timestamp), ['2026-01-01T00:00:01.000000+00:00', '2026-01-01T00:00:06.000000+00:00', '2026-01-01T00:00:11.000000+00:00'])
  const prefix = /^([A-Za-z0-9]{8})-(\d+)$/.exec(posted[0].data['Case ID'])
  t.ok(prefix, 'each case id behind a random 8-character prefix')
  t.ok(posted.every((item: { data: Record<string, string> }) => item.data['Case ID']?.startsWith(`${prefix?.[1]}-`)), 'one prefix per run')
  const firstRow = simulationCsv.map((line) => line.split(',')).sort((a, b) => (a[1] as string).localeCompare(b[1] as string))[0] as string[]
  t.equal(posted[0].data['Case ID'], `${prefix?.[1]}-${firstRow[0]}`, 'the earliest event of the simulation cases first')
  t.equal(posted[0].data.Activity, firstRow[5])
  t.equal(posted[0].data.AMOUNT_REQ, firstRow[3], 'values as strings')
  t.equal((await project(app, 1)).status, 'TRAINED', 'stopped')

  // Left to itself, it posts every simulation event and ends an interval after the last: FINISHED.
  await put(app, '/project/1/stream/start/simulating')
  const whole = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await polls()
  clock.advance(simulationCsv.length * 5_000)
  const all = parseSse((await whole).body)
  t.match(all.at(-1), { event: 'notification', data: 'FINISHED' })
  const replayed = all.filter((item) => item.event === 'message').flatMap((item) => JSON.parse(item.data as string))
  t.equal(replayed.length, simulationCsv.length, 'every event of the simulation cases')
  const lastOfCase = replayed.filter((item: { prescriptions: object }) => Object.keys(item.prescriptions).length === 0)
  t.equal(lastOfCase.length, 10, 'one last event per case, true on its last row')
  t.ok(lastOfCase.every((item: { case_completed: boolean }) => item.case_completed))
  t.equal((await project(app, 1)).status, 'SIMULATING', 'as PrCore leaves it: the last event, a case\'s last, asks no plugin')
  t.equal((await put(app, '/project/1/stream/stop')).statusCode, 200, 'so the client\'s stop in its finally: block succeeds')
  t.equal((await project(app, 1)).status, 'TRAINED')
})

t.test('a simulation that has ended: SIMULATING, and a reader waits 15 polls for a stream, then 400', async (t) => {
  const { app } = await startSandbox(t, { env: POLL })
  // Project 3's log without its file: nothing to replay, so the run ends as it starts.
  app.resultbox.db.prepare('DELETE FROM prpm_event_log_files WHERE event_log_id = 2').run()
  await put(app, '/project/3/stream/start/simulating')
  t.equal((await project(app, 3)).status, 'SIMULATING')
  const began = performance.now()
  const waited = await get(app, '/project/3/stream/result', auth)
  t.strictSame([waited.statusCode, waited.json()], [400, { detail: 'Project not streaming' }])
  t.ok(performance.now() - began >= 15 * 20, 'after 15 polls')
  t.equal((await put(app, '/project/3/stream/stop')).statusCode, 200)
})

t.test('a simulation nobody reads is stopped by PrCore\'s minute timer', async (t) => {
  // A slow simulator, so that the 53 simulation events outlast the timer.
  const { app, clock } = await startSandbox(t, { env: { ...POLL, RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS: '60' } })
  await put(app, '/project/1/stream/start/simulating')
  clock.advance(299_000)
  t.equal((await project(app, 1)).status, 'SIMULATING')
  clock.advance(1_000)
  t.equal((await project(app, 1)).status, 'TRAINED', '5 minutes after its start, never read')
  await put(app, '/project/1/stream/start/simulating')
  const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await polls()
  clock.advance(400_000)
  await polls()
  t.equal((await project(app, 1)).status, 'SIMULATING', 'read: it goes on')
  await put(app, '/project/3/stream/start')
  clock.advance(3_600_000)
  t.equal((await project(app, 3)).status, 'STREAMING', 'a stream has no such timer')
  await put(app, '/project/1/stream/stop')
  await reading

  // A reader that leaves: 60 s later the simulation stops.
  await app.listen({ port: 0, host: '127.0.0.1' })
  await put(app, '/project/1/stream/start/simulating')
  const controller = new AbortController()
  const response = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/project/1/stream/result`, { headers: auth, signal: controller.signal })
  t.equal(response.status, 200)
  await response.body?.getReader().read()
  controller.abort()
  for (let attempt = 0; attempt < 50 && (app.resultbox.db.prepare('SELECT reader_open FROM prpm_stream_runs ORDER BY id DESC').get() as { reader_open: number }).reader_open === 1; attempt++) await sleep(10)
  clock.advance(59_000)
  t.equal((await project(app, 1)).status, 'SIMULATING')
  clock.advance(1_000)
  t.equal((await project(app, 1)).status, 'TRAINED', '60 s after its reader left')
})

t.test('a real SSE client over a socket, and a server that closes with a reader open', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  await put(app, '/project/1/stream/start')
  const received: { type: string; data: string; id: string }[] = []
  const source = new EventSource(`${base}/project/1/stream/result`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...auth } }),
  })
  const done = new Promise<void>((resolve) => {
    const keep = (type: string) => (message: MessageEvent) => {
      received.push({ type, data: message.data as string, id: message.lastEventId })
      if (message.data === 'FINISHED') resolve()
    }
    source.addEventListener('notification', keep('notification'))
    source.addEventListener('message', keep('message'))
  })
  while (received.length === 0) await sleep(10)
  await post(app, 1, event('r1', 'A_SUBMITTED'))
  clock.advance(1_000)
  while (received.length < 2) await sleep(10)
  await put(app, '/project/1/stream/stop')
  await done
  source.close()
  t.strictSame(received.map((item) => [item.type, item.id]), [['notification', '0'], ['message', '1'], ['notification', '2']])
  t.equal(received[0]?.data, 'CONNECTED')
  t.match(JSON.parse(received[1]?.data as string), [{ data: { 'Case ID': 'r1' }, case_completed: false }])

  // A client that goes away frees the reader's place.
  await put(app, '/project/1/stream/start')
  const leaving = new EventSource(`${base}/project/1/stream/result`, { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...auth } }) })
  await new Promise((resolve) => leaving.addEventListener('notification', resolve))
  leaving.close()
  let next = await get(app, '/project/1/stream/result', auth)
  for (let attempt = 0; attempt < 50 && next.statusCode === 400; attempt++) {
    await sleep(20)
    const pending = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
    const early = await Promise.race([pending, sleep(60).then(() => null)])
    if (early === null) {
      next = { statusCode: 200 } as typeof next
      // The reader now open stays open: the server's close must end it.
      const closing = app.close()
      t.equal((await pending).statusCode, 200)
      await closing
      t.pass('the server closed with a reader open')
      return
    }
    next = early
  }
  t.fail(`the reader's place was never freed: ${next.statusCode}`)
})

t.test('SSE data escapes every non-ASCII character, as Python\'s json.dumps does', async (t) => {
  const { app, clock } = await startSandbox(t, { env: POLL })
  await put(app, '/project/1/stream/start')
  const reading = app.inject({ method: 'GET', url: '/project/1/stream/result', headers: auth })
  await polls()
  await post(app, 1, event('zoë', 'Aanvraag ✓', { COMPLETE_INDICATOR: true }))
  clock.advance(1_000)
  await polls()
  await put(app, '/project/1/stream/stop')
  const message = parseSse((await reading).body).find((item) => item.event === 'message')
  t.match(message?.data, /"Case ID": "zo\\u00eb", "Activity": "Aanvraag \\u2713"/)
  t.notMatch(message?.data, /[^\x20-\x7e]/, 'nothing outside printable ASCII')
  t.match(JSON.parse(message?.data as string), [{ data: { 'Case ID': 'zoë', Activity: 'Aanvraag ✓' } }], 'the same text once parsed')
})

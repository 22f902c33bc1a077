import { setTimeout as sleep } from 'node:timers/promises'
import { Value } from '@sinclair/typebox/value'
import t from 'tap'
import { EnvironmentSchema, type SettingName } from '../src/config.js'
import { WORLD_SETTINGS, bodyNameOf } from '../src/sandboxes/schemas.js'
import { START, startSandbox } from './helpers/sandbox.js'
import {
  type Answer, type SseEvent, type StreamedResponse, Postman, type PostmanField, Requests, bpic2011Xes, bpic2012Csv, bpic2012Events, bpic2012Xes, bpic2017Xes, listen, ongoingEvents,
  postmanRaw, prescriptionsWithOutput, pythonJson, smallManualCsv, sseClientEvents, truthy, zipped,
} from './helpers/prpm-clients.js'

/*
 * PrCore's documented clients, replayed against the sandbox over a real socket with only their base
 * URL (and token) changed: the twelve example scripts of prcore/docs (static/download/*.py:
 * python-requests, sseclient-py) and the folders of its Postman collection. Each test names its
 * source; the client's own checks (raise_for_status, the fields it reads, what it waits for) are
 * the assertions. Where the docs' client expects what PrCore's source (and so the sandbox) no
 * longer answers, the expectation is a TODO assertion that says what came instead.
 *
 * Sandbox time stands still unless advanced: a script's sleep(1) is clock.advance(1_000), the
 * simulator's 5 s interval and a prescription's 1 s are advanced the same way. The SSE reader
 * polls on real time, every 20 ms here.
 *
 * With RESULTBOX_CLIENTS_VIA=sandbox (test/prpm-clients-sandbox.test.ts) every test runs again with
 * its clients' base URL a named sandbox's, http://host:port/sandboxes/{name}: the world's settings
 * go in the PUT's body, the server's to the server.
 */

type TapTest = Parameters<Extract<Parameters<typeof t.test>[0], (t: never) => unknown>>[0]
type Clock = { advance(ms: number): void }
type Json = any

const ENV = { RESULTBOX_PRPM_STREAM_POLL_MS: '20' }
const { HEADERS, REQUEST_HEADERS } = Requests

async function sandbox(t: TapTest, env: Record<string, string> = {}) {
  if (process.env.RESULTBOX_CLIENTS_VIA === 'sandbox') return namedSandbox(t, { ...ENV, ...env })
  const { app, clock } = await startSandbox(t, { env: { ...ENV, ...env } })
  const base = await listen(app)
  return { app, clock, base, requests: new Requests(base) }
}

/**
 * A server with one named sandbox, created over HTTP as a CI worker creates it: `env`'s world settings
 * (PrPM's, Explorer's, ModelArts', the journal's) in the body under their body names and JSON types, a
 * frozen clock at START; the rest of `env` the server's. What the tests get is the sandbox's.
 */
async function namedSandbox(t: TapTest, env: Record<string, string>) {
  const world = (name: string): name is SettingName => (WORLD_SETTINGS as string[]).includes(name)
  const settings = Object.fromEntries(Object.entries(env).filter(([name]) => world(name))
    .map(([name, value]) => [bodyNameOf(name as SettingName), Value.Convert(EnvironmentSchema.properties[name as SettingName], value)]))
  const { app: server } = await startSandbox(t, { env: Object.fromEntries(Object.entries(env).filter(([name]) => !world(name))) })
  const root = await listen(server)
  const name = 'prcore-docs'
  const created = await fetch(`${root}/_resultbox/sandboxes/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clock: { start: new Date(START).toISOString(), frozen: true }, settings }),
  })
  if (created.status !== 201) throw new Error(`PUT /_resultbox/sandboxes/${name}: ${created.status} ${await created.text()}`)
  const { app } = server.resultbox.sandboxes!.get(name)!
  const base = `${root}/sandboxes/${name}`
  return { app, clock: app.resultbox.clock, base, requests: new Requests(base) }
}

// The BPIC 2012 logs every CSV flow uploads: 20 loan applications (16 train, 4 simulate), and their first events as the ongoing file.
const EVENTS_2012 = bpic2012Events(20)
const BPIC2012_ZIP = zipped('bpic2012.csv', bpic2012Csv(EVENTS_2012, { spaced: true }))
const ONGOING_ZIP = zipped('bpic2012-ongoing-CSV.csv', bpic2012Csv(ongoingEvents(bpic2012Events(6, 300000))))
const BPIC2012_XES_ZIP = zipped('bpic2012.xes', bpic2012Xes(EVENTS_2012))
const BPIC2011_XES_ZIP = zipped('Hospital_log.xes', bpic2011Xes(20))
const BPIC2017_XES_ZIP = zipped('BPI Challenge 2017.xes', bpic2017Xes(20))

const COLUMNS_2012 = {
  'Case ID': 'CASE_ID', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', REG_DATE: 'DATETIME', Activity: 'ACTIVITY', Resource: 'RESOURCE',
}
const COLUMNS_2012_XES = {
  'org:resource': 'RESOURCE', 'lifecycle:transition': 'TRANSITION', 'concept:name': 'ACTIVITY', 'time:timestamp': 'TIMESTAMP', 'case:REG_DATE': 'DATETIME',
  'case:concept:name': 'CASE_ID', 'case:AMOUNT_REQ': 'NUMBER',
}
const COLUMNS_2011 = { 'Activity code': 'ACTIVITY', 'time:timestamp': 'TIMESTAMP', 'lifecycle:transition': 'TRANSITION', 'case:concept:name': 'CASE_ID' }
const COLUMNS_2017 = { 'concept:name': 'ACTIVITY', 'lifecycle:transition': 'TRANSITION', 'time:timestamp': 'TIMESTAMP', 'case:concept:name': 'CASE_ID' }
const condition = (column: string, operator: string, value: string) => [[{ column, operator, value }]]
const RESOURCE_ALLOCATION = {
  'plugin-causallift-resource-allocation': {
    available_resources: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter) => `Resource_${letter}`),
    treatment_duration: '1h',
  },
}
const STATUSES = ['WAITING', 'PREPROCESSING', 'TRAINING', 'TRAINED', 'STREAMING', 'SIMULATING', 'ERROR']

// ---------------------------------------------------------------------------------------------
// The scripts' steps
// ---------------------------------------------------------------------------------------------

/** The scripts' `while True: get_project(...)` until `project.status == "TRAINED"`, one sleep(1) a turn. */
async function untilTrained(t: TapTest, requests: Requests, clock: Clock, projectId: number) {
  const seen: string[] = []
  const pluginStatuses = new Set<string>()
  for (let turn = 1; turn <= 120; turn++) {
    const response = await requests.get(`/project/${projectId}`, { headers: HEADERS })
    const project = response.json().project
    if (project.status === 'TRAINED') {
      t.ok(seen.length > 0, `GET /project/${projectId}: TRAINED after ${turn - 1} sleep(1)s, through ${[...new Set(seen)].join(', ')}`)
      t.ok(seen.every((status) => STATUSES.includes(status)), 'project.status: one of PrCore\'s statuses every time')
      t.ok([...pluginStatuses].every((status) => STATUSES.includes(status)), 'each plugin has a status the script prints')
      return project
    }
    seen.push(project.status)
    if (truthy(project.plugins)) for (const plugin of project.plugins) pluginStatuses.add(plugin.status)
    clock.advance(1_000)
  }
  t.fail(`project ${projectId} never TRAINED: ${seen.slice(-3).join(', ')}`)
  return null
}

interface Reading {
  response: StreamedResponse
  events: SseEvent[]
  /** What printing_streaming_response prints: the event's id and its prescriptions with an output. */
  printed: { id: string | null; length: number; prescriptions: unknown[] }[]
  /** The stream ended by itself (FINISHED); else the user pressed Ctrl-C. */
  ended: boolean
}

/**
 * printing_streaming_response: requests.get(.../stream/result, stream=True) into
 * sseclient.SSEClient; for each `message` event, json.loads(event.data)[0]["prescriptions"], those
 * with an output printed. Sandbox time runs `stepMs` a turn meanwhile; it stops when `enough`
 * says so (the user's Ctrl-C), or when the stream ends.
 */
async function readStream(requests: Requests, clock: Clock, projectId: number, options: { stepMs: number; maxSteps: number; enough?: (reading: Reading) => boolean }): Promise<Reading> {
  const response = await requests.stream(`/project/${projectId}/stream/result`, { headers: HEADERS })
  const reading: Reading = { response, events: [], printed: [], ended: false }
  const consuming = (async () => {
    for await (const event of sseClientEvents(response)) {
      reading.events.push(event)
      const kept = prescriptionsWithOutput(event)
      if (kept) reading.printed.push({ id: event.id, length: (JSON.parse(event.data) as unknown[]).length, prescriptions: kept })
    }
    if (!response.interrupted()) reading.ended = true
  })()
  await sleep(30)
  for (let step = 0; step < options.maxSteps && !reading.ended && !(options.enough?.(reading) ?? false); step++) {
    clock.advance(options.stepMs)
    await sleep(30)
  }
  if (!reading.ended) response.interrupt()
  await consuming
  return reading
}

/** The checks a streaming script's loop makes without saying so: json.loads works, [0] exists, each prescription has "output". */
function checkPrinted(t: TapTest, reading: Reading, source: string) {
  t.equal(reading.response.status, 200, `${source}: GET stream/result 200`)
  t.equal(reading.response.headers.get('content-type'), 'text/event-stream')
  t.match(reading.events[0], { id: '0', event: 'notification', data: 'CONNECTED' }, 'sseclient reads the first event')
  const messages = reading.events.filter((event) => event.event === 'message')
  t.ok(messages.length > 0, `${messages.length} message events`)
  const lists = messages.map((message) => JSON.parse(message.data))
  t.ok(lists.every((data) => Array.isArray(data) && data.length > 0), 'json.loads(event.data)[0]: every data a non-empty list')
  t.ok(lists.every((data) => typeof data[0].prescriptions === 'object' && !Array.isArray(data[0].prescriptions)), 'first_event["prescriptions"]: a dict, iterated by key')
  t.ok(lists.every((data) => Object.values(data[0].prescriptions as Record<string, object>).every((prescription) => 'output' in prescription)), 'prescriptions[p]["output"]: every prescription has one')
  t.ok(reading.printed.length > 0, `${source} printed ${reading.printed.length} events with outputs`)
  t.ok(reading.printed.every((item) => /^\d+$/.test(item.id ?? '')), 'print(f"ID: {event.id}"): every message has an id')
}

/** Upload, define, create as workflow-example.py's first steps: each raise_for_status()d. */
async function scriptSetup(t: TapTest, requests: Requests, steps: {
  file: { filename: string; content: Buffer; contentType: string }
  test?: { filename: string; content: Buffer; contentType: string }
  data?: Record<string, string>
  columns: unknown
  project: Record<string, unknown>
}) {
  const upload = await requests.post('/event_log', {
    files: [{ field: 'file', ...steps.file }, ...(steps.test ? [{ field: 'test', ...steps.test }] : [])],
    headers: HEADERS,
    ...(steps.data ? { data: steps.data } : {}),
  })
  t.equal(upload.status, 200, `POST /event_log ${steps.file.filename}: ${upload.status === 200 ? 'ok' : upload.text}`)
  const eventLogId = upload.json().event_log_id
  t.type(eventLogId, 'number', 'response.json()["event_log_id"]')
  const defined = await requests.put(`/event_log/${eventLogId}`, { json: steps.columns, headers: REQUEST_HEADERS })
  t.equal(defined.status, 200, `PUT /event_log/${eventLogId}: ${defined.status === 200 ? 'ok' : defined.text}`)
  const created = await requests.post('/project', { json: { event_log_id: eventLogId, ...steps.project }, headers: REQUEST_HEADERS })
  t.equal(created.status, 200, `POST /project: ${created.status === 200 ? 'ok' : created.text}`)
  const body = created.json()
  t.type(body.project.id, 'number', 'response.json()["project"]["id"]')
  return { eventLogId, projectId: body.project.id as number, resultKey: body.result_key as string | null, created: body }
}

// ---------------------------------------------------------------------------------------------
// The scripts
// ---------------------------------------------------------------------------------------------

t.test('workflow-example.py and local-workflow-example.py: CSV zip, poll until TRAINED, simulate, read the SSE, stop', async (t) => {
  const { clock, requests } = await sandbox(t)
  const { projectId, created } = await scriptSetup(t, requests, {
    file: { filename: 'bpic2012-CSV.zip', content: BPIC2012_ZIP, contentType: 'application/zip' },
    data: { separator: ',' },
    columns: { columns_definition: COLUMNS_2012 },
    project: { positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED'), treatment: condition('Activity', 'EQUAL', 'O_SENT_BACK'), additional_info: RESOURCE_ALLOCATION },
  })
  t.equal(created.project.status, 'PREPROCESSING')
  const trained = await untilTrained(t, requests, clock, projectId)
  t.strictSame(trained?.plugins.map((plugin: Json) => plugin.key).sort(), ['plugin-causallift-resource-allocation', 'plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm'])
  const allocation = trained?.plugins.find((plugin: Json) => plugin.key === 'plugin-causallift-resource-allocation')
  t.strictSame(allocation?.additional_info, RESOURCE_ALLOCATION['plugin-causallift-resource-allocation'], 'the additional_info the script sent')

  const started = await requests.put(`/project/${projectId}/stream/start/simulating`, { headers: HEADERS })
  t.equal(started.status, 200, 'start_simulation: raise_for_status')
  // The user watches three prescriptions, then presses Ctrl-C.
  const reading = await readStream(requests, clock, projectId, { stepMs: 1_000, maxSteps: 200, enough: (read) => read.printed.length >= 3 })
  checkPrinted(t, reading, 'printing_streaming_response')
  t.notOk(reading.ended, 'still streaming when the user stopped reading')
  t.ok(reading.printed.some((item) => item.prescriptions.some((prescription: Json) => prescription.type === 'NEXT_ACTIVITY')), 'a next activity among them')

  // finally: PROJECT_ID and stop_simulation(PROJECT_ID)
  const stopped = await requests.put(`/project/${projectId}/stream/stop`, { headers: HEADERS })
  t.equal(stopped.status, 200, `stop_simulation: raise_for_status (${stopped.text})`)
})

t.test('workflow-example-dataset.py and local-workflow-example-dataset.py: log and test zips, the result polled until it has cases', async (t) => {
  const { clock, requests } = await sandbox(t)
  const { projectId, resultKey } = await scriptSetup(t, requests, {
    file: { filename: 'bpic2012-CSV.zip', content: BPIC2012_ZIP, contentType: 'application/zip' },
    test: { filename: 'bpic2012-ongoing-CSV.zip', content: ONGOING_ZIP, contentType: 'application/zip' },
    data: { separator: ',' },
    columns: { columns_definition: COLUMNS_2012 },
    project: { positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED'), treatment: condition('Activity', 'EQUAL', 'O_SENT_BACK') },
  })
  t.match(resultKey, /^[A-Za-z0-9]{8}$/, 'response.json()["result_key"]: a key, since a test file came')

  let response: Answer | null = null
  const statuses = new Set<string>()
  let sawFinished = false
  for (let turn = 1; turn <= 120; turn++) {
    response = await requests.get(`/project/${projectId}/result/${resultKey}`, { headers: HEADERS })
    response.raiseForStatus()
    const body = response.json()
    if (truthy(body.cases)) break
    statuses.add(body.project_status)
    if (!Array.isArray(body.expected_plugins) || !Array.isArray(body.finished_plugins)) t.fail(`expected_plugins, finished_plugins: ${response.text}`)
    else if (truthy(body.finished_plugins)) {
      sawFinished = true
      if (!body.finished_plugins.every((plugin: string) => body.expected_plugins.includes(plugin))) t.fail(`finished but not expected: ${response.text}`)
    }
    clock.advance(1_000)
  }
  const cases = response?.json().cases
  t.ok(truthy(cases), 'We have got all results!')
  t.ok([...statuses].every((status) => STATUSES.includes(status)), `project_status while waiting: ${[...statuses].join(', ')}`)
  t.ok(sawFinished, 'the script saw some plugins finished before the rest')
  const first = cases[Object.keys(cases)[0] as string]
  t.ok(first, 'cases[list(cases.keys())[0]]: the first case')
})

t.test('local-workflow-example-zip.py: a zip opened by ZipFile first, then uploaded with its test zip', async (t) => {
  const { requests } = await sandbox(t)
  const upload = await requests.post('/event_log', {
    files: [
      { field: 'file', filename: 'bpic2012-CSV.zip', content: BPIC2012_ZIP, contentType: 'application/zip' },
      { field: 'test', filename: 'bpic2012-ongoing-CSV.zip', content: ONGOING_ZIP, contentType: 'application/zip' },
    ],
    headers: HEADERS,
    data: { separator: ',' },
  })
  t.doesNotThrow(() => upload.raiseForStatus(), `raise_for_status: ${upload.status}`)
  t.type(upload.json().event_log_id, 'number', 'Event log {event_log_id} has been uploaded!')
})

t.test('local-workflow-example-xes.py: BPIC 2012 XES zip, no separator, fast_mode false, poll until TRAINED', async (t) => {
  const { clock, requests } = await sandbox(t)
  const { projectId } = await scriptSetup(t, requests, {
    file: { filename: 'bpic2012-XES.zip', content: BPIC2012_XES_ZIP, contentType: 'application/zip' },
    columns: { columns_definition: COLUMNS_2012_XES, case_attributes: ['case:REG_DATE', 'case:AMOUNT_REQ'], fast_mode: false },
    project: { positive_outcome: condition('concept:name', 'EQUAL', 'A_APPROVED'), treatment: condition('concept:name', 'EQUAL', 'O_SENT_BACK') },
  })
  await untilTrained(t, requests, clock, projectId)
})

t.test('local-workflow-example-treat.py: a ";" CSV with a treatment column, simulate, read the SSE, stop', async (t) => {
  const { clock, requests } = await sandbox(t)
  const csv = bpic2012Csv(EVENTS_2012, { separator: ';', extra: (event) => (event.activity === 'O_SENT_BACK' ? 'treat' : 'none') })
  const { projectId } = await scriptSetup(t, requests, {
    // The script names a CSV as application/zip: PrCore goes by the file name.
    file: { filename: 'new.csv', content: Buffer.from(csv), contentType: 'application/zip' },
    data: { separator: ';' },
    columns: { columns_definition: { ...COLUMNS_2012, treatment: 'TEXT' }, case_attributes: ['Case ID', 'AMOUNT_REQ'] },
    project: { positive_outcome: condition('Activity', 'EQUAL', 'A_ACTIVATED'), treatment: condition('treatment', 'EQUAL', 'treat') },
  })
  await untilTrained(t, requests, clock, projectId)
  t.equal((await requests.put(`/project/${projectId}/stream/start/simulating`, { headers: HEADERS })).status, 200, 'start_simulation: raise_for_status')
  const reading = await readStream(requests, clock, projectId, { stepMs: 1_000, maxSteps: 200, enough: (read) => read.printed.length >= 2 })
  checkPrinted(t, reading, 'printing_streaming_response')
  const stopped = await requests.put(`/project/${projectId}/stream/stop`, { headers: HEADERS })
  t.equal(stopped.status, 200, `finally: stop_simulation: raise_for_status (${stopped.text})`)
})

/** workflow-example-bpic2011.py and -bpic2017.py: XES zip, no separator; simulate and read until the simulation's end. */
async function xesSimulationScript(t: TapTest, source: { filename: string; content: Buffer; columns: object; project: Record<string, unknown>; plugins: string[] }) {
  const { clock, requests } = await sandbox(t)
  const { projectId } = await scriptSetup(t, requests, {
    file: { filename: source.filename, content: source.content, contentType: 'application/zip' },
    columns: { columns_definition: source.columns },
    project: source.project,
  })
  const trained = await untilTrained(t, requests, clock, projectId)
  t.strictSame(trained?.plugins.map((plugin: Json) => plugin.key).sort(), source.plugins, 'the plugins its definition allows')
  t.equal((await requests.put(`/project/${projectId}/stream/start/simulating`, { headers: HEADERS })).status, 200, 'start_simulation: raise_for_status')
  // Nobody presses Ctrl-C: the loop ends with the stream, when the simulator has replayed its cases (two events a turn).
  const reading = await readStream(requests, clock, projectId, { stepMs: 10_000, maxSteps: 200 })
  checkPrinted(t, reading, 'printing_streaming_response')
  t.ok(reading.ended, 'the stream ended by itself')
  t.match(reading.events.at(-1), { event: 'notification', data: 'FINISHED' }, 'its last event FINISHED')
  // finally: stop_simulation(PROJECT_ID), raise_for_status(): the simulation is over by then.
  const stopped = await requests.put(`/project/${projectId}/stream/stop`, { headers: HEADERS })
  // PrCore leaves a simulation that ran out SIMULATING (its last event, a case's last, asks no plugin): the stop succeeds.
  t.equal(stopped.status, 200, `finally: stop_simulation after the stream ended: ${stopped.status} ${stopped.text}`)
  return { requests, projectId, stopped }
}

t.test('workflow-example-bpic2011.py: BPIC 2011 XES, an outcome and no treatment, simulated to the end', async (t) => {
  await xesSimulationScript(t, {
    filename: 'bpic2011-XES.zip', content: BPIC2011_XES_ZIP, columns: COLUMNS_2011,
    project: { positive_outcome: condition('Activity code', 'EQUAL', '370606') },
    plugins: ['plugin-knn-next-activity', 'plugin-random-forest-alarm'],
  })
})

t.test('workflow-example-bpic2017.py: BPIC 2017 XES, lower-case transitions, simulated to the end', async (t) => {
  await xesSimulationScript(t, {
    filename: 'bpic2017-XES.zip', content: BPIC2017_XES_ZIP, columns: COLUMNS_2017,
    project: { positive_outcome: condition('concept:name', 'EQUAL', 'O_Accepted'), treatment: condition('concept:name', 'EQUAL', 'O_Returned'), additional_info: RESOURCE_ALLOCATION },
    plugins: ['plugin-causallift-resource-allocation', 'plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm'],
  })
})

t.test('local-workflow-example-reading.py: GET /project/{PROJECT_ID} in a tight loop, status or error text', async (t) => {
  const { clock, requests } = await sandbox(t)
  // PROJECT_ID = 26: no such project in a fresh sandbox; the script prints the error text.
  const missing = await requests.get('/project/26', { headers: HEADERS })
  t.equal(missing.status, 400)
  t.equal(missing.text, '{"detail":"Project not found"}', 'print(f"... Error: {response.text}")')
  const { projectId } = await scriptSetup(t, requests, {
    file: { filename: 'bpic2012-CSV.zip', content: BPIC2012_ZIP, contentType: 'application/zip' },
    data: { separator: ',' },
    columns: { columns_definition: COLUMNS_2012 },
    project: { positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED') },
  })
  const printed: string[] = []
  for (let turn = 0; turn < 60; turn++) {
    const response = await requests.get(`/project/${projectId}`, { headers: HEADERS })
    printed.push(response.status === 200 ? response.json().project.status : `Error: ${response.text}`)
    clock.advance(1_000)
  }
  t.strictSame([...new Set(printed)], ['PREPROCESSING', 'TRAINING', 'TRAINED'], 'Project status: as the project moves')
})

t.test('sse-client.py and local-sse-client.py: a reader of a project someone else simulates', async (t) => {
  const { clock, requests } = await sandbox(t)
  // sse-client.py reads PROJECT_ID = 1: the seeded project 1, started simulating by another client.
  t.equal((await requests.put('/project/1/stream/start/simulating', { headers: HEADERS })).status, 200)
  const reading = await readStream(requests, clock, 1, { stepMs: 1_000, maxSteps: 200, enough: (read) => read.printed.length >= 2 })
  checkPrinted(t, reading, 'sse-client.py')
  t.ok(reading.printed.every((item) => item.length >= 1), 'print(f"Length: {len(event_data)}")')
  await requests.put('/project/1/stream/stop', { headers: HEADERS })

  // local-sse-client.py reads PROJECT_ID = 8 and checks no status: on a 400 sseclient finds no event, the script says Done!
  const other = await readStream(requests, clock, 8, { stepMs: 1_000, maxSteps: 3 })
  t.equal(other.response.status, 400)
  t.strictSame(other.events, [], 'no event dispatched from {"detail":"Project not found"}')
  t.ok(other.ended)
})

// ---------------------------------------------------------------------------------------------
// The Postman collection
// ---------------------------------------------------------------------------------------------

const UPLOAD_CSV = (file = 'bpic2012-CSV.zip'): PostmanField[] => [{ key: 'file', file, content: BPIC2012_ZIP }, { key: 'separator', value: ',' }]
const UPLOAD_XES: PostmanField[] = [{ key: 'file', file: 'bpic2012-XES.zip', content: BPIC2012_XES_ZIP }, { key: '', value: '', disabled: true }]
const DEFINE_CSV = (caseAttributes: string[]) => postmanRaw({ columns_definition: COLUMNS_2012, case_attributes: caseAttributes })
const DEFINE_XES = postmanRaw({ columns_definition: COLUMNS_2012_XES, case_attributes: ['case:REG_DATE', 'case:AMOUNT_REQ'], fast_mode: false })
const project = (body: Record<string, unknown>) => postmanRaw({ event_log_id: '{{event_log_id}}', ...body }, { event_log_id: 'event_log_id' })
const CREATE_CSV = project({ positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED'), treatment: condition('Activity', 'EQUAL', 'O_SENT_BACK') })
const CREATE_XES = project({ positive_outcome: condition('concept:name', 'EQUAL', 'A_APPROVED'), treatment: condition('concept:name', 'EQUAL', 'O_SENT_BACK') })
// Two requests of the collection put the resource allocation info beside, not inside, additional_info.
const CREATE_TOP_LEVEL_INFO = project({ positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED'), treatment: condition('Activity', 'EQUAL', 'O_SENT_BACK'), ...RESOURCE_ALLOCATION })
const CREATE_WITH_INFO = project({ positive_outcome: condition('Activity', 'EQUAL', 'A_APPROVED'), treatment: condition('Activity', 'EQUAL', 'O_SENT_BACK'), additional_info: RESOURCE_ALLOCATION })

/** A request the user sends and reads: 200 expected, its body JSON. */
async function send(t: TapTest, postman: Postman, name: string, method: string, url: string, body: { raw?: string; formdata?: PostmanField[] } = {}) {
  const answer = await postman.send({ method, url, ...body })
  t.equal(answer.status, 200, `${name}: ${method} ${postman.resolve(url).replace(/^[^/]*/, '')} ${answer.status === 200 ? '200' : `${answer.status} ${answer.text}`}`)
  return answer
}

/** A Tests script of the collection: `var jsonData = JSON.parse(responseBody)`, then setEnvironmentVariable. */
function testScript(t: TapTest, postman: Postman, answer: Answer, variables: Record<string, (json: Json) => unknown>) {
  let json: Json
  try {
    json = JSON.parse(answer.text)
  } catch (error) {
    t.fail(`the Tests script's JSON.parse(responseBody) throws: ${(error as Error).message}`)
    return
  }
  for (const [key, read] of Object.entries(variables)) {
    try {
      postman.set(key, read(json))
    } catch (error) {
      t.fail(`the Tests script cannot set ${key}: ${(error as Error).message}`)
    }
  }
}

/** Upload event log, Set columns definition, Create a project: the three requests most folders start with. */
async function postmanSetup(t: TapTest, postman: Postman, upload: PostmanField[], define: string, create: string) {
  const uploaded = await send(t, postman, 'Upload event log', 'POST', '{{server}}/event_log', { formdata: upload })
  testScript(t, postman, uploaded, { event_log_id: (json) => json.event_log_id })
  t.match(postman.environment.get('event_log_id'), /^\d+$/, 'event_log_id set')
  t.equal(uploaded.json().message, 'Event log uploaded', 'the docs\' message (upload-file.md)')
  const defined = await send(t, postman, 'Set columns definition', 'PUT', '{{server}}/event_log/{{event_log_id}}', { raw: define })
  t.equal(defined.json().message, 'Event log updated', 'the docs\' message (columns-definition.md)')
  const created = await send(t, postman, 'Create a project', 'POST', '{{server}}/project', { raw: create })
  testScript(t, postman, created, { project_id: (json) => json.project.id, result_key: (json) => json.result_key })
  t.match(postman.environment.get('project_id'), /^\d+$/, 'project_id set')
  t.equal(created.json().message, 'Project created successfully', 'the docs\' message (project-creation.md)')
  return created.json()
}

/** "Get the project", sent again by the user (5 s of sandbox time apart) until `until` holds. */
async function getProjectUntil(t: TapTest, postman: Postman, clock: Clock, until: (project: Json) => boolean, name = 'Get the project') {
  for (let turn = 0; turn < 40; turn++) {
    const answer = await postman.send({ method: 'GET', url: '{{server}}/project/{{project_id}}' })
    if (answer.status !== 200) {
      t.fail(`${name}: ${answer.status} ${answer.text}`)
      return null
    }
    if (until(answer.json().project)) {
      t.equal(answer.json().message, 'Project retrieved successfully', `${name} (after ${turn * 5} s): the docs' message (check-project-status.md)`)
      return answer
    }
    clock.advance(5_000)
  }
  t.fail(`${name}: never`)
  return null
}
const isTrained = (project: Json) => project.status === 'TRAINED'

type Folder = (t: TapTest, postman: Postman, clock: Clock) => Promise<unknown>
const FOLDERS: [string, Folder][] = []
/** A folder of the collection: run in order, with the others, by one Postman against one sandbox (see the end of the file). */
const folder = (name: string, run: Folder) => FOLDERS.push([name, run])

folder('"Upload Event Log" folder: CSV and XES', async (t, postman, clock) => {
  await t.test('CSV', async (t) => {
    const created = await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['Case ID', 'AMOUNT_REQ']), CREATE_CSV)
    t.equal(created.project.event_log.definition.case_attributes.includes('Case ID'), true, 'the case id column listed as a case attribute is kept')
    await getProjectUntil(t, postman, clock, isTrained)
  })
  await t.test('XES (a disabled empty form row)', async (t) => {
    await postmanSetup(t, postman, UPLOAD_XES, DEFINE_XES, CREATE_XES)
    await getProjectUntil(t, postman, clock, isTrained)
  })
})

folder('"Project Operations" folder: create, get, rename, delete, list', async (t, postman, clock) => {
  const created = await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['REG_DATE', 'AMOUNT_REQ']), CREATE_TOP_LEVEL_INFO)
  const id = created.project.id
  t.equal((await send(t, postman, 'Get the project', 'GET', '{{server}}/project/{{project_id}}')).json().project.id, id)
  await getProjectUntil(t, postman, clock, isTrained)
  const allocation = (await postman.send({ method: 'GET', url: '{{server}}/project/{{project_id}}' })).json().project.plugins.find((plugin: Json) => plugin.key === 'plugin-causallift-resource-allocation')
  // The body puts the resource allocation info beside additional_info: an unknown field, ignored as pydantic ignores it, so
  // that plugin gets no available_resources and is left out, as PrCore leaves it out.
  t.equal(allocation, undefined, 'no resource allocation plugin: its info was not in additional_info')
  const renamed = await send(t, postman, 'Rename or add description', 'PUT', '{{server}}/project/{{project_id}}', { raw: postmanRaw({ name: 'New name', description: 'This is a custom description' }) })
  t.equal(renamed.json().message, 'Project\'s basic information updated successfully', 'the docs\' message (update-basic-information.md)')
  t.match(renamed.json().project, { name: 'New name', description: 'This is a custom description' })
  const deleted = await send(t, postman, 'Delete project', 'DELETE', '{{server}}/project/{{project_id}}')
  t.strictSame(deleted.json(), { message: 'Project deleted successfully', project_id: id }, 'the docs\' answer (delete-project.md)')
  const all = await send(t, postman, 'Get all projects', 'GET', '{{server}}/project/all?page=1&size=100')
  t.strictSame(Object.keys(all.json()), ['items', 'total', 'page', 'size', 'pages'])
  t.match(all.json(), { page: 1, size: 100 })
  t.notOk(all.json().items.some((item: Json) => item.id === id), 'the deleted project is gone')
})

folder('"Get Prescriptions / Get Dataset Result" folder: an ongoing dataset uploaded to a trained project', async (t, postman, clock) => {
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['Case ID', 'AMOUNT_REQ']), CREATE_WITH_INFO)
  await getProjectUntil(t, postman, clock, isTrained)
  // The collection names the separator field `separator`; PrCore reads `seperator` (default ","), so the row is ignored.
  const uploaded = await send(t, postman, 'Upload ongoing dataset', 'POST', '{{server}}/project/{{project_id}}/result', {
    formdata: [{ key: 'file', file: 'bpic2012-ongoing-CSV.zip', content: ONGOING_ZIP }, { key: 'separator', value: ',' }],
  })
  testScript(t, postman, uploaded, { result_key: (json) => json.result_key })
  t.equal(uploaded.json().message, 'Ongoing dataset uploaded successfully', 'the docs\' message (upload-new-dataset)')
  t.match(postman.environment.get('result_key'), /^[A-Za-z0-9]{8}$/)
  const early = await send(t, postman, 'Get ongoing dataset result', 'GET', '{{server}}/project/{{project_id}}/result/{{result_key}}')
  t.match(early.json(), { message: 'Ongoing dataset result is still processing', cases: null }, 'the docs\' message while plugins run (get-dataset-result.md)')
  clock.advance(2_000)
  const done = await send(t, postman, 'Get ongoing dataset result', 'GET', '{{server}}/project/{{project_id}}/result/{{result_key}}')
  t.equal(done.json().message, 'Ongoing dataset result retrieved successfully', 'the docs\' message once complete')
  t.ok(truthy(done.json().cases))
})

/** The SSE request of a Postman folder, open while the user sends the next requests. */
async function postmanStream(postman: Postman) {
  const response = await postman.open({ method: 'GET', url: '{{server}}/project/{{project_id}}/stream/result' })
  const events: SseEvent[] = []
  const consuming = (async () => {
    for await (const event of sseClientEvents(response)) events.push(event)
  })()
  return { response, events, done: consuming }
}

async function postmanStreamingFolder(t: TapTest, postman: Postman, clock: Clock, upload: PostmanField[], define: string, create: string) {
  await postmanSetup(t, postman, upload, define, create)
  await getProjectUntil(t, postman, clock, isTrained)
  const started = await send(t, postman, 'Start simulation', 'PUT', '{{server}}/project/{{project_id}}/stream/start/simulating')
  // The docs (start-simulation.md) say "Project simulation started successfully"; PrCore's source, which wins, says this.
  t.equal(started.json().message, 'Project streaming started successfully', 'Start simulation: the source\'s message')
  const stream = await postmanStream(postman)
  t.equal(stream.response.status, 200, 'Get streaming result: 200')
  t.equal(stream.response.headers.get('content-type'), 'text/event-stream')
  for (let second = 0; second < 12; second++) {
    clock.advance(1_000)
    await sleep(40)
  }
  const stopped = await send(t, postman, 'Stop streaming', 'PUT', '{{server}}/project/{{project_id}}/stream/stop')
  t.equal(stopped.json().message, 'Project streaming stopped successfully', 'the docs\' message (stop-streaming.md)')
  await stream.done
  t.match(stream.events[0], { id: '0', event: 'notification', data: 'CONNECTED' }, 'the docs\' first event (get-streaming-result)')
  t.ok(stream.events.some((event) => event.event === 'message'), 'prescriptions came')
  t.match(stream.events.at(-1), { event: 'notification', data: 'FINISHED' }, 'After the simulation is stopped, the client will receive FINISHED')
}

folder('"Get Prescriptions / Get Streaming Result" folder: simulate, read, stop', async (t, postman, clock) => {
  await postmanStreamingFolder(t, postman, clock, UPLOAD_CSV('bpic2012.csv.zip'), DEFINE_CSV(['Case ID', 'AMOUNT_REQ']), CREATE_WITH_INFO)
})

folder('"BPIC 2017" folder: XES with the separator row disabled, simulate, read, stop', async (t, postman, clock) => {
  await postmanStreamingFolder(t, postman, clock, [{ key: 'file', file: 'bpic2017-XES.zip', content: BPIC2017_XES_ZIP }, { key: 'separator', value: ',', disabled: true }],
    `\n${postmanRaw({ columns_definition: COLUMNS_2017 })}`,
    project({ positive_outcome: condition('concept:name', 'EQUAL', 'O_Accepted'), treatment: condition('concept:name', 'EQUAL', 'O_Returned') }))
})

folder('"BPIC 2011" folder: XES, an outcome only, simulate, read, stop', async (t, postman, clock) => {
  await postmanStreamingFolder(t, postman, clock, [{ key: 'file', file: 'bpic2011-XES.zip', content: BPIC2011_XES_ZIP }], postmanRaw({ columns_definition: COLUMNS_2011 }),
    project({ positive_outcome: condition('Activity code', 'EQUAL', '370606') }))
})

folder('"Advanced Usage / Stream New Events" folder: start streaming, post an event, read, stop', async (t, postman, clock) => {
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['REG_DATE', 'AMOUNT_REQ']), CREATE_CSV)
  await getProjectUntil(t, postman, clock, isTrained)
  const started = await send(t, postman, 'Start streaming', 'PUT', '{{server}}/project/{{project_id}}/stream/start')
  t.equal(started.json().message, 'Project streaming started successfully', 'the docs\' message (strat-streaming.md)')
  // The Pre-request Script: a random 20-character case id.
  postman.set('randomString', [...Array(20)].map(() => 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(Math.random() * 62)]).join(''))
  const event = postmanRaw({
    'Case ID': '{{randomString}}', start_time: '2011-09-30T22:38:44.546', end_time: '2011-09-30T22:38:44.546', AMOUNT_REQ: '20000', REG_DATE: '2011-09-30T22:38:44.546Z',
    Activity: 'A_SUBMITTED', Resource: '112', COMPLETE_INDICATOR: false,
  })
  const stream = await postmanStream(postman)
  const posted = await postman.send({ method: 'POST', url: '{{server}}/event/{{project_id}}', raw: event })
  // PrCore moved this route to POST /project/{project_id}/stream/event (prcore 8c447d7, 2023-04-25); the docs and the collection kept the old path.
  t.strictSame([posted.status, posted.json()], [404, { detail: 'Not Found' }], 'Post new event: POST /event/{project_id} (stream-data.md) is gone, as at PrCore\'s HEAD')
  // The same event where PrCore takes it now.
  const moved = await postman.send({ method: 'POST', url: '{{server}}/project/{{project_id}}/stream/event', raw: event })
  t.equal(moved.status, 200, `the same body on POST /project/{id}/stream/event: ${moved.status}`)
  t.equal(moved.json().message, 'Event received successfully', 'the docs\' message (stream-data.md)')
  t.strictSame(Object.keys(moved.json().event), ['project_id', 'attributes', 'id', 'created_at', 'updated_at'], 'the docs\' event keys')
  t.equal(moved.json().event.attributes.COMPLETE_INDICATOR, 'False', 'values as strings: false is "False", as the docs show')
  clock.advance(1_000)
  await sleep(80)
  const stopped = await send(t, postman, 'Stop streaming', 'PUT', '{{server}}/project/{{project_id}}/stream/stop')
  t.equal(stopped.json().message, 'Project streaming stopped successfully')
  await stream.done
  t.equal(stream.response.status, 200, 'Get streaming result: 200')
  const messages = stream.events.filter((item) => item.event === 'message').flatMap((item) => JSON.parse(item.data))
  t.match(messages, [{ case_completed: false, data: { 'Case ID': postman.environment.get('randomString') } }], 'the posted event with its prescriptions')
  t.match(stream.events.at(-1), { event: 'notification', data: 'FINISHED' })
})

folder('"Advanced Usage / Download Datasets" folder: original, processed, ongoing, simulation', async (t, postman, clock) => {
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['REG_DATE', 'AMOUNT_REQ']), CREATE_CSV)
  // Sent at once, as the folder's order has it: the original any time, the rest once pre-processing is over.
  const original = await send(t, postman, 'Download original dataset', 'GET', '{{server}}/project/{{project_id}}/dataset/original')
  t.match(original.headers.get('content-disposition'), /^attachment; filename="[A-Za-z0-9]{8}\.zip"$/)
  t.equal(original.headers.get('content-type'), 'application/zip')
  const early = await postman.send({ method: 'GET', url: '{{server}}/project/{{project_id}}/dataset/processed' })
  t.strictSame([early.status, early.text], [400, '{"detail":"Project not preprocessed"}'], 'processed before training: PrCore\'s 400')
  await getProjectUntil(t, postman, clock, isTrained)
  for (const type of ['processed', 'ongoing', 'simulation']) {
    const name = type === 'processed' ? 'Download procesed dataset' : `Download ${type} dataset`
    const answer = await send(t, postman, name, 'GET', `{{server}}/project/{{project_id}}/dataset/${type}`)
    t.match(answer.headers.get('content-disposition'), /^attachment; filename="[A-Za-z0-9]{8}\.csv"$/, `${type}: a CSV file`)
    t.equal(answer.headers.get('content-type'), 'text/csv; charset=utf-8')
    t.ok(answer.text.split('\n').length > 1, `${type}: a header and rows`)
  }
})

folder('"Advanced Usage / Project Operations" folder: redefine columns and project, rename, delete', async (t, postman, clock) => {
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['REG_DATE', 'AMOUNT_REQ']), project({
    positive_outcome: [[{ column: 'DURATION', operator: 'LESS_THAN_OR_EQUAL', value: '2 weeks' }], [{ column: 'REG_DATE', operator: 'EARLIER_THAN_OR_EQUAL', value: '2023-03-07T20:50:00Z' }]],
    treatment: condition('Resource', 'EQUAL', '112'),
  }))
  await getProjectUntil(t, postman, clock, isTrained)
  const old = await send(t, postman, 'Get old definition', 'GET', '{{server}}/event_log/{{event_log_id}}/definition')
  t.equal(old.json().message, 'Event log definition retrieved successfully', 'the docs\' message (change-columns-definition.md)')
  t.strictSame(Object.keys(old.json()), ['message', 'event_log_id', 'columns_header', 'columns_old_definition', 'columns_data'])
  await send(t, postman, 'Redo columns definition', 'PUT', '{{server}}/event_log/{{event_log_id}}', { raw: DEFINE_CSV(['REG_DATE', 'AMOUNT_REQ']) })
  const again = await send(t, postman, 'Get the project again', 'GET', '{{server}}/project/{{project_id}}')
  t.equal(again.json().project.status, 'WAITING', 'a redefined log leaves its project WAITING for a new definition')
  // The body still names event_log_id: an unknown field to this route, ignored.
  const changed = await send(t, postman, 'Change project definition', 'PUT', '{{server}}/project/{{project_id}}/definition', { raw: CREATE_CSV })
  testScript(t, postman, changed, { project_id: (json) => json.project.id })
  t.equal(changed.json().message, 'Project definition updated successfully', 'the docs\' message (change-outcome-treatment-definition.md)')
  const revisited = await send(t, postman, 'Revisit the project', 'GET', '{{server}}/project/{{project_id}}')
  t.ok(['PREPROCESSING', 'TRAINING'].includes(revisited.json().project.status), `training again: ${revisited.json().project.status}`)
  t.strictSame(revisited.json().project.event_log.definition.outcome_definition, condition('Activity', 'EQUAL', 'A_APPROVED'), 'the new outcome')
  await send(t, postman, 'Rename or add description', 'PUT', '{{server}}/project/{{project_id}}', { raw: postmanRaw({ name: 'New name', description: 'This is a custom description' }) })
  await send(t, postman, 'Delete project', 'DELETE', '{{server}}/project/{{project_id}}')
  const all = await send(t, postman, 'Get all projects', 'GET', '{{server}}/project/all?page=1&size=100')
  t.ok(Array.isArray(all.json().items))
})

/** Re-upload File: `answer` is the sandbox's RESULTBOX_PRPM_REUPLOAD_ANSWER. */
async function reuploadFolder(t: TapTest, postman: Postman, clock: Clock, answer: 'faithful' | 'intended') {
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['Case ID', 'AMOUNT_REQ']), CREATE_CSV)
  await getProjectUntil(t, postman, clock, isTrained)
  const reuploaded = await postman.send({ method: 'PUT', url: '{{server}}/event_log/{{event_log_id}}/upload', formdata: UPLOAD_CSV() })
  // The docs (re-upload-file.md) show a 200 "Event log updated"; PrCore at HEAD answers 400 (its response model wants resources_count).
  t.equal(reuploaded.status, answer === 'faithful' ? 400 : 200, `Upload new training dataset (RESULTBOX_PRPM_REUPLOAD_ANSWER=${answer}): ${reuploaded.status}`)
  if (answer === 'faithful') t.equal(reuploaded.headers.get('content-type'), null, 'PrCore\'s middleware: no Content-Type')
  if (reuploaded.status === 200) {
    t.equal(reuploaded.json().message, 'Event log updated')
    t.strictSame(Object.keys(reuploaded.json()), ['message', 'event_log_id', 'received_definition', 'activities_count', 'outcome_options', 'treatment_options'], 'the docs\' keys')
  }
  const after = await send(t, postman, 'Get the project', 'GET', '{{server}}/project/{{project_id}}')
  t.ok(['WAITING', 'PREPROCESSING', 'TRAINING'].includes(after.json().project.status), `retraining: ${after.json().project.status}`)
  await getProjectUntil(t, postman, clock, isTrained, 'Get the project until it is trained again')
}

folder('"Advanced Usage / Event Log Operations / Re-upload File" folder: a new training file for a trained project', (t, postman, clock) => reuploadFolder(t, postman, clock, 'faithful'))

folder('"Advanced Usage / Event Log Operations / Log Definition" folder: XES with fast_mode false, the processed dataset', async (t, postman, clock) => {
  await postmanSetup(t, postman, [{ key: 'file', file: 'bpic2012-XES.zip', content: BPIC2012_XES_ZIP }], DEFINE_XES, CREATE_XES)
  await getProjectUntil(t, postman, clock, isTrained)
  const processed = await send(t, postman, 'Download procesed dataset', 'GET', '{{server}}/project/{{project_id}}/dataset/processed')
  const header = processed.text.split('\n')[0] as string
  for (const column of ['CASE_ID', 'ACTIVITY', 'DURATION', 'OUTCOME', 'TREATMENT']) t.ok(header.split(',').includes(column), `processed has ${column}`)
})

folder('"Advanced Usage / Plugin Operations" folder: available plugins, update, disable, enable, check', async (t, postman, clock) => {
  const available = await send(t, postman, 'Check available plugins', 'GET', '{{server}}/plugin/available')
  t.equal(available.json().message, 'Available plugins retrieved successfully', 'the docs\' message (check-plugins.md)')
  t.strictSame(Object.keys(available.json().plugins).sort(), ['plugin-causallift-resource-allocation', 'plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm'])
  await postmanSetup(t, postman, UPLOAD_CSV(), DEFINE_CSV(['Case ID', 'AMOUNT_REQ']), CREATE_TOP_LEVEL_INFO)
  // "Get the project repeatly until there is a plugin": its Tests script reads project.plugins[0].id (and a result_key GET has not).
  const withPlugin = await getProjectUntil(t, postman, clock, (found) => found.plugins.length > 0, 'Get the project repeatly until there is a plugin')
  if (withPlugin) testScript(t, postman, withPlugin, { project_id: (json) => json.project.id, result_key: (json) => json.result_key, plugin_id: (json) => json.project.plugins[0].id })
  t.match(postman.environment.get('plugin_id'), /^\d+$/, 'plugin_id set')
  const update = postmanRaw({ parameters: { encoding: 'BOOLEAN' }, additional_info: { random: 10 } })
  const tooEarly = await postman.send({ method: 'PUT', url: '{{server}}/plugin/{{plugin_id}}', raw: update })
  t.strictSame([tooEarly.status, tooEarly.text], [400, '{"detail":"Project not ready"}'], 'sent as soon as a plugin shows (the project still TRAINING): PrCore\'s 400')
  await getProjectUntil(t, postman, clock, isTrained)
  const updated = await send(t, postman, 'Update plugin', 'PUT', '{{server}}/plugin/{{plugin_id}}', { raw: update })
  t.equal(updated.json().message, 'Plugin is updated successfully', 'the docs\' message (set-parameters.md)')
  t.match(updated.json().plugin, { parameters: { encoding: 'BOOLEAN' }, additional_info: { random: 10 }, status: 'TRAINING' }, 'merged; new parameters retrain it')
  await getProjectUntil(t, postman, clock, isTrained, 'Get the project until the plugin has retrained')
  const disabled = await send(t, postman, 'Disable plugin', 'PUT', '{{server}}/plugin/{{plugin_id}}/disable')
  t.equal(disabled.json().message, 'Plugin is disabled successfully', 'the docs\' message (disable-or-enable.md)')
  t.equal(disabled.json().plugin.disabled, true)
  const enabled = await send(t, postman, 'Enable plugin', 'PUT', '{{server}}/plugin/{{plugin_id}}/enable')
  t.equal(enabled.json().message, 'Plugin is enabled successfully')
  const checked = await send(t, postman, 'Check plugin status', 'GET', '{{server}}/plugin/{{plugin_id}}')
  t.equal(checked.json().message, 'Plugin retrieved successfully', 'the docs\' message (get-plugin-status.md)')
  t.match(checked.json().plugin, { status: 'TRAINED', disabled: false })
})

folder('"Test Getters" folder: hello world, event logs, plugins', async (t, postman, clock) => {
  const root = await send(t, postman, 'Hello world', 'GET', '{{server}}')
  t.strictSame(Object.keys(root.json()), ['API', 'Documentation', 'Swagger UI', 'RabbitMQ Management'])
  const logs = await send(t, postman, 'Get existing event logs', 'GET', '{{server}}/event_log/all')
  t.match(logs.json(), { message: 'Event logs retrieved successfully', event_logs: Array })
  const plugins = await send(t, postman, 'Get existing plugin', 'GET', '{{server}}/plugin/all')
  t.match(plugins.json(), { message: 'Plugins retrieved successfully', plugins: Array })
})

folder('"Other tests" folders: a very small dataset, a duration with decimals', async (t, postman, clock) => {
  await t.test('Very small dataset', async (t) => {
    await postmanSetup(t, postman, [{ key: 'file', file: 'data.csv', content: smallManualCsv(12) }, { key: 'separator', value: ',' }],
      postmanRaw({ columns_definition: { case_id: 'CASE_ID', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', Activity: 'ACTIVITY', Resource: 'RESOURCE' } }),
      project({ positive_outcome: condition('DURATION', 'EQUAL', '100 days'), treatment: condition('Activity', 'EQUAL', 'A') }))
    await send(t, postman, 'Get the project', 'GET', '{{server}}/project/{{project_id}}')
    await getProjectUntil(t, postman, clock, isTrained)
  })
  await t.test('Duration with decimals', async (t) => {
    await postmanSetup(t, postman, UPLOAD_CSV(),
      postmanRaw({ columns_definition: { 'Case ID': 'CASE_ID', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', Activity: 'ACTIVITY', Resource: 'RESOURCE' } }),
      project({ positive_outcome: condition('DURATION', 'LESS_THAN_OR_EQUAL', '2.21 days'), treatment: condition('Activity', 'EQUAL', 'A') }))
    await send(t, postman, 'Get the project', 'GET', '{{server}}/project/{{project_id}}')
    await getProjectUntil(t, postman, clock, isTrained)
  })
})

t.test('the Postman collection (static/download/postman_collection.json), folder by folder, one environment, one sandbox', async (t) => {
  const { clock, base } = await sandbox(t)
  const postman = new Postman(base)
  for (const [name, run] of FOLDERS) await t.test(`Postman ${name}`, (t) => run(t, postman, clock))
})

t.test('Postman "Advanced Usage / Event Log Operations / Re-upload File" folder, with RESULTBOX_PRPM_REUPLOAD_ANSWER=intended', async (t) => {
  const { clock, base } = await sandbox(t, { RESULTBOX_PRPM_REUPLOAD_ANSWER: 'intended' })
  await reuploadFolder(t, new Postman(base), clock, 'intended')
})

t.test('the replayed clients themselves: requests\' JSON, sseclient\'s parsing of CRLF events split anywhere', async (t) => {
  t.equal(pythonJson({ event_log_id: 1, a: [1, 'é'], b: { c: null, d: false } }), '{"event_log_id": 1, "a": [1, "\\u00e9"], "b": {"c": null, "d": false}}')
  const text = 'id: 0\r\nevent: notification\r\ndata: CONNECTED\r\n\r\nevent: ping\r\ndata: 2026-01-01 00:00:15.000000\r\n\r\nid: 1\r\nevent: message\r\ndata: [{"id": 1}]\r\n\r\n'
  for (let cut = 1; cut < text.length; cut += 7) {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, cut)))
        controller.enqueue(new TextEncoder().encode(text.slice(cut)))
        controller.close()
      },
    })
    const events: SseEvent[] = []
    for await (const event of sseClientEvents({ status: 200, headers: new Headers(), body: body as unknown as AsyncIterable<Uint8Array>, interrupted: () => false, interrupt: () => undefined })) events.push(event)
    t.strictSame(events.map((event) => [event.id, event.event, event.data]), [['0', 'notification', 'CONNECTED'], [null, 'ping', '2026-01-01 00:00:15.000000'], ['1', 'message', '[{"id": 1}]']], `cut at ${cut}`, { diagnostic: false })
  }
})

import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { PrpmStore } from '../src/prpm/store.js'
import { simulationRows } from '../src/prpm/streams.js'
import { control, prpmCounts, sendJson } from './helpers/prpm.js'
import { CREDENTIALS, START, get, startSandbox } from './helpers/sandbox.js'

/*
 * PrPM's streams as the control API shows them: a scenario that starts a
 * project streaming or simulating, and GET /_resultbox/state's `streams`,
 * whose counts move as a client posts events, as the sandbox clock passes
 * the prescriptions' due times and as the simulator posts its rows.
 * Every answer is also checked against the OpenAPI document by the sandbox helper.
 */

const iso = (ms: number) => new Date(ms).toISOString()

interface StreamOverview {
  project_id: number
  kind: string
  status: string
  started_at: string
  finished_at: string | null
  events: number
  prescribed: number
  sent: number
  cases: number
  reader: boolean
  simulation: { posted: number; total: number; next_post_at: string | null } | null
  result_url: string
}

async function prpmState(t: Test, app: FastifyInstance): Promise<{ streams_total: number; streams: StreamOverview[] }> {
  const res = await get(app, '/_resultbox/state')
  t.equal(res.statusCode, 200, 'GET /_resultbox/state')
  return res.json().prpm
}

async function streamOf(t: Test, app: FastifyInstance, projectId: number): Promise<StreamOverview | undefined> {
  return (await prpmState(t, app)).streams.find((stream) => stream.project_id === projectId)
}

async function advance(app: FastifyInstance, ms: number) {
  const res = await control(app, '/clock', { advance_ms: ms })
  if (res.statusCode !== 200) throw new Error(`the clock did not move: ${res.body}`)
}

async function projectOf(app: FastifyInstance, projectId: number): Promise<{ status: string; plugins: { status: string }[] }> {
  const res = await get(app, `/project/${projectId}`, CREDENTIALS.prpm)
  if (res.statusCode !== 200) throw new Error(`GET /project/${projectId} answered ${res.statusCode}`)
  return res.json().project
}

/** An event with every column of the scenario project's definition (the fixture projects' too). */
function event(caseId: string, activity: string, extra: Record<string, unknown> = {}) {
  return {
    'Case ID': caseId, start_time: '2026-01-01 00:00:00.000', end_time: '2026-01-01 00:01:00.000', AMOUNT_REQ: '5000',
    REG_DATE: '2025-12-31T00:00:00.000Z', Activity: activity, Resource: '112', ...extra,
  }
}

async function post(app: FastifyInstance, projectId: number, body: unknown) {
  return sendJson(app, 'POST', `/project/${projectId}/stream/event`, body)
}

/** The simulator's rows as its run stores them, each case id without its run's random prefix. */
function storedRows(app: FastifyInstance, projectId: number): Record<string, unknown>[] {
  const row = app.resultbox.db.prepare<[number], { rows: string }>('SELECT rows FROM prpm_stream_runs WHERE project_id = ? ORDER BY id DESC LIMIT 1').get(projectId)
  return unprefixed(JSON.parse(row?.rows ?? 'null') as Record<string, unknown>[])
}
const unprefixed = (rows: Record<string, unknown>[]) =>
  rows.map((row) => ({ ...row, 'Case ID': String(row['Case ID']).replace(/^[A-Za-z0-9]{8}-/, '') }))

t.test('a scenario starts a new TRAINED project streaming; the overview counts what is posted and prescribed as the clock moves', async (t) => {
  const { app } = await startSandbox(t)
  const fixtures = await prpmState(t, app)
  t.equal(fixtures.streams_total, 0)
  t.strictSame(fixtures.streams, [], 'no fixture project streams')

  const res = await control(app, '/scenarios/prpm', { project_status: 'TRAINED', stream: 'streaming', case_count: 2 })
  t.equal(res.statusCode, 201)
  const created = res.json()
  const id = created.project_id as number
  t.strictSame(Object.keys(created), ['project_id', 'result_key', 'project_url', 'result_url', 'due', 'stream_url'])
  t.match(created, { project_url: `/project/${id}`, result_url: `/project/${id}/result/${created.result_key}`, stream_url: `/project/${id}/stream/result` })
  t.equal(created.due.length, 3, 'the scenario still makes its result, as without stream')

  const project = await projectOf(app, id)
  t.equal(project.status, 'STREAMING', 'GET /project/{id} says the project streams')
  t.strictSame([...new Set(project.plugins.map((plugin) => plugin.status))], ['STREAMING'], 'its plugins loaded, as stream/start loads them')
  t.equal((await get(app, created.result_url, CREDENTIALS.prpm)).statusCode, 200, 'the result reads as before')

  const state = await prpmState(t, app)
  t.equal(state.streams_total, 1)
  t.strictSame(state.streams, [{
    project_id: id, kind: 'STREAMING', status: 'streaming', started_at: iso(START), finished_at: null,
    events: 0, prescribed: 0, sent: 0, cases: 0, reader: false, simulation: null, result_url: `/project/${id}/stream/result`,
  }])

  const first = await post(app, id, event('case-1', 'A_SUBMITTED'))
  t.equal(first.statusCode, 200)
  t.equal(first.json().message, 'Event received successfully')
  t.match(await streamOf(t, app, id), { events: 1, prescribed: 0, sent: 0, cases: 1 }, 'posted, its prescriptions not yet due')
  await advance(app, 999)
  t.match(await streamOf(t, app, id), { events: 1, prescribed: 0 }, 'not before RESULTBOX_PRPM_PRESCRIPTION_SECONDS (1 s)')
  await advance(app, 1)
  t.match(await streamOf(t, app, id), { events: 1, prescribed: 1, sent: 0 }, 'prescribed 1 s after the post; nobody reads, so nothing is sent')

  t.equal((await post(app, id, event('case-1', 'A_PARTLYSUBMITTED'))).statusCode, 200)
  const last = await post(app, id, event('case-2', 'A_SUBMITTED', { COMPLETE_INDICATOR: true }))
  t.equal(last.json().message, 'Event received successfully, this is the last event of the case')
  t.match(await streamOf(t, app, id), { events: 3, prescribed: 2, cases: 2 }, "a case's last event is answered at once")
  await advance(app, 1000)
  t.match(await streamOf(t, app, id), { status: 'streaming', events: 3, prescribed: 3, cases: 2 })

  const missing = await post(app, id, { 'Case ID': 'case-3', Activity: 'A_SUBMITTED' })
  t.equal(missing.statusCode, 400, 'an event without every defined column is refused')
  t.match(await streamOf(t, app, id), { events: 3 }, 'and not counted')

  t.equal((await sendJson(app, 'PUT', `/project/${id}/stream/stop`, {})).statusCode, 200)
  t.match(await streamOf(t, app, id), { status: 'finished', finished_at: iso(START + 2000), events: 3, prescribed: 3 }, 'stopped: finished, its events kept')
  t.equal((await projectOf(app, id)).status, 'TRAINED')
  t.equal((await sendJson(app, 'PUT', `/project/${id}/stream/clear`, {})).statusCode, 200)
  t.match(await streamOf(t, app, id), { status: 'finished', events: 0, prescribed: 0, cases: 0 }, 'cleared: the events are gone')

  const again = await control(app, '/scenarios/prpm', { project_id: id, stream: 'streaming', case_count: 1 })
  t.equal(again.statusCode, 201, 'a TRAINED project streams again')
  const rerun = await prpmState(t, app)
  t.equal(rerun.streams_total, 1, 'one project, one entry')
  t.match(rerun.streams[0], { project_id: id, status: 'streaming', started_at: iso(START + 2000), finished_at: null }, 'its latest run')
})

t.test('a reader of stream/result shows as connected, and what it was sent is counted', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_PRPM_STREAM_POLL_MS: '10' } })
  const id = (await control(app, '/scenarios/prpm', { project_id: 3, stream: 'streaming' })).json().project_id as number
  t.equal(id, 3)
  const reader = await app.inject({ method: 'GET', url: `/project/${id}/stream/result`, headers: CREDENTIALS.prpm, payloadAsStream: true })
  t.equal(reader.statusCode, 200)
  t.match(reader.headers['content-type'], /^text\/event-stream/)
  const body = reader.stream()
  let text = ''
  body.setEncoding('utf8')
  body.on('data', (chunk: string) => { text += chunk })
  const heard = async (pattern: RegExp) => {
    for (let wait = 0; wait < 500 && !pattern.test(text); wait++) await new Promise((resolve) => setTimeout(resolve, 10))
    t.match(text, pattern)
  }
  await heard(/data: CONNECTED/)
  t.match(await streamOf(t, app, id), { reader: true, events: 0, sent: 0 })

  t.equal((await post(app, id, event('case-1', 'A_SUBMITTED'))).statusCode, 200)
  await advance(app, 1000)
  await heard(/event: message/)
  t.match(await streamOf(t, app, id), { reader: true, events: 1, prescribed: 1, sent: 1 }, 'prescribed, then sent to the reader')

  t.equal((await sendJson(app, 'PUT', `/project/${id}/stream/stop`, {})).statusCode, 200)
  await heard(/data: FINISHED/)
  if (!body.readableEnded) await new Promise((resolve) => body.once('end', resolve))
  t.match(await streamOf(t, app, id), { status: 'finished', reader: false, sent: 1 }, 'the reader heard FINISHED and left')
})

t.test('a scenario starts a new TRAINED project simulating; the simulator posts on the clock', async (t) => {
  const { app } = await startSandbox(t)
  const res = await control(app, '/scenarios/prpm', { project_status: 'TRAINED', stream: 'simulating' })
  t.equal(res.statusCode, 201)
  const created = res.json()
  const id = created.project_id as number
  t.equal(created.stream_url, `/project/${id}/stream/result`)
  t.equal((await projectOf(app, id)).status, 'SIMULATING')

  // What the scenario replays is what stream/start/simulating reads from the project's stored log.
  const expected = await simulationRows(new PrpmStore(app.resultbox.db), id, 1 << 26)
  t.ok(expected.length > 10, `the simulation cases' events (${expected.length})`)
  t.strictSame(storedRows(app, id), unprefixed(expected), "the rows of the project's simulation cases, in stream/start/simulating's order")
  const total = expected.length

  t.strictSame(await streamOf(t, app, id), {
    project_id: id, kind: 'SIMULATING', status: 'streaming', started_at: iso(START), finished_at: null,
    events: 1, prescribed: 0, sent: 0, cases: 1, reader: false,
    simulation: { posted: 1, total, next_post_at: iso(START + 5000) },
    result_url: `/project/${id}/stream/result`,
  }, 'the first row is posted at once')
  await advance(app, 1000)
  t.match(await streamOf(t, app, id), { events: 1, prescribed: 1, simulation: { posted: 1 } })
  await advance(app, 4000)
  t.match(await streamOf(t, app, id), { events: 2, prescribed: 1, simulation: { posted: 2, total, next_post_at: iso(START + 10_000) } },
    'the next row RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS (5 s) later')
  await advance(app, 5000)
  t.match(await streamOf(t, app, id), { events: 3, prescribed: 2, simulation: { posted: 3, next_post_at: iso(START + 15_000) } })
})

t.test('the simulator runs to its last row and ends one interval later; its project stays SIMULATING until stream/stop', async (t) => {
  const { app } = await startSandbox(t)
  const id = (await control(app, '/scenarios/prpm', { project_status: 'TRAINED', stream: 'simulating' })).json().project_id as number
  const total = storedRows(app, id).length
  t.match(await streamOf(t, app, id), { simulation: { posted: 1, total, next_post_at: iso(START + 5000) } })
  await advance(app, (total - 1) * 5000)
  t.match(await streamOf(t, app, id), { status: 'streaming', finished_at: null, events: total, cases: 10, simulation: { posted: total, total, next_post_at: iso(START + total * 5000) } }, 'every row posted; the end is due an interval later')
  await advance(app, 5000)
  t.match(await streamOf(t, app, id), { status: 'finished', finished_at: iso(START + total * 5000), events: total, prescribed: total, simulation: { posted: total, next_post_at: null } })
  t.equal((await projectOf(app, id)).status, 'SIMULATING', 'PrCore leaves it SIMULATING: its last event, a case\'s last, asks no plugin')
  const stop = await app.inject({ method: 'PUT', url: `/project/${id}/stream/stop`, headers: CREDENTIALS.prpm })
  t.equal(stop.statusCode, 200, 'the client\'s own stop ends it')
  t.equal((await projectOf(app, id)).status, 'TRAINED')
})

t.test('a plugin that answers after the simulator\'s end returns its project to TRAINED', async (t) => {
  // Answers slower than the simulator's pace: some come after its end.
  const { app } = await startSandbox(t, { env: { RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS: '1', RESULTBOX_PRPM_PRESCRIPTION_SECONDS: '3' } })
  const id = (await control(app, '/scenarios/prpm', { project_status: 'TRAINED', stream: 'simulating' })).json().project_id as number
  const rows = storedRows(app, id)
  const total = rows.length
  // Row i goes at i s and is prescribed 3 s later, a case's last event at once; the run ends 1 s after the last row.
  const lastPrescribed = Math.max(...rows.map((row, index) => START + index * 1000 + (row.COMPLETE_INDICATOR === true ? 0 : 3000)))
  const end = START + total * 1000
  t.ok(lastPrescribed > end, 'the seeded data has an answer after the end')
  await advance(app, total * 1000)
  t.match(await streamOf(t, app, id), { status: 'finished', finished_at: iso(end) })
  t.equal((await projectOf(app, id)).status, 'SIMULATING', 'until that answer')
  await advance(app, lastPrescribed - end)
  t.equal((await projectOf(app, id)).status, 'TRAINED', 'then TRAINED')
})

t.test('a scenario streams or simulates an existing TRAINED project', async (t) => {
  const { app } = await startSandbox(t)
  const simulating = await control(app, '/scenarios/prpm', { project_id: 1, stream: 'simulating', case_count: 1 })
  t.equal(simulating.statusCode, 201)
  t.match(simulating.json(), { project_id: 1, project_url: '/project/1', stream_url: '/project/1/stream/result' })
  t.equal((await projectOf(app, 1)).status, 'SIMULATING')
  const expected = await simulationRows(new PrpmStore(app.resultbox.db), 1, 1 << 26)
  t.strictSame(storedRows(app, 1), unprefixed(expected), "the rows read from fixture project 1's stored log")

  const streaming = await control(app, '/scenarios/prpm', { project_id: 3, stream: 'streaming' })
  t.equal(streaming.statusCode, 201)
  t.equal((await projectOf(app, 3)).status, 'STREAMING')
  const state = await prpmState(t, app)
  t.equal(state.streams_total, 2)
  t.strictSame(state.streams.map((stream) => [stream.project_id, stream.kind, stream.status]), [[3, 'STREAMING', 'streaming'], [1, 'SIMULATING', 'streaming']], 'newest first')
  t.match(state.streams[1], { events: 1, simulation: { posted: 1, total: expected.length } })
  t.equal((await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)).statusCode, 200, "the fixture's result reads as before")
})

t.test('a scenario refuses to stream a project that is not TRAINED, naming why, and writes nothing', async (t) => {
  const { app } = await startSandbox(t)
  // A project that trains on the clock: 35 s pre-processing, then 7 s training.
  const training = (await control(app, '/scenarios/prpm', {})).json().project_id as number
  t.equal(training, 4)
  t.equal((await control(app, '/scenarios/prpm', { project_id: 3, stream: 'streaming' })).statusCode, 201)
  const before = prpmCounts(app)
  const refusals: [object, number, string, string][] = [
    [{ stream: 'streaming' }, 400, '/stream',
      'stream needs a TRAINED project; the new project is PREPROCESSING, not yet TRAINED: it trains on the clock first (project_status TRAINED makes a TRAINED one)'],
    [{ stream: 'simulating', training: { preprocessing_ms: 0, training_ms: 0 } }, 400, '/stream',
      'stream needs a TRAINED project; the new project is PREPROCESSING, not yet TRAINED: it trains on the clock first (project_status TRAINED makes a TRAINED one)'],
    [{ project_status: 'TRAINING', stream: 'simulating' }, 400, '/stream', 'stream needs a TRAINED project; the new project is TRAINING, not yet TRAINED'],
    [{ project_status: 'ERROR', stream: 'streaming' }, 400, '/stream', 'stream needs a TRAINED project; the new project is in ERROR'],
    [{ project_status: 'WAITING', stream: 'streaming' }, 400, '/stream', 'stream needs a TRAINED project; the new project is WAITING for its event log to be defined'],
    [{ project_status: 'SIMULATING', stream: 'streaming' }, 400, '/stream', 'stream needs a TRAINED project; the new project is SIMULATING already'],
    [{ project_id: training, stream: 'streaming' }, 400, '/stream', `stream needs a TRAINED project; project ${training} is PREPROCESSING, not yet TRAINED: it trains on the clock first`],
    [{ project_id: 2, stream: 'simulating' }, 400, '/stream', 'stream needs a TRAINED project; project 2 is in ERROR'],
    [{ project_id: 3, stream: 'simulating' }, 400, '/stream', 'stream needs a TRAINED project; project 3 is STREAMING already'],
    [{ project_id: 77, stream: 'simulating' }, 404, '/project_id', 'no project 77'],
  ]
  for (const [body, status, field, message] of refusals) {
    const res = await control(app, '/scenarios/prpm', body)
    t.equal(res.statusCode, status, JSON.stringify(body))
    t.strictSame(res.json(), { error: status === 404 ? 'not_found' : 'invalid_scenario', message, field }, JSON.stringify(body))
  }
  const invalid = await control(app, '/scenarios/prpm', { project_status: 'TRAINED', stream: 'STREAMING' })
  t.equal(invalid.statusCode, 400)
  t.match(invalid.json(), { error: 'invalid_request', field: '/stream' }, 'streaming or simulating, as the API spells the path')
  const scenario = app.resultbox.simulations.prpm!.scenario
  t.throws(() => scenario.create({ project_id: 1, stream: 'simulating' }, START), /prepare\(\) reads: call it first/, 'create() alone cannot read a stored log')
  t.strictSame(prpmCounts(app), before, 'nothing written')
  t.equal((await projectOf(app, 3)).status, 'STREAMING')

  await advance(app, 42_000)
  t.equal((await projectOf(app, training)).status, 'TRAINED')
  const trained = await control(app, '/scenarios/prpm', { project_id: training, stream: 'simulating' })
  t.equal(trained.statusCode, 201, 'once trained on the clock, it simulates')
  t.equal((await projectOf(app, training)).status, 'SIMULATING')
})

t.test('a simulation with nothing to replay ends as it starts, as stream/start/simulating does; the project stays SIMULATING', async (t) => {
  const { app } = await startSandbox(t)
  // Project 3's log without its stored file: the simulator has no rows.
  app.resultbox.db.prepare('DELETE FROM prpm_event_log_files WHERE event_log_id = (SELECT event_log_id FROM prpm_project_details WHERE project_id = 3)').run()
  const res = await control(app, '/scenarios/prpm', { project_id: 3, stream: 'simulating' })
  t.equal(res.statusCode, 201)
  t.equal((await projectOf(app, 3)).status, 'SIMULATING', 'as PrCore leaves it, until stream/stop')
  t.strictSame(await streamOf(t, app, 3), {
    project_id: 3, kind: 'SIMULATING', status: 'finished', started_at: iso(START), finished_at: iso(START),
    events: 0, prescribed: 0, sent: 0, cases: 0, reader: false, simulation: { posted: 0, total: 0, next_post_at: null }, result_url: '/project/3/stream/result',
  })
})

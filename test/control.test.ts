import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { start } from '../src/start.js'
import { CREDENTIALS, START, get, startSandbox } from './helpers/sandbox.js'

const RESULT_URL = '/project/1/result/dVbQ3x7K'
const SAMPLE_URL = '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=2'

async function send(app: FastifyInstance, method: 'POST' | 'PUT' | 'DELETE' | 'GET', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) })
}

t.test('health and readiness', async (t) => {
  const { app, clock } = await startSandbox(t)
  const health = await get(app, '/_resultbox/health')
  t.equal(health.statusCode, 200)
  t.strictSame(health.json(), { status: 'up' })
  clock.advance(1500)
  const ready = await get(app, '/_resultbox/ready')
  t.equal(ready.statusCode, 200)
  t.match(ready.json(), {
    status: 'ready',
    schema_version: Number,
    seeded_at: new Date(START).toISOString(),
    clock: new Date(START + 1500).toISOString(),
  })
  t.ok(ready.json().schema_version >= 4, 'every migration applied')
  const unknown = await get(app, '/_resultbox/nope?x=1')
  t.equal(unknown.statusCode, 404)
  t.strictSame(unknown.json(), { error: 'not_found', message: 'no control endpoint GET /_resultbox/nope' })
})

t.test('the clock: read, advance, set, freeze, speed', async (t) => {
  const { app } = await startSandbox(t)
  t.strictSame((await get(app, '/_resultbox/clock')).json(), {
    now: '2026-01-01T00:00:00.000Z', now_ms: START, frozen: true, speed: 1,
  })

  const advanced = await send(app, 'POST', '/_resultbox/clock', { advance_ms: 4000 })
  t.equal(advanced.statusCode, 200)
  t.strictSame(advanced.json(), { now: '2026-01-01T00:00:04.000Z', now_ms: START + 4000, frozen: true, speed: 1 })
  const processing = (await get(app, RESULT_URL, CREDENTIALS.prpm)).json()
  t.strictSame(processing.finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity'], 'what became due ran, in due order')

  const set = await send(app, 'POST', '/_resultbox/clock', { set: '2026-01-01T01:00:04+01:00', speed: 10 })
  t.strictSame(set.json(), { now: '2026-01-01T00:00:04.000Z', now_ms: START + 4000, frozen: true, speed: 10 }, 'an offset is honoured; setting the same time is allowed')
  const later = await send(app, 'POST', '/_resultbox/clock', { set: '2026-01-02T00:00:00Z' })
  t.equal(later.json().now, '2026-01-02T00:00:00.000Z')
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 404, 'a day later the result has expired')

  const thawed = await send(app, 'POST', '/_resultbox/clock', { frozen: false })
  t.equal(thawed.json().frozen, false)
  await new Promise((resolve) => setTimeout(resolve, 30))
  const running = (await get(app, '/_resultbox/clock')).json()
  t.ok(running.now_ms > Date.parse('2026-01-02T00:00:00Z'), 'an unfrozen clock runs (here at 10×)')
})

t.test('the clock refuses what it cannot do, naming the field', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [unknown, string, string][] = [
    [{ advance_ms: '100' }, '/advance_ms', 'a JSON string is not coerced'],
    [{ advance_ms: -1 }, '/advance_ms', 'negative'],
    [{ advance_ms: 1.5 }, '/advance_ms', 'not an integer'],
    [{ advnce_ms: 100 }, '/advnce_ms', 'a typo is not ignored'],
    [{ set: 'yesterday' }, '/set', 'not a date-time'],
    [{ set: '2025-12-31T23:59:59Z' }, '/set', 'back in time'],
    [{ speed: 0 }, '/speed', 'speed must be positive'],
    [{ frozen: 'yes' }, '/frozen', 'not a boolean'],
    [{}, '', 'nothing to do'],
  ]
  for (const [body, field, why] of cases) {
    const res = await send(app, 'POST', '/_resultbox/clock', body)
    t.equal(res.statusCode, 400, why)
    t.equal(res.json().error, 'invalid_request', why)
    t.equal(res.json().field, field, why)
    t.type(res.json().message, 'string')
  }
  const notJson = await app.inject({ method: 'POST', url: '/_resultbox/clock', payload: '{"advance_ms":', headers: { 'content-type': 'application/json' } })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().error, 'invalid_request')
  t.equal((await get(app, '/_resultbox/clock')).json().now_ms, START, 'no refused change moved the clock')
})

t.test('reset puts every vendor, or one, back to its fixtures', async (t) => {
  const { app, clock } = await startSandbox(t)
  clock.advance(6000)
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200)
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 404, 'read once, then gone')

  const other = await send(app, 'POST', '/_resultbox/state/reset?vendor=explorer')
  t.strictSame(other.json(), { reset: ['explorer'], clock: '2026-01-01T00:00:06.000Z' })
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 404, 'resetting Explorer leaves PrPM alone')

  const all = await send(app, 'POST', '/_resultbox/state/reset')
  t.equal(all.statusCode, 200)
  t.strictSame(all.json(), { reset: ['prpm', 'explorer', 'modelarts'], clock: '2026-01-01T00:00:06.000Z' })
  const again = (await get(app, RESULT_URL, CREDENTIALS.prpm)).json()
  t.equal(again.message, 'Ongoing dataset result is still processing', 'the fixture result is back, seeded now')
  t.strictSame(again.finished_plugins, [])
  clock.advance(6000)
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).json().cases_count, 2618, 'and runs on the clock again')

  const bad = await send(app, 'POST', '/_resultbox/state/reset?vendor=acme')
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().field, '/vendor')
})

const flaky = (seed: number) => ({
  seed,
  rules: [{ vendor: 'prpm', operation: 'getResult', error: { status: 503, probability: 0.5 } }],
})

async function statuses(app: FastifyInstance, count: number): Promise<number[]> {
  const seen: number[] = []
  for (let i = 0; i < count; i += 1) seen.push((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode)
  return seen
}

t.test('faults: the same seed gives the same sequence', async (t) => {
  const first = await startSandbox(t)
  const second = await startSandbox(t)
  t.equal((await send(first.app, 'PUT', '/_resultbox/faults', flaky(42))).statusCode, 200)
  t.equal((await send(second.app, 'PUT', '/_resultbox/faults', flaky(42))).statusCode, 200)
  const a = await statuses(first.app, 40)
  const b = await statuses(second.app, 40)
  t.strictSame(a, b, 'two sandboxes, one seed, one sequence')
  t.ok(a.includes(503) && a.includes(200), 'probability 0.5 fails some and passes some')
  const failures = a.filter((status) => status === 503).length
  t.ok(failures > 8 && failures < 32, `about half fail (${failures} of 40)`)

  await send(first.app, 'PUT', '/_resultbox/faults', flaky(42))
  t.strictSame(await statuses(first.app, 40), a, 'PUT again restarts the draws')
  await send(first.app, 'PUT', '/_resultbox/faults', flaky(43))
  t.notSame(await statuses(first.app, 40), a, 'another seed, another sequence')

  const state = (await get(first.app, '/_resultbox/faults')).json()
  t.strictSame(state.rules[0], { ...flaky(43).rules[0], matched: 40, injected: state.rules[0].injected })
  t.equal(state.rules[0].matched, 40)
  t.equal(state.seed, 43)
})

t.test('faults: an injected error is in the vendor envelope; the first matching rule applies', async (t) => {
  const { app } = await startSandbox(t)
  const put = await send(app, 'PUT', '/_resultbox/faults', {
    rules: [
      { vendor: 'prpm', operation: 'getResult', error: { status: 503 } },
      { vendor: 'prpm', error: { status: 500 } },
      { vendor: 'explorer', error: { status: 429, headers: { 'retry-after': '1' } } },
      { vendor: 'modelarts', error: { status: 502, body: { error_code: 'APIG.0201', error_msg: 'Backend unavailable' } } },
    ],
  })
  t.equal(put.statusCode, 200)
  t.strictSame(put.json().rules[2], { vendor: 'explorer', error: { status: 429, headers: { 'retry-after': '1' }, probability: 1 }, matched: 0, injected: 0 }, 'probability defaults to 1')

  const prpm = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(prpm.statusCode, 503)
  t.strictSame(prpm.json(), { detail: 'Service Unavailable' })
  t.equal(prpm.headers['content-type'], 'application/json')
  const unrouted = await get(app, '/nope', CREDENTIALS.prpm)
  t.equal(unrouted.statusCode, 500, 'a rule without operation covers paths the vendor does not serve')
  t.equal(unrouted.body, 'Internal server error')

  const unauthenticated = await get(app, SAMPLE_URL)
  t.equal(unauthenticated.statusCode, 429, 'faults come before auth, as a gateway would')
  t.strictSame(unauthenticated.json(), { code: 42904000, message: 'Err429' })
  t.equal(unauthenticated.headers['retry-after'], '1')

  const modelarts = await get(app, '/v2/p/processor-tasks/t/versions/v/results', CREDENTIALS.modelarts)
  t.equal(modelarts.statusCode, 502)
  t.strictSame(modelarts.json(), { error_code: 'APIG.0201', error_msg: 'Backend unavailable' })
  t.match(modelarts.headers['x-request-id'], /^[0-9a-f]{32}$/, 'the gateway still names the request')

  t.equal((await get(app, '/_resultbox/clock')).statusCode, 200, 'the control API is never faulted')
  const state = (await get(app, '/_resultbox/faults')).json()
  t.strictSame(state.rules.map((rule: { matched: number; injected: number }) => [rule.matched, rule.injected]), [[1, 1], [1, 1], [1, 1], [1, 1]])

  const cleared = await send(app, 'DELETE', '/_resultbox/faults')
  t.equal(cleared.statusCode, 204)
  t.strictSame((await get(app, '/_resultbox/faults')).json(), { seed: 1, rules: [] })
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200)
})

t.test('faults: latency, fixed or drawn from a range', async (t) => {
  const { app } = await startSandbox(t)
  await send(app, 'PUT', '/_resultbox/faults', {
    seed: 5,
    rules: [
      { vendor: 'explorer', operation: 'sampleResult', latency: { fixed_ms: 120 } },
      { vendor: 'prpm', latency: { min_ms: 20, max_ms: 60 }, error: { status: 503, probability: 0 } },
    ],
  })
  const began = performance.now()
  const slow = await get(app, SAMPLE_URL, CREDENTIALS.explorer)
  t.equal(slow.statusCode, 200, 'latency alone does not fail the request')
  t.ok(performance.now() - began >= 115, 'answered after the fixed latency')

  for (let i = 0; i < 5; i += 1) t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200, 'probability 0 never fails')
  const journal = (await get(app, '/_resultbox/requests?vendor=prpm')).json()
  for (const entry of journal.requests) {
    t.ok(entry.fault.latency_ms >= 20 && entry.fault.latency_ms <= 60, `latency ${entry.fault.latency_ms} ms within the range`)
    t.equal(entry.fault.injected_status, null)
    t.equal(entry.fault.rule, 1)
  }
})

t.test('faults: bad rules are refused, naming the field, and change nothing', async (t) => {
  const { app } = await startSandbox(t)
  await send(app, 'PUT', '/_resultbox/faults', flaky(9))
  const cases: [unknown, string][] = [
    [{ rules: [{ vendor: 'acme', error: { status: 500 } }] }, '/rules/0/vendor'],
    [{ rules: [{ vendor: 'prpm', error: { status: 200 } }] }, '/rules/0/error/status'],
    [{ rules: [{ vendor: 'prpm', error: { status: 500, probability: 2 } }] }, '/rules/0/error/probability'],
    [{ rules: [{ vendor: 'prpm', latency: { min_ms: 50, max_ms: 10 } }] }, '/rules/0/latency/max_ms'],
    [{ rules: [{ vendor: 'prpm' }] }, '/rules/0'],
    [{ rules: [{ vendor: 'prpm', eror: { status: 500 } }] }, '/rules/0/eror'],
    [{ seed: -1, rules: [] }, '/seed'],
    [{}, '/rules'],
  ]
  for (const [body, field] of cases) {
    const res = await send(app, 'PUT', '/_resultbox/faults', body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().field, field, JSON.stringify(body))
  }
  t.equal((await get(app, '/_resultbox/faults')).json().seed, 9, 'the previous rules stay')
})

t.test('the journal: vendor requests, newest first, filtered', async (t) => {
  const { app } = await startSandbox(t)
  await get(app, RESULT_URL, CREDENTIALS.prpm)
  await get(app, SAMPLE_URL, CREDENTIALS.explorer)
  await get(app, '/project/abc/result/x', CREDENTIALS.prpm)
  await send(app, 'POST', '/project/1/result/x', { hello: 'world' }, CREDENTIALS.prpm)
  await get(app, '/_resultbox/clock')

  const all = await get(app, '/_resultbox/requests')
  t.equal(all.statusCode, 200)
  const body = all.json()
  t.equal(body.total, 4, 'the control API is not journaled')
  t.equal(body.capacity, 1000)
  t.strictSame(body.requests.map((entry: { id: number }) => entry.id), [4, 3, 2, 1], 'newest first')
  const [posted, invalid, sample, first] = body.requests
  t.match(first, {
    vendor: 'prpm', operation: 'getResult', method: 'GET', path: RESULT_URL, query: '', status: 200,
    time: '2026-01-01T00:00:00.000Z', body: null, fault: null, headers: { authorization: 'Bearer resultbox' },
  })
  t.type(first.duration_ms, 'number')
  t.match(sample, { vendor: 'explorer', operation: 'sampleResult', query: 'limit=2', status: 200 })
  t.match(invalid, { vendor: 'prpm', operation: 'getResult', status: 422 })
  t.match(posted, { method: 'POST', body: { hello: 'world' } })

  const filtered = async (query: string) => (await get(app, `/_resultbox/requests?${query}`)).json()
  t.strictSame((await filtered('vendor=explorer')).requests.map((entry: { id: number }) => entry.id), [2])
  t.strictSame((await filtered('status=422')).requests.map((entry: { id: number }) => entry.id), [3])
  t.strictSame((await filtered('path=/project/1/')).requests.map((entry: { id: number }) => entry.id), [4, 1])
  t.strictSame((await filtered('method=post')).requests.map((entry: { id: number }) => entry.id), [4])
  t.strictSame((await filtered('operation=getResult&limit=1')), { total: 2, capacity: 1000, requests: [invalid] })
  t.equal((await get(app, '/_resultbox/requests?status=abc')).statusCode, 400)
  t.equal((await get(app, '/_resultbox/requests?limit=0')).json().field, '/limit')

  t.equal((await send(app, 'DELETE', '/_resultbox/requests')).statusCode, 204)
  t.strictSame((await filtered('')).requests, [])
  await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal((await filtered('')).requests[0].id, 5, 'ids keep counting after a clear')
})

t.test('the journal is a ring of the configured size; 0 keeps nothing', async (t) => {
  const small = await startSandbox(t, { env: { RESULTBOX_JOURNAL_SIZE: '3' } })
  for (let i = 0; i < 5; i += 1) await get(small.app, `/project/1/result/key${i}`, CREDENTIALS.prpm)
  const body = (await get(small.app, '/_resultbox/requests')).json()
  t.equal(body.capacity, 3)
  t.strictSame(body.requests.map((entry: { path: string }) => entry.path), ['/project/1/result/key4', '/project/1/result/key3', '/project/1/result/key2'])

  const none = await startSandbox(t, { env: { RESULTBOX_JOURNAL_SIZE: '0' } })
  await get(none.app, RESULT_URL, CREDENTIALS.prpm)
  t.strictSame((await get(none.app, '/_resultbox/requests')).json(), { total: 0, capacity: 0, requests: [] })
})

t.test('the control API can be switched off; health and ready still answer', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL: 'false' } })
  t.equal((await get(app, '/_resultbox/health')).statusCode, 200)
  t.equal((await get(app, '/_resultbox/ready')).statusCode, 200)
  for (const [method, url] of [['GET', '/_resultbox/clock'], ['POST', '/_resultbox/state/reset'], ['GET', '/_resultbox/requests'], ['PUT', '/_resultbox/faults']] as const) {
    const res = await send(app, method, url, method === 'GET' ? undefined : {})
    t.equal(res.statusCode, 404, `${method} ${url}`)
    t.equal(res.json().error, 'not_found')
  }
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200, 'the vendors are unaffected')
})

t.test('a control token guards everything but health and ready', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 's3cret' } })
  t.equal((await get(app, '/_resultbox/health')).statusCode, 200)
  t.equal((await get(app, '/_resultbox/ready')).statusCode, 200)
  const missing = await get(app, '/_resultbox/clock')
  t.equal(missing.statusCode, 401)
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="resultbox"')
  t.strictSame(missing.json(), { error: 'unauthorized', message: 'the control API wants Authorization: Bearer <token>' })
  const wrong = await get(app, '/_resultbox/clock', { authorization: 'Bearer s3cre' })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().message, 'wrong control API token')
  const advanced = await send(app, 'POST', '/_resultbox/clock', { advance_ms: 1 }, { authorization: 'Bearer s3cret' })
  t.equal(advanced.statusCode, 200)
  t.equal(advanced.json().now_ms, START + 1)
  t.equal((await send(app, 'POST', '/_resultbox/clock', { advance_ms: 1 })).statusCode, 401, 'no token, no change')
  t.equal((await get(app, '/_resultbox/clock', { authorization: 'Bearer s3cret' })).json().now_ms, START + 1)
})

t.test('over a real socket: a test suite drives the clock and faults with fetch', async (t) => {
  const sandbox = await start({ clockStart: '2026-01-01T00:00:00Z' })
  t.teardown(() => sandbox.close())
  const control = (path: string, init?: RequestInit) =>
    fetch(`${sandbox.url}/_resultbox${path}`, { ...init, headers: { 'content-type': 'application/json' } })
  await control('/clock', { method: 'POST', body: JSON.stringify({ frozen: true }) })
  const advanced = await control('/clock', { method: 'POST', body: JSON.stringify({ advance_ms: 6000 }) })
  t.equal(advanced.status, 200)
  await control('/faults', { method: 'PUT', body: JSON.stringify({ rules: [{ vendor: 'prpm', operation: 'getResult', latency: { fixed_ms: 50 } }] }) })
  const began = performance.now()
  const result = await fetch(`${sandbox.url}${RESULT_URL}`, { headers: CREDENTIALS.prpm })
  t.ok(performance.now() - began >= 45, 'the latency reaches the socket')
  t.equal(result.status, 200)
  t.equal(((await result.json()) as { cases_count: number }).cases_count, 2618, 'the advanced clock finished every plugin')
  const journal = (await (await control('/requests?vendor=prpm')).json()) as { requests: { fault: { latency_ms: number } }[] }
  t.equal(journal.requests[0]?.fault.latency_ms, 50)
})

t.test('scenarios for every vendor over the control API; reset drops them and brings the fixtures back', async (t) => {
  const { app } = await startSandbox(t)
  const created = {
    prpm: await send(app, 'POST', '/_resultbox/scenarios/prpm', {}),
    explorer: await send(app, 'POST', '/_resultbox/scenarios/explorer', {}),
    modelarts: await send(app, 'POST', '/_resultbox/scenarios/modelarts', {}),
  }
  for (const [vendor, res] of Object.entries(created)) {
    t.equal(res.statusCode, 201, `${vendor}: an empty body creates something`)
    t.match(res.headers['content-type'], /^application\/json/)
  }
  const prpm = created.prpm.json()
  const explorer = created.explorer.json()
  const modelarts = created.modelarts.json()
  const reads = {
    prpm: () => get(app, prpm.result_url, CREDENTIALS.prpm),
    explorer: () => get(app, explorer.job_url, CREDENTIALS.explorer),
    modelarts: () => get(app, modelarts.version_url, CREDENTIALS.modelarts),
  }
  for (const [vendor, read] of Object.entries(reads)) t.equal((await read()).statusCode, 200, `${vendor}: the client can poll what was created`)
  const requests = (await get(app, '/_resultbox/requests')).json()
  t.equal(requests.total, 3, 'the polls are journaled, the scenario calls are not')

  await send(app, 'POST', '/_resultbox/state/reset?vendor=modelarts')
  t.equal((await reads.modelarts()).statusCode, 400, 'the scenario task is gone (ModelArts.4612)')
  t.equal((await reads.modelarts()).json().error_code, 'ModelArts.4612')
  t.equal((await reads.explorer()).statusCode, 200, 'the other vendors keep theirs')

  await send(app, 'POST', '/_resultbox/state/reset')
  t.equal((await reads.explorer()).statusCode, 500, 'the scenario job is gone')
  t.equal((await reads.explorer()).json().code, 50004001)
  t.equal((await reads.prpm()).statusCode, 400, 'the scenario project is gone')
  t.strictSame((await reads.prpm()).json(), { detail: 'Project not found' })
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200, 'the fixtures are back')
  t.equal((await get(app, '/api-open/v1/jobs/29987', CREDENTIALS.explorer)).statusCode, 200)
})

t.test('scenario bodies are checked strictly, naming the field', async (t) => {
  const { app } = await startSandbox(t)
  for (const vendor of ['prpm', 'explorer', 'modelarts']) {
    const unknown = await send(app, 'POST', `/_resultbox/scenarios/${vendor}`, { no_such_field: 1 })
    t.equal(unknown.statusCode, 400, `${vendor}: an unknown field`)
    t.strictSame(unknown.json().field, '/no_such_field', vendor)
    const notObject = await send(app, 'POST', `/_resultbox/scenarios/${vendor}`, [1])
    t.equal(notObject.statusCode, 400, `${vendor}: not an object`)
    t.equal(notObject.json().error, 'invalid_request')
  }
  const typed = await send(app, 'POST', '/_resultbox/scenarios/explorer', { job_id: 'seven' })
  t.equal(typed.json().field, '/job_id')
  const taken = await send(app, 'POST', '/_resultbox/scenarios/explorer', { job_id: 29987 })
  t.equal(taken.statusCode, 409)
  t.strictSame(taken.json().error, 'conflict')
  t.equal(taken.json().field, '/job_id')
  t.equal((await get(app, '/_resultbox/requests')).json().total, 0)
})

import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { CREDENTIALS, copyOf, get, seedJsonBlocks, startSandbox } from './helpers/sandbox.js'

const RESULT_URL = '/project/1/result/dVbQ3x7K'
const [seedProcessing, seedComplete] = seedJsonBlocks('000_aedbf953a8de694a.txt') as [Record<string, unknown>, Record<string, unknown>]

const PROCESSING_NULLS = { cases_count: null, columns: null, columns_definition: null, case_attributes: null, cases: null }

t.test('the fixture result runs through the plugins on the clock, never early', async (t) => {
  const { app, clock } = await startSandbox(t)
  const read = async () => {
    const res = await get(app, RESULT_URL, CREDENTIALS.prpm)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/json', 'as FastAPI sends it, no charset')
    return res.json()
  }

  const started = await read()
  t.strictSame(started, {
    message: 'Ongoing dataset result is still processing',
    project_status: 'TRAINED',
    expected_plugins: seedProcessing.expected_plugins,
    finished_plugins: [],
    ...PROCESSING_NULLS,
  })
  t.strictSame(Object.keys(started), Object.keys(seedProcessing), 'keys in the vendor order')

  clock.advance(1999)
  t.strictSame((await read()).finished_plugins, [], 'nothing finishes before 2 s')
  clock.advance(1)
  t.strictSame((await read()).finished_plugins, ['plugin-random-forest-alarm'])
  clock.advance(1999)
  t.strictSame((await read()).finished_plugins, ['plugin-random-forest-alarm'])
  clock.advance(1)
  const twoFinished = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(twoFinished.body, JSON.stringify(seedProcessing), 'at 4 s the body is the seed processing example, byte for byte')
  clock.advance(1999)
  t.equal((await read()).cases, null, 'no cases before the last plugin finishes')

  clock.advance(1)
  const complete = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(complete.statusCode, 200)
  t.equal(complete.body, JSON.stringify(seedComplete), 'at 6 s the body is the seed complete example, byte for byte')
})

t.test('plugins that fall due in one step finish in due order', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })
  clock.advance(60_000)
  const res = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(res.body, JSON.stringify(seedComplete), 'finished_plugins and each case\'s prescriptions in the seed order')
})

t.test('a complete result is read once, then gone (one-shot read)', async (t) => {
  const { app, clock } = await startSandbox(t)
  clock.advance(6000)
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200)
  const again = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(again.statusCode, 404)
  t.strictSame(again.json(), { detail: 'Result not found' })
})

t.test('processing reads do not consume the result', async (t) => {
  const { app } = await startSandbox(t)
  for (let i = 0; i < 3; i++) t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).json().cases, null)
})

t.test('one-shot read can be switched off', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })
  clock.advance(6000)
  const first = await get(app, RESULT_URL, CREDENTIALS.prpm)
  const second = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(second.statusCode, 200)
  t.equal(second.body, first.body)
})

t.test('a complete result kept for re-reading is served with an ETag, and 304 to a client that holds it', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })
  const processing = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(processing.headers.etag, undefined, 'a processing body changes: no ETag')
  clock.advance(6000)
  const first = await get(app, RESULT_URL, CREDENTIALS.prpm)
  const etag = first.headers.etag as string
  t.match(etag, /^"[A-Za-z0-9_-]{32}"$/)
  t.equal(first.body, JSON.stringify(seedComplete), 'the bytes are the serializer\'s, unchanged')
  t.equal(first.headers['content-type'], 'application/json')
  const second = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(second.body, first.body)
  t.equal(second.headers.etag, etag, 'the same bytes, the same ETag')

  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const held = await get(app, RESULT_URL, { ...CREDENTIALS.prpm, 'if-none-match': ifNoneMatch })
    t.equal(held.statusCode, 304, `If-None-Match: ${ifNoneMatch}`)
    t.equal(held.body, '', 'no body')
    t.equal(held.headers.etag, etag)
  }
  const changed = await get(app, RESULT_URL, { ...CREDENTIALS.prpm, 'if-none-match': '"something-else"' })
  t.equal(changed.statusCode, 200, 'another ETag gets the result')
  t.equal(changed.body, first.body)
  const unauthorised = await get(app, RESULT_URL, { 'if-none-match': etag })
  t.equal(unauthorised.statusCode, 401, 'auth comes before any 304')
})

t.test('the bytes of a complete result never outlive a change to the store', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })
  const scenario = (caseCount: number) => app.inject({
    method: 'POST', url: '/_resultbox/scenarios/prpm',
    payload: { project_id: 1, result_key: 'CacheKey', case_count: caseCount, plugins: [{ plugin: 'plugin-knn-next-activity', finishes_after_ms: 0 }] },
  })
  const url = '/project/1/result/CacheKey'
  t.equal((await scenario(2)).statusCode, 201)
  const before = await get(app, url, CREDENTIALS.prpm)
  t.equal(before.json().cases_count, 2)
  t.equal((await app.inject({ method: 'POST', url: '/_resultbox/state/reset' })).statusCode, 200)
  t.equal((await get(app, url, CREDENTIALS.prpm)).statusCode, 404, 'a reset drops the scenario: no stale bytes')
  t.equal((await scenario(4)).statusCode, 201, 'the same key again, at the same frozen instant, with other cases')
  const after = await get(app, url, CREDENTIALS.prpm)
  t.equal(after.json().cases_count, 4, 'the new content, not the cached one')
  t.not(after.headers.etag, before.headers.etag)
  clock.advance(30 * 60 * 1000)
  t.equal((await get(app, url, CREDENTIALS.prpm)).statusCode, 404, 'an expired result is not served from the cache')
})

t.test('a result is dropped 30 minutes after its upload, finished or not', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })
  clock.advance(30 * 60 * 1000 - 1)
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200)
  clock.advance(1)
  const gone = await get(app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(gone.statusCode, 404)
  t.strictSame(gone.json(), { detail: 'Result not found' })
  const rows = app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_cases').get() as { n: number }
  t.equal(rows.n, 0, 'the expired result is purged from the store, cases included')
})

t.test('the lifetime is configurable, 0 keeping results for ever', async (t) => {
  const short = await startSandbox(t, { env: { RESULTBOX_PRPM_RESULT_TTL_SECONDS: '3' } })
  short.clock.advance(3000)
  t.equal((await get(short.app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 404)

  const forever = await startSandbox(t, { env: { RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0' } })
  forever.clock.advance(365 * 24 * 3600 * 1000)
  t.equal((await get(forever.app, RESULT_URL, CREDENTIALS.prpm)).json().message, 'Ongoing dataset result retrieved successfully')
})

t.test('errors in the FastAPI envelope, in PrCore order', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [string, number, unknown][] = [
    ['/project/999/result/dVbQ3x7K', 400, { detail: 'Project not found' }],
    ['/project/-1/result/dVbQ3x7K', 400, { detail: 'Project not found' }],
    ['/project/99999999999999999999/result/dVbQ3x7K', 400, { detail: 'Project not found' }],
    ['/project/2/result/dVbQ3x7K', 400, { detail: 'Project is in error status' }],
    ['/project/2/result/nope1234', 400, { detail: 'Project is in error status' }],
    ['/project/1/result/nope1234', 404, { detail: 'Result not found' }],
    ['/project/3/result/dVbQ3x7K', 404, { detail: 'Result not found' }],
    ['/project/abc/result/dVbQ3x7K', 422, {
      detail: [{ loc: ['path', 'project_id'], msg: 'value is not a valid integer', type: 'type_error.integer' }],
    }],
    ['/project/1.5/result/dVbQ3x7K', 422, {
      detail: [{ loc: ['path', 'project_id'], msg: 'value is not a valid integer', type: 'type_error.integer' }],
    }],
    ['/project/1/result', 404, { detail: 'Not Found' }],
    ['/project/1/results/dVbQ3x7K', 404, { detail: 'Not Found' }],
    ['/project/%zz/result/dVbQ3x7K', 404, { detail: 'Not Found' }],
  ]
  for (const [url, status, body] of cases) {
    const res = await get(app, url, CREDENTIALS.prpm)
    t.equal(res.statusCode, status, url)
    t.equal(res.headers['content-type'], 'application/json', url)
    t.strictSame(res.json(), body, url)
  }
  t.equal((await get(app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 200, 'no error touched the fixture result')
  t.equal((await get(app, '/project/1e0/result/dVbQ3x7K', CREDENTIALS.prpm)).statusCode, 200, 'project_id is read as a JSON Schema integer')
  const otherMethod = await app.inject({ method: 'POST', url: RESULT_URL, headers: CREDENTIALS.prpm })
  t.equal(otherMethod.statusCode, 404, 'another method is a 404 (FastAPI: 405)')
  t.strictSame(otherMethod.json(), { detail: 'Not Found' })
})

t.test('Bearer auth: missing, another scheme and a wrong token are refused', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_PRPM_TOKENS: 'first,second' } })
  const cases: [Record<string, string>, string][] = [
    [{}, 'Not authenticated'],
    [{ authorization: '' }, 'Not authenticated'],
    [{ authorization: 'Basic Zmlyc3Q6eA==' }, 'Not authenticated'],
    [{ authorization: 'Bearer' }, 'Invalid token'],
    [{ authorization: 'Bearer resultbox' }, 'Invalid token'],
    [{ authorization: 'Bearer  first' }, 'Invalid token'],
  ]
  for (const [headers, detail] of cases) {
    const res = await get(app, RESULT_URL, headers)
    t.equal(res.statusCode, 401, JSON.stringify(headers))
    t.equal(res.headers['www-authenticate'], 'Bearer')
    t.strictSame(res.json(), { detail }, JSON.stringify(headers))
  }
  t.equal((await get(app, '/project/abc/result/x', {})).statusCode, 401, 'auth is checked before the path')
  t.equal((await get(app, RESULT_URL, { authorization: 'bearer second' })).statusCode, 200, 'the scheme is case-insensitive')
  t.equal((await get(app, RESULT_URL, { authorization: 'Bearer first' })).statusCode, 200)
})

t.test('integer-like case ids come out in ascending order, as a JavaScript client parses them', async (t) => {
  const fixtures = copyOf(t, 'fixtures')
  const file = path.join(fixtures, 'prpm.json')
  const data = JSON.parse(fs.readFileSync(file, 'utf8'))
  const cases = data.results[0].cases
  data.results[0].cases = { '173712': cases['173712'], '173688': cases['173688'] }
  fs.writeFileSync(file, JSON.stringify(data))
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_FIXTURES: fixtures } })
  clock.advance(6000)
  const body = (await get(app, RESULT_URL, CREDENTIALS.prpm)).body
  t.ok(body.indexOf('"173688":') < body.indexOf('"173712":'), 'the fixture lists 173712 first; the body has 173688 first')
})

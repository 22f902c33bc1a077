import t from 'tap'
import { CREDENTIALS, get, readSeed, startSandbox } from './helpers/sandbox.js'

const TASK_URL = '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result'
// The seed's curl: a form content type on a GET, and the token as a cookie.
const SEED_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', cookie: 'explorer_token=resultbox' }

t.test('the seed request: limit=1000 gives all 81 rows, the seed Content-Length', async (t) => {
  const { app } = await startSandbox(t)
  const res = await get(app, `${TASK_URL}?limit=1000`, SEED_HEADERS)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], readSeed('001_9efa9f20fb0c448d.txt').match(/"Content-Type": "([^"]+)"/)?.[1])
  t.match(res.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
  t.equal(res.headers['content-length'], /"Content-Length": "(\d+)"/.exec(readSeed('001_9efa9f20fb0c448d.txt'))?.[1])
  const body = res.json()
  t.strictSame(Object.keys(body), ['code', 'data', 'message'])
  t.equal(body.code, 0)
  t.equal(body.message, 'Success')
  const items = body.data.items as string[][]
  t.equal(items.length, 81, 'limit is a cap: 81 rows exist')
  t.strictSame(items[0], ['player110', '0.150000'])
  t.strictSame(items[1], ['team219', '0.452126'])
  t.strictSame(items.at(-1), ['player121', '0.262148'])
  t.ok(items.every((row) => row.length === 2 && /^(player1[0-4]\d|player150|team2[0-2]\d)$/.test(row[0] ?? '') && /^\d+\.\d{6}$/.test(row[1] ?? '')))
  t.equal(new Set(items.map((row) => row[0])).size, 81, 'each vertex once')
})

t.test('limit defaults to 10 and caps the rows', async (t) => {
  const { app } = await startSandbox(t)
  const all = (await get(app, `${TASK_URL}?limit=1000`, CREDENTIALS.explorer)).json().data.items
  t.strictSame((await get(app, TASK_URL, CREDENTIALS.explorer)).json().data.items, all.slice(0, 10))
  t.strictSame((await get(app, `${TASK_URL}?limit=1`, CREDENTIALS.explorer)).json().data.items, all.slice(0, 1))
  t.strictSame((await get(app, `${TASK_URL}?limit=81`, CREDENTIALS.explorer)).json().data.items, all)
  t.strictSame((await get(app, `${TASK_URL}?limit=9007199254740991`, CREDENTIALS.explorer)).json().data.items, all)
})

t.test('three-column and component-id tasks', async (t) => {
  const { app } = await startSandbox(t)
  const jaccard = (await get(app, '/api-open/v1/jobs/29987/tasks/b2e4a7d0fb6f11ecac7e6da0662c195b/sample_result?limit=100', CREDENTIALS.explorer)).json()
  t.equal(jaccard.data.items.length, 24)
  t.ok(jaccard.data.items.every((row: string[]) => row.length === 3))
  const query = await get(app, '/api-open/v1/jobs/29988/tasks/query_1/sample_result', CREDENTIALS.explorer)
  t.equal(query.statusCode, 200)
  t.strictSame(query.json().data.items, [['player100'], ['player101'], ['player102'], ['player103'], ['player104']])
})

t.test('the token is read from the cookie or an explorer_token header', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_EXPLORER_TOKENS: 'alpha,beta' } })
  t.equal((await get(app, TASK_URL, { cookie: 'other=1; explorer_token=alpha' })).statusCode, 200)
  t.equal((await get(app, TASK_URL, { explorer_token: 'beta' })).statusCode, 200)
  const refusals: [Record<string, string>, string][] = [
    [{}, 'ErrSession::explorer_token is missing'],
    [{ cookie: 'explorer_token=' }, 'ErrSession::explorer_token is missing'],
    [{ cookie: 'explorer_token=resultbox' }, 'ErrSession::explorer_token is invalid or expired'],
    [{ explorer_token: 'gamma' }, 'ErrSession::explorer_token is invalid or expired'],
  ]
  for (const [headers, message] of refusals) {
    const res = await get(app, TASK_URL, headers)
    t.equal(res.statusCode, 401, JSON.stringify(headers))
    t.strictSame(res.json(), { code: 40104001, message }, JSON.stringify(headers))
  }
  t.equal((await get(app, '/api-open/v1/jobs/abc/tasks/x/sample_result', {})).statusCode, 401, 'auth comes before parameters')
})

t.test('bad parameters answer ErrParam (400, 40004001)', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [string, string][] = [
    [`${TASK_URL}?limit=0`, 'ErrParam::limit must be a positive integer'],
    [`${TASK_URL}?limit=-5`, 'ErrParam::limit must be a positive integer'],
    [`${TASK_URL}?limit=abc`, 'ErrParam::limit must be a positive integer'],
    [`${TASK_URL}?limit=1.5`, 'ErrParam::limit must be a positive integer'],
    [`${TASK_URL}?limit=1&limit=2`, 'ErrParam::limit must be a positive integer'],
    [`${TASK_URL}?limit=99999999999999999999`, 'ErrParam::limit must be a positive integer'],
    ['/api-open/v1/jobs/abc/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result', 'ErrParam::job_id must be a number'],
    ['/api-open/v1/jobs/29987/tasks/bad.task/sample_result', 'ErrParam::task_id must be 1 to 64 letters, digits, _ or -'],
  ]
  for (const [url, message] of cases) {
    const res = await get(app, url, CREDENTIALS.explorer)
    t.equal(res.statusCode, 400, url)
    t.strictSame(res.json(), { code: 40004001, message }, url)
  }
})

t.test('unknown jobs and tasks, unfinished and failed tasks', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [string, number, unknown][] = [
    ['/api-open/v1/jobs/1/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result', 500, { code: 50004001, message: 'ErrInternalDatabase::job 1 not found' }],
    ['/api-open/v1/jobs/29987/tasks/ffffffffffffffffffffffffffffffff/sample_result', 500, {
      code: 50004001, message: 'ErrInternalDatabase::task ffffffffffffffffffffffffffffffff not found in job 29987',
    }],
    ['/api-open/v1/jobs/29988/tasks/analytics_bfs_2/sample_result', 400, { code: 40004000, message: 'ErrBadRequest::task is running' }],
    ['/api-open/v1/jobs/29990/tasks/analytics_louvain_4/sample_result', 500, { code: 50004000, message: 'ErrInternalServer::task failed' }],
    ['/api-open/v1/jobs/29987/tasks', 404, { code: 40404000, message: 'ErrNotFound::no such API' }],
    ['/api-open/v1/jobs/29987/tasks/%zz/sample_result', 404, { code: 40404000, message: 'ErrNotFound::no such API' }],
  ]
  for (const [url, status, body] of cases) {
    const res = await get(app, url, CREDENTIALS.explorer)
    t.equal(res.statusCode, status, url)
    t.equal(res.headers['content-type'], 'application/json', url)
    t.strictSame(res.json(), body, url)
  }
})

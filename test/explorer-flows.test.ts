import path from 'node:path'
import fs from 'node:fs'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { SandboxClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { columnsOf, generateRows } from '../src/explorer/algorithms.js'
import { loadExplorerFixture } from '../src/explorer/fixtures.js'
import { SAMPLE_CHUNK_ROWS } from '../src/explorer/sample-result.js'
import type { explorerSimulation } from '../src/explorer/simulation.js'
import { ScenarioError } from '../src/simulation.js'
import { START, copyOf, startSandbox, tempDir } from './helpers/sandbox.js'
import {
  API,
  COOKIE,
  cancelJob,
  connect,
  createJob,
  explorerGet,
  filterQuery,
  jobDetail,
  jsonCredentials,
  pairCredentials,
  statuses,
  tokenOf,
} from './helpers/explorer.js'

const ZERO = '0001-01-01T00:00:00Z'
const PAGERANK_TASK = '8c171f70fb6f11ecac7e6da0662c195b'
const JACCARD_TASK = 'b2e4a7d0fb6f11ecac7e6da0662c195b'
const SET_COOKIE = /^explorer_token=(eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}); Path=\/; Max-Age=259200; HttpOnly$/

/** "2026-01-01T08:00:02+08:00" for START + 2 s: the vendor's local time. */
const local = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`

t.test('connect: both credential formats give a cookie that opens every route', async (t) => {
  const { app } = await startSandbox(t)
  const tokens: string[] = []
  for (const credentials of [pairCredentials('root', 'nebula'), jsonCredentials('root', 'nebula'), Buffer.from('["root", "nebula"]').toString('base64')]) {
    const res = await connect(app, credentials)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'application/json')
    t.match(res.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
    t.match(res.headers['set-cookie'], SET_COOKIE)
    // The docs' answer, byte for byte (Content-Length: 54).
    t.equal(res.body, '{"code":0,"data":{"success":true},"message":"Success"}')
    t.equal(res.headers['content-length'], '54')
    tokens.push(tokenOf(res))
  }
  t.equal(new Set(tokens).size, 3, 'every connect issues a new token')
  const claims = JSON.parse(Buffer.from(tokens[0]?.split('.')[1] as string, 'base64url').toString())
  t.strictSame(claims, { account: 'root', iat: START / 1000, exp: START / 1000 + 259200 })
  for (const token of tokens) {
    t.equal((await explorerGet(app, '/jobs', { cookie: `explorer_token=${token}` })).statusCode, 200)
    t.equal((await explorerGet(app, '/jobs/29987', { explorer_token: token })).statusCode, 200, 'or as a header')
  }
  const created = await createJob(app, '4', undefined, { cookie: `explorer_token=${tokens[0]}` })
  t.equal(created.statusCode, 200)
})

t.test('an issued token expires after Max-Age on the sandbox clock; configured tokens do not', async (t) => {
  const { app, clock } = await startSandbox(t)
  const token = tokenOf(await connect(app, pairCredentials('root', 'nebula')))
  const cookie = { cookie: `explorer_token=${token}` }
  clock.advance(259_200_000 - 1)
  t.equal((await explorerGet(app, '/jobs', cookie)).statusCode, 200, 'alive a millisecond before')
  clock.advance(1)
  const expired = await explorerGet(app, '/jobs', cookie)
  t.equal(expired.statusCode, 401)
  t.strictSame(expired.json(), { code: 40104001, message: 'ErrSession::explorer_token is invalid or expired' })
  t.equal((await explorerGet(app, '/jobs')).statusCode, 200, 'the configured token still works')
  // A later connect forgets tokens that have expired.
  await connect(app, pairCredentials('root', 'nebula'))
  t.equal(app.resultbox.db.prepare('SELECT COUNT(*) FROM explorer_tokens').pluck().get(), 1)
})

t.test('the token lifetime follows RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS: '60' } })
  const res = await connect(app, jsonCredentials('root', 'nebula'))
  t.match(res.headers['set-cookie'], /; Path=\/; Max-Age=60; HttpOnly$/)
  clock.advance(60_000)
  t.equal((await explorerGet(app, '/jobs', { cookie: `explorer_token=${tokenOf(res)}` })).statusCode, 401)
})

t.test('connect refusals, in the envelope', async (t) => {
  const { app } = await startSandbox(t)
  const b64 = (text: string) => Buffer.from(text).toString('base64')
  const unauthorized: [string | null, string][] = [
    [null, 'ErrUnauthorized::Authorization must be Bearer <base64 of account and password>'],
    ['', 'ErrUnauthorized::Authorization must be Bearer <base64 of account and password>'],
    ['not base64!', 'ErrUnauthorized::Authorization must be Bearer <base64 of account and password>'],
    ['cm9vdDoxMjM', 'ErrUnauthorized::credentials are not base64'],
    ['c$9vdDoxMjM=', 'ErrUnauthorized::credentials are not base64'],
    [b64('root'), 'ErrUnauthorized::credentials must be account:password or ["account","password"]'],
    [b64('["root"]'), 'ErrUnauthorized::credentials must be account:password or ["account","password"]'],
    [b64('["root", 123]'), 'ErrUnauthorized::credentials must be account:password or ["account","password"]'],
    [b64('[root, 123'), 'ErrUnauthorized::credentials must be account:password or ["account","password"]'],
    [pairCredentials('root', ''), 'ErrUnauthorized::account and password must not be empty'],
    [jsonCredentials('', 'x'), 'ErrUnauthorized::account and password must not be empty'],
  ]
  for (const [credentials, message] of unauthorized) {
    const res = await connect(app, credentials)
    t.equal(res.statusCode, 401, String(credentials))
    t.equal(res.headers['set-cookie'], undefined)
    t.strictSame(res.json(), { code: 40104000, message }, String(credentials))
  }
  const basic = await app.inject({ method: 'POST', url: `${API}/connect`, headers: { authorization: `Basic ${pairCredentials('a', 'b')}` } })
  t.strictSame(basic.json().code, 40104000, 'Basic is not Bearer')
  t.equal((await connect(app, null, {})).statusCode, 401, 'the header is checked before the body')

  const good = pairCredentials('root', 'nebula')
  const params: [unknown, string][] = [
    [null, 'ErrParam::body must be a JSON object'],
    [[], 'ErrParam::body must be a JSON object'],
    [{ port: 9669 }, 'ErrParam::address must be a non-empty string'],
    [{ address: '', port: 9669 }, 'ErrParam::address must be a non-empty string'],
    [{ address: 'graphd' }, 'ErrParam::port must be an integer from 1 to 65535'],
    [{ address: 'graphd', port: 0 }, 'ErrParam::port must be an integer from 1 to 65535'],
    [{ address: 'graphd', port: 'nine' }, 'ErrParam::port must be an integer from 1 to 65535'],
  ]
  for (const [body, message] of params) {
    const res = await connect(app, good, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.strictSame(res.json(), { code: 40004001, message }, JSON.stringify(body))
  }
  const noBody = await app.inject({ method: 'POST', url: `${API}/connect`, headers: { authorization: `Bearer ${good}` } })
  t.strictSame(noBody.json(), { code: 40004001, message: 'ErrParam::body must be a JSON object' })
  const emptyJson = await app.inject({ method: 'POST', url: `${API}/connect`, headers: { authorization: `Bearer ${good}`, 'content-type': 'application/json' } })
  t.strictSame(emptyJson.json(), { code: 40004001, message: 'ErrParam::body must be a JSON object' })
  const malformed = await app.inject({
    method: 'POST', url: `${API}/connect`, headers: { authorization: `Bearer ${good}`, 'content-type': 'application/json' }, payload: '{"address":',
  })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 40004000, 'unparsable JSON is a bad request')
  t.equal(malformed.headers['content-type'], 'application/json')
})

t.test('the fixture jobs: list and detail with their times', async (t) => {
  const { app } = await startSandbox(t)
  const list = await explorerGet(app, '/jobs?pageSize=10&page=1')
  t.equal(list.statusCode, 200)
  t.equal(list.headers['content-type'], 'application/json')
  const body = list.json()
  t.strictSame(Object.keys(body), ['code', 'data', 'message'])
  t.strictSame(Object.keys(body.data), ['items', 'total', 'Page', 'PageSize'], 'the vendor\'s key order and capitals')
  t.strictSame(body.data.items[0], {
    id: 29990,
    name: 'basketballplayer wcc',
    workflowId: '6',
    workflowName: 'workflow_wcc',
    status: 3,
    runBeginTime: 1657851003000,
    runEndTime: 1657851007000,
    createTime: 1657851000123,
  })
  t.strictSame(Object.keys(body.data.items[0]), ['id', 'name', 'workflowId', 'workflowName', 'status', 'runBeginTime', 'runEndTime', 'createTime'])
  t.strictSame(body.data.items.map((item: { id: number }) => item.id), [29990, 29988, 29987], 'newest first')
  t.equal(body.data.items[1].runEndTime, 0, 'a running job has not ended: 0')
  t.same([body.data.total, body.data.Page, body.data.PageSize], [3, 1, 10])

  const detail = await explorerGet(app, '/jobs/29987')
  t.equal(detail.statusCode, 200)
  t.strictSame(detail.json(), {
    code: 0,
    data: {
      id: 29987,
      name: 'basketballplayer pagerank',
      workflowId: '4',
      workflowName: 'workflow_pagerank',
      status: 2,
      tasks: [
        { id: PAGERANK_TASK, name: 'PageRank', runBeginTime: '2022-07-15T09:09:18+08:00', runEndTime: '2022-07-15T09:09:21+08:00', status: 2 },
        { id: JACCARD_TASK, name: 'Jaccard', runBeginTime: '2022-07-15T09:09:21+08:00', runEndTime: '2022-07-15T09:09:24+08:00', status: 2 },
      ],
      runBeginTime: 1657847358000,
      runEndTime: 1657847364000,
      createTime: 1657847355906,
    },
    message: 'Success',
  })
  t.strictSame(Object.keys(detail.json().data), ['id', 'name', 'workflowId', 'workflowName', 'status', 'tasks', 'runBeginTime', 'runEndTime', 'createTime'])
  t.strictSame(Object.keys(detail.json().data.tasks[0]), ['id', 'name', 'runBeginTime', 'runEndTime', 'status'])
  const running = await jobDetail(app, 29988)
  t.strictSame(running.tasks[1], { id: 'analytics_bfs_2', name: 'BFS', runBeginTime: '2022-07-15T09:22:40+08:00', runEndTime: ZERO, status: 1 })
})

t.test('a job from a workflow: preparing, running task by task, success; its rows', async (t) => {
  const { app, clock } = await startSandbox(t)
  const res = await createJob(app, '4', { input: {} })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"code":0,"data":{"id":29991},"message":"Success"}')
  const job = await jobDetail(app, 29991)
  t.strictSame(job, {
    id: 29991,
    name: 'workflow_pagerank_20260101080000',
    workflowId: '4',
    workflowName: 'workflow_pagerank',
    status: 0,
    tasks: [
      { id: PAGERANK_TASK, name: 'PageRank', runBeginTime: ZERO, runEndTime: ZERO, status: 0 },
      { id: JACCARD_TASK, name: 'Jaccard', runBeginTime: ZERO, runEndTime: ZERO, status: 0 },
    ],
    runBeginTime: 0,
    runEndTime: 0,
    createTime: START,
  })
  const sample = (taskId: string, limit = 1000) => explorerGet(app, `/jobs/29991/tasks/${taskId}/sample_result?limit=${limit}`)
  t.strictSame((await sample(PAGERANK_TASK)).json(), { code: 40004000, message: 'ErrBadRequest::task is preparing' })

  clock.advance(1999)
  t.strictSame(await statuses(app, 29991), [0, [0, 0]])
  clock.advance(1)
  const running = await jobDetail(app, 29991)
  t.strictSame([running.status, running.runBeginTime, running.tasks[0]?.status, running.tasks[0]?.runBeginTime], [1, START + 2000, 1, local(START + 2000)])
  t.strictSame((await sample(PAGERANK_TASK)).json(), { code: 40004000, message: 'ErrBadRequest::task is running' })

  clock.advance(3000)
  t.strictSame(await statuses(app, 29991), [1, [2, 1]])
  const pagerank = (await sample(PAGERANK_TASK)).json().data.items as string[][]
  t.equal(pagerank.length, 81, 'every vertex of the space once')
  t.equal(new Set(pagerank.map((row) => row[0])).size, 81)
  t.ok(pagerank.every((row) => row.length === 2 && /^(player1\d\d|team2\d\d)$/.test(row[0] as string) && /^\d+\.\d{6}$/.test(row[1] as string)))
  t.ok(pagerank.every((row) => Number(row[1]) >= 0.15 && Number(row[1]) < 2.2), 'PageRank-like values')
  t.strictSame((await sample(PAGERANK_TASK, 10)).json().data.items, pagerank.slice(0, 10))
  t.strictSame((await explorerGet(app, `/jobs/29991/tasks/${PAGERANK_TASK}/sample_result`)).json().data.items.length, 10, 'limit defaults to 10')

  clock.advance(3000)
  const done = await jobDetail(app, 29991)
  t.strictSame([done.status, done.runBeginTime, done.runEndTime], [2, START + 2000, START + 8000])
  t.strictSame(done.tasks.map((task) => [task.status, task.runBeginTime, task.runEndTime]), [
    [2, local(START + 2000), local(START + 5000)],
    [2, local(START + 5000), local(START + 8000)],
  ])
  const jaccard = (await sample(JACCARD_TASK)).json().data.items as string[][]
  t.equal(jaccard.length, 24, "the workflow's row_count")
  t.ok(jaccard.every((row) => row.length === 3 && /^\d\.\d{6}$/.test(row[2] as string) && Number(row[2]) < 1))
  t.strictSame(jaccard, generateRows(29991, JACCARD_TASK, 'Jaccard', ['VID1', 'VID2', 'VALUE'], 24), 'drawn, seeded by job and task id')

  // The same workflow again: another job id, other drawn rows; PageRank is computed on the sample graph, the same.
  t.equal((await createJob(app, '4')).json().data.id, 29992)
  clock.advance(8000)
  const other = (await explorerGet(app, `/jobs/29992/tasks/${PAGERANK_TASK}/sample_result?limit=1000`)).json().data.items
  t.strictSame(other, pagerank, 'computed: the same graph, the same ranks')
  t.notSame((await explorerGet(app, `/jobs/29992/tasks/${JACCARD_TASK}/sample_result?limit=1000`)).json().data.items, jaccard)
  t.equal((await explorerGet(app, '/jobs')).json().data.items[0].id, 29992, 'new jobs list first')
})

t.test('createJob: bodies, input parameters and refusals', async (t) => {
  const { app } = await startSandbox(t)
  t.equal((await createJob(app, '6')).statusCode, 200, 'no body')
  const emptyJson = await app.inject({ method: 'POST', url: `${API}/workflows/6/jobs`, headers: { ...COOKIE, 'content-type': 'application/json' } })
  t.equal(emptyJson.statusCode, 200, 'the JSON content type with no body')
  t.equal((await createJob(app, '6', {})).statusCode, 200)
  t.equal((await createJob(app, '6', null)).statusCode, 200)
  const withInput = await createJob(app, '5', { input: { query_1: { name: 'Tim Duncan', limit: 5 } } })
  t.equal(withInput.statusCode, 200, 'the required parameter given')
  t.equal(app.resultbox.db.prepare('SELECT input FROM explorer_jobs WHERE id = ?').pluck().get(withInput.json().data.id), '{"query_1":{"name":"Tim Duncan","limit":5}}')

  const refusals: [string, unknown, number, unknown][] = [
    ['999', undefined, 500, { code: 50004001, message: 'ErrInternalDatabase::workflow 999 not found' }],
    ['abc', undefined, 500, { code: 50004001, message: 'ErrInternalDatabase::workflow abc not found' }],
    ['None', { id: 'None', input: { analytics_bfs_3: { root: 123 } } }, 500, { code: 50004001, message: 'ErrInternalDatabase::workflow None not found' }],
    ['5', undefined, 500, { code: 50004002, message: 'ErrInternalController::task query_1 needs input parameter name' }],
    ['5', { input: { query_1: { other: 'x' } } }, 500, { code: 50004002, message: 'ErrInternalController::task query_1 needs input parameter name' }],
    ['5', { input: { query_9: { name: 'x' } } }, 400, { code: 40004001, message: 'ErrParam::input names task query_9, which workflow 5 does not have' }],
    ['5', { input: { query_1: 'Tim' } }, 400, { code: 40004001, message: 'ErrParam::input must map task ids to objects of string or number parameters' }],
    ['5', { input: { query_1: { name: { first: 'Tim' } } } }, 400, { code: 40004001, message: 'ErrParam::input must map task ids to objects of string or number parameters' }],
    ['5', [], 400, { code: 40004001, message: 'ErrParam::body must be a JSON object' }],
  ]
  for (const [workflow, body, status, answer] of refusals) {
    const res = await createJob(app, workflow, body)
    t.equal(res.statusCode, status, `${workflow} ${JSON.stringify(body)}`)
    t.strictSame(res.json(), answer, `${workflow} ${JSON.stringify(body)}`)
  }
  const broken = await app.inject({ method: 'POST', url: `${API}/workflows/6/jobs`, headers: { ...COOKIE, 'content-type': 'application/json' }, payload: '{' })
  t.equal(broken.json().code, 40004000)
  t.equal((await explorerGet(app, '/jobs')).json().data.total, 3 + 5, 'refused requests created nothing')
})

t.test('listJobs and listWorkflowJobs: filter, order, paging', async (t) => {
  const { app, clock } = await startSandbox(t)
  // Jobs 29991..29994, one second apart: workflows 4, 6, 4, 6.
  for (const workflow of ['4', '6', '4', '6']) {
    t.equal((await createJob(app, workflow)).statusCode, 200)
    clock.advance(1000)
  }
  const list = async (query: string, prefix = '/jobs') => {
    const res = await explorerGet(app, `${prefix}?${query}`)
    t.equal(res.statusCode, 200, query)
    const { items, ...page } = res.json().data
    return { ids: items.map((item: { id: number }) => item.id), ...page }
  }
  t.strictSame(await list(''), { ids: [29994, 29993, 29992, 29991, 29990, 29988, 29987], total: 7, Page: 1, PageSize: 10 })
  t.strictSame(await list(filterQuery({ orderByCreateTime: 'asc' })), { ids: [29987, 29988, 29990, 29991, 29992, 29993, 29994], total: 7, Page: 1, PageSize: 10 })
  t.strictSame(await list('pageSize=2&page=2'), { ids: [29992, 29991], total: 7, Page: 2, PageSize: 2 })
  t.strictSame(await list('pageSize=3&page=3'), { ids: [29987], total: 7, Page: 3, PageSize: 3 })
  t.strictSame(await list('pageSize=3&page=9'), { ids: [], total: 7, Page: 9, PageSize: 3 }, 'past the end: empty')
  t.strictSame(await list('pageSize=2147483647&page=2147483647'), { ids: [], total: 7, Page: 2147483647, PageSize: 2147483647 })
  t.strictSame((await list(filterQuery({ name: 'PAGERANK' }))).ids, [29993, 29991, 29987], 'part of the name, any case')
  t.strictSame((await list(filterQuery({ name: 'wcc_2026' }))).ids, [29994, 29992])
  t.strictSame((await list(filterQuery({ name: '%' }))).total, 0, 'wildcards match themselves')
  t.strictSame((await list(filterQuery({ name: '_' }))).total, 4, 'only the new jobs have an underscore')
  t.strictSame((await list(filterQuery({ status: 2 }))).ids, [29987])
  t.strictSame((await list(filterQuery({ status: 1 }))).ids, [29993, 29992, 29991, 29988], 'moved on the clock: 29993 began just now')
  t.strictSame((await list(filterQuery({ status: 0 }))).ids, [29994])
  t.strictSame((await list(filterQuery({ status: 3 }))).ids, [29990])
  t.strictSame((await list(filterQuery({ fromCreateTime: START + 1000, toCreateTime: START + 2000 }))).ids, [29993, 29992], 'both bounds inclusive')
  t.strictSame((await list(filterQuery({ toCreateTime: START - 1, orderByCreateTime: 'asc', unknown: 'ignored' }))).ids, [29987, 29988, 29990])
  t.strictSame((await list('filter=')).total, 7, 'an empty filter')
  t.strictSame(await list(`${filterQuery({ orderByCreateTime: 'asc' })}&pageSize=1`, '/workflows/4/jobs'), { ids: [29987], total: 3, Page: 1, PageSize: 1 })
  t.strictSame((await list('', '/workflows/6/jobs')).ids, [29994, 29992, 29990])
  t.strictSame(await list('', '/workflows/999/jobs'), { ids: [], total: 0, Page: 1, PageSize: 10 }, 'a workflow without jobs')

  const bad: [string, string][] = [
    ['/jobs?filter=%7Bstatus', 'ErrParam::filter must be URL-encoded JSON'],
    [`/jobs?${filterQuery([])}`, 'ErrParam::filter expected object'],
    [`/jobs?${filterQuery({ status: '2' })}`, 'ErrParam::filter.status expected integer'],
    [`/jobs?${filterQuery({ status: 6 })}`, 'ErrParam::filter.status expected integer to be less or equal to 5'],
    [`/jobs?${filterQuery({ orderByCreateTime: 'up' })}`, 'ErrParam::filter.orderByCreateTime expected union value'],
    [`/jobs?${filterQuery({ fromCreateTime: 1.5 })}`, 'ErrParam::filter.fromCreateTime expected integer'],
    ['/jobs?page=0', 'ErrParam::page must be a positive integer'],
    ['/jobs?page=x', 'ErrParam::page must be a positive integer'],
    ['/jobs?pageSize=0', 'ErrParam::pageSize must be a positive integer'],
    ['/jobs?pageSize=2147483648', 'ErrParam::pageSize must be a positive integer'],
    ['/jobs?pageSize=1&pageSize=2', 'ErrParam::pageSize must be a positive integer'],
    ['/jobs?filter=a&filter=b', 'ErrParam::filter must be URL-encoded JSON'],
    ['/workflows/x1/jobs', 'ErrParam::workflow_id must be a number'],
  ]
  for (const [url, message] of bad) {
    const res = await explorerGet(app, url)
    t.equal(res.statusCode, 400, url)
    t.strictSame(res.json(), { code: 40004001, message }, url)
  }
})

t.test('cancel: interrupted at once (as the vendor\'s QA suite reads it); finished jobs refuse', async (t) => {
  const { app, clock } = await startSandbox(t)
  const id = (await createJob(app, '4')).json().data.id as number
  clock.advance(2500)
  const res = await cancelJob(app, id)
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"code":0,"data":{"success":true},"message":"Success"}')
  t.strictSame(await statuses(app, id), [4, [4, 4]], 'the job, its running task and the task after it, read right after the cancel')
  const job = await jobDetail(app, id)
  t.strictSame([job.status, job.runBeginTime, job.runEndTime], [4, START + 2000, START + 2500])
  t.strictSame(job.tasks.map((task) => [task.status, task.runBeginTime, task.runEndTime]), [
    [4, local(START + 2000), local(START + 2500)],
    [4, ZERO, ZERO],
  ], 'a task that never began has no times')
  t.strictSame((await explorerGet(app, `/jobs/${id}/tasks/${PAGERANK_TASK}/sample_result`)).json(), { code: 50004000, message: 'ErrInternalServer::task was interrupted' })
  clock.advance(60_000)
  t.strictSame(await statuses(app, id), [4, [4, 4]], 'the plan it had is gone')

  const preparing = (await createJob(app, '6')).json().data.id as number
  t.equal((await cancelJob(app, preparing)).statusCode, 200)
  const stopped = await jobDetail(app, preparing)
  t.strictSame([stopped.status, stopped.runBeginTime, stopped.runEndTime], [4, 0, START + 62_500])
  t.strictSame(stopped.tasks.map((task) => task.status), [4, 4])

  t.equal((await cancelJob(app, 29988)).statusCode, 200, 'the fixture job that runs for ever can be cancelled')
  t.strictSame(await statuses(app, 29988), [4, [2, 4]])

  const refusals: [number | string, number, unknown][] = [
    [29987, 400, { code: 40004000, message: 'ErrBadRequest::job has already succeeded' }],
    [29990, 400, { code: 40004000, message: 'ErrBadRequest::job has already failed' }],
    [id, 400, { code: 40004000, message: 'ErrBadRequest::job was already interrupted' }],
    [1, 500, { code: 50004001, message: 'ErrInternalDatabase::job 1 not found' }],
    ['x', 400, { code: 40004001, message: 'ErrParam::job_id must be a number' }],
  ]
  for (const [jobId, status, body] of refusals) {
    const refused = await cancelJob(app, jobId)
    t.equal(refused.statusCode, status, String(jobId))
    t.strictSame(refused.json(), body, String(jobId))
  }
})

t.test('getJob refusals; every new route wants a token', async (t) => {
  const { app } = await startSandbox(t)
  t.strictSame((await explorerGet(app, '/jobs/1')).json(), { code: 50004001, message: 'ErrInternalDatabase::job 1 not found' })
  t.equal((await explorerGet(app, '/jobs/1')).statusCode, 500)
  t.strictSame((await explorerGet(app, '/jobs/abc')).json(), { code: 40004001, message: 'ErrParam::job_id must be a number' })
  t.strictSame((await explorerGet(app, '/jobs/99999999999999999999')).json(), { code: 50004001, message: 'ErrInternalDatabase::job 100000000000000000000 not found' })
  const routes: [string, string][] = [
    ['POST', '/workflows/4/jobs'],
    ['GET', '/jobs'],
    ['GET', '/workflows/4/jobs'],
    ['GET', '/jobs/29987'],
    ['PUT', '/jobs/29988/cancel'],
  ]
  for (const [method, url] of routes) {
    for (const headers of [{}, { cookie: 'explorer_token=nope' }]) {
      const res = await app.inject({ method: method as 'GET', url: `${API}${url}`, headers })
      t.equal(res.statusCode, 401, `${method} ${url}`)
      t.equal(res.json().code, 40104001, `${method} ${url}`)
    }
  }
  t.strictSame(await statuses(app, 29988), [1, [2, 1]], 'nothing happened without a token')
})

t.test('scenario: defaults, explicit rows, failure, conflicts', async (t) => {
  const { app, clock } = await startSandbox(t)
  const simulation = app.resultbox.simulations.explorer as ReturnType<typeof explorerSimulation>
  type JobCreated = Extract<ReturnType<typeof simulation.scenario.create>, { job_id: number }>
  // A scenario without "workflow" makes a job.
  const scenario = { create: (body: Parameters<typeof simulation.scenario.create>[0], now: number) => simulation.scenario.create(body, now) as JobCreated }
  const created = scenario.create({}, START)
  t.strictSame(created, {
    job_id: 29991,
    name: 'workflow_scenario_20260101080000',
    workflow_id: '1',
    workflow_name: 'workflow_scenario',
    job_url: '/api-open/v1/jobs/29991',
    status: 2,
    ends_at: '2026-01-01T00:00:05.000Z',
    tasks: [{
      id: 'analytics_pagerank_1',
      name: 'PageRank',
      columns: ['VID', 'VALUE'],
      row_count: 81,
      outcome: 'success',
      begins_at: '2026-01-01T00:00:02.000Z',
      ends_at: '2026-01-01T00:00:05.000Z',
      sample_result_url: '/api-open/v1/jobs/29991/tasks/analytics_pagerank_1/sample_result',
    }],
    sample_result_urls: ['/api-open/v1/jobs/29991/tasks/analytics_pagerank_1/sample_result'],
  })
  app.resultbox.scheduler.catchUp()
  t.strictSame(await statuses(app, 29991), [0, [0]])
  clock.advance(5000)
  t.strictSame(await statuses(app, 29991), [2, [2]])

  const mixed = scenario.create({
    job_id: 500,
    name: 'nightly',
    workflow_id: '42',
    workflow_name: 'workflow_nightly',
    tasks: [
      { id: 'query_1', name: 'Query', rows: [['player100'], ['player101']], starts_after_ms: 0, runs_for_ms: 1000 },
      { name: 'DegreeCentrality', row_count: 5, starts_after_ms: 500, runs_for_ms: 1000 },
      { name: 'Louvain', outcome: 'failed', runs_for_ms: 2000 },
      { name: 'Unheard', columns: ['A', 'B'] },
    ],
  }, clock.now())
  const at = START + 5000
  t.strictSame(mixed.tasks.map((task) => [task.id, task.row_count, task.outcome, task.begins_at, task.ends_at]), [
    ['query_1', 2, 'success', new Date(at).toISOString(), new Date(at + 1000).toISOString()],
    ['analytics_degreecentrality_2', 5, 'success', new Date(at + 1500).toISOString(), new Date(at + 2500).toISOString()],
    ['analytics_louvain_3', 81, 'failed', new Date(at + 2500).toISOString(), new Date(at + 4500).toISOString()],
    ['analytics_unheard_4', 81, 'interrupted', null, null],
  ])
  t.equal(mixed.status, 3)
  t.equal(mixed.ends_at, new Date(at + 4500).toISOString())
  clock.advance(0)
  t.strictSame(await statuses(app, 500), [1, [1, 0, 0, 0]], 'a first task may start at once')
  clock.advance(1000)
  t.strictSame(await statuses(app, 500), [1, [2, 0, 0, 0]], 'a gap between tasks: the job still runs')
  t.strictSame((await explorerGet(app, '/jobs/500/tasks/query_1/sample_result')).json().data.items, [['player100'], ['player101']])
  clock.advance(1500)
  t.strictSame(await statuses(app, 500), [1, [2, 2, 1, 0]])
  const degrees = (await explorerGet(app, '/jobs/500/tasks/analytics_degreecentrality_2/sample_result')).json().data.items as string[][]
  t.equal(degrees.length, 5)
  t.ok(degrees.every((row) => row.length === 4 && Number(row[1]) === Number(row[2]) + Number(row[3])), 'BOTH = OUT + IN')
  clock.advance(2000)
  const failed = await jobDetail(app, 500)
  t.strictSame([failed.name, failed.workflowId, failed.workflowName, failed.status, failed.runEndTime], ['nightly', '42', 'workflow_nightly', 3, at + 4500])
  t.strictSame(failed.tasks.map((task) => task.status), [2, 2, 3, 4], 'the tasks after a failure never run')
  t.strictSame((await explorerGet(app, '/jobs/500/tasks/analytics_louvain_3/sample_result')).json(), { code: 50004000, message: 'ErrInternalServer::task failed' })
  t.strictSame((await explorerGet(app, '/jobs/500/tasks/analytics_unheard_4/sample_result')).json(), { code: 50004000, message: 'ErrInternalServer::task was interrupted' })

  const fromWorkflow = scenario.create({ workflow_id: '5' }, clock.now())
  t.strictSame([fromWorkflow.job_id, fromWorkflow.workflow_name, fromWorkflow.tasks.map((task) => [task.id, task.row_count])], [
    29992, 'workflow_bfs', [['query_1', 5], ['analytics_bfs_2', 20]],
  ], "a fixture workflow's tasks, without its required input")

  const errors: [Parameters<typeof scenario.create>[0], number, string][] = [
    [{ job_id: 29987 }, 409, '/job_id'],
    [{ tasks: [{ id: 'a' }, { id: 'a' }] }, 400, '/tasks/1/id'],
    [{ tasks: [{ name: 'Mystery' }] }, 400, '/tasks/0/columns'],
    [{ tasks: [{ rows: [['a', '1']], row_count: 1 }] }, 400, '/tasks/0/row_count'],
    [{ tasks: [{ rows: [['a', '1'], ['b']] }] }, 400, '/tasks/0/rows/1'],
  ]
  for (const [body, status, field] of errors) {
    t.throws(() => scenario.create(body, clock.now()), new ScenarioError(status as 400, field, ''), JSON.stringify(body))
    try {
      scenario.create(body, clock.now())
    } catch (error) {
      t.strictSame([(error as ScenarioError).statusCode, (error as ScenarioError).field], [status, field])
    }
  }
})

t.test('scenario over HTTP, and reset', async (t) => {
  const { app, clock } = await startSandbox(t)
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: body as object })
  const res = await post({ job_id: 7, tasks: [{ name: 'Jaccard', row_count: 3 }] })
  t.equal(res.statusCode, 201)
  t.equal(res.json().job_url, '/api-open/v1/jobs/7')
  t.strictSame(res.json().tasks[0].columns, ['VID1', 'VID2', 'VALUE'])
  clock.advance(5000)
  const rows = (await explorerGet(app, '/jobs/7/tasks/analytics_jaccard_1/sample_result')).json().data.items
  t.equal(rows.length, 3)
  t.equal((await post({ job_id: 7 })).statusCode, 409)
  t.equal((await post({ tasks: [{ outcome: 'maybe' }] })).statusCode, 400)
  t.equal((await post({ tasks: [{ name: 'Mystery' }] })).statusCode, 400)

  const token = tokenOf(await connect(app, pairCredentials('root', 'nebula')))
  await createJob(app, '4')
  const reset = await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=explorer' })
  t.equal(reset.statusCode, 200)
  t.equal((await explorerGet(app, '/jobs')).json().data.total, 3, 'the fixture jobs only')
  t.equal((await explorerGet(app, '/jobs', { cookie: `explorer_token=${token}` })).statusCode, 401, 'issued tokens are gone')
  t.equal((await createJob(app, '4')).json().data.id, 29991, 'the workflows are back')
  // Same job and task ids after a reset: the same rows.
  const again = (app.resultbox.simulations.explorer as ReturnType<typeof explorerSimulation>).scenario.create({ job_id: 7, tasks: [{ name: 'Jaccard', row_count: 3 }] }, clock.now()) as { job_id: number }
  t.equal(again.job_id, 7)
  clock.advance(5000)
  t.strictSame((await explorerGet(app, '/jobs/7/tasks/analytics_jaccard_1/sample_result')).json().data.items, rows)
})

t.test('steps are kept in the store: a restart resumes the job', async (t) => {
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  const open = async (at: number) => {
    const app = await buildApp({ config: loadConfig({ RESULTBOX_DB: dbPath }), clock: new SandboxClock({ start: at, frozen: true }), logger: false })
    await app.ready()
    return app
  }
  const first = await open(START)
  const id = (await createJob(first, '4')).json().data.id as number
  first.resultbox.clock.advance(3000)
  t.strictSame(await statuses(first, id), [1, [1, 0]])
  await first.close()
  const second = await open(START + 6000)
  t.teardown(() => second.close())
  t.strictSame(await statuses(second, id), [1, [2, 1]], 'what fell due while closed is done, in order')
  second.resultbox.clock.advance(2000)
  t.strictSame(await statuses(second, id), [2, [2, 2]])
})

t.test('generated rows: columns per algorithm, deterministic, formatted as the vendor does', async (t) => {
  t.strictSame(columnsOf('pagerank'), ['VID', 'VALUE'], 'names in any case')
  t.strictSame(columnsOf('APSP'), ['VID1', 'VID2', 'DISTANCE'])
  t.strictSame(columnsOf('TriangleCount'), ['VID1', 'VID2', 'VID3'])
  t.strictSame(columnsOf('GlobalTriangleCount'), ['COUNT'])
  t.equal(columnsOf('Nope'), undefined)
  const check: [string, RegExp[]][] = [
    ['SSSP', [/^(player|team)\d+$/, /^[1-6]\.000000$/]],
    ['BFS', [/^(player|team)\d+$/, /^(player|team)\d+$/]],
    ['WCC', [/^(player|team)\d+$/, /^\d{3}$/]],
    ['KCore', [/^(player|team)\d+$/, /^([1-9]|10)\.000000$/]],
    ['Betweenness', [/^(player|team)\d+$/, /^\d+\.\d{6}$/]],
    ['GlobalTriangleCount', [/^\d+\.000000$/]],
    ['Custom', [/^\d\.\d{6}$/]],
  ]
  for (const [algorithm, patterns] of check) {
    const columns = columnsOf(algorithm) ?? ['SCORE']
    const rows = generateRows(1, 'task', algorithm, columns, 20)
    t.equal(rows.length, 20, algorithm)
    t.ok(rows.every((row) => row.length === patterns.length && row.every((cell, i) => patterns[i]?.test(cell))), algorithm)
    t.strictSame(generateRows(1, 'task', algorithm, columns, 20), rows, `${algorithm}: the same ids, the same rows`)
  }
  const many = generateRows(2, 'x', 'PageRank', ['VID', 'VALUE'], 200)
  t.equal(new Set(many.map((row) => row[0])).size, 200, 'keys stay unique past the 81 real vertices')
  t.strictSame(generateRows(2, 'x', 'PageRank', ['VID', 'VALUE'], 0), [])
  t.ok(generateRows(3, 'y', 'Custom', ['VID', 'BOTH_DEGREE'], 3).every((row) => row[1] === '0.000000'), 'no directions drawn: degree 0')
  // The console's DAGs spell output columns in lower case, and nGQL tasks name them by expression.
  const vertexId = /^(player|team)\d+$/
  const console: [string, string[], boolean[]][] = [
    ['PageRank', ['vid', 'value'], [true, false]],
    ['APSP', ['src', 'dst', 'count'], [true, true, false]],
    ['Jaccard', ['id1', 'id2', 'similarity'], [true, true, false]],
    ['Query', ['dst(edge)', 'src(edge)'], [true, true]],
    ['Query', ['id(v)'], [true]],
    ['Query', ['v'], [true]],
  ]
  for (const [algorithm, columns, vertices] of console) {
    const rows = generateRows(4, 'task', algorithm, columns, 81)
    t.ok(rows.every((row) => row.every((cell, i) => vertexId.test(cell) === vertices[i])), `${algorithm} ${columns.join(', ')}: vertex ids where the column names a vertex`)
    if (vertices[0] === true && columns[0] !== 'dst(edge)') t.equal(new Set(rows.map((row) => row[0])).size, 81, `${columns[0]} walks every vertex once`)
  }
})

t.test('the fixture checks workflows', async (t) => {
  const spoil = (change: (fixture: { workflows: { id: string; tasks: { id: string; name: string; columns?: string[] }[] }[] }) => void) => {
    const dir = copyOf(t, 'fixtures')
    const file = path.join(dir, 'explorer.json')
    const fixture = JSON.parse(fs.readFileSync(file, 'utf8'))
    change(fixture)
    fs.writeFileSync(file, JSON.stringify(fixture))
    return dir
  }
  t.throws(() => loadExplorerFixture(spoil((f) => { (f.workflows[1] as { id: string }).id = '4' })), { name: 'FixtureError', message: /\/workflows\/1\/id: workflow 4 is listed twice/ })
  t.throws(() => loadExplorerFixture(spoil((f) => { (f.workflows[0]?.tasks[1] as { id: string }).id = PAGERANK_TASK })), { message: /\/workflows\/0\/tasks\/1\/id: task .* is listed twice/ })
  t.throws(() => loadExplorerFixture(spoil((f) => { (f.workflows[2]?.tasks[0] as { name: string }).name = 'Mystery' })), { message: /\/workflows\/2\/tasks\/0\/columns: no columns are known for Mystery/ })
  const custom = loadExplorerFixture(spoil((f) => { Object.assign(f.workflows[2]?.tasks[0] ?? {}, { name: 'Mystery', columns: ['X'] }) }))
  t.strictSame(custom.workflows?.[2]?.tasks[0]?.columns, ['X'])
  t.same(loadExplorerFixture(spoil((f) => { delete (f as { workflows?: unknown }).workflows })).workflows, undefined, 'workflows are optional')
})

t.test('a large sample_result is streamed in chunks, and is the same rows as reading them whole', async (t) => {
  const { app, clock } = await startSandbox(t)
  const rowCount = SAMPLE_CHUNK_ROWS * 2 + 123
  const res = await app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: { job_id: 70, tasks: [{ name: 'PageRank', row_count: rowCount }] } })
  t.equal(res.statusCode, 201)
  clock.advance(60_000)
  const url = '/api-open/v1/jobs/70/tasks/analytics_pagerank_1/sample_result'
  const expected = generateRows(70, 'analytics_pagerank_1', 'PageRank', columnsOf('PageRank') ?? [], rowCount)

  // Over a real socket: chunked transfer, and the body a client parses.
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const fetched = await fetch(`${base}${url}?limit=1000000`, { headers: { cookie: 'explorer_token=resultbox' } })
  t.equal(fetched.status, 200)
  t.equal(fetched.headers.get('content-type'), 'application/json')
  t.equal(fetched.headers.get('transfer-encoding'), 'chunked', 'streamed, not buffered')
  t.match(fetched.headers.get('traceparent'), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
  const whole = await fetched.json() as { code: number; data: { items: string[][] }; message: string }
  t.strictSame(Object.keys(whole), ['code', 'data', 'message'])
  t.equal(whole.data.items.length, rowCount, 'every row, a limit beyond the task only caps')
  t.strictSame(whole.data.items, expected, 'in result order, the generated rows')

  for (const limit of [SAMPLE_CHUNK_ROWS, SAMPLE_CHUNK_ROWS + 1, SAMPLE_CHUNK_ROWS * 2]) {
    const capped = await app.inject({ url: `${url}?limit=${limit}`, headers: { cookie: 'explorer_token=resultbox' } })
    t.equal(capped.json().data.items.length, limit, `limit ${limit} across a chunk boundary`)
    t.strictSame(capped.json().data.items, expected.slice(0, limit))
  }
})

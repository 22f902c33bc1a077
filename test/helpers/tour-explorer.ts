import type { Tour } from './tour.js'
import { C, advance } from './tour-control.js'

const API = '/api-open/v1'
/** The sandbox's configured token, as the vendor's curl sends it. */
const COOKIE = { cookie: 'explorer_token=resultbox' }
const PAGERANK = `${API}/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result`
const JSON_TYPE = { 'content-type': 'application/json' }

const basic = (account: string, password: string) => ({ authorization: `Bearer ${Buffer.from(`${account}:${password}`).toString('base64')}` })
const filter = (value: unknown) => `filter=${encodeURIComponent(JSON.stringify(value))}`

/** connect, as the docs show it, and what it refuses. */
async function connect(tour: Tour): Promise<Record<string, string>> {
  const { t } = tour
  const address = { address: '192.168.8.111', port: 9669 }
  const connected = await tour.send({ method: 'POST', path: `${API}/connect`, headers: basic('root', 'nebula'), json: address, status: 200 })
  t.strictSame(connected.json(), { code: 0, data: { success: true }, message: 'Success' })
  const token = /^explorer_token=([^;]+);/.exec(String(connected.headers['set-cookie']))?.[1]
  t.ok(token, 'connect sets the explorer_token cookie')
  await tour.send({ method: 'POST', path: `${API}/connect`, json: address, status: 401, invalid: 'no credentials' })
  await tour.send({ method: 'POST', path: `${API}/connect`, headers: basic('root', ''), json: address, status: 401 })
  await tour.send({ method: 'POST', path: `${API}/connect`, headers: basic('root', 'nebula'), json: { address: '192.168.8.111', port: 'graphd' }, status: 400, invalid: 'port is an integer' })
  await tour.send({ method: 'POST', path: `${API}/connect`, headers: basic('root', 'nebula'), status: 400, invalid: 'no body' })
  await tour.send({ method: 'POST', path: `${API}/connect`, headers: { ...basic('root', 'nebula'), ...JSON_TYPE }, body: '{"address":', status: 400, invalid: 'not JSON', direct: 'a JSON syntax error' })
  return { cookie: `explorer_token=${token}` }
}

/** A job from workflow 5 (query_1 needing a name, then BFS), polled to success, its rows read. */
async function jobFlow(tour: Tour, session: Record<string, string>) {
  const { t } = tour
  const created = await tour.send({ method: 'POST', path: `${API}/workflows/5/jobs`, headers: session, json: { input: { query_1: { name: 'Tim Duncan' } } }, status: 200 })
  const jobId = created.json<{ data: { id: number } }>().data.id
  const job = `${API}/jobs/${jobId}`
  t.equal((await tour.send({ method: 'GET', path: job, headers: session, status: 200 })).json().data.status, 0, 'preparing')
  await tour.send({ method: 'GET', path: `${job}/tasks/analytics_bfs_2/sample_result?limit=10`, headers: session, status: 400 })
  await advance(tour, 2_000 + 3_000 + 3_000)
  const finished = (await tour.send({ method: 'GET', path: job, headers: session, status: 200 })).json().data
  t.equal(finished.status, 2, 'succeeded')
  t.strictSame(finished.tasks.map((task: { id: string }) => task.id), ['query_1', 'analytics_bfs_2'])
  const rows = await tour.send({ method: 'GET', path: `${job}/tasks/analytics_bfs_2/sample_result?limit=100`, headers: session, status: 200 })
  t.ok(rows.json().data.items.length > 0, 'rows of the BFS task')

  // The lists, as the Explorer console pages them; the token as a header this time.
  const asHeader = { explorer_token: session.cookie?.split('=')[1] ?? '' }
  const listed = await tour.send({ method: 'GET', path: `${API}/jobs?${filter({ status: 2 })}&pageSize=2&page=1`, headers: asHeader, status: 200 })
  t.match(listed.json().data, { Page: 1, PageSize: 2 })
  await tour.send({ method: 'GET', path: `${API}/jobs?${filter({ orderByCreateTime: 'asc', name: 'workflow' })}&pageSize=2&page=2`, headers: asHeader, status: 200 })
  await tour.send({ method: 'GET', path: `${API}/jobs`, headers: session, status: 200 })
  const ofWorkflow = await tour.send({ method: 'GET', path: `${API}/workflows/5/jobs?pageSize=10&page=1`, headers: session, status: 200 })
  t.ok(ofWorkflow.json().data.items.some((item: { id: number }) => item.id === jobId), 'the new job is one of workflow 5')
  return jobId
}

/** A running fixture job cancelled, and each task state sample_result refuses. */
async function cancelAndRefusals(tour: Tour, jobId: number) {
  const { t } = tour
  await tour.send({ method: 'GET', path: `${API}/jobs/29988/tasks/analytics_bfs_2/sample_result`, headers: COOKIE, status: 400 })
  const cancelled = await tour.send({ method: 'PUT', path: `${API}/jobs/29988/cancel`, headers: { ...COOKIE, 'content-type': 'application/x-www-form-urlencoded' }, status: 200 })
  t.strictSame(cancelled.json().data, { success: true })
  t.equal((await tour.send({ method: 'GET', path: `${API}/jobs/29988`, headers: COOKIE, status: 200 })).json().data.status, 4, 'interrupted at once')
  await tour.send({ method: 'GET', path: `${API}/jobs/29988/tasks/analytics_bfs_2/sample_result`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'PUT', path: `${API}/jobs/${jobId}/cancel`, headers: COOKIE, status: 400 })
  await tour.send({ method: 'PUT', path: `${API}/jobs/999999/cancel`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'PUT', path: `${API}/jobs/abc/cancel`, headers: COOKIE, status: 400, invalid: 'job_id is a number' })
  await tour.send({ method: 'PUT', path: `${API}/jobs/29990/cancel`, status: 401, invalid: 'no token' })

  await tour.send({ method: 'GET', path: `${API}/jobs/29990/tasks/analytics_louvain_4/sample_result`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'GET', path: `${API}/jobs/999999/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'GET', path: `${API}/jobs/29987/tasks/nope_9/sample_result`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'GET', path: `${PAGERANK}?limit=0`, headers: COOKIE, status: 400, invalid: 'limit minimum 1' })
  await tour.send({ method: 'GET', path: `${PAGERANK}?limit=ten`, headers: COOKIE, status: 400, invalid: 'limit is an integer' })
  await tour.send({ method: 'GET', path: `${API}/jobs/x1/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result`, headers: COOKIE, status: 400, invalid: 'job_id is a number' })
  await tour.send({ method: 'GET', path: `${API}/jobs/29987/tasks/not!valid/sample_result`, headers: COOKIE, status: 400, invalid: 'task_id pattern' })
  await tour.send({ method: 'GET', path: PAGERANK, status: 401, invalid: 'no token' })
  await tour.send({ method: 'GET', path: PAGERANK, headers: { cookie: 'explorer_token=nope' }, status: 401 })

  await tour.send({ method: 'GET', path: `${API}/jobs/999999`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'GET', path: `${API}/jobs/abc`, headers: COOKIE, status: 400, invalid: 'job_id is a number' })
  await tour.send({ method: 'GET', path: `${API}/jobs/29987`, headers: { cookie: 'explorer_token=nope' }, status: 401 })

  await tour.send({ method: 'GET', path: `${API}/jobs?filter=%7Bnot-json`, headers: COOKIE, status: 400 })
  await tour.send({ method: 'GET', path: `${API}/jobs?page=0`, headers: COOKIE, status: 400, invalid: 'page minimum 1' })
  await tour.send({ method: 'GET', path: `${API}/jobs`, status: 401, invalid: 'no token' })
  await tour.send({ method: 'GET', path: `${API}/workflows/abc/jobs`, headers: COOKIE, status: 400, invalid: 'workflow_id is a number' })
  await tour.send({ method: 'GET', path: `${API}/workflows/5/jobs?pageSize=0`, headers: COOKIE, status: 400, invalid: 'pageSize minimum 1' })
  await tour.send({ method: 'GET', path: `${API}/workflows/5/jobs`, headers: { cookie: 'explorer_token=nope' }, status: 401 })

  await tour.send({ method: 'POST', path: `${API}/workflows/999/jobs`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'POST', path: `${API}/workflows/5/jobs`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'POST', path: `${API}/workflows/5/jobs`, headers: COOKIE, json: { input: { nope_1: { name: 'x' } } }, status: 400 })
  const none = await tour.send({ method: 'POST', path: `${API}/workflows/None/jobs`, headers: COOKIE, status: 500 })
  tour.t.strictSame(none.json(), { code: 50004001, message: 'ErrInternalDatabase::workflow None not found' }, 'the QA suite\'s None: a workflow not found')
  await tour.send({ method: 'POST', path: `${API}/workflows/4/jobs`, headers: { ...COOKIE, ...JSON_TYPE }, body: '{"input":', status: 400, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'POST', path: `${API}/workflows/4/jobs`, status: 401, invalid: 'no token' })
}

/** A scenario job: one task that succeeds, one that fails, read once the clock has passed them. */
async function scenario(tour: Tour) {
  const { t } = tour
  const created = await tour.send({
    method: 'POST', path: `${C}/scenarios/explorer`, status: 201,
    json: { tasks: [{ name: 'WCC', runs_for_ms: 1_000, row_count: 4 }, { name: 'Louvain', outcome: 'failed' }] },
  })
  const { tasks } = created.json<{ tasks: Array<{ sample_result_url: string }> }>()
  await advance(tour, 60_000)
  const rows = await tour.send({ method: 'GET', path: `${tasks[0]?.sample_result_url}?limit=1000`, headers: COOKIE, status: 200 })
  t.equal(rows.json().data.items.length, 4)
  await tour.send({ method: 'GET', path: `${tasks[1]?.sample_result_url}`, headers: COOKIE, status: 500 })
}

const CONSOLE = '/api-nebula/db'
const jsonArray = (account: string, password: string) => ({ authorization: `Bearer ${Buffer.from(JSON.stringify([account, password])).toString('base64')}` })

/** The console's login and logout, as the vendor's QA suite uses them: its session then ends. */
async function consoleSession(tour: Tour) {
  const { t } = tour
  const address = { address: '192.168.8.131', port: 9669 }
  // The suite's own spelling: a trailing ";" on the content type, and on the cookie it keeps.
  const suiteJson = { 'content-type': 'application/json;' }
  const login = await tour.send({ method: 'POST', path: `${CONSOLE}/connect`, headers: { ...jsonArray('root', 'nebula'), ...suiteJson }, body: JSON.stringify(address), status: 200, direct: 'prism fails on the media type "application/json;"' })
  const cookie = String(login.headers['set-cookie']).split(' ')[0] as string
  t.match(cookie, /^explorer_token=[^;]+;$/)
  await tour.send({ method: 'GET', path: `${API}/jobs`, headers: { cookie }, status: 200 })
  await tour.send({ method: 'POST', path: `${CONSOLE}/connect`, headers: jsonArray('root', '123'), json: address, status: 400 })
  await tour.send({ method: 'POST', path: `${CONSOLE}/connect`, json: address, status: 401, invalid: 'no credentials' })
  // The account statements the console's exec runs (the password set to what it was), and what it refuses.
  const changed = await tour.send({ method: 'POST', path: `${CONSOLE}/exec`, headers: { cookie }, json: { gql: "ALTER USER `root` WITH PASSWORD 'nebula';" }, status: 200 })
  t.equal(changed.json<{ code: number }>().code, 0)
  await tour.send({ method: 'POST', path: `${CONSOLE}/exec`, headers: { cookie }, json: { gql: 'use `nba`' }, status: 400 })
  await tour.send({ method: 'POST', path: `${CONSOLE}/exec`, json: { gql: 'SHOW SPACES' }, status: 401, invalid: 'no session' })
  const logout = await tour.send({ method: 'POST', path: `${CONSOLE}/disconnect`, headers: { cookie }, status: 200 })
  t.match(String(logout.headers['set-cookie']), /^explorer_token=; Path=\/; Max-Age=0; HttpOnly/, 'the cookie cleared')
  await tour.send({ method: 'GET', path: `${API}/jobs`, headers: { cookie }, status: 401 })
  await tour.send({ method: 'POST', path: `${CONSOLE}/disconnect`, headers: { cookie }, status: 401 })
}

/** A workflow of the test's own, from the control API; its jobs from the vendor route fail where it says. */
async function ownWorkflow(tour: Tour) {
  const { t } = tour
  const created = await tour.send({
    method: 'POST', path: `${C}/scenarios/explorer`, status: 201,
    json: { workflow: { name: 'qa_chain', tasks: [{ name: 'Query', columns: ['name'], rows: [] }, { name: 'BFS', params: { root: { required: true } }, row_count: 10 }, { name: 'APSP', outcome: 'failed' }] } },
  })
  const { jobs_url: jobsUrl } = created.json<{ jobs_url: string }>()
  await tour.send({ method: 'POST', path: jobsUrl, headers: COOKIE, json: { input: {} }, status: 500 })
  const job = await tour.send({ method: 'POST', path: jobsUrl, headers: COOKIE, json: { input: { analytics_bfs_2: { root: 'player100' } } }, status: 200 })
  await advance(tour, 60_000)
  const detail = (await tour.send({ method: 'GET', path: `${API}/jobs/${job.json().data.id}`, headers: COOKIE, status: 200 })).json().data
  t.equal(detail.status, 3, 'its failing task failed the job')
  await tour.send({ method: 'GET', path: jobsUrl, headers: COOKIE, status: 200 })
}

const ANALYTICS = '/api-analytics'

/** The console's workflows and jobs: a flow made, saved with a DAG, run, read, cancelled; what each refuses. */
async function consoleFlows(tour: Tour) {
  const { t } = tour
  const dag = JSON.stringify({
    datasources: [],
    tasks: [{ id: 'analytics_pagerank_1', name: 'PageRank', type: 'analytics_pagerank', spec: { iterations: '10' }, graph: { output: [{ name: 'vid' }, { name: 'value' }] } }],
    deps: [],
  })
  const created = await tour.send({ method: 'POST', path: `${ANALYTICS}/flows`, headers: COOKIE, json: { name: 'tour_flow', schema: '' }, status: 200 })
  const flowId = created.json<{ data: { id: string } }>().data.id
  t.match(flowId, /^\d{10}$/, 'a 10-digit id')
  await tour.send({ method: 'POST', path: `${ANALYTICS}/flows`, headers: COOKIE, json: { schema: '' }, status: 400, invalid: 'name is required' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/flows`, json: { name: 'x' }, status: 401, invalid: 'no token' })
  const flow = `${ANALYTICS}/flows/${flowId}`
  await tour.send({ method: 'PUT', path: flow, headers: COOKIE, json: { name: 'tour_flow', schema: dag }, status: 200 })
  await tour.send({ method: 'PUT', path: flow, headers: COOKIE, json: { name: 'tour_flow' }, status: 400, invalid: 'schema is required' })
  await tour.send({ method: 'PUT', path: flow, json: { schema: dag }, status: 401, invalid: 'no token' })
  await tour.send({ method: 'PUT', path: `${ANALYTICS}/flows/123`, headers: COOKIE, json: { schema: dag }, status: 500 })
  t.equal((await tour.send({ method: 'GET', path: flow, headers: COOKIE, status: 200 })).json().data.schema, dag, 'the DAG verbatim')
  await tour.send({ method: 'GET', path: `${ANALYTICS}/flows/abc`, headers: COOKIE, status: 400, invalid: 'flow_id is digits' })
  await tour.send({ method: 'GET', path: flow, status: 401, invalid: 'no token' })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/flows/123`, headers: COOKIE, status: 500 })
  const listed = await tour.send({ method: 'GET', path: `${ANALYTICS}/flows?page=1&pageSize=10&${filter({ name: '' })}`, headers: COOKIE, status: 200 })
  t.equal(listed.json().data.items[0].id, flowId, 'newest first')
  await tour.send({ method: 'GET', path: `${ANALYTICS}/flows?filter=%7B`, headers: COOKIE, status: 400 })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/flows`, status: 401, invalid: 'no token' })

  const job = await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs`, headers: COOKIE, json: { flowId: Number(flowId) }, status: 200 })
  const jobId = job.json<{ data: { id: number } }>().data.id
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs`, headers: COOKIE, json: { id: flowId }, status: 400 })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs`, json: { flowId }, status: 401, invalid: 'no token' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs`, headers: COOKIE, json: { flowId: '123' }, status: 500 })
  const detail = (await tour.send({ method: 'GET', path: `${ANALYTICS}/jobs/${jobId}`, headers: COOKIE, status: 200 })).json().data
  t.match(detail, { id: jobId, flowId, flowName: 'tour_flow', status: 0, ctlJobId: Number })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/jobs/abc`, headers: COOKIE, status: 400, invalid: 'job_id is a number' })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/jobs/${jobId}`, status: 401, invalid: 'no token' })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/jobs/999999`, headers: COOKIE, status: 500 })

  const history = `${flow}/history`
  const versions = (await tour.send({ method: 'GET', path: `${history}?page=1&pageSize=100`, headers: COOKIE, status: 200 })).json().data.items
  t.equal(versions[0].jobId, jobId, 'the job run left a version')
  await tour.send({ method: 'GET', path: `${history}?pageSize=0`, headers: COOKIE, status: 400, invalid: 'pageSize minimum 1' })
  await tour.send({ method: 'GET', path: history, status: 401, invalid: 'no token' })
  await tour.send({ method: 'GET', path: `${ANALYTICS}/flows/123/history`, headers: COOKIE, status: 500 })
  await tour.send({ method: 'POST', path: `${history}/${versions[0].id}/restore`, headers: COOKIE, status: 200 })
  await tour.send({ method: 'POST', path: `${history}/abc/restore`, headers: COOKIE, status: 400, invalid: 'history_id is a number' })
  await tour.send({ method: 'POST', path: `${history}/1/restore`, status: 401, invalid: 'no token' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/flows/123/history/1/restore`, headers: COOKIE, status: 500 })

  const hdfsPath = (ctl: number, task: string) => `hdfs://192.168.8.168:9000/ll_test/analytics/${ctl}/tasks/${task}/`
  const resultOf = (ctl: number, task: string) => ({ jobId, taskId: task, type: 'hdfs', params: { hdfsPath: hdfsPath(ctl, task), username: 'root' } })
  await advance(tour, 2_000 + 3_000)
  const rows = await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs/result`, headers: COOKIE, json: resultOf(detail.ctlJobId, 'analytics_pagerank_1'), status: 200 })
  t.equal(rows.json().data.items.length, 81, 'the result read by its HDFS folder')
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs/result`, headers: COOKIE, json: { params: { hdfsPath: '/tmp/' } }, status: 400 })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs/result`, json: resultOf(1, 'x'), status: 401, invalid: 'no token' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs/result`, headers: COOKIE, json: resultOf(999_999, 'query_1'), status: 500 })

  const running = await tour.send({ method: 'POST', path: `${ANALYTICS}/jobs`, headers: COOKIE, json: { flowId }, status: 200 })
  const ctl = (await tour.send({ method: 'GET', path: `${ANALYTICS}/jobs/${running.json().data.id}`, headers: COOKIE, status: 200 })).json().data.ctlJobId
  await tour.send({ method: 'POST', path: `${ANALYTICS}/controller`, headers: COOKIE, json: { method: 'POST', path: `/job/${ctl}/cancel` }, status: 200 })
  t.equal((await tour.send({ method: 'GET', path: `${API}/jobs/${running.json().data.id}`, headers: COOKIE, status: 200 })).json().data.status, 4, 'interrupted at once')
  await tour.send({ method: 'POST', path: `${ANALYTICS}/controller`, headers: COOKIE, json: { method: 'POST' }, status: 400, invalid: 'path is required' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/controller`, json: { method: 'POST', path: '/job/1/cancel' }, status: 401, invalid: 'no token' })
  await tour.send({ method: 'POST', path: `${ANALYTICS}/controller`, headers: COOKIE, json: { method: 'POST', path: '/job/999999/cancel' }, status: 500 })

  await tour.send({ method: 'DELETE', path: flow, headers: COOKIE, status: 200 })
  await tour.send({ method: 'DELETE', path: `${ANALYTICS}/flows/abc`, headers: COOKIE, status: 400, invalid: 'flow_id is digits' })
  await tour.send({ method: 'DELETE', path: flow, status: 401, invalid: 'no token' })
}

export async function explorerTour(tour: Tour) {
  const sample = await tour.send({ method: 'GET', path: `${PAGERANK}?limit=1000`, headers: COOKIE, status: 200 })
  tour.t.equal(sample.json().data.items.length, 81, 'the seed\'s 81 vertices')
  const session = await connect(tour)
  const jobId = await jobFlow(tour, session)
  await cancelAndRefusals(tour, jobId)
  await scenario(tour)
  await consoleSession(tour)
  await ownWorkflow(tour)
  await consoleFlows(tour)
}

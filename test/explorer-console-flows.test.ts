import { generateKeyPairSync, publicEncrypt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { defaultRowCount, tasksOfDag } from '../src/explorer/dag.js'
import { COOKIE, statuses } from './helpers/explorer.js'
import { startSandbox } from './helpers/sandbox.js'

/*
 * The console's workflows and jobs (/api-analytics) at their edges, through inject() with every answer
 * checked against the OpenAPI document: DAGs that are not DAGs, what a DAG's tasks take from it, the
 * refusals, the controller, and rows attached by workflow name.
 */

type Call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => Promise<{ status: number; json: any }>

function caller(app: FastifyInstance): Call {
  return async (method, url, body) => {
    const res = await app.inject({
      method, url, headers: { ...COOKIE, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, payload: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.statusCode, json: res.json() }
  }
}

const task = (id: string, type: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ id, type, name: type, spec, ...extra })
const dag = (tasks: unknown[], deps: unknown[] = []) => JSON.stringify({ datasources: [], tasks, deps })

async function flowWith(call: Call, schema: string, name = 'edge_flow') {
  const id = (await call('POST', '/api-analytics/flows', { name, schema })).json.data.id as string
  return id
}

t.test('what a DAG gives: order, params, columns, and schemas that give no tasks', async (t) => {
  t.strictSame(tasksOfDag('not json'), [], 'not JSON')
  t.strictSame(tasksOfDag('{"tasks": "no"}'), [], 'not the shape')
  t.strictSame(tasksOfDag(dag([task('a_1', 'nebula_ngql'), task('a_1', 'nebula_ngql')])), [], 'a task id twice')
  t.strictSame(tasksOfDag(dag([task('a_1', 'analytics_wcc'), task('b_2', 'analytics_wcc')], [{ src: 'a_1', dst: 'b_2' }, { src: 'b_2', dst: 'a_1' }])), [], 'a cycle')
  const tasks = tasksOfDag(dag([
    task('analytics_triangle_count_3', 'analytics_triangle_count', { opt: '2' }, { graph: { output: [{ name: 'id' }, { name: 'id2 | value' }, { name: 'id3' }] } }),
    task('analytics_kcore_1', 'analytics_kcore', { root: '${root}', kmin: '${kmin}' }, { graph: { params: [{ name: 'kmin' }, { dataType: 'string' }] } }),
    task('analytics_mystery_2', 'analytics_mystery'),
    task('analytics_triangle_count_4', 'analytics_triangle_count'),
  ], [{ src: 'analytics_kcore_1', dst: 'analytics_triangle_count_3', spec: { params: [{ name: 'root', columnIndex: 1 }] } }, { src: 'nowhere', dst: 'analytics_kcore_1' }]))
  t.strictSame(tasks.map((one) => one.id), ['analytics_kcore_1', 'analytics_triangle_count_3', 'analytics_mystery_2', 'analytics_triangle_count_4'], 'upstream first, then the first drawn of those ready; a dep on a task not drawn is dropped')
  t.strictSame(tasks.map((one) => one.columns), [['VID', 'VALUE'], ['id', 'value'], ['vid', 'value'], ['id', 'id2', 'id3']], "the algorithm's columns when none are drawn; a triangle count's by opt")
  t.strictSame(tasks[0]?.params, ['kmin', 'root'], 'declared and placeholder params, a nameless one skipped')
  t.match(tasks[1]?.dag, { fed: [{ name: 'root', from: 'analytics_kcore_1', column: 1 }], reads: ['analytics_kcore_1'], dependence: false })
  t.equal(defaultRowCount('query', { ngql: 'MATCH (v) RETURN v' }), 81, 'a query with no LIMIT: one a vertex')
  t.equal(defaultRowCount('query', { ngql: 'match (v) return v LIMIT 500;' }), 81, 'a LIMIT past the graph')
  t.equal(defaultRowCount('query', { ngql: 'YIELD 1 + 1' }), 1, 'expressions alone')
  t.equal(defaultRowCount('jaccard_similarity', { ids1: 'a, b,', ids2: 'c' }), 2)
  t.equal(defaultRowCount('triangle_count', { opt: '1' }), 1)
  t.equal(defaultRowCount('query', {}), 81, 'no nGQL at all')
  t.equal(tasksOfDag(JSON.stringify({ tasks: [task('analytics_wcc_1', 'analytics_wcc')] })).length, 1, 'a DAG without deps')
  t.equal(defaultRowCount('jaccard_similarity', { ids1: 'a' }), 0, 'no ids2: no pairs')
  const bare = tasksOfDag(dag([{ id: 'query_1', type: 'nebula_ngql', name: ' ' }, task('analytics_bfs_2', 'analytics_bfs')], [{ src: 'query_1', dst: 'analytics_bfs_2' }, { src: 'query_1', dst: 'query_1' }]))
  t.match(bare, [{ id: 'query_1', name: 'query', columns: ['VID'], params: [], dag: { spec: {}, reads: [] } }, { id: 'analytics_bfs_2', dag: { reads: ['query_1'], fed: [] } }], 'no spec, no name, a dep without spec, a task upstream of itself')
})

t.test('console workflows: saving, refusals in Explorer\'s envelope, and jobs of DAGs that cannot run', async (t) => {
  const { app, clock } = await startSandbox(t)
  const call = caller(app)
  const notDag = await flowWith(call, 'just text')
  const unsaved = (await call('POST', '/api-analytics/flows', { name: 'no schema yet' })).json.data.id as string
  t.equal((await call('GET', `/api-analytics/flows/${unsaved}`)).json.data.schema, '', 'a flow made without a schema')
  t.equal((await call('POST', `/api-analytics/flows/${unsaved}/history/99999999999999999999/restore`)).json.code, 0, 'a history id past any number')
  const refused = await call('POST', '/api-analytics/jobs', { flowId: notDag })
  t.strictSame([refused.status, refused.json.code], [500, 50004002], 'a schema that is not a DAG: nothing to run')
  t.match(refused.json.message, /has no tasks to run/)
  t.strictSame((await call('GET', '/api-analytics/flows/4')).json.data, { id: '4', name: 'workflow_pagerank', createTime: 0, updateTime: 0, schema: '' }, 'the fixture\'s workflows are the console\'s too')
  t.equal((await call('PUT', '/api-analytics/flows/4', { schema: 'x' })).json.code, 0, 'a name kept when none is given')
  t.equal((await call('GET', '/api-analytics/flows/4')).json.data.name, 'workflow_pagerank')
  const filtered = await call('GET', `/api-analytics/flows?filter=${encodeURIComponent('{"name":"EDGE_"}')}`)
  t.strictSame(filtered.json.data.items.map((item: { id: string }) => item.id), [notDag], 'the name filter: a part of it, any case')
  t.strictSame((await call('GET', '/api-analytics/flows?page=9')).json.data.items, [], 'a page past the end')
  t.strictSame((await call('GET', `/api-analytics/flows?filter=${encodeURIComponent('{"name":1}')}`)).json, { code: 40004001, message: 'ErrParam::filter.name expected string' })
  t.strictSame((await call('POST', '/api-analytics/flows', { schema: '' })).json, { code: 40004001, message: 'ErrParam::name must be a non-empty string' })
  t.strictSame((await call('POST', '/api-analytics/jobs', { flowId: 'abc' })).json, { code: 40004001, message: 'ErrParam::flowId must be a number, or its digits as a string' })

  // A task reading from upstream with nothing upstream fails as it runs.
  const orphan = await flowWith(call, dag([task('analytics_pagerank_1', 'analytics_pagerank', {}, { datasource: { type: 'hdfs', spec: { type: 'dependence' } } })]))
  const orphanJob = (await call('POST', '/api-analytics/jobs', { flowId: orphan })).json.data.id as number
  clock.advance(60_000)
  t.strictSame(await statuses(app, orphanJob), [3, [3]])

  // Edges from an upstream that gives nothing starve the task downstream.
  const chain = await flowWith(call, dag(
    [task('query_1', 'nebula_ngql', { ngql: 'match (v) return v' }), task('analytics_wcc_2', 'analytics_wcc', {}, { datasource: { type: 'hdfs', spec: { type: 'dependence' } } })],
    [{ src: 'query_1', dst: 'analytics_wcc_2', spec: { input: { srcField: 1, dstField: 2 }, params: [] } }],
  ), 'edge_chain')
  const fed = (await call('POST', '/api-analytics/jobs', { flowId: chain })).json.data.id as number
  const attached = await app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: { task_result: { workflow_name: 'edge_chain', task_id: 'query_1', rows: [] } } })
  t.equal(attached.statusCode, 201)
  const starved = (await call('POST', '/api-analytics/jobs', { flowId: Number(chain) })).json.data.id as number
  clock.advance(60_000)
  t.strictSame(await statuses(app, fed), [2, [2, 2]], 'a job made before the rows were attached keeps its own')
  t.strictSame(await statuses(app, starved), [3, [2, 3]], 'after: the query gives nothing, the WCC downstream fails')
  const ctl = (await call('GET', `/api-analytics/jobs/${starved}`)).json.data.ctlJobId as number
  const read = (task: string, ctlJobId = ctl) => call('POST', '/api-analytics/jobs/result', { params: { hdfsPath: `/analytics/${ctlJobId}/tasks/${task}` } })
  t.strictSame((await read('query_1')).json, { code: 0, data: { items: [] }, message: 'Success' }, 'an empty result')
  t.strictSame((await read('analytics_wcc_2')).json.data.items, [], 'a failed task wrote nothing')
  t.strictSame((await read('nope_1')).json, { code: 50004001, message: `ErrInternalDatabase::no result at /analytics/${ctl}/tasks/nope_1` })
  t.equal((await read('query_1', 99_999)).status, 500, 'a ctlJobId no job has')
  const fedCtl = (await call('GET', `/api-analytics/jobs/${fed}`)).json.data.ctlJobId as number
  t.equal((await read('analytics_wcc_2', fedCtl)).json.data.items.length, 81)
  t.not(fedCtl, fed, 'the controller\'s id is not the job id')
})

t.test('the controller: cancel, an ended job, the graphd password, and paths it does not serve', async (t) => {
  const { app } = await startSandbox(t)
  const call = caller(app)
  const controller = (body: unknown) => call('POST', '/api-analytics/controller', body)
  const fixtureJob = (await call('GET', '/api-analytics/jobs/29987')).json.data
  t.match(fixtureJob, { id: 29987, flowId: '4', flowName: 'workflow_pagerank', status: 2, ctlJobId: 1, input: {} })
  t.strictSame((await controller({ method: 'POST', path: `/job/${fixtureJob.ctlJobId}/cancel` })).json, { code: 50004002, message: 'ErrInternalController::job has already succeeded' })
  const running = (await call('GET', '/api-analytics/jobs/29988')).json.data
  t.strictSame((await controller({ method: 'post', path: `/job/${running.ctlJobId}/cancel` })).json, { code: 0, data: {}, message: 'Success' })
  t.equal((await call('GET', '/api-analytics/jobs/29988')).json.data.status, 4)

  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const password = publicEncrypt(publicKey, Buffer.from('nebula')).toString('base64')
  t.equal(password.length, 172, 'a 1024-bit key\'s ciphertext, as the suite sends it')
  const pwd = (value: string) => controller({ method: 'POST', path: '/config/graphd/pwd', requestData: JSON.stringify({ graphdIp: '192.168.8.131:9669', userName: 'root', password: value }) })
  t.equal((await pwd(password)).json.message, 'Success')
  t.strictSame((await pwd(`${password.slice(0, 20)}123${password.slice(20)}`)).json, { code: 50004002, message: 'ErrInternalController::decrypt password failed' }, 'the suite\'s corrupted one')
  t.equal((await controller({ method: 'POST', path: '/config/graphd/pwd', requestData: '{' })).json.code, 50004002, 'requestData not JSON')
  t.equal((await controller({ method: 'POST', path: '/config/graphd/pwd' })).json.code, 50004002, 'no requestData')
  t.strictSame((await controller({ method: 'POST', path: '/job/12344566678687687687576/cancel' })).json, { code: 50004002, message: 'ErrInternalController::the controller has no job 12344566678687687687576' }, 'the suite\'s unknown ctlJobId')
  t.strictSame((await call('GET', '/api-analytics/jobs/999999')).json, { code: 50004001, message: 'ErrInternalDatabase::job 999999 not found' })
  const noRoot = await flowWith(call, dag([task('analytics_sssp_1', 'analytics_sssp', { iterations: '10' })]))
  t.strictSame((await call('POST', '/api-analytics/jobs', { flowId: noRoot })).json, { code: 50004002, message: 'ErrInternalController::task analytics_sssp_1 needs a value for root' }, 'an SSSP without root')
  t.strictSame((await controller({ method: 'GET', path: '/config/analytics/cluster' })).json, { code: 50004002, message: 'ErrInternalController::the controller serves no GET /config/analytics/cluster' })
})

t.test('task_result: rows or a count, checked, and undone with the provider state that made it', async (t) => {
  const { app } = await startSandbox(t)
  const scenario = async (taskResult: unknown, extra: Record<string, unknown> = {}) => app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: { task_result: taskResult, ...extra } })
  const refusal = async (taskResult: unknown, extra: Record<string, unknown> = {}) => {
    const res = await scenario(taskResult, extra)
    return { status: res.statusCode, body: res.json() }
  }
  t.match(await refusal({ workflow_name: 'w', task_id: 'q_1', rows: [], row_count: 1 }), { status: 400, body: { error: 'invalid_scenario', field: '/task_result/row_count' } })
  t.match(await refusal({ workflow_name: 'w', task_id: 'q_1' }), { status: 400, body: { error: 'invalid_scenario', field: '/task_result', message: 'give rows or row_count' } })
  t.match(await refusal({ workflow_name: 'w', task_id: 'q_1', rows: [['a'], ['b', 'c']] }), { status: 400, body: { field: '/task_result/rows/1', message: 'has 2 cells where row 0 has 1' } })
  t.match(await refusal({ workflow_name: 'w', task_id: 'q_1', rows: [] }, { job_id: 5 }), { status: 400, body: { field: '/job_id' } })
  t.match(await refusal({ workflow_name: 'w', task_id: 'not an id', rows: [] }), { status: 400, body: { error: 'invalid_request', field: '/task_result/task_id' } })
  t.equal((await app.inject({ method: 'GET', url: '/_resultbox/state' })).json().explorer.total, 3, 'nothing was made of them')
  const made = await app.inject({
    method: 'POST', url: '/_resultbox/provider-states',
    payload: { state: 'scenario', params: { vendor: 'explorer', task_result: { workflow_name: 'workflow_bfs', task_id: 'analytics_bfs_2', rows: [['player100', 'player101']] } }, action: 'setup' },
  })
  t.match(made.json(), { workflow_name: 'workflow_bfs', task_id: 'analytics_bfs_2', row_count: 1, rows_given: true })
  const jobWith = async () => (await app.inject({ method: 'POST', url: '/api-open/v1/workflows/5/jobs', headers: { ...COOKIE, 'content-type': 'application/json' }, payload: { input: { query_1: { name: 'x' } } } })).json().data.id as number
  const before = await jobWith()
  await app.inject({
    method: 'POST', url: '/_resultbox/provider-states',
    payload: { state: 'scenario', params: { vendor: 'explorer', task_result: { workflow_name: 'workflow_bfs', task_id: 'analytics_bfs_2', rows: [['player100', 'player101']] } }, action: 'teardown' },
  })
  const after = await jobWith()
  await app.inject({ method: 'POST', url: '/_resultbox/clock', payload: { advance_ms: 60_000 } })
  const rows = async (jobId: number) => (await app.inject({ method: 'GET', url: `/api-open/v1/jobs/${jobId}/tasks/analytics_bfs_2/sample_result?limit=100`, headers: COOKIE })).json().data.items
  t.strictSame(await rows(before), [['player100', 'player101']], 'the attached rows')
  t.equal((await rows(after)).length, 20, 'the teardown took them away: the fixture workflow\'s own 20')
})

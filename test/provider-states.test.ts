import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { CREDENTIALS, get, startSandbox } from './helpers/sandbox.js'
import { API } from './helpers/explorer.js'
import { ANIMALS } from './helpers/modelarts.js'
import { control, sendJson } from './helpers/prpm.js'
import { listen } from './helpers/prpm-clients.js'
import { vendorRows } from './helpers/store.js'
import { pactStateHandlers } from '../src/provider-states/pact.js'

/*
 * POST /_resultbox/provider-states, the state-change URL Pact's verifiers call, and its catalogue. Each
 * state is checked by what a client of the vendor then reads with the values it answered; each teardown
 * by the store being row for row what it was before the setup.
 */

const STATES = '/_resultbox/provider-states'
const BEARER = CREDENTIALS.prpm

type Values = Record<string, unknown>

async function change(app: FastifyInstance, body: unknown, url = STATES) {
  return app.inject({ method: 'POST', url, payload: body as object })
}

async function setup(t: Test, app: FastifyInstance, state: string, params: Values = {}): Promise<Values> {
  const res = await change(app, { state, params, action: 'setup' })
  t.equal(res.statusCode, 200, `setup "${state}": ${res.body.slice(0, 300)}`)
  t.match(res.headers['content-type'], /^application\/json/)
  return res.json()
}

async function teardown(t: Test, app: FastifyInstance, state: string, params: Values = {}) {
  const res = await change(app, { state, params, action: 'teardown' })
  t.equal(res.statusCode, 200, `teardown "${state}"`)
  t.strictSame(res.json(), {})
}


/** Sets a state up, runs `check` on its values, tears it down and asserts the store is as it was. */
async function roundTrip(t: Test, app: FastifyInstance, state: string, params: Values, check: (values: Values) => Promise<void>) {
  const before = vendorRows(app.resultbox.db)
  const values = await setup(t, app, state, params)
  await check(values)
  await teardown(t, app, state, params)
  t.strictSame(vendorRows(app.resultbox.db), before, `the teardown of "${state}" leaves the store as it was`)
  return values
}

t.test('GET lists the catalogue: every vendor\'s states with their params and values, and the generic scenario', async (t) => {
  const { app } = await startSandbox(t)
  const res = await get(app, STATES)
  t.equal(res.statusCode, 200)
  const body = res.json() as { total: number; states: { name: string; vendor: string | null; params: { name: string; type: string; required: boolean; default?: unknown }[]; returns: { name: string }[] }[] }
  t.equal(body.total, body.states.length)
  const byName = new Map(body.states.map((state) => [state.name, state]))
  t.strictSame(body.states.map((state) => [state.vendor, state.name]), [
    ['prpm', 'a trained project with a complete result'],
    ['prpm', 'a project whose result is still processing'],
    ['prpm', 'a project still training'],
    ['prpm', 'a project in error'],
    ['prpm', 'a trained project whose result is gone'],
    ['prpm', 'a project streaming'],
    ['prpm', 'an uploaded event log'],
    ['explorer', 'an Explorer session'],
    ['explorer', 'a finished job with a PageRank task'],
    ['explorer', 'a running job'],
    ['explorer', 'a failed task'],
    ['explorer', 'a workflow with a required parameter'],
    ['modelarts', 'a completed version with samples'],
    ['modelarts', 'a task still running'],
    ['modelarts', 'a version still initializing'],
    ['modelarts', 'a failed version'],
    ['modelarts', 'a valid token'],
    ['modelarts', 'an expired token'],
    [null, 'scenario'],
  ])
  const complete = byName.get('a trained project with a complete result')
  t.match(complete?.params, [
    { name: 'case_count', type: 'integer', required: false, default: 3, schema: { type: 'integer', minimum: 1, maximum: 10000 } },
    { name: 'result_key', type: 'string', required: false, schema: { pattern: '^[A-Za-z0-9]{8}$' } },
  ])
  t.strictSame(complete?.returns.map((value) => value.name), ['project_id', 'result_key', 'token', 'result_path', 'project_path'])
  t.match(byName.get('a project whose result is still processing')?.params[0], { name: 'finished_plugins', type: /^array of one of "plugin-knn-next-activity"/, default: [] })
  t.match(byName.get('a project streaming')?.params, [{ name: 'kind', type: 'one of "streaming", "simulating"', default: 'streaming' }])
  t.match(byName.get('scenario')?.params, [{ name: 'vendor', type: 'one of "prpm", "explorer", "modelarts"', required: true }])
})

t.test('PrPM: a complete result, one still processing, one training, a project in error, a result gone', async (t) => {
  const { app } = await startSandbox(t)
  await roundTrip(t, app, 'a trained project with a complete result', { case_count: 4 }, async (values) => {
    t.match(values, { project_id: Number, result_key: /^[A-Za-z0-9]{8}$/, token: 'resultbox' })
    t.equal(values.result_path, `/project/${values.project_id}/result/${values.result_key}`)
    t.equal(values.project_path, `/project/${values.project_id}`)
    const res = await get(app, values.result_path as string, BEARER)
    t.equal(res.statusCode, 200)
    const result = res.json()
    t.equal(result.project_status, 'TRAINED')
    t.equal(Object.keys(result.cases).length, 4, 'the cases asked for, complete')
    t.strictSame(result.expected_plugins, result.finished_plugins ?? result.expected_plugins)
    const project = await get(app, values.project_path as string, BEARER)
    t.equal(project.json().project.status, 'TRAINED')
  })
  const keyed = await setup(t, app, 'a trained project with a complete result', { result_key: 'Pact0001' })
  t.equal(keyed.result_key, 'Pact0001')

  await roundTrip(t, app, 'a project whose result is still processing', { finished_plugins: ['plugin-knn-next-activity'] }, async (values) => {
    const result = (await get(app, values.result_path as string, BEARER)).json()
    t.equal(result.project_status, 'TRAINED')
    t.equal(result.cases, null, 'cases are null while a plugin has not answered')
    t.ok(result.expected_plugins.includes('plugin-knn-next-activity'))
  })
  await roundTrip(t, app, 'a project still training', {}, async (values) => {
    const result = (await get(app, values.result_path as string, BEARER)).json()
    t.match(result, { project_status: 'TRAINING', expected_plugins: [], cases: null })
  })
  await roundTrip(t, app, 'a project in error', {}, async (values) => {
    const res = await get(app, values.result_path as string, BEARER)
    t.equal(res.statusCode, 400)
    t.strictSame(res.json(), { detail: 'Project is in error status' })
  })
  await roundTrip(t, app, 'a trained project whose result is gone', {}, async (values) => {
    const res = await get(app, values.result_path as string, BEARER)
    t.equal(res.statusCode, 404)
    t.strictSame(res.json(), { detail: 'Result not found' })
  })
})

t.test('PrPM: a project streaming, and an uploaded event log a client goes on to define', async (t) => {
  const { app } = await startSandbox(t)
  for (const kind of ['streaming', 'simulating'] as const) {
    await roundTrip(t, app, 'a project streaming', { kind }, async (values) => {
      t.equal(values.stream_path, `/project/${values.project_id}/stream/result`)
      t.equal((await get(app, values.project_path as string, BEARER)).json().project.status, kind.toUpperCase())
    })
  }
  await roundTrip(t, app, 'an uploaded event log', {}, async (values) => {
    t.match(values, { event_log_id: Number, token: 'resultbox', file_name: 'bpic2012.csv' })
    const log = await get(app, `/event_log/${values.event_log_id}`, BEARER)
    t.equal(log.statusCode, 200)
    t.match(log.json().event_log, { id: values.event_log_id, file_name: 'bpic2012.csv', definition: null }, 'read, not yet defined')
    const defined = await sendJson(app, 'PUT', `/event_log/${values.event_log_id}`, {
      columns_definition: { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', REG_DATE: 'DATETIME', Resource: 'RESOURCE' },
    }, BEARER)
    t.equal(defined.statusCode, 200, defined.body.slice(0, 200))
  })
})

t.test('Explorer: a session, a finished job, a running one, a failed task, a workflow with a required parameter', async (t) => {
  const { app } = await startSandbox(t)
  const cookieOf = (values: Values) => ({ cookie: values.cookie as string })
  const session = await roundTrip(t, app, 'an Explorer session', {}, async (values) => {
    t.equal(values.cookie, `explorer_token=${values.explorer_token}`)
    t.equal((await get(app, `${API}/jobs`, cookieOf(values))).json().code, 0)
  })
  t.match((await get(app, `${API}/jobs`, cookieOf(session))).json().message, /^ErrSession/, 'the session ends with its teardown')

  await roundTrip(t, app, 'a finished job with a PageRank task', { row_count: 25 }, async (values) => {
    t.match(values, { job_id: Number, task_id: 'analytics_pagerank_1' })
    t.equal(values.sample_result_path, `${API}/jobs/${values.job_id}/tasks/analytics_pagerank_1/sample_result`)
    const job = (await get(app, values.job_path as string, cookieOf(values))).json()
    t.equal(job.data.status, 2)
    const page = (await get(app, `${values.sample_result_path}?limit=100`, cookieOf(values))).json()
    t.equal(page.code, 0)
    t.equal(page.data.items.length, 25)
  })
  await roundTrip(t, app, 'a running job', {}, async (values) => {
    const job = (await get(app, values.job_path as string, cookieOf(values))).json()
    t.equal(job.data.status, 1)
  })
  await roundTrip(t, app, 'a failed task', {}, async (values) => {
    const job = (await get(app, values.job_path as string, cookieOf(values))).json()
    t.equal(job.data.status, 3)
    t.strictSame(job.data.tasks.map((task: { id: string; status: number }) => [task.id, task.status]), [[values.task_id, 3], [values.interrupted_task_id, 4]])
  })
  await roundTrip(t, app, 'a workflow with a required parameter', { param: 'player' }, async (values) => {
    t.equal(values.param, 'player')
    const missing = await app.inject({ method: 'POST', url: values.jobs_path as string, headers: cookieOf(values), payload: { input: {} } })
    t.equal(missing.json().code, 50004002)
    const given = await app.inject({ method: 'POST', url: values.jobs_path as string, headers: cookieOf(values), payload: { input: { [values.task_id as string]: { player: 'player100' } } } })
    t.equal(given.json().code, 0, given.body.slice(0, 300))
  })
})

t.test('ModelArts: a completed version with samples, running, initializing, failed, and tokens valid and expired', async (t) => {
  const { app } = await startSandbox(t)
  const tokenOf = (values: Values) => ({ 'x-auth-token': values.token as string })
  await roundTrip(t, app, 'a completed version with samples', { samples: 20 }, async (values) => {
    t.match(values, { project_id: /^[0-9a-f]{32}$/, task_id: /^[A-Za-z0-9]{19}$/, version_id: /^[A-Za-z0-9]{19}$/, token: /^MII/, sample_count: 20 })
    const res = await get(app, `${values.results_path}?limit=100`, tokenOf(values))
    t.equal(res.statusCode, 200, res.body.slice(0, 200))
    const page = res.json()
    t.equal(page.count, 20)
    const properties = page.results.map((sample: { result_property: number }) => sample.result_property)
    t.strictSame([0, 1, 2, 3].map((property) => properties.filter((value: number) => value === property).length), [12, 4, 2, 2])
    t.equal((await get(app, values.version_path as string, tokenOf(values))).json().status, 2)
  })
  await roundTrip(t, app, 'a task still running', {}, async (values) => {
    t.equal((await get(app, values.version_path as string, tokenOf(values))).json().status, 1)
    const res = await get(app, values.results_path as string, tokenOf(values))
    t.equal(res.statusCode, 403)
    t.equal(res.json().error_code, 'ModelArts.4613')
  })
  await roundTrip(t, app, 'a version still initializing', {}, async (values) => {
    t.equal((await get(app, values.version_path as string, tokenOf(values))).json().status, 0)
    const res = await get(app, values.results_path as string, tokenOf(values))
    t.equal(res.statusCode, 403)
    t.equal(res.json().error_code, 'ModelArts.4850')
  })
  await roundTrip(t, app, 'a failed version', {}, async (values) => {
    const res = await get(app, values.results_path as string, tokenOf(values))
    t.equal(res.statusCode, 500)
    t.equal(res.json().error_code, 'ModelArts.4614')
  })
  const tasksOf = (values: Values) => `/v2/${values.project_id}/processor-tasks/${ANIMALS}`
  await roundTrip(t, app, 'a valid token', {}, async (values) => {
    t.equal((await get(app, tasksOf(values), tokenOf(values))).statusCode, 200)
  })
  await roundTrip(t, app, 'an expired token', {}, async (values) => {
    const res = await get(app, tasksOf(values), tokenOf(values))
    t.equal(res.statusCode, 401)
    t.equal(res.json().error_code, 'ModelArts.0202')
  })
})

t.test('errors a verifier prints: an unknown state lists the names, a bad param names it', async (t) => {
  const { app } = await startSandbox(t)
  const before = vendorRows(app.resultbox.db)
  const unknown = await change(app, { state: 'a project that does not exist', action: 'setup' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json(), {
    error: 'unknown_state',
    message: /^no provider state "a project that does not exist"; the states are "a trained project with a complete result", .*"an expired token", "scenario"/,
    field: '/state',
  })
  const teardownUnknown = await change(app, { state: 'nothing like it', action: 'teardown' })
  t.equal(teardownUnknown.statusCode, 400, 'a teardown of an unknown state is refused too')

  const wrongType = await change(app, { state: 'a trained project with a complete result', params: { case_count: 'four' } })
  t.equal(wrongType.statusCode, 400)
  t.strictSame(wrongType.json(), { error: 'invalid_param', message: 'param case_count Expected integer (got "four")', field: '/params/case_count' })
  const tooMany = await change(app, { state: 'a trained project with a complete result', params: { case_count: 10_001 } })
  t.match(tooMany.json(), { error: 'invalid_param', message: /^param case_count Expected integer to be less or equal to 10000/, field: '/params/case_count' })
  const stranger = await change(app, { state: 'a trained project with a complete result', params: { cases: 3 } })
  t.strictSame(stranger.json(), {
    error: 'invalid_param',
    message: 'param cases is not a param of "a trained project with a complete result"; its params are case_count, result_key',
    field: '/params/cases',
  })
  const none = await change(app, { state: 'a project in error', params: { project_id: 9 } })
  t.match(none.json(), { error: 'invalid_param', message: /^param project_id is not a param of "a project in error"; it takes none/ })
  const plugin = await change(app, { state: 'a project whose result is still processing', params: { finished_plugins: ['plugin-knn-next-activity', 'plugin-knn-next-activity'] } })
  t.match(plugin.json(), { error: 'invalid_param', field: '/params/finished_plugins' })
  const everyPlugin = await change(app, {
    state: 'a project whose result is still processing',
    params: { finished_plugins: ['plugin-knn-next-activity', 'plugin-random-forest-alarm', 'plugin-causallift-treatment-effect'] },
  })
  t.strictSame(everyPlugin.json(), {
    error: 'invalid_param', message: 'every plugin has finished: that is "a trained project with a complete result"', field: '/params/finished_plugins',
  })
  const allocation = await change(app, { state: 'a project whose result is still processing', params: { finished_plugins: ['plugin-causallift-resource-allocation'] } })
  t.match(allocation.json(), { error: 'invalid_param', message: /^plugin-causallift-resource-allocation is not one of the project's plugins/ })

  await setup(t, app, 'a trained project with a complete result', { result_key: 'Taken001' })
  const taken = await change(app, { state: 'a trained project with a complete result', params: { result_key: 'Taken001' } })
  t.equal(taken.statusCode, 409)
  t.strictSame(taken.json(), { error: 'conflict', message: 'result_key Taken001 is taken', field: '/params/result_key' })

  const noState = await change(app, { params: {} })
  t.equal(noState.statusCode, 400)
  t.match(noState.json(), { error: 'invalid_request', field: '/state' })
  const badAction = await change(app, { state: 'a valid token', action: 'reset' })
  t.equal(badAction.statusCode, 400)
  t.match(badAction.json(), { error: 'invalid_request', field: '/action' })
  const notJson = await app.inject({ method: 'POST', url: STATES, headers: { 'content-type': 'application/json' }, payload: '{"state":' })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().error, 'invalid_request')

  await teardown(t, app, 'a trained project with a complete result', { result_key: 'Taken001' })
  t.strictSame(vendorRows(app.resultbox.db), before, 'refused setups wrote nothing, and the one made is undone')
})

t.test('the Rust verifier\'s --state-change-as-query: the same fields as a query string, params converted from text', async (t) => {
  const { app } = await startSandbox(t)
  const before = vendorRows(app.resultbox.db)
  const query = new URLSearchParams({ state: 'a project whose result is still processing', action: 'setup', finished_plugins: 'plugin-knn-next-activity,plugin-random-forest-alarm', case_count: '2' })
  const res = await app.inject({ method: 'POST', url: `${STATES}?${query}` })
  t.equal(res.statusCode, 200, res.body)
  const values = res.json()
  const result = (await get(app, values.result_path, BEARER)).json()
  t.equal(result.cases, null)
  t.equal(app.resultbox.db.prepare('SELECT cases_count FROM prpm_results WHERE result_key = ?').pluck().get(values.result_key), 2, 'case_count read as a number')
  query.set('action', 'teardown')
  const down = await app.inject({ method: 'POST', url: `${STATES}?${query}` })
  t.equal(down.statusCode, 200)
  t.strictSame(vendorRows(app.resultbox.db), before, 'the teardown with the same query undoes it')

  const bad = await app.inject({ method: 'POST', url: `${STATES}?state=a+completed+version+with+samples&samples=many` })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { error: 'invalid_param', message: /^param samples Expected integer \(got "many"\)/, field: '/params/samples' })
  const json = await app.inject({ method: 'POST', url: `${STATES}?state=scenario&vendor=modelarts&outcome=stopped&starts_after_ms=0&runs_for_ms=0&sample_counts=${encodeURIComponent('{"retained":2}')}` })
  t.equal(json.statusCode, 200, json.body)
  t.match(json.json(), { sample_count: 2, status_changes: [{ status: 1 }, { status: 4 }] }, 'a scenario body from text: numbers, and an object as JSON')
  const notJson = await app.inject({ method: 'POST', url: `${STATES}?state=a+project+whose+result+is+still+processing&finished_plugins=${encodeURIComponent('[plugin-knn')}` })
  t.match(notJson.json(), { error: 'invalid_param', field: '/params/finished_plugins' }, 'a list that looks like JSON but is not stays text, and is refused')
  const jsonList = await app.inject({ method: 'POST', url: `${STATES}?state=a+project+whose+result+is+still+processing&finished_plugins=${encodeURIComponent('["plugin-knn-next-activity"]')}` })
  t.equal(jsonList.statusCode, 200, 'a list as JSON')
  const emptyList = await app.inject({ method: 'POST', url: `${STATES}?state=a+project+whose+result+is+still+processing&finished_plugins=` })
  t.equal(emptyList.statusCode, 200, 'an empty list: none finished')
  const noAction = await app.inject({ method: 'POST', url: `${STATES}?state=a+valid+token` })
  t.match(noAction.json(), { token: /^MII/ }, 'no action is a setup')
  const bodyNoAction = await change(app, { state: 'a valid token' })
  t.match(bodyNoAction.json(), { token: /^MII/ }, 'in a body too')
  // The Ruby verifier (pact-python 2's pact-verifier, pact-provider-verifier) posts this, with no action or params.
  const ruby = await change(app, { consumer: 'dataset-pipeline', state: 'a valid token', states: ['a valid token'] })
  t.match(ruby.json(), { token: /^MII/ }, 'the Ruby verifier\'s body')
  const noState = await app.inject({ method: 'POST', url: `${STATES}?action=setup` })
  t.match(noState.json(), { error: 'invalid_request', message: /^no state/ })
})

t.test('states compose: set up in order, each its own ids; torn down in reverse; a teardown with nothing to undo is a 200', async (t) => {
  const { app } = await startSandbox(t)
  const before = vendorRows(app.resultbox.db)
  const session = await setup(t, app, 'an Explorer session')
  const first = await setup(t, app, 'a finished job with a PageRank task', { row_count: 3 })
  const second = await setup(t, app, 'a finished job with a PageRank task', { row_count: 5 })
  t.not(first.job_id, second.job_id)
  // The first state's session reads the second state's job: one world.
  const page = (await get(app, `${second.sample_result_path}?limit=100`, { cookie: session.cookie as string })).json()
  t.equal(page.data.items.length, 5)
  await teardown(t, app, 'a finished job with a PageRank task', { row_count: 5 })
  t.equal((await get(app, first.job_path as string, { cookie: session.cookie as string })).json().code, 0, 'the other setup stays')
  await teardown(t, app, 'a finished job with a PageRank task', { row_count: 3 })
  await teardown(t, app, 'an explorer SESSION ')
  t.strictSame(vendorRows(app.resultbox.db), before)
  await teardown(t, app, 'an Explorer session')
  t.strictSame(vendorRows(app.resultbox.db), before, 'a second teardown finds nothing to undo')

  // What the interaction deleted itself (PrPM's one-shot read) is no trouble for the teardown.
  const read = await setup(t, app, 'a trained project with a complete result')
  t.equal((await get(app, read.result_path as string, BEARER)).statusCode, 200)
  t.equal((await get(app, read.result_path as string, BEARER)).statusCode, 404, 'read once, gone')
  await teardown(t, app, 'a trained project with a complete result')
  t.strictSame(vendorRows(app.resultbox.db), before)
})

t.test('the generic scenario state: any vendor\'s scenario body, its answer as the values', async (t) => {
  const { app } = await startSandbox(t)
  const before = vendorRows(app.resultbox.db)
  const params = { vendor: 'explorer', tasks: [{ name: 'WCC', starts_after_ms: 0, runs_for_ms: 0, row_count: 4 }] }
  const values = await setup(t, app, 'scenario', params)
  t.match(values, { job_id: Number, status: 2, tasks: [{ id: 'analytics_wcc_1', row_count: 4 }] })
  t.match(values.job_url, /^\/api-open\/v1\/jobs\/\d+$/)
  await teardown(t, app, 'scenario', params)
  const onExisting = { vendor: 'prpm', project_id: 1, case_count: 2 }
  const added = await setup(t, app, 'scenario', onExisting)
  t.equal(added.project_id, 1)
  await teardown(t, app, 'scenario', onExisting)
  t.strictSame(vendorRows(app.resultbox.db), before, 'a result added to a fixture project is taken away, the project stays')
  const task = { vendor: 'modelarts', task_id: ANIMALS }
  await setup(t, app, 'scenario', task)
  await teardown(t, app, 'scenario', task)
  t.strictSame(vendorRows(app.resultbox.db), before, 'a version added to a fixture task is taken away, the task stays')

  const badBody = await change(app, { state: 'scenario', params: { vendor: 'prpm', case_count: 0 } })
  t.equal(badBody.statusCode, 400)
  t.match(badBody.json(), { error: 'invalid_param', message: /^param case_count Expected integer to be greater or equal to 1 \(the prpm scenario body\)/, field: '/params/case_count' })
  const noVendor = await change(app, { state: 'scenario', params: {} })
  t.match(noVendor.json(), { error: 'invalid_param', field: '/params/vendor' })
  const missing = await change(app, { state: 'scenario', params: { vendor: 'prpm', project_id: 999 } })
  t.equal(missing.statusCode, 404)
  t.strictSame(missing.json(), { error: 'not_found', message: 'no project 999', field: '/params/project_id' })
})

t.test('a reset forgets the setups: their teardown no longer deletes what the fixtures brought back', async (t) => {
  const { app } = await startSandbox(t)
  const params = { vendor: 'prpm', project_id: 1, result_key: 'Fresh001' }
  await setup(t, app, 'scenario', params)
  t.equal((await control(app, '/state/reset')).statusCode, 200)
  const afterReset = vendorRows(app.resultbox.db)
  await setup(t, app, 'a trained project with a complete result')
  await teardown(t, app, 'scenario', params)
  t.equal(app.resultbox.db.prepare("SELECT COUNT(*) FROM prpm_results WHERE result_key = 'Fresh001'").pluck().get(), 0)
  await teardown(t, app, 'a trained project with a complete result')
  t.strictSame(vendorRows(app.resultbox.db), afterReset)
})

t.test('in a named sandbox under its prefix (over a socket), and behind the control token', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 'secret' } })
  const base = await listen(app)
  const auth = { authorization: 'Bearer secret' }
  const post = (url: string, body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${base}${url}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const refused = await post(STATES, { state: 'a valid token' }, {})
  t.equal(refused.status, 401)
  t.equal((await fetch(`${base}${STATES}`)).status, 401)
  t.equal((await fetch(`${base}/_resultbox/sandboxes/verify-one`, { method: 'PUT', headers: auth })).status, 201)
  const before = vendorRows(app.resultbox.db)
  const res = await post(`/sandboxes/verify-one${STATES}`, { state: 'a completed version with samples', params: { samples: 3 } })
  t.equal(res.status, 200)
  const values = await res.json() as Values
  t.equal(values.results_path, `/v2/${values.project_id}/processor-tasks/${values.task_id}/versions/${values.version_id}/results`, 'a vendor path, which the verifier puts after its base URL')
  t.strictSame(vendorRows(app.resultbox.db), before, 'the server\'s own world is untouched')
  const page = await fetch(`${base}/sandboxes/verify-one${values.results_path}`, { headers: { 'x-auth-token': values.token as string } })
  t.equal(page.status, 200)
  t.equal((await page.json() as { count: number }).count, 3)
  const catalogue = await fetch(`${base}/sandboxes/verify-one${STATES}`, { headers: auth })
  t.equal((await catalogue.json() as { total: number }).total, 19)
})

t.test('pactStateHandlers: a handler for every name, forwarding to the endpoint; refusals thrown with resultbox\'s message', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 'secret' } })
  const base = await listen(app)
  const handlers = pactStateHandlers(`${base}/`, { controlToken: 'secret' })
  t.ok('any name at all' in handlers, 'every state name has a handler, as pact-js looks them up')
  t.equal(Reflect.get(handlers, Symbol.iterator), undefined)
  const values = await handlers['a valid token']?.setup({})
  t.match(values, { token: /^MII/, project_id: /^[0-9a-f]{32}$/ })
  t.strictSame(await handlers['a valid token']?.teardown({}), {})
  await t.rejects(handlers['a state nobody wrote']?.setup() as Promise<unknown>, {
    message: /^resultbox refused the setup of "a state nobody wrote" \(400\): no provider state "a state nobody wrote"; the states are "a trained project/,
  })
  await t.rejects(pactStateHandlers(base)['a valid token']?.setup({}) as Promise<unknown>, { message: /\(401\): wrong control API token|\(401\): the control API wants/ }, 'without the token')
  // A server that answers no JSON: its text is the message.
  const plain = pactStateHandlers('http://resultbox.invalid', { fetch: async () => new Response('Bad Gateway', { status: 502 }) })
  await t.rejects(plain['a running job']?.setup({}) as Promise<unknown>, { message: 'resultbox refused the setup of "a running job" (502): Bad Gateway' })
  const empty = pactStateHandlers('http://resultbox.invalid', { fetch: async () => new Response('', { status: 200 }) })
  t.strictSame(await empty['a running job']?.teardown(), {}, 'an empty answer is no values')
})

t.test('the last 1,000 setups are remembered for their teardown; older ones are forgotten', async (t) => {
  const { app } = await startSandbox(t)
  const first = await setup(t, app, 'an Explorer session')
  for (let index = 0; index < 1000; index++) {
    const res = await change(app, { state: 'an Explorer session' })
    if (res.statusCode !== 200) t.fail(`setup ${index}: ${res.statusCode}`)
  }
  const before = vendorRows(app.resultbox.db)
  for (let index = 0; index < 1000; index++) await change(app, { state: 'an Explorer session', action: 'teardown' })
  const left = vendorRows(app.resultbox.db).filter((row) => !before.includes(row))
  t.strictSame(left, [], 'a thousand teardowns undid a thousand setups')
  t.equal(before.length - vendorRows(app.resultbox.db).length, 1000)
  t.equal((await get(app, `${API}/jobs`, { cookie: first.cookie as string })).json().code, 0, 'the first setup, forgotten, is still there')
  await teardown(t, app, 'an Explorer session')
  t.equal((await get(app, `${API}/jobs`, { cookie: first.cookie as string })).json().code, 0, 'and its teardown finds nothing to undo')
})

import { form, type Method, type Step, type Tour } from './tour.js'

/** The tour's RESULTBOX_SCENARIO_MAX_BYTES: a scenario's 413 costs 64 KiB, not 32 MiB. */
export const BODY_LIMIT = 65_536
/** Valid JSON, too large for every route: past BODY_LIMIT and past Fastify's 1 MiB default, which the other JSON routes keep. */
export const OVERSIZED = { pad: 'x'.repeat(1_100_000) }

export const C = '/_resultbox'
const XML = { 'content-type': 'application/xml' }

/** A clean, frozen sandbox: the fixtures' timelines start again now, and only the test moves time. */
export async function prepare(tour: Tour) {
  await tour.send({ method: 'POST', path: `${C}/clock`, json: { frozen: true }, status: 200 })
  await tour.send({ method: 'POST', path: `${C}/state/reset`, status: 200 })
  await tour.send({ method: 'DELETE', path: `${C}/faults`, status: 204 })
  await tour.send({ method: 'DELETE', path: `${C}/requests`, status: 204 })
}

export function advance(tour: Tour, ms: number) {
  return tour.send({ method: 'POST', path: `${C}/clock`, json: { advance_ms: ms }, status: 200 })
}

/** What a control route that reads a body refuses before its handler: not JSON (400), too large (413), another type (415). */
async function bodyRefusals(tour: Tour, method: Method, path: string) {
  await tour.send({ method, path, body: '{"advance_ms":', headers: { 'content-type': 'application/json' }, status: 400, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method, path, json: OVERSIZED, status: 413, invalid: 'an unknown field' })
  await tour.send({ method, path, body: '<clock/>', headers: XML, status: 415, invalid: 'a media type the route does not take' })
}

export async function controlTour(tour: Tour) {
  const health = await tour.send({ method: 'GET', path: `${C}/health`, status: 200 })
  tour.t.strictSame(health.json(), { status: 'up' })
  const ready = await tour.send({ method: 'GET', path: `${C}/ready`, status: 200 })
  // The clock ran (at speed 1) from start-up until prepare() froze it, and the reset seeded again then.
  tour.t.match(ready.json(), { status: 'ready', seeded_at: /^2026-01-01T00:00:\d\d\.\d{3}Z$/ })

  // The status page (HTML with no data in it) and the snapshot its script reads.
  const page = await tour.send({ method: 'GET', path: `${C}/`, status: 200 })
  tour.t.match(page.headers['content-type'], /^text\/html; charset=utf-8$/)
  const state = await tour.send({ method: 'GET', path: `${C}/state`, status: 200 })
  tour.t.match(state.json(), { clock: { frozen: true }, prpm: { results: [{ result_key: 'dVbQ3x7K', status: 'processing' }] }, explorer: { total: 3 }, modelarts: { total: 6 } })

  // The document, whole and in parts, as JSON and YAML.
  await tour.send({ method: 'GET', path: `${C}/openapi.json`, status: 200 })
  for (const vendor of ['prpm', 'explorer', 'modelarts', 'control']) {
    const part = await tour.send({ method: 'GET', path: `${C}/openapi.json?vendor=${vendor}`, status: 200 })
    tour.t.ok(Object.values(part.json<{ paths: Record<string, object> }>().paths).length > 0, `the ${vendor} part has paths`)
  }
  await tour.send({ method: 'GET', path: `${C}/openapi.json?vendor=acme`, status: 400, invalid: 'vendor is an enum' })
  const yaml = await tour.send({ method: 'GET', path: `${C}/openapi.yaml`, status: 200 })
  tour.t.match(yaml.text, /^openapi: 3\.1\.0$/m)
  await tour.send({ method: 'GET', path: `${C}/openapi.yaml?vendor=explorer`, status: 200 })
  await tour.send({ method: 'GET', path: `${C}/openapi.yaml?vendor=nope`, status: 400, invalid: 'vendor is an enum' })

  // The clock.
  const clock = await tour.send({ method: 'GET', path: `${C}/clock`, status: 200 })
  tour.t.equal(clock.json().frozen, true)
  const moved = await tour.send({ method: 'POST', path: `${C}/clock`, json: { speed: 2, frozen: true }, status: 200 })
  tour.t.equal(moved.json().speed, 2)
  await tour.send({ method: 'POST', path: `${C}/clock`, json: { speed: 1 }, status: 200 })
  await tour.send({ method: 'POST', path: `${C}/clock`, json: {}, status: 400, invalid: 'minProperties 1' })
  await tour.send({ method: 'POST', path: `${C}/clock`, json: { advance_ms: '100' }, status: 400, invalid: 'a string for an integer' })
  await tour.send({ method: 'POST', path: `${C}/clock`, json: { set: '2025-12-31T23:59:59Z' }, status: 400 })
  await bodyRefusals(tour, 'POST', `${C}/clock`)

  // Reset: all, one vendor, a vendor that is not.
  const one = await tour.send({ method: 'POST', path: `${C}/state/reset?vendor=modelarts`, status: 200 })
  tour.t.strictSame(one.json().reset, ['modelarts'])
  await tour.send({ method: 'POST', path: `${C}/state/reset?vendor=acme`, status: 400, invalid: 'vendor is an enum' })
  await bodyRefusals(tour, 'POST', `${C}/state/reset`)

  // Scenarios: one of each that works, and what each refuses.
  const prpm = await tour.send({ method: 'POST', path: `${C}/scenarios/prpm`, json: { case_count: 2 }, status: 201 })
  tour.t.match(prpm.json(), { project_id: Number, result_key: String, result_url: String })
  await tour.send({ method: 'POST', path: `${C}/scenarios/prpm`, json: { case_count: 0 }, status: 400, invalid: 'case_count minimum 1' })
  await tour.send({ method: 'POST', path: `${C}/scenarios/prpm`, json: { project_id: 77 }, status: 404 })
  await tour.send({ method: 'POST', path: `${C}/scenarios/prpm`, json: { result_key: 'dVbQ3x7K' }, status: 409 })
  await bodyRefusals(tour, 'POST', `${C}/scenarios/prpm`)

  const explorer = await tour.send({ method: 'POST', path: `${C}/scenarios/explorer`, json: { tasks: [{ name: 'WCC', runs_for_ms: 1000 }] }, status: 201 })
  tour.t.match(explorer.json(), { job_id: Number, tasks: [{ sample_result_url: String }] })
  await tour.send({ method: 'POST', path: `${C}/scenarios/explorer`, json: { tasks: 'WCC' }, status: 400, invalid: 'tasks is an array' })
  await tour.send({ method: 'POST', path: `${C}/scenarios/explorer`, json: { job_id: 29987 }, status: 409 })
  await bodyRefusals(tour, 'POST', `${C}/scenarios/explorer`)

  const modelarts = await tour.send({ method: 'POST', path: `${C}/scenarios/modelarts`, json: { runs_for_ms: 1000 }, status: 201 })
  tour.t.match(modelarts.json(), { task_id: String, version_id: String, results_url: String })
  await tour.send({ method: 'POST', path: `${C}/scenarios/modelarts`, json: { starts_after_ms: -1 }, status: 400, invalid: 'starts_after_ms minimum 0' })
  await tour.send({ method: 'POST', path: `${C}/scenarios/modelarts`, json: { version_id: '7PoIhUzSk92OglQrTxr' }, status: 409 })
  await bodyRefusals(tour, 'POST', `${C}/scenarios/modelarts`)

  // Provider states, as Pact's verifiers set them up and tear them down: by body and by query string.
  const catalogue = await tour.send({ method: 'GET', path: `${C}/provider-states`, status: 200 })
  tour.t.ok(catalogue.json<{ total: number }>().total > 3, 'the catalogue lists states')
  const complete = { state: 'a trained project with a complete result', params: { case_count: 2 } }
  const values = await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { ...complete, action: 'setup' }, status: 200 })
  tour.t.match(values.json(), { project_id: Number, result_key: String, result_path: String })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { ...complete, action: 'teardown' }, status: 200 })
  await tour.send({ method: 'POST', path: `${C}/provider-states?state=a+valid+token&action=setup`, status: 200 })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { state: 'no such state' }, status: 400 })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { state: 'a running job', params: { row_count: -1 } }, status: 400 })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { state: 'a running job', action: 'undo' }, status: 400, invalid: 'action is an enum' })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { state: 'scenario', params: { vendor: 'prpm', project_id: 77 } }, status: 404 })
  await tour.send({ method: 'POST', path: `${C}/provider-states`, json: { state: 'a trained project with a complete result', params: { result_key: 'dVbQ3x7K' } }, status: 409 })
  await bodyRefusals(tour, 'POST', `${C}/provider-states`)

  // Faults: rules that never fire here (a vendor's latency of 0 ms), read back, cleared.
  const rules = { seed: 7, rules: [{ vendor: 'modelarts', operation: 'getVersionResults', latency: { fixed_ms: 0 } }] }
  const put = await tour.send({ method: 'PUT', path: `${C}/faults`, json: rules, status: 200 })
  tour.t.match(put.json(), { seed: 7, rules: [{ vendor: 'modelarts', matched: 0, injected: 0 }] })
  await tour.send({ method: 'GET', path: `${C}/faults`, status: 200 })
  await tour.send({ method: 'PUT', path: `${C}/faults`, json: { rules: [{ vendor: 'acme', error: { status: 500 } }] }, status: 400, invalid: 'vendor is an enum' })
  await bodyRefusals(tour, 'PUT', `${C}/faults`)
  await tour.send({ method: 'DELETE', path: `${C}/faults`, status: 204 })
  await bodyRefusals(tour, 'DELETE', `${C}/faults`)

  // The journal, with its filters, and what it refuses.
  await tour.send({ method: 'GET', path: `${C}/requests`, status: 200 })
  await tour.send({ method: 'GET', path: `${C}/requests?vendor=prpm&operation=getResult&method=GET&path=/project&status=200&limit=5`, status: 200 })
  await tour.send({ method: 'GET', path: `${C}/requests?limit=0`, status: 400, invalid: 'limit minimum 1' })
  await tour.send({ method: 'GET', path: `${C}/requests?vendor=acme`, status: 400, invalid: 'vendor is an enum' })
  await bodyRefusals(tour, 'DELETE', `${C}/requests`)
  await tour.send({ method: 'DELETE', path: `${C}/requests`, status: 204 })

  // Named sandboxes (the tour's server allows two): made, given back, listed, shown, refused, dropped.
  const made = await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-a`, json: { port: 0, fixtures: 'none' }, status: 201 })
  const port = made.json<{ port: number }>().port
  tour.t.type(port, 'number')
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-a`, status: 200 })
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/Tour-A`, json: {}, status: 400, invalid: 'name pattern' })
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-b`, json: { settings: { prpm_one_shot_read: 'no' } }, status: 400, invalid: 'a string for a boolean' })
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-b`, json: { port }, status: 409 })
  await bodyRefusals(tour, 'PUT', `${C}/sandboxes/tour-b`)
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-b`, json: { clock: { frozen: true }, settings: { prpm_one_shot_read: false } }, status: 201 })
  await tour.send({ method: 'PUT', path: `${C}/sandboxes/tour-c`, status: 429 })
  const listed = await tour.send({ method: 'GET', path: `${C}/sandboxes`, status: 200 })
  tour.t.strictSame(listed.json<{ sandboxes: Array<{ name: string }> }>().sandboxes.map((sandbox) => sandbox.name), ['tour-a', 'tour-b'])
  await tour.send({ method: 'GET', path: `${C}/sandboxes/tour-b`, status: 200 })
  await tour.send({ method: 'GET', path: `${C}/sandboxes/tour-c`, status: 404 })
  await tour.send({ method: 'GET', path: `${C}/sandboxes/-c`, status: 400, invalid: 'name pattern' })
  await tour.send({ method: 'DELETE', path: `${C}/sandboxes/tour-a`, status: 204 })
  await tour.send({ method: 'DELETE', path: `${C}/sandboxes/tour-a`, status: 404 })
  await tour.send({ method: 'DELETE', path: `${C}/sandboxes/_a`, status: 400, invalid: 'name pattern' })
  await bodyRefusals(tour, 'DELETE', `${C}/sandboxes/tour-b`)
  await tour.send({ method: 'DELETE', path: `${C}/sandboxes/tour-b`, status: 204 })

  // Back to the fixtures for the vendors' tours.
  await tour.send({ method: 'POST', path: `${C}/state/reset`, status: 200 })
}

/**
 * Faults, for the answers they make: every vendor's own 500 (a status each
 * vendor operation documents), injected once on each operation and checked
 * like any other answer. Other statuses a rule can inject (503, 429, …) are
 * the tester's choice and no part of the document, so the tour injects none.
 */
export async function faultsTour(tour: Tour) {
  const { t } = tour
  const rules = ['prpm', 'explorer', 'modelarts'].map((vendor) => ({ vendor, error: { status: 500 } }))
  await tour.send({ method: 'PUT', path: `${C}/faults`, json: { rules }, status: 200 })
  const prpm = { authorization: 'Bearer resultbox' }
  const explorer = { cookie: 'explorer_token=resultbox' }
  const modelarts = { 'x-auth-token': 'resultbox' }
  const upload = form([{ name: 'file', filename: 'log.csv', content: 'Case ID,Activity\n1,A\n' }])
  const version = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr'
  const faulted: Step[] = [
    { method: 'GET', path: '/project/1/result/dVbQ3x7K', headers: prpm, status: 500 },
    { method: 'POST', path: '/event_log', headers: { ...prpm, ...upload.headers }, body: upload.body, status: 500 },
    { method: 'PUT', path: '/event_log/1', headers: prpm, json: { columns_definition: { 'Case ID': 'CASE_ID' } }, status: 500 },
    { method: 'POST', path: '/project', headers: prpm, json: { event_log_id: 1 }, status: 500 },
    { method: 'GET', path: '/project/1', headers: prpm, status: 500 },
    { method: 'POST', path: '/project/1/result', headers: { ...prpm, ...upload.headers }, body: upload.body, status: 500 },
    // GET / asks no token, and its fault needs none.
    { method: 'GET', path: '/', status: 500 },
    { method: 'GET', path: '/project/all', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1', headers: prpm, json: { name: 'x' }, status: 500 },
    { method: 'DELETE', path: '/project/1', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1/definition', headers: prpm, json: {}, status: 500 },
    { method: 'GET', path: '/project/1/dataset/original', headers: prpm, status: 500 },
    { method: 'GET', path: '/event_log/all', headers: prpm, status: 500 },
    { method: 'GET', path: '/event_log/1', headers: prpm, status: 500 },
    { method: 'GET', path: '/event_log/1/definition', headers: prpm, status: 500 },
    { method: 'PUT', path: '/event_log/1/upload', headers: { ...prpm, ...upload.headers }, body: upload.body, status: 500 },
    { method: 'GET', path: '/plugin/all', headers: prpm, status: 500 },
    { method: 'GET', path: '/plugin/available', headers: prpm, status: 500 },
    { method: 'GET', path: '/plugin/1', headers: prpm, status: 500 },
    { method: 'PUT', path: '/plugin/1', headers: prpm, json: {}, status: 500 },
    { method: 'PUT', path: '/plugin/1/disable', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1/stream/start', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1/stream/start/simulating', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1/stream/stop', headers: prpm, status: 500 },
    { method: 'PUT', path: '/project/1/stream/clear', headers: prpm, status: 500 },
    { method: 'GET', path: '/project/1/stream/result', headers: prpm, status: 500 },
    { method: 'POST', path: '/project/1/stream/event', headers: prpm, json: { 'Case ID': '1' }, status: 500 },
    { method: 'POST', path: '/api-open/v1/connect', headers: { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` }, json: { address: 'graphd', port: 9669 }, status: 500 },
    { method: 'POST', path: '/api-nebula/db/connect', headers: { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` }, json: { address: 'graphd', port: 9669 }, status: 500 },
    { method: 'POST', path: '/api-nebula/db/disconnect', headers: explorer, status: 500 },
    { method: 'POST', path: '/api-nebula/db/exec', headers: explorer, json: { gql: "ALTER USER root WITH PASSWORD 'nebula'" }, status: 500 },
    { method: 'POST', path: '/api-open/v1/workflows/4/jobs', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-open/v1/workflows/4/jobs', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-open/v1/jobs', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-open/v1/jobs/29987', headers: explorer, status: 500 },
    { method: 'PUT', path: '/api-open/v1/jobs/29987/cancel', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result', headers: explorer, status: 500 },
    { method: 'POST', path: '/api-analytics/flows', headers: explorer, json: { name: 'x', schema: '' }, status: 500 },
    { method: 'GET', path: '/api-analytics/flows', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-analytics/flows/4', headers: explorer, status: 500 },
    { method: 'PUT', path: '/api-analytics/flows/4', headers: explorer, json: { schema: '' }, status: 500 },
    { method: 'DELETE', path: '/api-analytics/flows/4', headers: explorer, status: 500 },
    { method: 'GET', path: '/api-analytics/flows/4/history', headers: explorer, status: 500 },
    { method: 'POST', path: '/api-analytics/flows/4/history/1/restore', headers: explorer, status: 500 },
    { method: 'POST', path: '/api-analytics/jobs', headers: explorer, json: { flowId: 4 }, status: 500 },
    { method: 'GET', path: '/api-analytics/jobs/29987', headers: explorer, status: 500 },
    { method: 'POST', path: '/api-analytics/jobs/result', headers: explorer, json: { params: { hdfsPath: '/analytics/1/tasks/query_1/' } }, status: 500 },
    { method: 'POST', path: '/api-analytics/controller', headers: explorer, json: { method: 'POST', path: '/job/1/cancel' }, status: 500 },
    { method: 'GET', path: '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr', headers: modelarts, status: 500 },
    { method: 'GET', path: version, headers: modelarts, status: 500 },
    { method: 'GET', path: `${version}/results`, headers: modelarts, status: 500 },
  ]
  for (const step of faulted) await tour.send(step)
  const state = (await tour.send({ method: 'GET', path: `${C}/faults`, status: 200 })).json()
  t.strictSame(state.rules.map((rule: { injected: number }) => rule.injected), [27, 21, 3], 'each request was faulted by its vendor\'s rule')
  await tour.send({ method: 'DELETE', path: `${C}/faults`, status: 204 })
}

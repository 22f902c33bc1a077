import { createHash } from 'node:crypto'
import { unzipSync, strFromU8 } from 'fflate'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { CREDENTIALS, START, get, startSandbox } from './helpers/sandbox.js'
import { DEFINITION, TRAINING_CSV, multipart, postForm, prpmRows, sendJson, zipOf } from './helpers/prpm.js'

/*
 * PrCore's API around the workflow, as its clients (Kairos, its docs' scripts, its Postman
 * collection) use it: projects, event logs, plugins and dataset downloads. The fixture seeds
 * projects 1 and 3 (TRAINED, BPIC 2012-like logs of 50 cases) and project 2 (ERROR, no log).
 */

const auth = CREDENTIALS.prpm
const OUTCOME = [[{ column: 'Activity', operator: 'EQUAL', value: 'A_APPROVED' }]]
const TREATMENT = [[{ column: 'Activity', operator: 'EQUAL', value: 'O_SENT_BACK' }]]

const json = (app: FastifyInstance, method: 'GET' | 'DELETE', url: string, headers: Record<string, string> = auth) =>
  app.inject({ method, url, headers })
const project = async (app: FastifyInstance, id: number) => (await get(app, `/project/${id}`, auth)).json().project

/** A PUT with a multipart body, as PUT /event_log/{id}/upload takes it. */
function putForm(app: FastifyInstance, url: string, parts: Parameters<typeof multipart>[0]) {
  const body = multipart(parts)
  return app.inject({ method: 'PUT', url, payload: body.payload, headers: body.headers })
}

/** A client's own log, defined and made a project: returns the ids. */
async function clientProject(app: FastifyInstance, clock: { advance(ms: number): void }, options: { train?: boolean } = {}) {
  const uploaded = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json()
  await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: uploaded.event_log_id, positive_outcome: OUTCOME, treatment: TREATMENT })).json()
  if (options.train !== false) clock.advance(42_000)
  return { eventLogId: uploaded.event_log_id as number, projectId: created.project.id as number }
}

t.test('GET / answers without a token, as PrCore\'s root does', async (t) => {
  const { app } = await startSandbox(t)
  const response = await app.inject({ method: 'GET', url: '/' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'application/json')
  t.equal(response.body, '{"API":"https://prcore.chaos.run","Documentation":"https://prcore-docs.chaos.run","Swagger UI":"https://prcore.chaos.run/docs","RabbitMQ Management":"https://prcore-rabbitmq.chaos.run"}')
})

t.test('GET /project/all pages as fastapi-pagination does, newest first', async (t) => {
  const { app, clock } = await startSandbox(t)
  clock.advance(1_000)
  const { projectId } = await clientProject(app, clock, { train: false })
  const all = await json(app, 'GET', '/project/all')
  t.equal(all.statusCode, 200)
  const page = all.json()
  t.strictSame(Object.keys(page), ['items', 'total', 'page', 'size', 'pages'])
  t.strictSame(page.items.map((item: { id: number }) => item.id), [projectId, 3, 2, 1], 'the newest first; seeded ones, made together, by id descending')
  t.match(page, { total: 4, page: 1, size: 50, pages: 1 })
  t.strictSame(Object.keys(page.items[0]), ['name', 'description', 'status', 'id', 'created_at', 'updated_at', 'error', 'event_log', 'plugins'])
  t.strictSame(page.items[0], await project(app, projectId), 'each item is the project GET /project/{id} shows')

  const second = (await json(app, 'GET', '/project/all?page=2&size=3')).json()
  t.strictSame(second.items.map((item: { id: number }) => item.id), [1])
  t.match(second, { total: 4, page: 2, size: 3, pages: 2 })
  const past = (await json(app, 'GET', '/project/all?page=9&size=3')).json()
  t.strictSame(past, { items: [], total: 4, page: 9, size: 3, pages: 2 }, 'a page past the end is empty')

  const tooSmall = await json(app, 'GET', '/project/all?page=0')
  t.equal(tooSmall.statusCode, 422)
  t.equal(tooSmall.body, '{"detail":[{"loc":["query","page"],"msg":"ensure this value is greater than or equal to 1","type":"value_error.number.not_ge","ctx":{"limit_value":1}}]}')
  const tooLarge = await json(app, 'GET', '/project/all?size=101')
  t.strictSame(tooLarge.json(), { detail: [{ loc: ['query', 'size'], msg: 'ensure this value is less than or equal to 100', type: 'value_error.number.not_le', ctx: { limit_value: 100 } }] })
  const notNumber = await json(app, 'GET', '/project/all?page=two')
  t.strictSame(notNumber.json(), { detail: [{ loc: ['query', 'page'], msg: 'value is not a valid integer', type: 'type_error.integer' }] })
  const anonymous = await app.inject({ method: 'GET', url: '/project/all' })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.headers['www-authenticate'], 'Bearer')
})

t.test('PUT /project/{id} sets the name and description; an omitted description is ""', async (t) => {
  const { app, clock } = await startSandbox(t)
  clock.advance(5_000)
  const renamed = await sendJson(app, 'PUT', '/project/1', { name: 'Loans', description: 'BPIC 2012' })
  t.equal(renamed.statusCode, 200)
  const body = renamed.json()
  t.strictSame(Object.keys(body), ['message', 'project'])
  t.equal(body.message, "Project's basic information updated successfully")
  t.match(body.project, { id: 1, name: 'Loans', description: 'BPIC 2012', status: 'TRAINED', updated_at: '2026-01-01T00:00:05.000000+00:00' })
  t.match(await project(app, 1), { name: 'Loans', description: 'BPIC 2012' })
  const bare = (await sendJson(app, 'PUT', '/project/1', { name: 'Loans 2' })).json()
  t.equal(bare.project.description, '')
  t.equal((await sendJson(app, 'PUT', '/project/2', { name: 'broken, renamed' })).statusCode, 200, 'in any status, ERROR too')

  const before = prpmRows(app)
  const unknown = await sendJson(app, 'PUT', '/project/99', { name: 'x' })
  t.equal(unknown.statusCode, 400)
  t.strictSame(unknown.json(), { detail: 'Project not found' })
  const nameless = await sendJson(app, 'PUT', '/project/1', { description: 'x' })
  t.equal(nameless.statusCode, 422)
  t.strictSame(nameless.json(), { detail: [{ loc: ['body', 'name'], msg: 'field required', type: 'value_error.missing' }] })
  const missing = { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] }
  const empty = await app.inject({ method: 'PUT', url: '/project/1', headers: auth })
  t.strictSame([empty.statusCode, empty.json()], [422, missing])
  // An empty JSON body is no body, as FastAPI reads it, on the workflow's routes too.
  for (const url of ['/project/1', '/event_log/1', '/project/1/definition']) {
    const blank = await app.inject({ method: 'PUT', url, headers: { ...auth, 'content-type': 'application/json' }, payload: '' })
    t.strictSame([blank.statusCode, blank.json()], [422, missing], `${url}: an empty JSON body`)
  }
  const noProjectBody = await app.inject({ method: 'POST', url: '/project', headers: auth })
  t.strictSame([noProjectBody.statusCode, noProjectBody.json()], [422, missing], 'POST /project without a body')
  t.strictSame(prpmRows(app), before, 'the refusals wrote nothing')
})

t.test('DELETE /project/{id} takes its plugins, results, event log and definition with it', async (t) => {
  const { app } = await startSandbox(t)
  const plugins = (await project(app, 1)).plugins.map((plugin: { id: number }) => plugin.id)
  t.ok(plugins.length > 0)
  const deleted = await json(app, 'DELETE', '/project/1')
  t.equal(deleted.statusCode, 200)
  t.equal(deleted.body, '{"message":"Project deleted successfully","project_id":1}')
  t.strictSame((await get(app, '/project/1', auth)).json(), { detail: 'Project not found' })
  const result = await get(app, '/project/1/result/dVbQ3x7K', auth)
  t.equal(result.statusCode, 400, 'the seeded result is gone with its project')
  t.strictSame(result.json(), { detail: 'Project not found' })
  t.strictSame((await get(app, '/event_log/1', auth)).json(), { detail: 'Event log not found' })
  for (const id of plugins) t.equal((await get(app, `/plugin/${id}`, auth)).statusCode, 404, `plugin ${id} is gone`)
  t.equal((await json(app, 'GET', '/project/all')).json().total, 2)
  const again = await json(app, 'DELETE', '/project/1')
  t.equal(again.statusCode, 400)
  t.strictSame(again.json(), { detail: 'Project not found' })
  const bad = await json(app, 'DELETE', '/project/one')
  t.equal(bad.statusCode, 422)
  // PrCore's handler reads no body here: whatever comes with the request is dropped.
  for (const [type, payload] of [['application/json', '{not json'], ['application/octet-stream', 'bytes'], ['text/xml', '<a/>']]) {
    const withBody = await app.inject({ method: 'DELETE', url: '/project/3', headers: { ...auth, 'content-type': type as string }, payload })
    t.strictSame([withBody.statusCode, withBody.json()], [type === 'application/json' ? 200 : 400, type === 'application/json' ? { message: 'Project deleted successfully', project_id: 3 } : { detail: 'Project not found' }], `a ${type} body is ignored`)
  }
  const streamWithBody = await app.inject({ method: 'PUT', url: '/project/2/stream/stop', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' })
  t.strictSame(streamWithBody.json(), { detail: 'Project is in error status' })
})

t.test('PUT /project/{id}/definition trains the project again with the new outcome and treatment', async (t) => {
  const { app, clock } = await startSandbox(t)
  const before = await project(app, 1)
  const redefined = await sendJson(app, 'PUT', '/project/1/definition', {
    negative_outcome: [[{ column: 'Activity', operator: 'EQUAL', value: 'A_DECLINED' }]],
    treatment: TREATMENT,
    parameters: { 'plugin-knn-next-activity': { n_neighbors: 7 } },
    additional_info: { 'plugin-random-forest-alarm': { note: 'x' } },
  })
  t.equal(redefined.statusCode, 200, redefined.body)
  const body = redefined.json()
  t.strictSame(Object.keys(body), ['message', 'project', 'result_key'])
  t.equal(body.message, 'Project definition updated successfully')
  t.equal(body.result_key, null)
  t.equal(body.project.status, 'PREPROCESSING')
  t.strictSame(body.project.plugins.map((plugin: { id: number }) => plugin.id), before.plugins.map((plugin: { id: number }) => plugin.id), 'the same plugin rows')
  t.ok(body.project.plugins.every((plugin: { status: string }) => plugin.status === 'PREPROCESSING'))
  const definition = body.project.event_log.definition
  t.strictSame(definition.outcome_definition, [[{ column: 'Activity', operator: 'EQUAL', value: 'A_DECLINED' }]])
  t.equal(definition.outcome_definition_negative, true)
  const knn = body.project.plugins.find((plugin: { key: string }) => plugin.key === 'plugin-knn-next-activity')
  t.strictSame(knn.parameters, { encoding: 'SIMPLE_INDEX', n_neighbors: 7 }, 'defaults merged with the request\'s')
  const alarm = body.project.plugins.find((plugin: { key: string }) => plugin.key === 'plugin-random-forest-alarm')
  t.strictSame(alarm.additional_info, { note: 'x' })

  const busy = await sendJson(app, 'PUT', '/project/1/definition', { positive_outcome: OUTCOME })
  t.strictSame([busy.statusCode, busy.json()], [400, { detail: 'Project not ready' }], 'not while it pre-processes')
  clock.advance(35_000)
  t.equal((await project(app, 1)).status, 'TRAINING')
  t.ok((await project(app, 1)).plugins.every((plugin: { status: string }) => plugin.status === 'TRAINING'))
  clock.advance(7_000)
  const trained = await project(app, 1)
  t.equal(trained.status, 'TRAINED')
  t.ok(trained.plugins.every((plugin: { status: string; updated_at: string }) => plugin.status === 'TRAINED' && plugin.updated_at === '2026-01-01T00:00:42.000000+00:00'))

  const refusals: [number, unknown, string][] = [
    [99, { positive_outcome: OUTCOME }, 'Project not found'],
    [2, { positive_outcome: OUTCOME }, 'Event log not found'],
    [1, { positive_outcome: OUTCOME, negative_outcome: OUTCOME }, 'Project definition conflict'],
    [1, { positive_outcome: [[{ column: 'Colour', operator: 'EQUAL', value: 'red' }]] }, "Column 'Colour' is not defined"],
    [1, { treatment: [[{ column: 'AMOUNT_REQ', operator: 'CONTAINS', value: '5' }]] }, "Operator 'CONTAINS' not supported for column 'AMOUNT_REQ'"],
    [1, { positive_outcome: [] }, 'Invalid definition'],
  ]
  const rows = prpmRows(app)
  for (const [id, request, detail] of refusals) {
    const refused = await sendJson(app, 'PUT', `/project/${id}/definition`, request)
    t.strictSame([refused.statusCode, refused.json()], [400, { detail }], detail)
  }
  t.strictSame(prpmRows(app), rows, 'no refusal wrote anything')
})

t.test('PUT /event_log/{id} on a log with a project sends it and its plugins back to WAITING', async (t) => {
  const { app, clock } = await startSandbox(t)
  const { eventLogId, projectId } = await clientProject(app, clock)
  t.equal((await project(app, projectId)).status, 'TRAINED')
  const defined = await sendJson(app, 'PUT', `/event_log/${eventLogId}`, DEFINITION)
  t.equal(defined.statusCode, 200)
  const waiting = await project(app, projectId)
  t.equal(waiting.status, 'WAITING')
  t.ok(waiting.plugins.length > 0 && waiting.plugins.every((plugin: { status: string }) => plugin.status === 'WAITING'))
  t.equal(waiting.event_log.definition.outcome_definition, null, 'the outcome is cleared')
  t.equal(waiting.event_log.definition.treatment_definition, null)
  clock.advance(3_600_000)
  t.equal((await project(app, projectId)).status, 'WAITING', 'it waits for a new definition')
  const upload = await postForm(app, '/project/' + projectId + '/result', [{ name: 'file', filename: 'o.csv', content: TRAINING_CSV }])
  t.strictSame(upload.json(), { detail: 'Project not ready' })
  t.equal((await sendJson(app, 'PUT', `/project/${projectId}/definition`, { positive_outcome: OUTCOME })).statusCode, 200)
  clock.advance(42_000)
  t.equal((await project(app, projectId)).status, 'TRAINED')
})

t.test('event logs: the list, one log, its definition', async (t) => {
  const { app } = await startSandbox(t)
  const uploaded = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json()
  const all = await json(app, 'GET', '/event_log/all')
  t.equal(all.statusCode, 200)
  const body = all.json()
  t.strictSame(Object.keys(body), ['message', 'event_logs'])
  t.equal(body.message, 'Event logs retrieved successfully')
  t.strictSame(body.event_logs.map((log: { id: number }) => log.id), [1, 2, uploaded.event_log_id], 'by id')
  t.strictSame(Object.keys(body.event_logs[0]), ['file_name', 'id', 'created_at', 'updated_at', 'definition'])
  t.equal(body.event_logs[2].definition, null, 'an uploaded log is undefined until PUT /event_log/{id}')
  t.strictSame((await json(app, 'GET', '/event_log/all?skip=1&limit=1')).json().event_logs.map((log: { id: number }) => log.id), [2])
  t.equal((await json(app, 'GET', '/event_log/all?limit=x')).statusCode, 422)

  const one = (await json(app, 'GET', '/event_log/1')).json()
  t.strictSame(Object.keys(one), ['message', 'event_log'])
  t.equal(one.message, 'Event log retrieved successfully')
  t.strictSame(one.event_log, body.event_logs[0])
  t.strictSame(one.event_log, (await project(app, 1)).event_log, 'the log its project shows')
  const missing = await json(app, 'GET', '/event_log/99')
  t.strictSame([missing.statusCode, missing.json()], [404, { detail: 'Event log not found' }])

  const undefinedLog = await json(app, 'GET', `/event_log/${uploaded.event_log_id}/definition`)
  t.strictSame([undefinedLog.statusCode, undefinedLog.json()], [404, { detail: 'Event log definition not found' }])
  t.strictSame((await json(app, 'GET', '/event_log/99/definition')).json(), { detail: 'Event log not found' })
  // Defined in file order; the stored definition comes back in JSONB order, the rows in file order.
  await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const definition = (await json(app, 'GET', `/event_log/${uploaded.event_log_id}/definition`)).json()
  t.strictSame(definition, {
    message: 'Event log definition retrieved successfully',
    event_log_id: uploaded.event_log_id,
    columns_header: ['Case ID', 'Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time'],
    columns_old_definition: ['CASE_ID', 'ACTIVITY', 'DATETIME', 'RESOURCE', 'END_TIMESTAMP', 'NUMBER', 'START_TIMESTAMP'],
    columns_data: uploaded.columns_data,
  })
  t.equal(definition.columns_data.length, 5)
  t.strictSame(definition.columns_data[0], ['100', '2011-10-01 10:00:00.000', '2011-10-01 10:00:00.000', '5000', '2011-10-01T10:00:00.000Z', 'A_SUBMITTED', '112'])
})

t.test('PUT /event_log/{id}/upload: the new file takes effect, then PrCore\'s 400 (by default)', async (t) => {
  const { app, clock } = await startSandbox(t)
  const { eventLogId, projectId } = await clientProject(app, clock)
  const simulationBefore = (await get(app, `/project/${projectId}/dataset/simulation`, auth)).body
  const newLog = TRAINING_CSV.replace('A_APPROVED', 'A_CANCELLED')
  const answer = await putForm(app, `/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'second.CSV', content: newLog }])
  t.equal(answer.statusCode, 400)
  t.equal(answer.headers['content-type'], undefined, 'no Content-Type, as PrCore\'s middleware answers')
  t.equal(answer.body, '[\n  {\n    "loc": [\n      "response",\n      "resources_count"\n    ],\n    "msg": "field required",\n    "type": "value_error.missing"\n  }\n]')
  const after = await project(app, projectId)
  t.equal(after.status, 'PREPROCESSING', 'pre-processing started again')
  t.equal(after.event_log.file_name, 'second.CSV')
  clock.advance(42_000)
  t.equal((await project(app, projectId)).status, 'TRAINED')
  const original = await get(app, `/project/${projectId}/dataset/original`, auth)
  t.equal(original.body, newLog, 'the original is the new file')
  t.match(original.headers['content-disposition'], /^attachment; filename="[A-Za-z0-9]{8}\.csv"$/, 'its extension in lower case')
  t.equal((await get(app, `/project/${projectId}/dataset/simulation`, auth)).body, simulationBefore, 'what pre-processing reads is still the first upload')

  const rows = prpmRows(app)
  const refusals: [string, Parameters<typeof multipart>[0], number, string][] = [
    [`/event_log/${eventLogId}/upload`, [{ name: 'separator', value: ',' }], 400, 'No valid event log provided'],
    [`/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'log.txt', content: newLog }], 400, 'No valid event log provided'],
    ['/event_log/99/upload', [{ name: 'file', filename: 'log.csv', content: newLog }], 404, 'Event log not found'],
    [`/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'log.zip', content: 'not a zip' }], 400, 'ZIP file is corrupted'],
    [`/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'log.csv', content: 'Case ID,Activity\n1,A' }], 400, 'Event log columns mismatch with previous definition'],
  ]
  for (const [url, parts, status, detail] of refusals) {
    const refused = await putForm(app, url, parts)
    t.strictSame([refused.statusCode, refused.json()], [status, { detail }], detail)
  }
  t.strictSame(prpmRows(app), rows, 'no refusal wrote anything')

  const lone = (await postForm(app, '/event_log', [{ name: 'file', filename: 'lone.csv', content: TRAINING_CSV }])).json()
  const noProject = await putForm(app, `/event_log/${lone.event_log_id}/upload`, [{ name: 'file', filename: 'log.csv', content: newLog }])
  t.strictSame([noProject.statusCode, noProject.json()], [404, { detail: 'Project not found' }], 'a log without a project')
  await putForm(app, `/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'third.csv', content: newLog }])
  const busy = await putForm(app, `/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'fourth.csv', content: newLog }])
  t.strictSame([busy.statusCode, busy.json()], [400, { detail: 'Project not ready' }], 'not while it pre-processes')
})

t.test('PUT /event_log/{id}/upload answers the intended 200 with RESULTBOX_PRPM_REUPLOAD_ANSWER=intended', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_REUPLOAD_ANSWER: 'intended' } })
  const { eventLogId } = await clientProject(app, clock)
  const answer = await putForm(app, `/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'second.csv', content: TRAINING_CSV }])
  t.equal(answer.statusCode, 200)
  t.equal(answer.headers['content-type'], 'application/json')
  t.strictSame(answer.json(), {
    message: 'Event log updated',
    event_log_id: eventLogId,
    received_definition: { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', REG_DATE: 'DATETIME', Resource: 'RESOURCE', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', start_time: 'START_TIMESTAMP' },
    activities_count: { A_SUBMITTED: 3, A_PARTLYSUBMITTED: 1, 'W_Completeren aanvraag': 1, A_DECLINED: 1, A_APPROVED: 1 },
    outcome_options: ['Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time', 'DURATION'],
    treatment_options: ['Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time'],
  })
})

t.test('plugins: the list, the available ones, one plugin', async (t) => {
  const { app, clock } = await startSandbox(t)
  const all = (await json(app, 'GET', '/plugin/all')).json()
  t.equal(all.message, 'Plugins retrieved successfully')
  const seeded = [...(await project(app, 1)).plugins, ...(await project(app, 3)).plugins]
  t.strictSame(all.plugins, seeded, 'every project\'s plugins, by id')
  t.strictSame(all.plugins.map((plugin: { id: number }) => plugin.id), [1, 2, 3, 4, 5, 6])
  t.strictSame(Object.keys(all.plugins[0]), ['id', 'created_at', 'updated_at', 'key', 'prescription_type', 'name', 'description', 'parameters', 'additional_info', 'status', 'error', 'disabled'])
  t.strictSame((await json(app, 'GET', '/plugin/all?skip=4&limit=10')).json().plugins.map((plugin: { id: number }) => plugin.id), [5, 6])

  const one = (await json(app, 'GET', '/plugin/2')).json()
  t.strictSame(one, { message: 'Plugin retrieved successfully', plugin: all.plugins[1] })
  const missing = await json(app, 'GET', '/plugin/99')
  t.strictSame([missing.statusCode, missing.json()], [404, { detail: 'Plugin not found' }])

  clock.advance(7 * 60_000 + 1_234)
  const available = await json(app, 'GET', '/plugin/available')
  t.equal(available.statusCode, 200)
  const plugins = available.json().plugins
  t.equal(available.json().message, 'Available plugins retrieved successfully')
  t.strictSame(Object.keys(plugins), ['plugin-knn-next-activity', 'plugin-random-forest-alarm', 'plugin-causallift-treatment-effect', 'plugin-causallift-resource-allocation'])
  t.strictSame(plugins['plugin-knn-next-activity'], {
    prescription_type: 'NEXT_ACTIVITY',
    name: 'KNN next activity prediction',
    description: 'This plugin predicts the next activity based on the KNN algorithm.',
    parameters: { encoding: 'SIMPLE_INDEX', n_neighbors: 3 },
    needed_columns: [],
    needed_info_for_training: [],
    needed_info_for_prediction: [],
    supported_encoding: ['BOOLEAN', 'FREQUENCY_BASED', 'SIMPLE_INDEX'],
    online: '2026-01-01T00:05:00.000000',
  }, 'its last report: the latest five-minute mark since the sandbox started')
  t.strictSame(plugins['plugin-causallift-resource-allocation'].needed_info_for_prediction, ['available_resources', 'treatment_duration'])
  t.strictSame(plugins['plugin-random-forest-alarm'].needed_columns, ['OUTCOME'])
})

t.test('PUT /plugin/{id} merges parameters and retrains; enable and disable switch it', async (t) => {
  const { app, clock } = await startSandbox(t)
  const knn = (await project(app, 1)).plugins.find((plugin: { key: string }) => plugin.key === 'plugin-knn-next-activity')
  const info = await sendJson(app, 'PUT', `/plugin/${knn.id}`, { additional_info: { shift: 'night' } })
  t.equal(info.statusCode, 200)
  t.match(info.json(), { message: 'Plugin is updated successfully', plugin: { additional_info: { shift: 'night' }, status: 'TRAINED' } }, 'additional info alone does not retrain')
  const retrained = (await sendJson(app, 'PUT', `/plugin/${knn.id}`, { parameters: { n_neighbors: 9 } })).json()
  t.strictSame(retrained.plugin.parameters, { encoding: 'SIMPLE_INDEX', n_neighbors: 9 }, 'merged shallowly')
  t.strictSame(retrained.plugin.additional_info, { shift: 'night' }, 'the earlier additional info stays')
  t.equal(retrained.plugin.status, 'TRAINING')
  const training = await project(app, 1)
  t.equal(training.status, 'TRAINING')
  t.strictSame(training.plugins.map((plugin: { key: string; status: string }) => [plugin.key, plugin.status]).filter(([, status]: string[]) => status === 'TRAINING'), [['plugin-knn-next-activity', 'TRAINING']], 'only it retrains')
  const busy = await sendJson(app, 'PUT', `/plugin/${knn.id}`, { parameters: { n_neighbors: 2 } })
  t.strictSame([busy.statusCode, busy.json()], [400, { detail: 'Project not ready' }])
  clock.advance(7_000)
  t.equal((await project(app, 1)).status, 'TRAINED')
  t.equal((await json(app, 'GET', `/plugin/${knn.id}`)).json().plugin.status, 'TRAINED')

  const unknown = await sendJson(app, 'PUT', '/plugin/99', { parameters: {} })
  t.strictSame([unknown.statusCode, unknown.json()], [404, { detail: 'Plugin not found' }], 'resultbox\'s 404 where PrCore fails with a 500')
  const empty = await app.inject({ method: 'PUT', url: `/plugin/${knn.id}`, headers: auth })
  t.strictSame([empty.statusCode, empty.json()], [422, { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] }])

  const disabled = await app.inject({ method: 'PUT', url: `/plugin/${knn.id}/disable`, headers: auth })
  t.equal(disabled.statusCode, 200)
  t.match(disabled.json(), { message: 'Plugin is disabled successfully', plugin: { id: knn.id, disabled: true } })
  const twice = await app.inject({ method: 'PUT', url: `/plugin/${knn.id}/disable`, headers: auth })
  t.strictSame(twice.json(), { detail: 'Plugin already disabled' })
  // A result uploaded now leaves the disabled plugin out.
  const upload = (await postForm(app, '/project/1/result', [{ name: 'file', filename: 'o.csv', content: TRAINING_CSV }])).json()
  const processing = (await get(app, `/project/1/result/${upload.result_key}`, auth)).json()
  t.notOk(processing.expected_plugins.includes('plugin-knn-next-activity'), 'left out of new results')
  t.ok(processing.expected_plugins.length > 0)
  const enabled = await app.inject({ method: 'PUT', url: `/plugin/${knn.id}/enable`, headers: auth })
  t.match(enabled.json(), { message: 'Plugin is enabled successfully', plugin: { disabled: false } })
  t.strictSame((await app.inject({ method: 'PUT', url: `/plugin/${knn.id}/enable`, headers: auth })).json(), { detail: 'Plugin already enabled' })
  for (const url of [`/plugin/${knn.id}/Enable`, '/plugin/99/stop']) {
    const refused = await app.inject({ method: 'PUT', url, headers: auth })
    t.strictSame([refused.statusCode, refused.json()], [400, { detail: 'Plugin trigger type not valid' }], `${url}: the trigger is checked first`)
  }
  t.strictSame((await app.inject({ method: 'PUT', url: '/plugin/99/enable', headers: auth })).json(), { detail: 'Plugin not found' })
})

t.test('dataset downloads: original, processed, simulation and ongoing, as files', async (t) => {
  const { app, clock } = await startSandbox(t)
  const original = await get(app, '/project/1/dataset/original', auth)
  t.equal(original.statusCode, 200)
  t.equal(original.headers['content-type'], 'application/zip')
  t.match(original.headers['content-disposition'], /^attachment; filename="[A-Za-z0-9]{8}\.zip"$/)
  t.equal(original.headers['content-length'], String(original.rawPayload.length))
  t.equal(original.headers['last-modified'], new Date(START).toUTCString())
  t.equal(original.headers.etag, `"${createHash('md5').update(`${START / 1000}-${original.rawPayload.length}`).digest('hex')}"`)
  t.not((await get(app, '/project/1/dataset/original', auth)).headers['content-disposition'], original.headers['content-disposition'], 'a fresh name each time')
  const entries = unzipSync(new Uint8Array(original.rawPayload))
  t.strictSame(Object.keys(entries), ['bpic2012-CSV.csv'], 'the seeded log: a zip holding one CSV')
  const log = strFromU8(entries['bpic2012-CSV.csv'] as Uint8Array).trim().split('\n')
  t.equal(log[0], 'Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource')
  const caseOf = (line: string) => line.split(',')[0] as string
  const allCases = new Set(log.slice(1).map(caseOf))
  t.equal(allCases.size, 50)

  const simulation = await get(app, '/project/1/dataset/simulation', auth)
  t.equal(simulation.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(simulation.headers['content-disposition'], /^attachment; filename="[A-Za-z0-9]{8}\.csv"$/)
  const simulated = simulation.body.trim().split('\n')
  t.equal(simulated[0], log[0], 'the original columns')
  const simulatedCases = new Set(simulated.slice(1).map(caseOf))
  t.equal(simulatedCases.size, 10, '20 % of the cases')
  t.strictSame(simulated.slice(1), log.slice(1).filter((line) => simulatedCases.has(caseOf(line))), 'every event of those cases, in file order')
  t.equal((await get(app, '/project/1/dataset/simulation', auth)).body, simulation.body, 'the split never changes')

  const processed = (await get(app, '/project/1/dataset/processed', auth)).body.trim().split('\n')
  t.equal(processed[0], 'CASE_ID,START_TIMESTAMP,END_TIMESTAMP,CASE_ATTRIBUTE_NUMBER_AMOUNT_REQ,CASE_ATTRIBUTE_DATETIME_REG_DATE,ACTIVITY,RESOURCE,DURATION,OUTCOME,TREATMENT,TREATMENT_RESOURCE')
  const processedCases = new Set(processed.slice(1).map(caseOf))
  t.equal(processedCases.size, 40, 'the 80 % training cases')
  t.ok([...processedCases].every((id) => !simulatedCases.has(id)), 'no case on both sides')
  const firstCase = processed.slice(1).filter((line) => caseOf(line) === caseOf(processed[1] as string)).map((line) => line.split(','))
  t.strictSame(firstCase.map((row) => row[7]), firstCase.map((_, index) => String(index * 660)), 'DURATION: seconds since the case began')

  const byCase = new Map<string, number>()
  for (const line of simulated.slice(1)) byCase.set(caseOf(line), (byCase.get(caseOf(line)) ?? 0) + 1)
  for (let round = 0; round < 5; round++) {
    const ongoing = (await get(app, '/project/1/dataset/ongoing', auth)).body.trim().split('\n')
    t.equal(ongoing[0], log[0])
    const cut = new Map<string, number>()
    for (const line of ongoing.slice(1)) cut.set(caseOf(line), (cut.get(caseOf(line)) ?? 0) + 1)
    t.strictSame([...cut.keys()].sort(), [...byCase].filter(([, count]) => count >= 4).map(([id]) => id).sort(), 'the simulation cases of 4 events or more')
    t.ok([...cut].every(([id, count]) => count >= 3 && count <= (byCase.get(id) as number) - 1), 'each cut after k in 3..n-1 events')
  }

  const refusals: [string, string][] = [
    ['/project/99/dataset/original', 'Project not found'],
    ['/project/1/dataset/everything', 'Invalid dataset type'],
    ['/project/2/dataset/processed', 'Project not preprocessed'],
    ['/project/2/dataset/everything', 'Invalid dataset type'],
    ['/project/2/dataset/original', 'There was an error processing the dataset'],
  ]
  for (const [url, detail] of refusals) {
    const refused = await get(app, url, auth)
    t.strictSame([refused.statusCode, refused.json()], [400, { detail }], url)
  }
  // A client's own upload comes back byte for byte; its other datasets wait for pre-processing.
  const { projectId } = await clientProject(app, clock, { train: false })
  t.equal((await get(app, `/project/${projectId}/dataset/original`, auth)).body, TRAINING_CSV)
  t.strictSame((await get(app, `/project/${projectId}/dataset/simulation`, auth)).json(), { detail: 'Project not preprocessed' })
  clock.advance(35_000)
  t.equal((await get(app, `/project/${projectId}/dataset/simulation`, auth)).statusCode, 200, 'TRAINING is pre-processed')
  const zipped = zipOf({ 'inner.csv': TRAINING_CSV })
  const uploaded = (await postForm(app, '/event_log', [{ name: 'file', filename: 'Log.ZIP', content: zipped }])).json()
  await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: uploaded.event_log_id })).json()
  const download = await get(app, `/project/${created.project.id}/dataset/original`, auth)
  t.strictSame(download.rawPayload, zipped, 'a zip, byte for byte')
  t.match(download.headers['content-disposition'], /\.zip"$/)
})

t.test('a route that reads no body takes any Content-Type, and the journal keeps the one sent', async (t) => {
  const { app } = await startSandbox(t)
  const refused = await app.inject({ method: 'PUT', url: '/project/2/stream/start', headers: { ...auth, 'content-type': 'garbage' }, payload: 'x' })
  t.strictSame([refused.statusCode, refused.json()], [400, { detail: 'Project is in error status' }])
  const anonymous = await app.inject({ method: 'PUT', url: '/project/2/stream/start', headers: { 'content-type': 'garbage' }, payload: 'x' })
  t.equal(anonymous.statusCode, 401)
  const journal = (await app.inject({ method: 'GET', url: '/_resultbox/requests?operation=startStream' })).json()
  t.strictSame(journal.requests.map((entry: { headers: Record<string, string>; status: number }) => [entry.status, entry.headers['content-type']]), [[401, 'garbage'], [400, 'garbage']])
})

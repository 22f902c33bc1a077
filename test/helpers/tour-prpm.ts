import { form, type Part, type Tour } from './tour.js'
import { OVERSIZED, advance } from './tour-control.js'

const AUTH = { authorization: 'Bearer resultbox' }
const JSON_TYPE = { 'content-type': 'application/json' }

/** A training log of three loan applications, BPIC 2012's columns and activities. */
const TRAINING_LOG = [
  'Case ID,start_time,end_time,AMOUNT_REQ,Activity,Resource',
  '100,2011-10-01 10:00:00.000,2011-10-01 10:00:00.000,5000,A_SUBMITTED,112',
  '100,2011-10-01 10:05:00.000,2011-10-01 10:05:00.000,5000,O_SENT_BACK,112',
  '100,2011-10-01 11:00:00.000,2011-10-01 11:30:00.000,5000,A_APPROVED,10862',
  '101,2011-10-02 09:00:00.000,2011-10-02 09:00:00.000,7000,A_SUBMITTED,112',
  '101,2011-10-02 09:05:00.000,2011-10-02 09:05:00.000,7000,A_DECLINED,10862',
  '102,2011-10-03 08:00:00.000,2011-10-03 08:00:00.000,900,A_SUBMITTED,112',
  '102,2011-10-03 08:10:00.000,2011-10-03 08:10:00.000,900,A_APPROVED,10862',
].join('\n')

/** Two ongoing cases. */
const ONGOING = [
  'Case ID,start_time,end_time,AMOUNT_REQ,Activity,Resource',
  '200,2012-01-02 09:00:00.000,2012-01-02 09:00:00.000,3000,A_SUBMITTED,112',
  '201,2012-01-01 10:00:00.000,2012-01-01 10:00:00.000,NA,A_SUBMITTED,',
].join('\n')

const DEFINITION = {
  columns_definition: {
    'Case ID': 'CASE_ID', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', Activity: 'ACTIVITY', Resource: 'RESOURCE',
  },
  case_attributes: ['AMOUNT_REQ'],
}

const OUTCOME = [[{ column: 'Activity', operator: 'EQUAL', value: 'A_APPROVED' }]]
const TREATMENT = [[{ column: 'Activity', operator: 'EQUAL', value: 'O_SENT_BACK' }]]

function upload(tour: Tour, path: string, parts: Part[], status: number, extra: { headers?: Record<string, string>; invalid?: string; method?: 'POST' | 'PUT' } = {}) {
  const { body, headers } = form(parts)
  return tour.send({ method: extra.method ?? 'POST', path, body, headers: { ...headers, ...AUTH, ...extra.headers }, status, ...(extra.invalid ? { invalid: extra.invalid } : {}) })
}

/** A re-upload: the same form, PUT. */
const reupload = (tour: Tour, path: string, parts: Part[], status: number, extra: { headers?: Record<string, string>; invalid?: string } = {}) =>
  upload(tour, path, parts, status, { ...extra, method: 'PUT' })

/** A wrong token: the scheme the document asks for, a value PrCore refuses. */
const WRONG = { authorization: 'Bearer nope' }

/** The fixture result, read as PrCore's clients read it, and every way to be refused it. */
async function results(tour: Tour) {
  const { t } = tour
  const url = '/project/1/result/dVbQ3x7K'
  const processing = await tour.send({ method: 'GET', path: url, headers: AUTH, status: 200 })
  t.match(processing.json(), { message: 'Ongoing dataset result is still processing', cases: null })
  t.equal(processing.headers['content-type'], 'application/json')
  await advance(tour, 6_000)
  const complete = await tour.send({ method: 'GET', path: url, headers: AUTH, status: 200 })
  t.match(complete.json(), { message: 'Ongoing dataset result retrieved successfully', cases_count: 2618 })
  await tour.send({ method: 'GET', path: url, headers: AUTH, status: 404 })
  await tour.send({ method: 'GET', path: '/project/1/result/nOsUcHkY', headers: AUTH, status: 404 })
  await tour.send({ method: 'GET', path: '/project/99/result/dVbQ3x7K', headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: '/project/2/result/dVbQ3x7K', headers: AUTH, status: 400 })
  const malformed = await tour.send({ method: 'GET', path: '/project/abc/result/dVbQ3x7K', headers: AUTH, status: 422, invalid: 'project_id is an integer' })
  // The proof that the proxy's verdicts arrive: it names the path parameter this request breaks.
  t.ok(malformed.violations.some((violation) => violation.location.join('.') === 'request.path.project_id'), 'prism reports the malformed project_id')
  const missing = await tour.send({ method: 'GET', path: url, status: 401, invalid: 'no credentials' })
  t.equal(missing.headers['www-authenticate'], 'Bearer')
  await tour.send({ method: 'GET', path: url, headers: { authorization: 'Bearer nope' }, status: 401 })
  await tour.send({ method: 'GET', path: url, headers: { authorization: 'Basic cm9vdDpuZWJ1bGE=' }, status: 401, invalid: 'not the Bearer scheme' })
}

/** PrCore's workflow: upload a log with a test file, define its columns, create a project, train it, read results, upload a dataset. */
async function workflow(tour: Tour) {
  const { t } = tour
  const uploaded = await upload(tour, '/event_log', [
    { name: 'file', filename: 'bpic.csv', content: TRAINING_LOG },
    { name: 'test', filename: 'ongoing.csv', content: ONGOING },
    { name: 'separator', value: ',' },
  ], 200)
  const log = uploaded.json<{ event_log_id: number; columns_header: string[] }>()
  t.strictSame(log.columns_header, ['Case ID', 'start_time', 'end_time', 'AMOUNT_REQ', 'Activity', 'Resource'])

  const defined = await tour.send({ method: 'PUT', path: `/event_log/${log.event_log_id}`, headers: AUTH, json: DEFINITION, status: 200 })
  t.equal(defined.json().message, 'Event log updated')

  const created = await tour.send({
    method: 'POST', path: '/project', headers: AUTH, status: 200,
    json: { event_log_id: log.event_log_id, positive_outcome: OUTCOME, treatment: TREATMENT },
  })
  const { project, result_key: key } = created.json<{ project: { id: number; status: string }; result_key: string }>()
  t.equal(project.status, 'PREPROCESSING')
  t.match(key, /^[A-Za-z0-9]{8}$/, 'the test file became a result')

  const projectUrl = `/project/${project.id}`
  t.equal((await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.status, 'PREPROCESSING')
  t.match((await tour.send({ method: 'GET', path: `${projectUrl}/result/${key}`, headers: AUTH, status: 200 })).json(), { project_status: 'PREPROCESSING', expected_plugins: [] })
  await advance(tour, 35_000)
  t.equal((await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.status, 'TRAINING')
  await advance(tour, 7_000)
  t.equal((await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.status, 'TRAINED')
  const training = (await tour.send({ method: 'GET', path: `${projectUrl}/result/${key}`, headers: AUTH, status: 200 })).json()
  t.equal(training.cases, null, 'plugins still running')
  await advance(tour, 3_000)
  const done = (await tour.send({ method: 'GET', path: `${projectUrl}/result/${key}`, headers: AUTH, status: 200 })).json()
  t.strictSame(Object.keys(done.cases), ['200', '201'])

  // A dataset on the trained project, polled to completion.
  const dataset = await upload(tour, `${projectUrl}/result`, [{ name: 'file', filename: 'ongoing.csv', content: ONGOING }, { name: 'seperator', value: ',' }], 200)
  const datasetKey = dataset.json<{ result_key: string }>().result_key
  t.equal(dataset.json().message, 'Ongoing dataset uploaded successfully')
  t.equal((await tour.send({ method: 'GET', path: `${projectUrl}/result/${datasetKey}`, headers: AUTH, status: 200 })).json().cases, null)
  await advance(tour, 2_000)
  t.equal((await tour.send({ method: 'GET', path: `${projectUrl}/result/${datasetKey}`, headers: AUTH, status: 200 })).json().cases_count, 2)

  return { eventLogId: log.event_log_id, projectId: project.id }
}

/** What PrCore refuses on each route: credentials, ids, bodies, forms. */
async function refusals(tour: Tour, eventLogId: number) {
  // getProject
  await tour.send({ method: 'GET', path: '/project/99', headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: '/project/1.5', headers: AUTH, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'GET', path: '/project/1', status: 401, invalid: 'no credentials' })

  // uploadEventLog
  await upload(tour, '/event_log', [{ name: 'file', filename: 'log.txt', content: 'a,b\n1,2' }], 400)
  await upload(tour, '/event_log', [{ name: 'file', filename: 'log.csv', content: 'a,b\n1,2,3' }], 400)
  await upload(tour, '/event_log', [{ name: 'separator', value: ',' }], 422, { invalid: 'file is required' })
  await upload(tour, '/event_log', [{ name: 'file', filename: 'log.csv', content: TRAINING_LOG }], 401, { headers: { authorization: 'Bearer nope' } })
  await tour.send({ method: 'POST', path: '/event_log', headers: { ...AUTH, 'content-type': 'multipart/form-data; boundary=cut' }, body: '--cut\r\nContent-Disposition: form-da', status: 400, invalid: 'a broken form' })
  await tour.send({ method: 'POST', path: '/event_log', headers: { ...AUTH, ...JSON_TYPE }, json: {}, status: 422, invalid: 'not a form' })
  await tour.send({ method: 'POST', path: '/event_log', headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<log/>', status: 415, invalid: 'not a form' })
  await upload(tour, '/event_log', Array.from({ length: 3 }, () => ({ name: 'file', filename: 'log.csv', content: 'Case ID\n1\n' })), 413, { invalid: 'more files than the form holds' })

  // defineColumns
  await tour.send({ method: 'PUT', path: '/event_log/999', headers: AUTH, json: DEFINITION, status: 404 })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, headers: AUTH, json: { columns_definition: { nope: 'CASE_ID' } }, status: 400 })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, headers: AUTH, json: { columns_definition: 5 }, status: 422, invalid: 'columns_definition is an object' })
  await tour.send({ method: 'PUT', path: '/event_log/abc', headers: AUTH, json: DEFINITION, status: 422, invalid: 'event_log_id is an integer' })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, headers: { ...AUTH, ...JSON_TYPE }, body: '{"columns_definition":', status: 422, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, headers: AUTH, json: OVERSIZED, status: 413, invalid: 'over 1 MiB, and no columns_definition' })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<definition/>', status: 415, invalid: 'not JSON' })
  await tour.send({ method: 'PUT', path: `/event_log/${eventLogId}`, json: DEFINITION, status: 401, invalid: 'no credentials' })

  // createProject
  await tour.send({ method: 'POST', path: '/project', headers: AUTH, json: { event_log_id: 999 }, status: 400 })
  await tour.send({ method: 'POST', path: '/project', headers: AUTH, json: { event_log_id: eventLogId }, status: 400 })
  await tour.send({ method: 'POST', path: '/project', headers: AUTH, json: {}, status: 422, invalid: 'event_log_id is required' })
  await tour.send({ method: 'POST', path: '/project', headers: { ...AUTH, ...JSON_TYPE }, body: '{"event_log_id":1,}', status: 422, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'POST', path: '/project', headers: AUTH, json: OVERSIZED, status: 413, invalid: 'no event_log_id' })
  await tour.send({ method: 'POST', path: '/project', headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<project/>', status: 415, invalid: 'not JSON' })
  await tour.send({ method: 'POST', path: '/project', headers: { authorization: 'Bearer nope' }, json: { event_log_id: eventLogId }, status: 401 })

  // uploadDataset
  const dataset = [{ name: 'file', filename: 'ongoing.csv', content: ONGOING }]
  await upload(tour, '/project/99/result', dataset, 400)
  await upload(tour, '/project/2/result', dataset, 400)
  await upload(tour, '/project/1/result', [{ name: 'file', filename: 'ongoing.txt', content: ONGOING }], 400)
  await upload(tour, '/project/1/result', [{ name: 'seperator', value: ',' }], 422, { invalid: 'file is required' })
  await upload(tour, '/project/abc/result', dataset, 422, { invalid: 'project_id is an integer' })
  await upload(tour, '/project/1/result', dataset, 401, { headers: { authorization: '' }, invalid: 'no credentials' })
  await tour.send({ method: 'POST', path: '/project/1/result', headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<dataset/>', status: 415, invalid: 'not a form' })
  await upload(tour, '/project/1/result', Array.from({ length: 3 }, () => dataset[0] as Part), 413, { invalid: 'more files than the form holds' })
}

/** GET /, and the lists: projects a page at a time, event logs, plugins, the plugins online. */
async function listings(tour: Tour) {
  const { t } = tour
  const root = await tour.send({ method: 'GET', path: '/', status: 200 })
  t.strictSame(Object.keys(root.json()), ['API', 'Documentation', 'Swagger UI', 'RabbitMQ Management'])

  const page = await tour.send({ method: 'GET', path: '/project/all', headers: AUTH, status: 200 })
  t.match(page.json(), { total: 4, page: 1, size: 50, pages: 1 })
  t.equal((await tour.send({ method: 'GET', path: '/project/all?page=2&size=3', headers: AUTH, status: 200 })).json().items.length, 1)
  await tour.send({ method: 'GET', path: '/project/all?page=0', headers: AUTH, status: 422, invalid: 'page minimum 1' })
  await tour.send({ method: 'GET', path: '/project/all?size=101', headers: AUTH, status: 422, invalid: 'size maximum 100' })
  await tour.send({ method: 'GET', path: '/project/all?page=x', headers: AUTH, status: 422, invalid: 'page is an integer' })
  await tour.send({ method: 'GET', path: '/project/all', status: 401, invalid: 'no credentials' })

  await tour.send({ method: 'GET', path: '/event_log/all', headers: AUTH, status: 200 })
  t.equal((await tour.send({ method: 'GET', path: '/event_log/all?skip=1&limit=1', headers: AUTH, status: 200 })).json().event_logs.length, 1)
  await tour.send({ method: 'GET', path: '/event_log/all?limit=x', headers: AUTH, status: 422, invalid: 'limit is an integer' })
  await tour.send({ method: 'GET', path: '/event_log/all', headers: WRONG, status: 401 })

  await tour.send({ method: 'GET', path: '/plugin/all', headers: AUTH, status: 200 })
  await tour.send({ method: 'GET', path: '/plugin/all?skip=x', headers: AUTH, status: 422, invalid: 'skip is an integer' })
  await tour.send({ method: 'GET', path: '/plugin/all', headers: WRONG, status: 401 })
  const available = await tour.send({ method: 'GET', path: '/plugin/available', headers: AUTH, status: 200 })
  t.equal(Object.keys(available.json().plugins).length, 4)
  await tour.send({ method: 'GET', path: '/plugin/available', headers: WRONG, status: 401 })
}

/** One event log, its definition, and what both refuse; a log uploaded and never defined. */
async function eventLogs(tour: Tour, eventLogId: number): Promise<number> {
  const { t } = tour
  t.equal((await tour.send({ method: 'GET', path: `/event_log/${eventLogId}`, headers: AUTH, status: 200 })).json().event_log.id, eventLogId)
  await tour.send({ method: 'GET', path: '/event_log/999', headers: AUTH, status: 404 })
  await tour.send({ method: 'GET', path: '/event_log/abc', headers: AUTH, status: 422, invalid: 'event_log_id is an integer' })
  await tour.send({ method: 'GET', path: `/event_log/${eventLogId}`, headers: WRONG, status: 401 })

  const definition = await tour.send({ method: 'GET', path: `/event_log/${eventLogId}/definition`, headers: AUTH, status: 200 })
  t.strictSame(definition.json().columns_header.sort(), Object.keys(DEFINITION.columns_definition).sort())
  const undefinedLog = (await upload(tour, '/event_log', [{ name: 'file', filename: 'undefined.csv', content: TRAINING_LOG }], 200)).json().event_log_id as number
  const notDefined = await tour.send({ method: 'GET', path: `/event_log/${undefinedLog}/definition`, headers: AUTH, status: 404 })
  t.strictSame(notDefined.json(), { detail: 'Event log definition not found' })
  await tour.send({ method: 'GET', path: '/event_log/999/definition', headers: AUTH, status: 404 })
  await tour.send({ method: 'GET', path: '/event_log/abc/definition', headers: AUTH, status: 422, invalid: 'event_log_id is an integer' })
  await tour.send({ method: 'GET', path: `/event_log/${eventLogId}/definition`, headers: WRONG, status: 401 })
  return undefinedLog
}

/** The project's name, its files, and its first plugin: read, switched off and on, updated (then it retrains). */
async function projectAndPlugins(tour: Tour, projectId: number) {
  const { t } = tour
  const projectUrl = `/project/${projectId}`
  const renamed = await tour.send({ method: 'PUT', path: projectUrl, headers: AUTH, json: { name: 'loans', description: 'BPIC 2012' }, status: 200 })
  t.match(renamed.json().project, { name: 'loans', description: 'BPIC 2012' })
  await tour.send({ method: 'PUT', path: '/project/99', headers: AUTH, json: { name: 'x' }, status: 400 })
  await tour.send({ method: 'PUT', path: projectUrl, headers: AUTH, json: { description: 'no name' }, status: 422, invalid: 'name is required' })
  await tour.send({ method: 'PUT', path: '/project/abc', headers: AUTH, json: { name: 'x' }, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'PUT', path: projectUrl, headers: { ...AUTH, ...JSON_TYPE }, body: '{"name":', status: 422, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'PUT', path: projectUrl, headers: AUTH, json: OVERSIZED, status: 413, invalid: 'over 1 MiB, and no name' })
  await tour.send({ method: 'PUT', path: projectUrl, headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<project/>', status: 415, invalid: 'not JSON' })
  await tour.send({ method: 'PUT', path: projectUrl, headers: WRONG, json: { name: 'x' }, status: 401 })

  // Downloads: the upload as it was (CSV), the fixture's own zip, the processed and split datasets.
  const original = await tour.send({ method: 'GET', path: `${projectUrl}/dataset/original`, headers: AUTH, status: 200 })
  t.equal(original.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(original.headers['content-disposition'], /^attachment; filename="[A-Za-z0-9]{8}\.csv"$/)
  t.equal(original.text, TRAINING_LOG, 'the file as uploaded')
  const zipped = await tour.send({ method: 'GET', path: '/project/1/dataset/original', headers: AUTH, status: 200 })
  t.equal(zipped.headers['content-type'], 'application/zip')
  for (const type of ['processed', 'simulation', 'ongoing']) await tour.send({ method: 'GET', path: `${projectUrl}/dataset/${type}`, headers: AUTH, status: 200 })
  await tour.send({ method: 'GET', path: '/project/99/dataset/original', headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: `${projectUrl}/dataset/nope`, headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: '/project/2/dataset/original', headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: '/project/abc/dataset/original', headers: AUTH, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'GET', path: `${projectUrl}/dataset/original`, headers: WRONG, status: 401 })

  const plugins = (await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.plugins as { id: number }[]
  const pluginUrl = `/plugin/${plugins[0]?.id}`
  await tour.send({ method: 'GET', path: pluginUrl, headers: AUTH, status: 200 })
  await tour.send({ method: 'GET', path: '/plugin/999', headers: AUTH, status: 404 })
  await tour.send({ method: 'GET', path: '/plugin/abc', headers: AUTH, status: 422, invalid: 'plugin_id is an integer' })
  await tour.send({ method: 'GET', path: pluginUrl, headers: WRONG, status: 401 })

  t.equal((await tour.send({ method: 'PUT', path: `${pluginUrl}/disable`, headers: AUTH, status: 200 })).json().plugin.disabled, true)
  await tour.send({ method: 'PUT', path: `${pluginUrl}/disable`, headers: AUTH, status: 400 })
  t.equal((await tour.send({ method: 'PUT', path: `${pluginUrl}/enable`, headers: AUTH, status: 200 })).json().plugin.disabled, false)
  await tour.send({ method: 'PUT', path: `${pluginUrl}/toggle`, headers: AUTH, status: 400 })
  await tour.send({ method: 'PUT', path: '/plugin/999/enable', headers: AUTH, status: 404 })
  await tour.send({ method: 'PUT', path: '/plugin/abc/enable', headers: AUTH, status: 422, invalid: 'plugin_id is an integer' })
  await tour.send({ method: 'PUT', path: `${pluginUrl}/enable`, headers: WRONG, status: 401 })

  await tour.send({ method: 'PUT', path: pluginUrl, headers: AUTH, json: { additional_info: { owner: 'loans team' } }, status: 200 })
  await tour.send({ method: 'PUT', path: '/plugin/999', headers: AUTH, json: {}, status: 404 })
  await tour.send({ method: 'PUT', path: pluginUrl, headers: AUTH, json: { parameters: 5 }, status: 422, invalid: 'parameters is an object' })
  await tour.send({ method: 'PUT', path: pluginUrl, headers: { ...AUTH, ...JSON_TYPE }, body: '{"parameters":', status: 422, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'PUT', path: pluginUrl, headers: AUTH, json: OVERSIZED, status: 413 })
  await tour.send({ method: 'PUT', path: pluginUrl, headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<plugin/>', status: 415, invalid: 'not JSON' })
  await tour.send({ method: 'PUT', path: pluginUrl, headers: WRONG, json: {}, status: 401 })
  const retraining = await tour.send({ method: 'PUT', path: pluginUrl, headers: AUTH, json: { parameters: { encoding: 'FREQUENCY_BASED' } }, status: 200 })
  t.equal(retraining.json().plugin.status, 'TRAINING')
  await tour.send({ method: 'PUT', path: pluginUrl, headers: AUTH, json: { parameters: { encoding: 'BOOLEAN' } }, status: 400 })
  await advance(tour, 7_000)
  t.equal((await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.status, 'TRAINED')
}

/** One event of the workflow's log, a value for every column of its definition. */
const EVENT = {
  'Case ID': '300', start_time: '2012-02-01 09:00:00.000', end_time: '2012-02-01 09:00:00.000', AMOUNT_REQ: 2500, Activity: 'A_SUBMITTED', Resource: '112',
}

/** Streaming: start (either route), a reader that hears the stop, events posted and read, the stream cleared. */
async function streaming(tour: Tour, projectId: number) {
  const { t } = tour
  const streamUrl = `/project/${projectId}/stream`
  const resultStep = { method: 'GET' as const, path: `${streamUrl}/result`, headers: AUTH }
  await tour.send({ method: 'PUT', path: `${streamUrl}/stop`, headers: AUTH, status: 400 })
  await tour.send({ ...resultStep, status: 400 })
  for (const action of ['start', 'start/streaming', 'stop', 'clear', 'result']) {
    const method = action === 'result' ? 'GET' : 'PUT'
    await tour.send({ method, path: `/project/99/stream/${action}`, headers: AUTH, status: 400 })
    await tour.send({ method, path: `/project/abc/stream/${action}`, headers: AUTH, status: 422, invalid: 'project_id is an integer' })
    await tour.send({ method, path: `${streamUrl}/${action}`, headers: WRONG, status: 401 })
  }
  await tour.send({ method: 'PUT', path: '/project/2/stream/start', headers: AUTH, status: 400 })
  await tour.send({ method: 'PUT', path: `${streamUrl}/start/bogus`, headers: AUTH, status: 400 })
  t.equal((await tour.send({ method: 'PUT', path: `${streamUrl}/start/streaming`, headers: AUTH, status: 200 })).json().message, 'Project streaming started successfully')
  await tour.send({ method: 'PUT', path: `${streamUrl}/start/simulating`, headers: AUTH, status: 400 })

  // A reader, around the proxy (prism holds an answer until it ends): a second is refused, and the stop ends the first.
  const around = 'a stream: prism proxy would hold it until it ends'
  const stopped = await tour.send({ ...resultStep, status: 200, direct: around }, async () => {
    await tour.send({ ...resultStep, status: 400 })
    await tour.send({ method: 'PUT', path: `${streamUrl}/stop`, headers: AUTH, status: 200 })
  })
  t.equal(stopped.headers['content-type'], 'text/event-stream')
  t.equal(stopped.text, 'id: 0\r\nevent: notification\r\ndata: CONNECTED\r\n\r\nid: 1\r\nevent: notification\r\ndata: FINISHED\r\n\r\n')

  // Streaming again: events posted; a case's last event is prescribed at once, so the next reader's first poll sends it.
  await tour.send({ method: 'PUT', path: `${streamUrl}/start`, headers: AUTH, status: 200 })
  await tour.send({ method: 'PUT', path: `${streamUrl}/start`, headers: AUTH, status: 400 })
  const eventUrl = `${streamUrl}/event`
  const posted = await tour.send({ method: 'POST', path: eventUrl, headers: AUTH, json: EVENT, status: 200 })
  t.equal(posted.json().event.attributes.AMOUNT_REQ, '2500', 'values are kept as strings')
  await tour.send({ method: 'POST', path: eventUrl, headers: AUTH, json: { ...EVENT, COMPLETE_INDICATOR: true }, status: 200 })
  await tour.send({ method: 'POST', path: eventUrl, headers: AUTH, json: { 'Case ID': '301' }, status: 400 })
  // pydantic's list, sent with no content type (prism's proxy then says text/plain).
  const notAString = await tour.send({ method: 'POST', path: eventUrl, headers: AUTH, json: { ...EVENT, Resource: { id: 112 } }, status: 400 })
  t.strictSame(JSON.parse(notAString.text), [{ loc: ['attributes', 'Resource'], msg: 'str type expected', type: 'type_error.str' }])
  await tour.send({ method: 'POST', path: '/project/99/stream/event', headers: AUTH, json: EVENT, status: 400 })
  await tour.send({ method: 'POST', path: '/project/abc/stream/event', headers: AUTH, json: EVENT, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'POST', path: eventUrl, headers: { ...AUTH, ...JSON_TYPE }, body: '{"Case ID":', status: 500, direct: 'a JSON syntax error (PrCore\'s handler reads the body itself: its 500)' })
  await tour.send({ method: 'POST', path: eventUrl, headers: AUTH, json: OVERSIZED, status: 413, invalid: 'no column of the definition' })
  // PrCore reads the body whatever its type, one that is no media type too: here an event without its columns.
  await tour.send({ method: 'POST', path: eventUrl, headers: { ...AUTH, 'content-type': 'garbage' }, body: '{}', status: 400, invalid: 'not a media type', direct: 'prism\'s server fails on a content type that is not a media type' })
  await tour.send({ method: 'POST', path: eventUrl, headers: WRONG, json: EVENT, status: 401 })
  const heard = await tour.send({ ...resultStep, status: 200, direct: around }, async (received) => {
    // The reader polls every RESULTBOX_PRPM_STREAM_POLL_MS (20 ms in the tour): its first poll sends the message.
    for (let wait = 0; wait < 250 && !received().includes('event: message'); wait++) await new Promise((resolve) => setTimeout(resolve, 20))
    await tour.send({ method: 'PUT', path: `${streamUrl}/clear`, headers: AUTH, status: 200 })
  })
  t.match(heard.text, /^id: 0\r\nevent: notification\r\ndata: CONNECTED\r\n\r\nid: 1\r\nevent: message\r\ndata: \[\{"id": \d+, .*"case_completed": true/, 'the events prescribed by now, in one message')
  t.match(heard.text, /event: notification\r\ndata: FINISHED\r\n\r\n$/, 'then FINISHED')
  await tour.send({ method: 'PUT', path: '/project/2/stream/clear', headers: AUTH, status: 400 })
}

/** A log uploaded again (PrCore's 400 after it took effect), the project redefined, then deleted. */
async function redefinitions(tour: Tour, projectId: number, eventLogId: number, undefinedLog: number) {
  const { t } = tour
  const projectUrl = `/project/${projectId}`
  const file = [{ name: 'file', filename: 'bpic-again.csv', content: TRAINING_LOG }]
  const uploadUrl = `/event_log/${eventLogId}/upload`
  // PrCore's escaped validation error, with no content type (prism's proxy then says text/plain).
  const faithful = await reupload(tour, uploadUrl, file, 400)
  t.strictSame(JSON.parse(faithful.text), [{ loc: ['response', 'resources_count'], msg: 'field required', type: 'value_error.missing' }])
  t.equal((await tour.send({ method: 'GET', path: projectUrl, headers: AUTH, status: 200 })).json().project.status, 'PREPROCESSING', 'yet it took effect')
  await reupload(tour, uploadUrl, file, 400)
  await reupload(tour, uploadUrl, [{ name: 'file', filename: 'log.txt', content: TRAINING_LOG }], 400)
  await tour.send({ method: 'PUT', path: uploadUrl, headers: { ...AUTH, 'content-type': 'multipart/form-data; boundary=cut' }, body: '--cut\r\nContent-Disposition: form-da', status: 400, invalid: 'a broken form' })
  await reupload(tour, '/event_log/999/upload', file, 404)
  await reupload(tour, `/event_log/${undefinedLog}/upload`, file, 404)
  await reupload(tour, '/event_log/abc/upload', file, 422, { invalid: 'event_log_id is an integer' })
  await tour.send({ method: 'PUT', path: uploadUrl, headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<log/>', status: 415, invalid: 'not a form' })
  await reupload(tour, uploadUrl, Array.from({ length: 3 }, () => file[0] as Part), 413, { invalid: 'more files than the form holds' })
  await reupload(tour, uploadUrl, file, 401, { headers: WRONG })

  const definitionUrl = `${projectUrl}/definition`
  const definition = { positive_outcome: OUTCOME, treatment: TREATMENT }
  await tour.send({ method: 'PUT', path: definitionUrl, headers: AUTH, json: definition, status: 400 })
  await tour.send({ method: 'GET', path: `${projectUrl}/dataset/processed`, headers: AUTH, status: 400 })
  await advance(tour, 42_000)
  await tour.send({ method: 'PUT', path: definitionUrl, headers: AUTH, json: { ...definition, negative_outcome: OUTCOME }, status: 400 })
  await tour.send({ method: 'PUT', path: '/project/99/definition', headers: AUTH, json: definition, status: 400 })
  await tour.send({ method: 'PUT', path: definitionUrl, headers: AUTH, json: { positive_outcome: 5 }, status: 422, invalid: 'positive_outcome is a list' })
  await tour.send({ method: 'PUT', path: '/project/abc/definition', headers: AUTH, json: definition, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'PUT', path: definitionUrl, headers: { ...AUTH, ...JSON_TYPE }, body: '{"treatment":', status: 422, invalid: 'not JSON', direct: 'a JSON syntax error' })
  await tour.send({ method: 'PUT', path: definitionUrl, headers: AUTH, json: OVERSIZED, status: 413 })
  await tour.send({ method: 'PUT', path: definitionUrl, headers: { ...AUTH, 'content-type': 'application/xml' }, body: '<definition/>', status: 415, invalid: 'not JSON' })
  await tour.send({ method: 'PUT', path: definitionUrl, headers: WRONG, json: definition, status: 401 })
  const redefined = await tour.send({ method: 'PUT', path: definitionUrl, headers: AUTH, json: definition, status: 200 })
  t.match(redefined.json(), { project: { status: 'PREPROCESSING' }, result_key: null })

  t.equal((await tour.send({ method: 'DELETE', path: projectUrl, headers: AUTH, status: 200 })).json().project_id, projectId)
  await tour.send({ method: 'DELETE', path: projectUrl, headers: AUTH, status: 400 })
  await tour.send({ method: 'GET', path: `/event_log/${eventLogId}`, headers: AUTH, status: 404 })
  await tour.send({ method: 'DELETE', path: '/project/abc', headers: AUTH, status: 422, invalid: 'project_id is an integer' })
  await tour.send({ method: 'DELETE', path: '/project/1', headers: WRONG, status: 401 })
}

export async function prpmTour(tour: Tour) {
  await results(tour)
  const { eventLogId, projectId } = await workflow(tour)
  await refusals(tour, eventLogId)
  await listings(tour)
  const undefinedLog = await eventLogs(tour, eventLogId)
  await projectAndPlugins(tour, projectId)
  await streaming(tour, projectId)
  await redefinitions(tour, projectId, eventLogId, undefinedLog)
}

/** The fixture's first log, in its columns: what the re-upload of a sandbox set to answer as PrCore means to (RESULTBOX_PRPM_REUPLOAD_ANSWER=intended) takes. */
const FIXTURE_LOG = [
  'Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource',
  '500,2011-10-01 10:00:00.000,2011-10-01 10:00:00.000,5000,2011-10-01 10:00:00.000,A_SUBMITTED,112',
  '500,2011-10-01 10:05:00.000,2011-10-01 10:05:00.000,5000,2011-10-01 10:00:00.000,A_APPROVED,10862',
].join('\n')

/** A tour of a sandbox with RESULTBOX_PRPM_REUPLOAD_ANSWER=intended: the re-upload's 200. */
export async function prpmIntendedTour(tour: Tour) {
  const answer = await reupload(tour, '/event_log/1/upload', [{ name: 'file', filename: 'bpic-again.csv', content: FIXTURE_LOG }], 200)
  tour.t.match(answer.json(), { message: 'Event log updated', event_log_id: 1, activities_count: { A_SUBMITTED: 1, A_APPROVED: 1 } })
}

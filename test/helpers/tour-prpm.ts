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

function upload(tour: Tour, path: string, parts: Part[], status: number, extra: { headers?: Record<string, string>; invalid?: string } = {}) {
  const { body, headers } = form(parts)
  return tour.send({ method: 'POST', path, body, headers: { ...headers, ...AUTH, ...extra.headers }, status, ...(extra.invalid ? { invalid: extra.invalid } : {}) })
}

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

  return { eventLogId: log.event_log_id }
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

export async function prpmTour(tour: Tour) {
  await results(tour)
  const { eventLogId } = await workflow(tour)
  await refusals(tour, eventLogId)
}

import t from 'tap'
import { ScenarioError } from '../src/simulation.js'
import { CREDENTIALS, get, startSandbox } from './helpers/sandbox.js'
import { DEFINITION, TEST_CSV, TRAINING_CSV, gzip, postForm, sendJson, zipOf } from './helpers/prpm.js'

const TREATMENT = [[{ column: 'Activity', operator: 'EQUAL', value: 'A_DECLINED' }]]

async function runFlow(app: Parameters<typeof get>[0], clock: { advance(ms: number): void }) {
  const upload = await postForm(app, '/event_log', [
    { name: 'separator', value: ',' },
    { name: 'file', filename: 'bpic.csv', content: TRAINING_CSV },
    { name: 'test', filename: 'ongoing.csv', content: TEST_CSV },
  ])
  const uploaded = upload.json()
  const defined = await sendJson(app, 'PUT', `/event_log/${uploaded.event_log_id}`, DEFINITION)
  const created = await sendJson(app, 'POST', '/project', {
    event_log_id: uploaded.event_log_id,
    positive_outcome: [[{ column: 'Activity', operator: 'EQUAL', value: 'A_APPROVED' }]],
    treatment: TREATMENT,
  })
  return { upload, uploaded, defined, created }
}

t.test('the documented workflow, end to end', async (t) => {
  const { app, clock } = await startSandbox(t)
  const { upload, uploaded, defined, created } = await runFlow(app, clock)
  t.equal(upload.statusCode, 200)
  t.equal(upload.headers['content-type'], 'application/json')
  t.strictSame(Object.keys(uploaded), ['message', 'event_log_id', 'columns_header', 'columns_inferred_definition', 'columns_data'])
  t.equal(uploaded.message, 'Event log uploaded')
  t.strictSame(uploaded.columns_inferred_definition, ['CASE_ID', 'START_TIMESTAMP', 'END_TIMESTAMP', null, null, 'ACTIVITY', 'RESOURCE'])
  t.equal(uploaded.columns_data.length, 5)
  t.strictSame(uploaded.columns_data[2], ['100', '2011-10-01 11:00:00.000', '2011-10-01 11:30:00.000', '5000', '2011-10-01T10:00:00.000Z', 'W_Completeren aanvraag', 'nan'])

  t.equal(defined.statusCode, 200, defined.body)
  const definedBody = defined.json()
  t.equal(definedBody.message, 'Event log updated')
  t.strictSame(Object.keys(definedBody.received_definition), ['Case ID', 'Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time'], 'JSONB key order')
  t.strictSame(definedBody.activities_count, { A_SUBMITTED: 3, A_PARTLYSUBMITTED: 1, 'W_Completeren aanvraag': 1, A_DECLINED: 1, A_APPROVED: 1 })
  t.strictSame(definedBody.outcome_options, ['Activity', 'REG_DATE', 'Resource', 'end_time', 'AMOUNT_REQ', 'start_time', 'DURATION'])

  t.equal(created.statusCode, 200, created.body)
  const createdBody = created.json()
  t.equal(createdBody.message, 'Project created successfully')
  t.match(createdBody.result_key, /^[A-Za-z0-9]{8}$/)
  const project = createdBody.project
  t.equal(project.status, 'PREPROCESSING')
  t.strictSame(project.plugins, [])
  t.strictSame(Object.keys(project), ['name', 'description', 'status', 'id', 'created_at', 'updated_at', 'error', 'event_log', 'plugins'])
  t.equal(project.name, 'bpic.csv')
  t.equal(project.created_at, '2026-01-01T00:00:00.000000+00:00')
  t.strictSame(project.event_log.definition.treatment_definition, TREATMENT)

  const resultUrl = `/project/${project.id}/result/${createdBody.result_key}`
  const readProject = async () => (await get(app, `/project/${project.id}`, CREDENTIALS.prpm)).json()
  clock.advance(34_999)
  t.equal((await readProject()).project.status, 'PREPROCESSING')
  t.strictSame((await get(app, resultUrl, CREDENTIALS.prpm)).json().expected_plugins, [])
  clock.advance(1)
  const training = await readProject()
  t.equal(training.message, 'Project retrieved successfully')
  t.equal(training.project.status, 'TRAINING')
  t.strictSame(training.project.plugins.map((p: { key: string; status: string }) => [p.key, p.status]), [
    ['plugin-causallift-treatment-effect', 'TRAINING'], ['plugin-knn-next-activity', 'TRAINING'], ['plugin-random-forest-alarm', 'TRAINING'],
  ])
  clock.advance(7_000)
  t.equal((await readProject()).project.status, 'TRAINED')
  const processing = (await get(app, resultUrl, CREDENTIALS.prpm)).json()
  t.equal(processing.cases, null)
  t.equal(processing.expected_plugins.length, 3)
  clock.advance(2_000)
  const complete = await get(app, resultUrl, CREDENTIALS.prpm)
  const result = complete.json()
  t.equal(result.message, 'Ongoing dataset result retrieved successfully')
  t.strictSame(result.finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity', 'plugin-causallift-treatment-effect'])
  t.equal(result.cases_count, 2)
  t.strictSame(Object.keys(result.cases), ['200', '201'])
  t.strictSame(result.cases['201'].events.map((e: string[]) => e[5]), ['A_SUBMITTED', 'A_PARTLYSUBMITTED'], 'sorted by start time')
  t.equal(result.cases['200'].events[0][3], 'nan', 'NA reads as missing')
  const activities = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'W_Completeren aanvraag', 'A_DECLINED', 'A_APPROVED']
  for (const item of Object.values(result.cases) as { prescriptions: { type: string; output: unknown }[] }[]) {
    t.strictSame(item.prescriptions.map((p) => p.type), ['ALARM', 'NEXT_ACTIVITY', 'TREATMENT_EFFECT'])
    t.ok(activities.includes(item.prescriptions[1]?.output as string))
    t.strictSame((item.prescriptions[2]?.output as { treatment: unknown }).treatment, [[{ value: 'A_DECLINED', column: 'Activity', operator: 'EQUAL' }]])
  }
  t.equal((await get(app, resultUrl, CREDENTIALS.prpm)).statusCode, 404, 'one-shot read')

  // The same dataset uploaded again to the trained project gives prescriptions of the same shape, deterministically per key.
  const again = await postForm(app, `/project/${project.id}/result`, [{ name: 'file', filename: 'ongoing.zip', content: gzip(TEST_CSV) }])
  t.equal(again.statusCode, 200, again.body)
  t.strictSame(Object.keys(again.json()), ['message', 'project_id', 'result_key'])
})

t.test('datasets on a trained fixture project: csv, xes, zip and gzip', async (t) => {
  const { app } = await startSandbox(t)
  const xes = `<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0"><trace><string key="concept:name" value="201"/>
    <event><string key="concept:name" value="A_SUBMITTED"/><date key="time:timestamp" value="2012-01-01T10:00:00.000+01:00"/></event></trace></log>`
  const csv = TEST_CSV
  const uploads: [string, Buffer | string][] = [
    ['ongoing.csv', csv], ['ongoing.zip', gzip(csv)], ['ongoing.zip', zipOf({ 'ongoing.csv': csv, '__MACOSX/._ongoing.csv': 'x' })],
  ]
  for (const [filename, content] of uploads) {
    const res = await postForm(app, '/project/1/result', [{ name: 'file', filename, content }])
    t.equal(res.statusCode, 200, `${filename}: ${res.body}`)
    t.equal(res.json().message, 'Ongoing dataset uploaded successfully')
  }
  const xesRes = await postForm(app, '/project/1/result', [{ name: 'file', filename: 'ongoing.xes', content: xes }])
  t.equal(xesRes.statusCode, 400, 'an XES without the BPIC columns does not fit the definition')
  t.strictSame(xesRes.json(), { detail: 'There was an error processing the dataset' })
  const xesLog = await postForm(app, '/event_log', [{ name: 'file', filename: 'log.xes', content: xes }])
  t.strictSame(xesLog.json().columns_header, ['concept:name', 'time:timestamp', 'case:concept:name'])
  t.strictSame(xesLog.json().columns_inferred_definition, ['ACTIVITY', 'TIMESTAMP', 'CASE_ID'])
  t.strictSame(xesLog.json().columns_data, [['A_SUBMITTED', '2012-01-01 10:00:00+01:00', '201']])
})

t.test('every rejection in the FastAPI envelope', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [string, Awaited<ReturnType<typeof postForm>>, number, unknown][] = [
    ['wrong extension', await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.txt', content: 'a' }]), 400, { detail: 'No valid event log provided' }],
    ['.gz is not an allowed extension', await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.csv.gz', content: gzip(TEST_CSV) }]), 400, { detail: 'No valid event log provided' }],
    ['unknown project', await postForm(app, '/project/99/result', [{ name: 'file', filename: 'x.csv', content: TEST_CSV }]), 400, { detail: 'Project not found' }],
    ['project in error', await postForm(app, '/project/2/result', [{ name: 'file', filename: 'x.csv', content: TEST_CSV }]), 400, { detail: 'Project is in error status' }],
    ['columns missing', await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.csv', content: 'a,b\n1,2' }]), 400, { detail: 'There was an error processing the dataset' }],
    ['not a zip', await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.zip', content: 'hello' }]), 400, { detail: 'There was an error processing the dataset' }],
    ['no file', await postForm(app, '/project/1/result', [{ name: 'seperator', value: ',' }]), 422, { detail: [{ loc: ['body', 'file'], msg: 'field required', type: 'value_error.missing' }] }],
    ['zip with two logs', await postForm(app, '/event_log', [{ name: 'file', filename: 'x.zip', content: zipOf({ 'a.csv': 'a', 'b.csv': 'b' }) }]), 400, { detail: 'Zip file should contain only one file' }],
    ['zip of another file', await postForm(app, '/event_log', [{ name: 'file', filename: 'x.zip', content: zipOf({ 'a.txt': 'a' }) }]), 400, { detail: 'Zip file should contain only xes or csv file' }],
    ['bad log', await postForm(app, '/event_log', [{ name: 'file', filename: 'x.zip', content: 'hello' }]), 400, { detail: 'ZIP file is corrupted' }],
    ['unparsable csv', await postForm(app, '/event_log', [{ name: 'file', filename: 'x.csv', content: 'a,b\n1,2,3' }]), 400, { detail: 'No valid event log provided' }],
    ['missing auth', await postForm(app, '/event_log', [{ name: 'file', filename: 'x.csv', content: 'a' }], { authorization: '' }), 401, { detail: 'Not authenticated' }],
  ]
  for (const [name, res, status, body] of cases) {
    t.equal(res.statusCode, status, name)
    t.strictSame(res.json(), body, name)
  }
  const json = [
    ['PUT', '/event_log/999', DEFINITION, 404, { detail: 'Event log not found' }],
    ['POST', '/project', { event_log_id: 999 }, 400, { detail: 'Event log not found' }],
    ['POST', '/project', {}, 422, { detail: [{ loc: ['body', 'event_log_id'], msg: 'field required', type: 'value_error.missing' }] }],
    ['POST', '/project', { event_log_id: 1, treatment: [[{ column: 'a', operator: 'NOPE' }]] }, 422, null],
  ] as const
  for (const [method, url, body, status, expected] of json) {
    const res = await sendJson(app, method, url, body)
    t.equal(res.statusCode, status, `${method} ${url}`)
    if (expected) t.strictSame(res.json(), expected)
    else t.match(res.json().detail[0], { loc: ['body', 'treatment', 0, 0, 'operator'], type: 'type_error.enum' })
  }
  const up = await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])
  const id = up.json().event_log_id
  const noCase = await sendJson(app, 'PUT', `/event_log/${id}`, { columns_definition: { Activity: 'ACTIVITY' } })
  t.strictSame(noCase.json(), { detail: 'No case ID column found' })
  const unknown = await sendJson(app, 'PUT', `/event_log/${id}`, { columns_definition: { nope: 'CASE_ID' } })
  t.strictSame(unknown.json(), { detail: 'Invalid column definition' })
  const undefinedProject = await sendJson(app, 'POST', '/project', { event_log_id: id })
  t.strictSame(undefinedProject.json(), { detail: 'Event log definition not found' })
  await sendJson(app, 'PUT', `/event_log/${id}`, DEFINITION)
  const both = await sendJson(app, 'POST', '/project', { event_log_id: id, positive_outcome: TREATMENT, negative_outcome: TREATMENT })
  t.strictSame(both.json(), { detail: 'Project definition conflict' })
  const project = (await sendJson(app, 'POST', '/project', { event_log_id: id, positive_outcome: TREATMENT })).json().project
  t.strictSame(project.plugins, [])
  const notReady = await postForm(app, `/project/${project.id}/result`, [{ name: 'file', filename: 'x.csv', content: TEST_CSV }])
  t.strictSame(notReady.json(), { detail: 'Project not ready' })
  const twice = await sendJson(app, 'POST', '/project', { event_log_id: id })
  t.strictSame(twice.json(), { detail: 'Project already existed for this event log' })
})

t.test('an upload over RESULTBOX_UPLOAD_MAX_BYTES is a 413', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_UPLOAD_MAX_BYTES: '2048' } })
  const big = `Case ID,Activity\n${'1,A\n'.repeat(1000)}`
  const res = await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.csv', content: big }])
  t.equal(res.statusCode, 413)
  t.strictSame(res.json(), { detail: 'Payload Too Large' })
  const bomb = await postForm(app, '/project/3/result', [{ name: 'file', filename: 'x.zip', content: gzip(big) }])
  t.equal(bomb.statusCode, 413, 'decompressed content is capped too')
  const rows = app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_results').get() as { n: number }
  t.equal(rows.n, 1, 'only the fixture result: nothing half-written')
})

t.test('scenario: a new project with a result on the clock', async (t) => {
  const { app, clock } = await startSandbox(t)
  const scenario = app.resultbox.simulations.prpm.scenario
  const created = scenario.create({ training: { preprocessing_ms: 1000, training_ms: 1000 }, result_key: 'Scen4rio', case_count: 4,
    plugins: [{ plugin: 'plugin-knn-next-activity', finishes_after_ms: 500 }, { plugin: 'plugin-random-forest-alarm', finishes_after_ms: 800, fails: true }] }, clock.now()) as {
    project_id: number; result_url: string; due: { plugin: string; at: string }[] }
  t.equal(created.due[0]?.at, '2026-01-01T00:00:02.500Z')
  clock.advance(2800)
  const result = (await get(app, created.result_url, CREDENTIALS.prpm)).json()
  t.equal(result.cases_count, 4)
  for (const item of Object.values(result.cases) as { prescriptions: { type: string }[] }[]) {
    t.strictSame(item.prescriptions.map((p) => p.type), ['NEXT_ACTIVITY'], 'the failing plugin gives nothing')
  }
  t.throws(() => scenario.create({ result_key: 'dVbQ3x7K' }, clock.now()), new ScenarioError(409, '/result_key', 'result_key dVbQ3x7K is taken'))
  t.throws(() => scenario.create({ project_id: 77 }, clock.now()), new ScenarioError(404, '/project_id', 'no project 77'))
  app.resultbox.db.transaction(() => app.resultbox.simulations.prpm.reset(clock.now()))()
  const gone = await get(app, `/project/${created.project_id}`, CREDENTIALS.prpm)
  t.strictSame(gone.json(), { detail: 'Project not found' }, 'reset removed the scenario project')
  t.equal((await get(app, '/project/1', CREDENTIALS.prpm)).json().project.event_log.file_name, 'bpic2012-CSV.zip')
})

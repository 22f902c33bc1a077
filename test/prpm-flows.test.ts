import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { loadPrpmFixture } from '../src/prpm/fixtures.js'
import { ScenarioError } from '../src/simulation.js'
import { CREDENTIALS, START, copyOf, get, startSandbox, tempDir } from './helpers/sandbox.js'
import { DEFINITION, TEST_CSV, TRAINING_CSV, control, gzip, postForm, prpmCounts, prpmRows, sendJson, zipOf } from './helpers/prpm.js'

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
  const flood = await postForm(app, '/project/1/result', Array.from({ length: 3 }, () => ({ name: 'file', filename: 'x.csv', content: 'Case ID\n1\n' })))
  t.equal(flood.statusCode, 413, 'more files than a PrCore form holds')
  t.strictSame(flood.json(), { detail: 'Payload Too Large' })
  const rows = app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_results').get() as { n: number }
  t.equal(rows.n, 1, 'only the fixture result: nothing half-written')
})

t.test('scenario: a new project with a result on the clock', async (t) => {
  const { app, clock } = await startSandbox(t)
  const scenario = app.resultbox.simulations.prpm!.scenario
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
  const bare = scenario.create({}, clock.now()) as { due: unknown[] }
  t.equal(bare.due.length, 3, 'called directly, without the schema defaults filled in')
  t.throws(() => scenario.create({ project_id: 77 }, clock.now()), new ScenarioError(404, '/project_id', 'no project 77'))
  app.resultbox.db.transaction(() => app.resultbox.simulations.prpm!.clear())()
  const gone = await get(app, `/project/${created.project_id}`, CREDENTIALS.prpm)
  t.strictSame(gone.json(), { detail: 'Project not found' }, 'clear removed the scenario project')
  t.strictSame((await get(app, '/project/1', CREDENTIALS.prpm)).json(), { detail: 'Project not found' }, 'and the fixture\'s: seeding is the reset route\'s')
  t.equal((await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=prpm' })).statusCode, 200)
  t.equal((await get(app, '/project/1', CREDENTIALS.prpm)).json().project.event_log.file_name, 'bpic2012-CSV.zip', 'a reset seeds the fixture again')
})

const at = (ms: number) => new Date(START + ms).toISOString()

t.test('new projects and scenario defaults train for the configured durations', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_PREPROCESSING_SECONDS: '1', RESULTBOX_PRPM_TRAINING_SECONDS: '0.5' } })
  const { created } = await runFlow(app, clock)
  const { project, result_key: resultKey } = created.json()
  const status = async () => (await get(app, `/project/${project.id}`, CREDENTIALS.prpm)).json().project.status
  clock.advance(999)
  t.equal(await status(), 'PREPROCESSING')
  clock.advance(1)
  t.equal(await status(), 'TRAINING')
  clock.advance(499)
  t.equal(await status(), 'TRAINING')
  clock.advance(1)
  t.equal(await status(), 'TRAINED', 'trained 1.5 s after creation')
  clock.advance(1_800)
  t.equal((await get(app, `/project/${project.id}/result/${resultKey}`, CREDENTIALS.prpm)).json().cases_count, 2)

  const scenario = await control(app, '/scenarios/prpm', {})
  t.equal(scenario.statusCode, 201, scenario.body)
  const now = 3_300
  t.strictSame(scenario.json().due.map((entry: { at: string }) => entry.at), [at(now + 1_500 + 1_800), at(now + 1_500 + 1_200), at(now + 1_500 + 600)])
  const shorter = await control(app, '/scenarios/prpm', { training: { preprocessing_ms: 10 } })
  t.equal(shorter.json().due[2].at, at(now + 10 + 500 + 600), 'training_ms defaults to the configured 0.5 s')
})

t.test('zero durations: a new project is TRAINED at once, plugins shown', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_PREPROCESSING_SECONDS: '0', RESULTBOX_PRPM_TRAINING_SECONDS: '0' } })
  const { project } = (await runFlow(app, clock)).created.json()
  t.equal(project.status, 'TRAINED')
  t.equal(project.updated_at, '2026-01-01T00:00:00.000000+00:00')
  t.strictSame(project.plugins.map((plugin: { status: string }) => plugin.status), ['TRAINED', 'TRAINED', 'TRAINED'])
})

t.test('the scenario through the control API, polled as a client would', async (t) => {
  const { app } = await startSandbox(t)
  const res = await control(app, '/scenarios/prpm', {})
  t.equal(res.statusCode, 201, res.body)
  const created = res.json()
  t.strictSame(Object.keys(created), ['project_id', 'result_key', 'project_url', 'result_url', 'due'])
  t.equal(created.project_id, 4, 'after the fixture projects')
  t.match(created.result_key, /^[A-Za-z0-9]{8}$/)
  t.equal(created.result_url, `/project/4/result/${created.result_key}`)
  t.strictSame(created.due, [
    { plugin: 'plugin-causallift-treatment-effect', at: at(42_000 + 1_800) },
    { plugin: 'plugin-knn-next-activity', at: at(42_000 + 1_200) },
    { plugin: 'plugin-random-forest-alarm', at: at(42_000 + 600) },
  ], 'the configured 35 s + 7 s, then the plugins')

  const poll = async () => (await get(app, created.result_url, CREDENTIALS.prpm)).json()
  const status = async () => (await get(app, created.project_url, CREDENTIALS.prpm)).json().project.status
  t.equal(await status(), 'PREPROCESSING')
  t.match(await poll(), { project_status: 'PREPROCESSING', expected_plugins: [], cases: null })
  t.equal((await control(app, '/clock', { advance_ms: 35_000 })).statusCode, 200)
  t.equal(await status(), 'TRAINING')
  await control(app, '/clock', { advance_ms: 7_000 })
  t.equal(await status(), 'TRAINED')
  t.match(await poll(), { expected_plugins: ['plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm'], finished_plugins: [] })
  await control(app, '/clock', { advance_ms: 1_200 })
  t.strictSame((await poll()).finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity'])
  await control(app, '/clock', { advance_ms: 600 })
  const complete = await poll()
  t.equal(complete.message, 'Ongoing dataset result retrieved successfully')
  t.equal(complete.cases_count, 3)
  t.strictSame(Object.keys(complete.cases), ['173688', '173691', '173694'])
  t.strictSame(complete.cases['173694'].prescriptions.map((p: { type: string }) => p.type), ['ALARM', 'NEXT_ACTIVITY', 'TREATMENT_EFFECT'])
  t.strictSame(complete.cases['173694'].prescriptions[2].output.treatment, [[{ value: 'O_SENT_BACK', column: 'Activity', operator: 'EQUAL' }]])

  // A trained project and a failing plugin: it finishes, with no prescriptions.
  const failing = (await control(app, '/scenarios/prpm', {
    project_status: 'TRAINED', case_count: 2,
    plugins: [{ plugin: 'plugin-knn-next-activity' }, { plugin: 'plugin-random-forest-alarm', finishes_after_ms: 100, fails: true }],
  })).json()
  t.strictSame(failing.due.map((entry: { at: string }) => entry.at), [at(43_800 + 1_200), at(43_800 + 100)], 'due from now')
  t.equal((await get(app, failing.project_url, CREDENTIALS.prpm)).json().project.status, 'TRAINED')
  await control(app, '/clock', { advance_ms: 1_200 })
  const failed = (await get(app, failing.result_url, CREDENTIALS.prpm)).json()
  t.strictSame(failed.finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity'])
  for (const item of Object.values(failed.cases) as { prescriptions: { type: string }[] }[]) {
    t.strictSame(item.prescriptions.map((p) => p.type), ['NEXT_ACTIVITY'])
  }
  const allFail = (await control(app, '/scenarios/prpm', { project_id: 1, plugins: [{ plugin: 'plugin-knn-next-activity', fails: true, finishes_after_ms: 0 }] })).json()
  const none = (await get(app, allFail.result_url, CREDENTIALS.prpm)).json()
  t.strictSame(Object.values(none.cases).map((item) => (item as { prescriptions: unknown[] }).prescriptions), [[], [], []])
})

t.test('the control API refuses a bad scenario, naming the field, and writes nothing', async (t) => {
  const { app } = await startSandbox(t)
  const before = prpmRows(app)
  const cases: [unknown, number, string, string][] = [
    [{ plugins: [{ plugin: 'nope' }] }, 400, 'invalid_request', '/plugins/0/plugin'],
    [{ case_count: '3' }, 400, 'invalid_request', '/case_count'],
    [{ case_count: 0 }, 400, 'invalid_request', '/case_count'],
    [{ case_cont: 3 }, 400, 'invalid_request', '/case_cont'],
    [{ training: { preprocessing_ms: 1, training: 2 } }, 400, 'invalid_request', '/training/training'],
    [{ plugins: [] }, 400, 'invalid_request', '/plugins'],
    [{ plugins: [{ plugin: 'plugin-knn-next-activity', fail: true }] }, 400, 'invalid_request', '/plugins/0/fail'],
    [{ result_key: 'short' }, 400, 'invalid_request', '/result_key'],
    [{ project_status: 'DONE' }, 400, 'invalid_request', '/project_status'],
    [{ project_id: 1, training: {} }, 400, 'invalid_scenario', '/training'],
    [{ project_id: 1, project_status: 'TRAINED' }, 400, 'invalid_scenario', '/project_status'],
    [{ project_status: 'TRAINED', training: { training_ms: 5 } }, 400, 'invalid_scenario', '/training'],
    [{ plugins: [{ plugin: 'plugin-knn-next-activity' }, { plugin: 'plugin-knn-next-activity' }] }, 400, 'invalid_scenario', '/plugins'],
    [{ project_id: 2 }, 400, 'invalid_scenario', '/project_id'],
    [{ project_id: 77 }, 404, 'not_found', '/project_id'],
    [{ result_key: 'dVbQ3x7K' }, 409, 'conflict', '/result_key'],
  ]
  for (const [body, status, error, field] of cases) {
    const res = await control(app, '/scenarios/prpm', body)
    const why = JSON.stringify(body)
    t.equal(res.statusCode, status, why)
    t.match(res.json(), { error, field, message: String }, why)
  }
  t.strictSame(prpmRows(app), before, 'nothing written by a refused scenario')
})

t.test('reset drops what scenarios and clients created and brings the fixture back', async (t) => {
  const { app, clock } = await startSandbox(t)
  const fresh = prpmCounts(app)
  const { uploaded, created } = await runFlow(app, clock)
  const orphan = (await postForm(app, '/event_log', [{ name: 'file', filename: 'a.csv', content: TRAINING_CSV }, { name: 'test', filename: 't.csv', content: TEST_CSV }])).json()
  const scenario = (await control(app, '/scenarios/prpm', { result_key: 'Scen4rio' })).json()
  clock.advance(6_000)
  t.equal((await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)).json().message, 'Ongoing dataset result retrieved successfully', 'the fixture result read (and gone)')
  t.notSame(prpmCounts(app), fresh)

  const reset = await control(app, '/state/reset?vendor=prpm')
  t.equal(reset.statusCode, 200, reset.body)
  t.strictSame(reset.json(), { reset: ['prpm'], clock: at(6_000) })
  t.strictSame(prpmCounts(app), fresh, 'as many rows as a fresh store')
  t.strictSame((await get(app, scenario.project_url, CREDENTIALS.prpm)).json(), { detail: 'Project not found' })
  t.strictSame((await get(app, `/project/${created.json().project.id}`, CREDENTIALS.prpm)).json(), { detail: 'Project not found' })
  for (const id of [uploaded.event_log_id, orphan.event_log_id]) {
    t.strictSame((await sendJson(app, 'PUT', `/event_log/${id}`, DEFINITION)).json(), { detail: 'Event log not found' })
  }
  const fixture = (await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)).json()
  t.match(fixture, { message: 'Ongoing dataset result is still processing', finished_plugins: [] }, 'the fixture result is back, seeded now')
  const again = await control(app, '/scenarios/prpm', { result_key: 'Scen4rio' })
  t.equal(again.statusCode, 201, 'the result key is free again')
  t.equal(again.json().project_id, 4)
})

t.test('a refused upload or project changes nothing and leaves no temporary file', async (t) => {
  const tmp = tempDir(t, 'resultbox-prpm-tmp-')
  const saved = process.env.TMPDIR
  process.env.TMPDIR = tmp
  t.teardown(() => {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  })
  t.equal(os.tmpdir(), tmp)
  const { app } = await startSandbox(t)
  const up = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.zip', content: zipOf({ 'bpic.csv': TRAINING_CSV }, { method: 8 }) }])).json()
  t.equal(up.columns_header.length, 7, 'a deflated zip reads')
  t.strictSame(fs.readdirSync(tmp), [], 'no leftover after a zip upload')
  await sendJson(app, 'PUT', `/event_log/${up.event_log_id}`, DEFINITION)
  const before = prpmRows(app)
  const refusedForms: [string, Parameters<typeof postForm>[2], number][] = [
    ['/event_log', [{ name: 'file', filename: 'a.csv', content: TRAINING_CSV }, { name: 'test', filename: 't.zip', content: zipOf({ 'a.csv': 'a', 'b.csv': 'b' }) }], 400],
    ['/event_log', [{ name: 'file', filename: 'a.zip', content: zipOf({ 'a.csv': 'x' }, { method: 8, declaredSize: 2 ** 31 }) }], 413],
    ['/event_log', [{ name: 'file', filename: 'a.zip', content: zipOf({ 'a.csv': TRAINING_CSV.repeat(3) }, { method: 8, declaredSize: 10 }) }], 400],
    ['/project/1/result', [{ name: 'file', filename: 'x.zip', content: zipOf({ 'x.csv': 'a,b\n1,2' }) }], 400],
    ['/project/1/result', [{ name: 'file', filename: 'x.zip', content: zipOf({ 'x.csv': TEST_CSV }, { method: 99 }) }], 400],
  ]
  for (const [url, parts, status] of refusedForms) {
    const res = await postForm(app, url, parts)
    t.equal(res.statusCode, status, `${url}: ${res.body}`)
    t.strictSame(fs.readdirSync(tmp), [], 'no leftover after a refused upload')
  }
  const refusedProjects = [
    { event_log_id: up.event_log_id, positive_outcome: [[{ column: 'AMOUNT_REQ', operator: 'GREATER_THAN', value: 'lots' }]] },
    { event_log_id: up.event_log_id, positive_outcome: TREATMENT, negative_outcome: TREATMENT },
    { event_log_id: up.event_log_id, treatment: [[{ column: 'nope', operator: 'EQUAL', value: 'x' }]] },
    { event_log_id: up.event_log_id, treatment: [[{ column: 'Activity', operator: 'NOPE' }]] },
  ]
  for (const body of refusedProjects) t.not((await sendJson(app, 'POST', '/project', body)).statusCode, 200)
  t.strictSame(prpmRows(app), before, 'every prpm table as it was')
  const dataset = await postForm(app, '/project/1/result', [{ name: 'file', filename: 'x.zip', content: zipOf({ 'x.csv': TEST_CSV }, { method: 8 }) }])
  t.equal(dataset.statusCode, 200)
  t.strictSame(fs.readdirSync(tmp), [])
})

t.test('what PrCore infers from column names; csv headers as pandas reads them; the separator field', async (t) => {
  const { app } = await startSandbox(t)
  const header = 'case:concept:name;concept:name;time:timestamp;lifecycle:transition;org:resource;org:group;case:variant;Timestamp_x;' +
    'transition;duration;total cost;start time;finish_date;User;;Note;Note'
  const res = await postForm(app, '/event_log', [
    { name: 'file', filename: 'LOG.CSV', content: `${header}\n1;A;2012-01-01;complete;u1;g;v;x;start;3;4;s;f;me;;n1; n2 ` },
    { name: 'separator', value: ';' },
    { name: 'attachment', filename: 'ignored.csv', content: 'not read' },
  ])
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.strictSame(body.columns_header, ['case:concept:name', 'concept:name', 'time:timestamp', 'lifecycle:transition', 'org:resource', 'org:group',
    'case:variant', 'Timestamp_x', 'transition', 'duration', 'total cost', 'start time', 'finish_date', 'User', 'Unnamed: 14', 'Note', 'Note.1'])
  t.strictSame(body.columns_inferred_definition, ['CASE_ID', 'ACTIVITY', 'TIMESTAMP', 'TRANSITION', 'RESOURCE', null, null, 'TIMESTAMP',
    'TRANSITION', 'DURATION', 'COST', 'START_TIMESTAMP', 'END_TIMESTAMP', 'RESOURCE', null, null, null])
  t.strictSame(body.columns_data, [['1', 'A', '2012-01-01', 'complete', 'u1', 'g', 'v', 'x', 'start', '3', '4', 's', 'f', 'me', 'nan', 'n1', 'n2']])
  const comma = await postForm(app, '/event_log', [{ name: 'file', filename: 'log.csv', content: `${header}\n1;A` }])
  t.strictSame(comma.json().columns_header, [header], 'without the separator field a ; log is one column')
})

const XES = `<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <string key="concept:name" value="the log itself"/>
  <trace>
    <string key="concept:name" value="c1"/>
    <event>
      <string key="concept:name" value="A"/>
      <date key="time:timestamp" value="2012-01-01T10:00:00.123+01:00"/>
      <int key="amount" value="5"/>
      <float key="cost" value="2"/>
      <boolean key="flag" value="TRUE"/>
      <id key="ident" value="x1"/>
      <list key="nested"><string key="inner" value="not a column"/></list>
      <string key="no value"/>
    </event>
    <event>
      <string key="concept:name" value="B"/>
      <date key="time:timestamp" value="2012-01-01T08:00:00Z"/>
      <float key="cost" value="2.5"/>
      <boolean key="flag" value="false"/>
      <string key="note" value="extra"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="c2"/>
    <event>
      <string key="concept:name" value="C"/>
      <date key="time:timestamp" value="2012-01-01T10:00:00.000"/>
      <float key="cost" value="abc"/>
    </event>
    <event>
      <string key="concept:name" value="D"/>
      <date key="time:timestamp" value="2012-01-01T09:00:00+0100"/>
      <float key="cost" value="1e20"/>
    </event>
    <event>
      <string key="concept:name" value="E"/>
      <date key="time:timestamp" value="yesterday"/>
      <float key="cost" value="0.00001"/>
    </event>
  </trace>
</log>`

t.test('XES logs and datasets: typed values as pm4py prints them, gzip of XES, late columns', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_PREPROCESSING_SECONDS: '0', RESULTBOX_PRPM_TRAINING_SECONDS: '0' } })
  const up = await postForm(app, '/event_log', [{ name: 'file', filename: 'log.xes', content: XES }, { name: 'test', filename: 'log.zip', content: gzip(XES) }])
  t.equal(up.statusCode, 200, up.body)
  const body = up.json()
  t.strictSame(body.columns_header, ['concept:name', 'time:timestamp', 'amount', 'cost', 'flag', 'ident', 'case:concept:name', 'note'])
  t.strictSame(body.columns_data, [
    ['A', '2012-01-01 10:00:00.123000+01:00', '5', '2.0', 'True', 'x1', 'c1', 'nan'],
    ['B', '2012-01-01 08:00:00+00:00', 'nan', '2.5', 'False', 'nan', 'c1', 'extra'],
    ['C', '2012-01-01 10:00:00', 'nan', 'abc', 'nan', 'nan', 'c2', 'nan'],
    ['D', '2012-01-01 09:00:00+01:00', 'nan', '1e+20', 'nan', 'nan', 'c2', 'nan'],
    ['E', 'yesterday', 'nan', '1e-05', 'nan', 'nan', 'c2', 'nan'],
  ])
  const defined = await sendJson(app, 'PUT', `/event_log/${body.event_log_id}`, {
    columns_definition: { 'case:concept:name': 'CASE_ID', 'concept:name': 'ACTIVITY', 'time:timestamp': 'TIMESTAMP', cost: 'NUMBER' },
  })
  t.equal(defined.statusCode, 200, defined.body)
  t.strictSame(defined.json().resources_count, {}, 'no RESOURCE column')
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: body.event_log_id })).json()
  t.equal(created.project.status, 'TRAINED')
  t.strictSame(created.project.plugins.map((plugin: { key: string }) => plugin.key), ['plugin-knn-next-activity'], 'no outcome: next activity only')
  clock.advance(1_200)
  const result = (await get(app, `/project/${created.project.id}/result/${created.result_key}`, CREDENTIALS.prpm)).json()
  t.strictSame(result.columns, body.columns_header)
  t.strictSame(result.cases.c1.events.map((event: string[]) => [event[0], event[7]]), [['B', 'extra'], ['A', 'nan']], 'by time; a column that came late reads nan before')
  t.strictSame(result.cases.c2.events.map((event: string[]) => event[0]), ['D', 'C', 'E'], 'an unparsable time goes last')
  for (const item of Object.values(result.cases) as { prescriptions: { output: string }[] }[]) t.ok('ABCDE'.includes(item.prescriptions[0]?.output as string))
})

t.test('files PrCore cannot read', async (t) => {
  const { app } = await startSandbox(t)
  const refusals: [string, Parameters<typeof postForm>[2], number, unknown][] = [
    ['no extension', [{ name: 'file', filename: 'eventlog', content: TRAINING_CSV }], 400, { detail: 'No valid event log provided' }],
    ['test file of another kind', [{ name: 'file', filename: 'a.csv', content: TRAINING_CSV }, { name: 'test', filename: 't.xlsx', content: 'x' }], 400, { detail: 'No valid event log provided' }],
    ['an empty csv', [{ name: 'file', filename: 'a.csv', content: '\n\n' }], 400, { detail: 'No valid event log provided' }],
    ['broken XML', [{ name: 'file', filename: 'a.xes', content: '<log><trace><event>' }], 400, { detail: 'No valid event log provided' }],
    ['XES without events', [{ name: 'file', filename: 'a.xes', content: '<log><trace/></log>' }], 400, { detail: 'No valid event log provided' }],
    ['a broken gzip', [{ name: 'file', filename: 'a.zip', content: Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]) }], 400, { detail: 'ZIP file is corrupted' }],
    ['a broken zip', [{ name: 'file', filename: 'a.zip', content: Buffer.from('PK not really a zip') }], 400, { detail: 'ZIP file is corrupted' }],
    ['an unknown zip method', [{ name: 'file', filename: 'a.zip', content: zipOf({ 'a.csv': TRAINING_CSV }, { method: 99 }) }], 400, { detail: 'ZIP file is corrupted' }],
    ['a zip entry bigger than it says', [{ name: 'file', filename: 'a.zip', content: zipOf({ 'a.csv': TRAINING_CSV }, { method: 8, declaredSize: 10 }) }], 400, { detail: 'ZIP file is corrupted' }],
    ['a zip entry over the cap', [{ name: 'file', filename: 'a.zip', content: zipOf({ 'a.csv': 'x' }, { method: 8, declaredSize: 2 ** 31 }) }], 413, { detail: 'Payload Too Large' }],
    ['text in the file field', [{ name: 'file', value: 'Case ID,Activity' }], 422, { detail: [{ loc: ['body', 'file'], msg: "Expected UploadFile, received: <class 'str'>", type: 'value_error' }] }],
  ]
  for (const [why, parts, status, expected] of refusals) {
    const res = await postForm(app, '/event_log', parts)
    t.equal(res.statusCode, status, why)
    t.equal(res.headers['content-type'], 'application/json', why)
    t.strictSame(res.json(), expected, why)
  }
  const notMultipart = await sendJson(app, 'POST', '/event_log', { file: 'x' })
  t.strictSame(notMultipart.json(), { detail: [{ loc: ['body', 'file'], msg: 'field required', type: 'value_error.missing' }] }, 'a JSON body is an empty form')
  const textDataset = await postForm(app, '/project/1/result', [{ name: 'file', value: TEST_CSV }])
  t.equal(textDataset.statusCode, 422)
  t.equal(textDataset.json().detail[0].msg, "Expected UploadFile, received: <class 'str'>")
})

t.test('column definitions PrCore refuses, and what it accepts', async (t) => {
  const { app, clock } = await startSandbox(t)
  const id = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json().event_log_id
  const base = { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY' }
  const refusals: [Record<string, unknown>, string][] = [
    [{ columns_definition: { 'Case ID': 'CASE_ID', Resource: 'CASE_ID' } }, 'Multiple case ID columns found'],
    [{ columns_definition: { 'Case ID': 'CASE_ID' } }, 'No activity column found'],
    [{ columns_definition: { ...base, Resource: 'ACTIVITY' } }, 'Multiple activity columns found'],
    [{ columns_definition: base }, 'No timestamp column found'],
    [{ columns_definition: { ...base, start_time: 'TIMESTAMP', end_time: 'TIMESTAMP' } }, 'Multiple timestamp columns found'],
    [{ columns_definition: { ...base, start_time: 'START_TIMESTAMP', end_time: 'START_TIMESTAMP' } }, 'Multiple start timestamp columns found'],
    [{ columns_definition: { ...base, start_time: 'END_TIMESTAMP', end_time: 'END_TIMESTAMP' } }, 'Multiple end timestamp columns found'],
    [{ columns_definition: { ...base, start_time: 'START_TIMESTAMP' } }, 'Invalid column definition'],
    [{ ...DEFINITION, case_attributes: ['nope'] }, 'Invalid case attributes'],
  ]
  for (const [body, detail] of refusals) {
    const res = await sendJson(app, 'PUT', `/event_log/${id}`, body)
    t.equal(res.statusCode, 400, detail)
    t.strictSame(res.json(), { detail }, detail)
  }
  const schemaFailures: [unknown, unknown][] = [
    [{ columns_definition: { Activity: 'NOPE' } }, { loc: ['body', 'columns_definition', 'Activity'], type: 'type_error.enum' }],
    [{ columns_definition: 'x' }, { loc: ['body', 'columns_definition'], msg: 'value is not a valid dict', type: 'type_error.dict' }],
    [{ ...DEFINITION, fast_mode: 'maybe' }, { loc: ['body', 'fast_mode'], msg: 'value could not be parsed to a boolean', type: 'type_error.bool' }],
  ]
  for (const [body, expected] of schemaFailures) {
    const res = await sendJson(app, 'PUT', `/event_log/${id}`, body)
    t.equal(res.statusCode, 422)
    t.match(res.json().detail[0], expected)
  }
  t.strictSame((await sendJson(app, 'PUT', '/event_log/99999999999999999999', DEFINITION)).json(), { detail: 'Event log not found' })
  t.strictSame((await get(app, '/project/abc', CREDENTIALS.prpm)).json(), { detail: [{ loc: ['path', 'project_id'], msg: 'value is not a valid integer', type: 'type_error.integer' }] })

  const custom = {
    columns_definition: { ...DEFINITION.columns_definition, Resource: null },
    case_attributes: null, fast_mode: false, start_transition: 'BEGIN', complete_transition: 'END', abort_transition: 'CANCEL',
  }
  const defined = await sendJson(app, 'PUT', `/event_log/${id}`, custom)
  t.equal(defined.statusCode, 200, defined.body)
  t.equal(defined.json().received_definition.Resource, null)
  t.strictSame(defined.json().treatment_options, ['Activity', 'REG_DATE', 'end_time', 'AMOUNT_REQ', 'start_time'], 'a null column is no option')
  t.strictSame(defined.json().resources_count, {})
  const created = (await sendJson(app, 'POST', '/project', { event_log_id: id })).json()
  t.match(created.project.event_log.definition, {
    case_attributes: null, fast_mode: false, start_transition: 'BEGIN', complete_transition: 'END', abort_transition: 'CANCEL',
    outcome_definition: null, treatment_definition: null,
  })
  t.equal(created.result_key, null, 'no test file, no result')
  t.strictSame((await sendJson(app, 'PUT', `/event_log/${id}`, DEFINITION)).json(), { detail: 'Project not ready' }, 'not while it trains')
  clock.advance(42_000)
  const redefined = await sendJson(app, 'PUT', `/event_log/${id}`, DEFINITION)
  t.equal(redefined.statusCode, 200, 'a trained project may be redefined')
  const project = (await get(app, `/project/${created.project.id}`, CREDENTIALS.prpm)).json().project
  t.match(project.event_log.definition, { fast_mode: true, start_transition: 'START', case_attributes: ['AMOUNT_REQ', 'REG_DATE'] })
  t.equal(project.event_log.definition.created_at, '2026-01-01T00:00:00.000000+00:00')
  t.equal(project.event_log.definition.updated_at, '2026-01-01T00:00:42.000000+00:00')
})

t.test('fast_mode=false is refused on a log over a million events', async (t) => {
  const { app } = await startSandbox(t)
  const rows = 1_000_001
  const big = await postForm(app, '/event_log', [{ name: 'file', filename: 'big.csv', content: `Case ID\n${'1\n'.repeat(rows)}` }])
  t.equal(big.statusCode, 200, big.body)
  const res = await sendJson(app, 'PUT', `/event_log/${big.json().event_log_id}`, { columns_definition: { 'Case ID': 'CASE_ID' }, fast_mode: false })
  t.equal(res.statusCode, 400)
  t.strictSame(res.json(), { detail: 'Fast mode enforced' })
})

const TYPED_LOG = [
  'case,act,ts,amount,when,dur,flag,cat,cost,ignored',
  '1,A,2012-01-01 10:00:00,5,2012-01-01,3,true,x,1.5,-',
  '1,B,2012-01-01 11:00:00,5,2012-01-01,3,true,y,1.5,-',
].join('\n')
const TYPED_DEFINITION = {
  columns_definition: {
    case: 'CASE_ID', act: 'ACTIVITY', ts: 'TIMESTAMP', amount: 'NUMBER', when: 'DATETIME', dur: 'DURATION',
    flag: 'BOOLEAN', cat: 'CATEGORICAL', cost: 'COST', ignored: null,
  },
}

t.test('outcome and treatment conditions, checked by column type', async (t) => {
  const { app, clock } = await startSandbox(t)
  const id = (await postForm(app, '/event_log', [{ name: 'file', filename: 'typed.csv', content: TYPED_LOG }])).json().event_log_id
  t.equal((await sendJson(app, 'PUT', `/event_log/${id}`, TYPED_DEFINITION)).statusCode, 200)
  const when = (column: string, operator: string, value?: unknown) => ({ event_log_id: id, positive_outcome: [[{ column, operator, ...(value === undefined ? {} : { value }) }]] })
  const refusals: [unknown, string][] = [
    [{ event_log_id: id, positive_outcome: [] }, 'Invalid definition'],
    [{ event_log_id: id, treatment: [[]] }, 'Invalid definition'],
    [when('nope', 'EQUAL', 'x'), "Column 'nope' is not defined"],
    [when('ignored', 'EQUAL', 'x'), "Column 'ignored' is not defined"],
    [when('amount', 'CONTAINS', '1'), "Operator 'CONTAINS' not supported for column 'amount'"],
    [when('act', 'GREATER_THAN', '1'), "Operator 'GREATER_THAN' not supported for column 'act'"],
    [when('amount', 'GREATER_THAN'), 'Invalid number value for amount'],
    [when('amount', 'GREATER_THAN', ' '), 'Invalid number value for amount'],
    [when('amount', 'GREATER_THAN', 'many'), 'Invalid number value for amount'],
    [when('when', 'EARLIER_THAN', 'someday'), 'Invalid datetime value for when'],
    [when('when', 'LATER_THAN'), 'Invalid datetime value for when'],
    [when('cat', 'IS'), 'Invalid categorical value for cat,value must be a string'],
    [when('dur', 'GREATER_THAN', 'soon'), 'Invalid duration value for dur'],
    [when('DURATION', 'LESS_THAN', '2 fortnights'), 'Invalid duration value for DURATION'],
    [when('DURATION', 'LESS_THAN'), 'Invalid duration value for DURATION'],
    [when('flag', 'EQUAL', 'true'), "Operator 'EQUAL' not supported for column 'flag'"],
  ]
  for (const [body, detail] of refusals) {
    const res = await sendJson(app, 'POST', '/project', body)
    t.equal(res.statusCode, 400, detail)
    t.strictSame(res.json(), { detail }, detail)
  }
  const typeFailure = await sendJson(app, 'POST', '/project', { event_log_id: 'one' })
  t.strictSame(typeFailure.json(), { detail: [{ loc: ['body', 'event_log_id'], msg: 'value is not a valid integer', type: 'type_error.integer' }] })
  const accepted = [
    when('amount', 'GREATER_THAN_OR_EQUAL', '5'), when('when', 'LATER_THAN', '2012-01-01'), when('cat', 'IS', 'x'),
    when('dur', 'LESS_THAN', '5'), when('DURATION', 'GREATER_THAN', '1.5 d'), when('cost', 'EQUAL', '1.5'), when('act', 'NOT_CONTAINS', 'Z'),
  ]
  for (const body of accepted) {
    const res = await sendJson(app, 'POST', '/project', body)
    t.equal(res.statusCode, 200, JSON.stringify(body))
    // One project per event log: drop it so the next condition can be tried on the same log.
    app.resultbox.db.prepare('DELETE FROM prpm_projects WHERE id > 3').run()
  }
  const created = await sendJson(app, 'POST', '/project', {
    event_log_id: id,
    negative_outcome: [[{ column: 'DURATION', operator: 'GREATER_THAN', value: '2 hours' }]],
    treatment: [[{ column: 'flag', operator: 'IS_TRUE' }]],
    parameters: { 'plugin-knn-next-activity': { n_neighbors: 5 } },
    additional_info: { 'plugin-causallift-resource-allocation': { available_resources: ['r1'], treatment_duration: '1h' } },
  })
  t.equal(created.statusCode, 200, created.body)
  const { project } = created.json()
  t.match(project.event_log.definition, {
    outcome_definition: [[{ column: 'DURATION', operator: 'GREATER_THAN', value: '2 hours' }]],
    outcome_definition_negative: true,
    treatment_definition: [[{ column: 'flag', operator: 'IS_TRUE', value: null }]],
  })
  clock.advance(35_000)
  const plugins = (await get(app, `/project/${project.id}`, CREDENTIALS.prpm)).json().project.plugins
  t.strictSame(plugins.map((plugin: { key: string }) => plugin.key), [
    'plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm', 'plugin-causallift-resource-allocation',
  ], 'resource allocation once it has its additional info')
  t.strictSame(plugins[1].parameters, { encoding: 'SIMPLE_INDEX', n_neighbors: 5 })
  t.strictSame(plugins[3].additional_info, { available_resources: ['r1'], treatment_duration: '1h' })
})

const TRANSITION_LOG = ['case,act,ts,lc,attr,ignored', '1,NA,2012-01-01 10:00:00,complete,a,x', '1,,2012-01-01 11:00:00,start,a,x'].join('\n')

t.test('which events of a dataset count: transitions, times, case attributes; a log without activities', async (t) => {
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_PRPM_PREPROCESSING_SECONDS: '0', RESULTBOX_PRPM_TRAINING_SECONDS: '0' } })
  const id = (await postForm(app, '/event_log', [{ name: 'file', filename: 'lc.csv', content: TRANSITION_LOG }])).json().event_log_id
  const defined = await sendJson(app, 'PUT', `/event_log/${id}`, {
    columns_definition: { case: 'CASE_ID', act: 'ACTIVITY', ts: 'TIMESTAMP', lc: 'TRANSITION', ignored: null }, case_attributes: ['attr'],
  })
  t.strictSame(defined.json().activities_count, {}, 'every activity of the log is missing')
  const projectId = (await sendJson(app, 'POST', '/project', { event_log_id: id })).json().project.id
  const upload = async (rows: string[]) => {
    const res = await postForm(app, `/project/${projectId}/result`, [
      { name: 'seperator', value: ';' }, { name: 'file', filename: 'd.csv', content: ['case;act;ts;lc;attr', ...rows].join('\n') },
    ])
    t.equal(res.statusCode, 200, res.body)
    clock.advance(1_200)
    return (await get(app, `/project/${projectId}/result/${res.json().result_key}`, CREDENTIALS.prpm)).json()
  }
  const activitiesOf = (result: { cases: Record<string, { events: string[][] }> }) =>
    Object.values(result.cases).flatMap((item) => item.events.map((event) => event[1]))
  const day = (hour: number) => `2012-01-01 ${String(hour).padStart(2, '0')}:00:00`
  t.strictSame(activitiesOf(await upload([`1;A;${day(1)};schedule;a`, `1;B;${day(2)};assign;a`, `1;C;${day(3)};;a`])), ['A', 'B', 'C'], 'no start nor complete: every event')
  t.strictSame(activitiesOf(await upload([`1;A;${day(1)};complete;a`, `1;B;${day(2)};schedule;a`])), ['A'], 'complete only')
  t.strictSame(activitiesOf(await upload([`1;A;${day(1)};START;a`, `1;B;${day(2)};schedule;a`])), ['A'], 'start only')
  const both = await upload([`1;A;${day(1)};start;a`, `1;B;${day(2)};complete;a`, `2;C;${day(3)};ate_abort;a`, `2;D;${day(4)};schedule;a`])
  t.strictSame(activitiesOf(both), ['B', 'C'], 'start and complete: complete and abort')
  t.strictSame(Object.keys(both.cases), ['1', '2'])
  for (const item of Object.values(both.cases) as { prescriptions: { output: string }[] }[]) {
    t.ok(['B', 'C'].includes(item.prescriptions[0]?.output as string), 'no activity in the training log: the dataset\'s')
  }
  const times = await upload([`1;late;2012-01-01T10:00:00;x;a`, `1;early;${day(9)};x;a`, `1;none;;x;a`, `1;bad;whenever;x;a`, `1;tie;${day(9)};x;a`])
  t.strictSame(activitiesOf(times), ['early', 'tie', 'late', 'none', 'bad'], 'by time, ties and unreadable times in file order, last')
  const noAttribute = await postForm(app, `/project/${projectId}/result`, [{ name: 'file', filename: 'd.csv', content: 'case,act,ts,lc\n1,A,x,y' }])
  t.strictSame(noAttribute.json(), { detail: 'There was an error processing the dataset' }, 'a case attribute missing')
})

t.test('projects the flows cannot read fully', async (t) => {
  const { app, clock } = await startSandbox(t)
  const withoutLog = (await get(app, '/project/2', CREDENTIALS.prpm)).json().project
  t.match(withoutLog, { name: 'broken-log.csv', status: 'ERROR', event_log: null, plugins: [] })
  // A store seeded before the flows migration has projects without details.
  app.resultbox.db.prepare('DELETE FROM prpm_project_details WHERE project_id = 3').run()
  const bare = (await get(app, '/project/3', CREDENTIALS.prpm)).json().project
  t.match(bare, { name: 'project-3', status: 'TRAINED', created_at: '1970-01-01T00:00:00.000000+00:00', event_log: null })
  t.equal(bare.plugins.length, 3)
  t.strictSame((await postForm(app, '/project/3/result', [{ name: 'file', filename: 'x.csv', content: TEST_CSV }])).json(), { detail: 'There was an error processing the dataset' })

  // A scenario may expect plugins the project never trained: treatment effect without a treatment, resource allocation.
  const id = (await postForm(app, '/event_log', [{ name: 'file', filename: 'bpic.csv', content: TRAINING_CSV }])).json().event_log_id
  await sendJson(app, 'PUT', `/event_log/${id}`, DEFINITION)
  const project = (await sendJson(app, 'POST', '/project', { event_log_id: id, positive_outcome: TREATMENT })).json().project
  const scenario = await control(app, '/scenarios/prpm', {
    project_id: project.id, case_count: 1,
    plugins: [{ plugin: 'plugin-causallift-treatment-effect' }, { plugin: 'plugin-causallift-resource-allocation' }],
  })
  t.equal(scenario.statusCode, 201, scenario.body)
  t.equal(scenario.json().due[0].at, at(42_000 + 1_800), 'due after the project has trained')
  clock.advance(44_000)
  const result = (await get(app, scenario.json().result_url, CREDENTIALS.prpm)).json()
  t.strictSame(result.expected_plugins, ['plugin-causallift-treatment-effect', 'plugin-causallift-resource-allocation'])
  t.strictSame(result.cases['173688'].prescriptions, [], 'neither prescribes anything here')
})

t.test('the fixture loader names what is wrong; the fixture seeds projects with and without logs', async (t) => {
  type Spoilable = {
    projects: { id: number; name?: string; event_log?: { outcome_definition: unknown; treatment_definition: unknown } }[]
    results: {
      project_id: number; result_key: string; expected_plugins: string[]; plugin_timeline: { plugin: string }[]
      columns: string[]; columns_definition: Record<string, unknown>
      cases: Record<string, { events: string[][]; prescriptions: { type: string; plugin: { name: string } }[] }>
    }[]
  }
  const spoil = (change: (fixture: Spoilable) => void) => {
    const dir = copyOf(t, 'fixtures')
    const file = path.join(dir, 'prpm.json')
    const fixture = JSON.parse(fs.readFileSync(file, 'utf8')) as Spoilable
    change(fixture)
    fs.writeFileSync(file, JSON.stringify(fixture))
    return dir
  }
  const first = (fixture: Spoilable) => fixture.results[0] as Spoilable['results'][number]
  const firstCase = (fixture: Spoilable) => first(fixture).cases['173688'] as Spoilable['results'][number]['cases'][string]
  const refusals: [(fixture: Spoilable) => void, RegExp][] = [
    [(f) => { (f.projects[1] as { id: number }).id = 1 }, /\/projects\/1\/id: project 1 is listed twice/],
    [(f) => { first(f).project_id = 42 }, /\/results\/0\/project_id: no project 42 in \/projects/],
    [(f) => { firstCase(f).events[0]?.pop() }, /\/results\/0\/cases\/173688\/events\/0: has 6 values for 7 columns/],
    [(f) => { f.results.push({ ...first(f) }) }, /\/results\/1\/result_key: result_key is listed twice/],
    [(f) => { first(f).expected_plugins.push(first(f).expected_plugins[0] as string) }, /\/results\/0\/expected_plugins: a plugin is listed twice/],
    [(f) => { first(f).plugin_timeline.pop() }, /\/results\/0\/plugin_timeline: must schedule every expected plugin exactly once/],
    [(f) => { first(f).columns_definition.nope = 'TEXT' }, /\/results\/0\/columns_definition\/nope: is not one of columns/],
    [(f) => {
      first(f).expected_plugins = first(f).expected_plugins.filter((plugin) => plugin !== 'plugin-random-forest-alarm')
      first(f).plugin_timeline = first(f).plugin_timeline.filter((entry) => entry.plugin !== 'plugin-random-forest-alarm')
    }, /\/results\/0\/cases\/\d+\/prescriptions\/\d+\/type: ALARM comes from plugin-random-forest-alarm, which is not expected/],
    [(f) => { (firstCase(f).prescriptions[0] as { plugin: { name: string } }).plugin.name = 'Other' }, /\/results\/0\/cases\/173688\/prescriptions\/0\/plugin\/name: must be "/],
  ]
  for (const [change, message] of refusals) t.throws(() => loadPrpmFixture(spoil(change)), { name: 'FixtureError', message }, String(message))

  const unnamed = spoil((f) => {
    delete (f.projects[1] as { name?: string }).name
    const log = (f.projects[2] as Spoilable['projects'][number]).event_log as { outcome_definition: unknown; treatment_definition: unknown }
    log.outcome_definition = null
    log.treatment_definition = null
  })
  const { app } = await startSandbox(t, { env: { RESULTBOX_FIXTURES: unnamed } })
  t.equal((await get(app, '/project/2', CREDENTIALS.prpm)).json().project.name, 'project-2', 'no name and no log')
  const three = (await get(app, '/project/3', CREDENTIALS.prpm)).json().project
  t.match(three.event_log.definition, { outcome_definition: null, treatment_definition: null })
  t.strictSame(three.plugins.map((plugin: { key: string }) => plugin.key), ['plugin-knn-next-activity'], 'no outcome: next activity only')
})

import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { SandboxClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { FixtureError } from '../src/fixtures.js'
import { ScenarioError } from '../src/simulation.js'
import {
  ANIMALS, COUNT_KEYS, FLOWERS, PROJECT, TASK_KEYS, TASK_KEYS_ALWAYS, VERSION_KEYS, templateOf, maGet, postScenario, resultsUrl, taskUrl, versionUrl,
} from './helpers/modelarts.js'
import { START, copyOf, startSandbox, tempDir } from './helpers/sandbox.js'

const md5 = (text: string) => createHash('md5').update(text).digest('hex')

interface Created {
  project_id: string
  task_id: string
  version_id: string
  task_url: string
  version_url: string
  results_url: string
  sample_count: number
  status_changes: { status: number; at: string; at_ms: number }[]
}

t.test('the client flow: a scenario version goes initialized → running → completed on the sandbox clock', async (t) => {
  const { app, clock } = await startSandbox(t)
  const res = await postScenario(app, {
    task_name: 'pets-augmentation',
    description: 'first pass',
    starts_after_ms: 2000,
    runs_for_ms: 10_000,
    sample_counts: { retained: 3, modified: 2, deleted: 1, added: 2 },
  })
  t.equal(res.statusCode, 201)
  const created = res.json() as Created
  t.strictSame(Object.keys(created), ['project_id', 'task_id', 'version_id', 'task_url', 'version_url', 'results_url', 'sample_count', 'status_changes'])
  t.equal(created.project_id, PROJECT, "the fixture's project by default")
  t.match(created.task_id, /^[A-Za-z0-9]{19}$/)
  t.match(created.version_id, /^[A-Za-z0-9]{19}$/)
  t.equal(created.task_url, taskUrl(created.task_id))
  t.equal(created.version_url, versionUrl(created.task_id, created.version_id))
  t.equal(created.results_url, resultsUrl(created.task_id, created.version_id))
  t.equal(created.sample_count, 8)
  t.strictSame(created.status_changes, [
    { status: 1, at: new Date(START + 2000).toISOString(), at_ms: START + 2000 },
    { status: 2, at: new Date(START + 12_000).toISOString(), at_ms: START + 12_000 },
  ])

  const poll = async () => {
    const version = await maGet(app, created.version_url)
    t.equal(version.statusCode, 200)
    t.match(version.headers['content-type'], /^application\/json/)
    t.match(version.headers['x-request-id'], /^[0-9a-f]{32}$/)
    const results = await maGet(app, created.results_url)
    t.match(results.headers['x-request-id'], /^[0-9a-f]{32}$/)
    const task = (await maGet(app, created.task_url)).json()
    return { version: version.json(), results, task }
  }

  // Initialized: no counts yet, results forbidden as initializing.
  let step = await poll()
  t.strictSame(Object.keys(step.version), VERSION_KEYS, 'field order of the vendor example, no counts')
  t.strictSame(step.version, {
    task_version_id: created.version_id,
    task_id: created.task_id,
    version_name: 'V001',
    description: 'first pass',
    status: 0,
    create_time: START,
    update_time: START,
    inputs: [{ type: 'OBS', source: '/resultbox-sandbox/data/' }],
    work_path: { type: 'OBS', path: '/resultbox-sandbox/output/', output_path: `/resultbox-sandbox/output/${created.version_id}/` },
    template: templateOf('sys_data_augmentation', 'data augmentation', 'AddNoise'),
    duration_seconds: 0,
  })
  t.equal(step.results.statusCode, 403)
  t.strictSame(step.results.json(), { error_code: 'ModelArts.4850', error_msg: 'Process task is initializing, the operation is forbidden' })
  t.strictSame(Object.keys(step.task), TASK_KEYS)
  t.strictSame(step.task, {
    task_id: created.task_id,
    name: 'pets-augmentation',
    description: '',
    data_source: { type: 'OBS', source: '/resultbox-sandbox/data/' },
    inputs: [{ type: 'OBS', source: '/resultbox-sandbox/data/' }],
    work_path: { type: 'OBS', path: '/resultbox-sandbox/output/' },
    template: templateOf('sys_data_augmentation', 'data augmentation', 'AddNoise'),
    status: 0,
    duration_seconds: 0,
    create_time: START,
    version_count: 1,
    is_current: true,
    workspace_id: '0',
    version_id: created.version_id,
    version_name: 'V001',
  })

  clock.advance(1999)
  t.equal((await poll()).version.status, 0, 'still initialized 1 ms before its start')

  // Running: update_time is the change's due time; duration grows; still no counts.
  clock.advance(1)
  step = await poll()
  t.match(step.version, { status: 1, update_time: START + 2000, duration_seconds: 0 })
  t.strictSame(Object.keys(step.version), VERSION_KEYS)
  t.equal(step.results.statusCode, 403)
  t.strictSame(step.results.json(), { error_code: 'ModelArts.4613', error_msg: 'Task not finish' })
  clock.advance(3500)
  step = await poll()
  t.match(step.version, { status: 1, update_time: START + 2000, duration_seconds: 3 })
  t.match(step.task, { status: 1, duration_seconds: 3 })

  // Completed (read well after the due time): counts appear, the results page.
  clock.advance(60_000)
  step = await poll()
  t.strictSame(Object.keys(step.version), [...VERSION_KEYS, ...COUNT_KEYS])
  t.match(step.version, {
    status: 2,
    update_time: START + 12_000,
    duration_seconds: 10,
    origin_sample_count: 6,
    add_sample_count: 2,
    modified_sample_count: 2,
    unmodified_sample_count: 3,
    deleted_sample_count: 1,
  })
  t.match(step.task, { status: 2, duration_seconds: 10 })
  t.equal(step.results.statusCode, 200)
  const body = step.results.json()
  t.equal(body.count, 8)
  t.equal(body.has_more, false)
  const samples = body.results as { sample_id: string; origin_source: string; new_source: string; result_property: number; signed_new_source: string; result_description: string[][] }[]
  t.strictSame(samples.map((sample) => sample.sample_id), samples.map((sample) => sample.sample_id).sort(), 'ordered by sample_id')
  const byName = new Map(samples.map((sample) => [sample.origin_source, sample]))
  t.strictSame(
    [...byName.keys()].sort(),
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `s3://resultbox-sandbox/data/${n}.jpg`).sort(),
    'numbered in the input folder',
  )
  const first = byName.get('s3://resultbox-sandbox/data/1.jpg')
  t.match(first, {
    sample_id: md5('resultbox-sandbox/data/1.jpg'),
    new_source: `obs://resultbox-sandbox/output/${created.version_id}/Data/1.jpg`,
    result_property: 0,
    result_description: [],
  })
  t.match(byName.get('s3://resultbox-sandbox/data/6.jpg'), { result_property: 2, new_source: '', signed_new_source: '' }, 'a deleted sample has no new object')
  t.strictSame(byName.get('s3://resultbox-sandbox/data/8.jpg')?.result_description, [['use AddNoise augmentation'], ['result_description to translate']])
  t.match(first?.signed_new_source, /^http:\/\/localhost:80\/obs\/resultbox-sandbox\/output\//, "at the sandbox's own OBS, at the origin the client used")
  const added = (await maGet(app, `${created.results_url}?result_property=3`)).json()
  t.equal(added.count, 2)

  clock.advance(3_600_000)
  t.match((await poll()).version, { status: 2, update_time: START + 12_000, duration_seconds: 10 }, 'a finished version keeps its duration')
})

t.test('failed and stopped outcomes', async (t) => {
  const { app, clock } = await startSandbox(t)
  const { scenario } = app.resultbox.simulations.modelarts!
  const failed = scenario.create({ outcome: 'failed', starts_after_ms: 0, runs_for_ms: 1500, sample_counts: { retained: 2 } }, START) as Created
  const stopped = scenario.create({ task_id: failed.task_id, outcome: 'stopped', starts_after_ms: 500, runs_for_ms: 500 }, START + 1) as Created
  t.equal(stopped.task_id, failed.task_id)
  t.equal(failed.sample_count, 2)
  t.equal(stopped.sample_count, 10, 'the default counts: 6 retained, 2 modified, 1 deleted, 1 added')
  t.equal((await maGet(app, failed.version_url)).json().status, 1, 'a start due at once applies on the first read')
  clock.advance(5000)

  const failedVersion = (await maGet(app, failed.version_url)).json()
  t.strictSame(Object.keys(failedVersion), VERSION_KEYS, 'a failed version shows no counts')
  t.match(failedVersion, { version_name: 'V001', status: 3, update_time: START + 1500, duration_seconds: 1 })
  const results = await maGet(app, failed.results_url)
  t.equal(results.statusCode, 500)
  t.strictSame(results.json(), { error_code: 'ModelArts.4614', error_msg: 'Task failed' })

  const stoppedVersion = (await maGet(app, stopped.version_url)).json()
  t.match(stoppedVersion, { version_name: 'V002', status: 4, create_time: START + 1, update_time: START + 1001, duration_seconds: 0 })
  t.strictSame((await maGet(app, stopped.results_url)).json(), { error_code: 'ModelArts.4613', error_msg: 'Task not finish' })

  const task = (await maGet(app, failed.task_url)).json()
  t.match(task, { status: 4, version_count: 2, version_id: stopped.version_id, version_name: 'V002' }, 'the task shows its latest version')
  t.notOk('error_msg' in task)

  // A third version that fails: the task shows error_msg, as the vendor does for status 3.
  const third = scenario.create({ task_id: failed.task_id, version_name: 'retry', outcome: 'failed', starts_after_ms: 0, runs_for_ms: 0 }, START + 6000) as Created
  clock.advance(1000)
  const failedTask = (await maGet(app, third.task_url)).json()
  t.strictSame(Object.keys(failedTask), [...TASK_KEYS.slice(0, TASK_KEYS_ALWAYS), 'error_msg', ...TASK_KEYS.slice(TASK_KEYS_ALWAYS)])
  t.match(failedTask, { status: 3, error_msg: 'Task failed', version_count: 3, version_name: 'retry', duration_seconds: 0 })
})

t.test('the fixture tasks and versions, field for field', async (t) => {
  const { app } = await startSandbox(t)
  const animals = (await maGet(app, taskUrl(ANIMALS))).json()
  t.strictSame(Object.keys(animals), TASK_KEYS)
  t.strictSame(animals, {
    task_id: ANIMALS,
    name: 'animals-augmentation',
    description: 'AddNoise and Resize augmentation of the animals set',
    data_source: { type: 'OBS', source: '/test-obs/classify/data/animals/' },
    inputs: [{ type: 'OBS', source: '/test-obs/classify/data/animals/' }],
    work_path: { type: 'OBS', path: '/test-obs/classify/output/' },
    template: templateOf('sys_data_augmentation', 'data augmentation', 'AddNoise'),
    status: 2,
    duration_seconds: 612,
    create_time: 1606373999627,
    version_count: 2,
    is_current: true,
    workspace_id: '0',
    version_id: '7PoIhUzSk92OglQrTxr',
    version_name: 'V002',
  })

  const seedVersion = await maGet(app, versionUrl(ANIMALS, '7PoIhUzSk92OglQrTxr'))
  t.equal(seedVersion.statusCode, 200)
  t.strictSame(Object.keys(seedVersion.json()), [...VERSION_KEYS, ...COUNT_KEYS])
  t.strictSame(seedVersion.json(), {
    task_version_id: '7PoIhUzSk92OglQrTxr',
    task_id: ANIMALS,
    version_name: 'V002',
    description: 'second pass, with Resize',
    status: 2,
    create_time: 1606375800000,
    update_time: 1606376418000,
    inputs: [{ type: 'OBS', source: '/test-obs/classify/data/animals/' }],
    work_path: { type: 'OBS', path: '/test-obs/classify/output/', output_path: '/test-obs/classify/output/7PoIhUzSk92OglQrTxr/' },
    template: templateOf('sys_data_augmentation', 'data augmentation', 'AddNoise'),
    duration_seconds: 612,
    // 9 retained, 7 modified, 5 deleted, 9 added: the origin is all but the added.
    origin_sample_count: 21,
    add_sample_count: 9,
    modified_sample_count: 7,
    unmodified_sample_count: 9,
    deleted_sample_count: 5,
  })
  t.match((await maGet(app, versionUrl(ANIMALS, 'E8ZLnTQvPBVtbZ6QsAp'))).json(), {
    version_name: 'V001', description: '', status: 2, duration_seconds: 151,
    origin_sample_count: 2, add_sample_count: 1, modified_sample_count: 1, unmodified_sample_count: 1, deleted_sample_count: 0,
  })

  t.match((await maGet(app, taskUrl(FLOWERS))).json(), {
    name: 'flowers-cleaning', template: { id: 'sys_data_cleaning', name: 'data cleansing' },
    status: 4, duration_seconds: 30, version_count: 4, version_id: 'Zt5wL8cQpX2mR6nVb9J', version_name: 'V004',
  })
  const flowers = {
    Rn4cX7pLqW2sT9vYb3K: { status: 3, create_time: 1606370100000, update_time: 1606370165000, duration_seconds: 60 },
    Hj6mP2wQzR8tN5xVc1L: { status: 1, create_time: 1606370200000, update_time: 1606370203000, duration_seconds: Math.floor((START - 1606370203000) / 1000) },
    Dg9kS3vBnM7qW4yTe2F: { status: 0, create_time: 1606370300000, update_time: 1606370300000, duration_seconds: 0 },
    Zt5wL8cQpX2mR6nVb9J: { status: 4, create_time: 1606370400000, update_time: 1606370434000, duration_seconds: 30 },
  }
  for (const [version, expected] of Object.entries(flowers)) {
    const body = (await maGet(app, versionUrl(FLOWERS, version))).json()
    t.strictSame(Object.keys(body), VERSION_KEYS, `${version}: no counts before completion`)
    t.match(body, { task_version_id: version, ...expected }, version)
    t.equal(typeof body.create_time, 'number')
  }
})

t.test('rejections, in the vendor envelopes, for the task and the version', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_MODELARTS_TOKENS: 'resultbox,scoped=aaaabbbbccccddddeeeeffff00001111' } })
  // Every ModelArts route, results included, refuses a missing, unknown or foreign-project token alike.
  for (const url of [taskUrl(ANIMALS), versionUrl(ANIMALS, '7PoIhUzSk92OglQrTxr'), `${versionUrl(ANIMALS, '7PoIhUzSk92OglQrTxr')}/results`]) {
    const missing = await maGet(app, url, {})
    t.equal(missing.statusCode, 401, url)
    t.strictSame(missing.json(), {
      error_msg: 'Incorrect IAM authentication information: x-auth-token not found',
      error_code: 'APIG.0301',
      request_id: missing.headers['x-request-id'],
    })
    const wrong = await maGet(app, url, { 'x-auth-token': 'nope' })
    t.equal(wrong.statusCode, 401, url)
    t.strictSame(wrong.json(), { error_code: 'ModelArts.0203', error_msg: 'Invalid token.' })
    const scoped = await maGet(app, url, { 'x-auth-token': 'scoped' })
    t.equal(scoped.statusCode, 403)
    t.strictSame(scoped.json(), { error_code: 'ModelArts.0210', error_msg: 'The project ID in the URL is not the project of the token.' })
    t.match(scoped.headers['x-request-id'], /^[0-9a-f]{32}$/)
  }
  const scopedBadId = await maGet(app, taskUrl('bad$id'), { 'x-auth-token': 'scoped' })
  t.equal(scopedBadId.json().error_code, 'ModelArts.0210', 'the project scope is checked before the arguments')
  t.equal((await maGet(app, taskUrl('bad$id'), {})).json().error_code, 'APIG.0301', 'the token before the arguments')

  const notFound: [string, number, string, string][] = [
    [taskUrl('NoSuchTask000000000'), 400, 'ModelArts.4612', 'Task not found'],
    [taskUrl(ANIMALS, 'aaaabbbbccccddddeeeeffff00001111'), 400, 'ModelArts.4612', 'Task not found'],
    [versionUrl('NoSuchTask000000000', '7PoIhUzSk92OglQrTxr'), 400, 'ModelArts.4612', 'Task not found'],
    [versionUrl(ANIMALS, '7PoIhUzSk92OglQrTxr', 'aaaabbbbccccddddeeeeffff00001111'), 400, 'ModelArts.4612', 'Task not found'],
    [versionUrl(ANIMALS, 'NoSuchVersion000000'), 400, 'ModelArts.4851', 'Task version not found'],
    [versionUrl(ANIMALS, 'Rn4cX7pLqW2sT9vYb3K'), 400, 'ModelArts.4851', 'Task version not found'],
  ]
  for (const [url, status, code, message] of notFound) {
    const res = await maGet(app, url)
    t.equal(res.statusCode, status, url)
    t.strictSame(res.json(), { error_code: code, error_msg: message }, url)
    t.match(res.headers['x-request-id'], /^[0-9a-f]{32}$/)
  }

  const badIds: [string, string][] = [
    [taskUrl('bad$id'), 'task_id'],
    [taskUrl(ANIMALS, 'x'.repeat(65)), 'project_id'],
    [versionUrl(ANIMALS, 'bad.version'), 'version_id'],
    [versionUrl('t'.repeat(65), '7PoIhUzSk92OglQrTxr'), 'task_id'],
  ]
  for (const [url, parameter] of badIds) {
    const res = await maGet(app, url)
    t.equal(res.statusCode, 400, url)
    t.strictSame(res.json(), {
      error_code: 'ModelArts.0101',
      error_msg: `Invalid argument. parameter [${parameter}] must be 1 to 64 letters, digits, _ or -`,
    }, url)
  }
})

t.test('scenario bodies the store cannot carry out: 409 and 400, called directly and over HTTP', async (t) => {
  const { app } = await startSandbox(t)
  const { scenario } = app.resultbox.simulations.modelarts!
  const rejects = (body: object, statusCode: number, field: string, message: RegExp) => {
    let thrown: unknown
    try {
      scenario.create(body, START)
    } catch (error) {
      thrown = error
    }
    t.type(thrown, ScenarioError, `${field} ${statusCode}`)
    t.match(thrown, { statusCode, field, message }, `${field} ${statusCode}`)
  }

  rejects({ task_id: ANIMALS, project_id: 'aaaabbbbccccddddeeeeffff00001111' }, 409, '/task_id', /belongs to another project/)
  rejects({ version_id: '7PoIhUzSk92OglQrTxr' }, 409, '/version_id', /exists already/)
  rejects({ task_id: ANIMALS, task_name: 'renamed' }, 400, '/task_name', /exists already; task_name is for a new task/)
  rejects({ task_id: ANIMALS, work_path: '/other/' }, 400, '/work_path', /work_path is for a new task/)
  rejects({ samples: [], sample_counts: {} }, 400, '/sample_counts', /not both/)
  rejects({
    samples: [
      { origin_source: 's3://b-1/a.jpg', result_property: 0 },
      { origin_source: 's3://b-1/a.jpg', result_property: 1 },
    ],
  }, 400, '/samples/1/origin_source', /listed twice/)
  rejects({ samples: [{ origin_source: 's3://b-1/a.jpg', new_source: 'obs://b-1/x.jpg', result_property: 2 }] }, 400, '/samples/0/new_source', /deleted/)
  rejects({ samples: [{ origin_source: 's3://b-1/a.jpg', new_source: '', result_property: 1 }] }, 400, '/samples/0/new_source', /deleted/)
  t.equal((await maGet(app, taskUrl(ANIMALS))).json().version_count, 2, 'nothing was added')

  const conflict = await postScenario(app, { version_id: 'E8ZLnTQvPBVtbZ6QsAp' })
  t.equal(conflict.statusCode, 409)
  t.match(conflict.json(), { error: 'conflict', field: '/version_id' })
  const contradiction = await postScenario(app, { samples: [], sample_counts: { added: 1 } })
  t.equal(contradiction.statusCode, 400)
  t.match(contradiction.json(), { error: 'invalid_scenario', field: '/sample_counts' })
  for (const [body, field] of [
    [{ outcome: 'exploded' }, '/outcome'],
    [{ tasks_id: 'x' }, ''],
    [{ task_id: 'bad id' }, '/task_id'],
    [{ starts_after_ms: -1 }, '/starts_after_ms'],
    [{ sample_counts: { added: 10_001 } }, '/sample_counts/added'],
    [{ samples: [{ origin_source: 'http://x/y.jpg', result_property: 0 }] }, '/samples/0/origin_source'],
    [{ input_path: 'no-slash' }, '/input_path'],
  ] as [object, string][]) {
    const res = await postScenario(app, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().error, 'invalid_request', JSON.stringify(body))
    if (field !== '') t.equal(res.json().field, field, JSON.stringify(body))
  }
})

t.test('a scenario on an existing task, with explicit samples and ids', async (t) => {
  const { app, clock } = await startSandbox(t)
  const res = await postScenario(app, {
    task_id: FLOWERS,
    version_id: 'my-version_1',
    starts_after_ms: 0,
    runs_for_ms: 0,
    samples: [
      { origin_source: 's3://test-obs/classify/data/flowers/b.jpg', result_property: 1 },
      { origin_source: 's3://test-obs/classify/data/flowers/a.jpg', result_property: 2 },
      { origin_source: 's3://test-obs/classify/data/flowers/c.jpg', new_source: 'obs://elsewhere/c-new.jpg', result_property: 3, result_description: [['custom']] },
    ],
  })
  t.equal(res.statusCode, 201)
  const created = res.json() as Created
  t.equal(created.version_id, 'my-version_1')
  t.equal(created.task_id, FLOWERS)
  const version = (await maGet(app, created.version_url)).json()
  t.match(version, {
    version_name: 'V005', status: 2, duration_seconds: 0, update_time: START,
    work_path: { path: '/test-obs/classify/output/', output_path: '/test-obs/classify/output/my-version_1/' },
    origin_sample_count: 2, add_sample_count: 1, modified_sample_count: 1, unmodified_sample_count: 0, deleted_sample_count: 1,
  }, 'a version due at once is complete on the 201 already')
  const samples = (await maGet(app, created.results_url)).json().results
  const expected = [
    { origin_source: 's3://test-obs/classify/data/flowers/b.jpg', new_source: 'obs://test-obs/classify/output/my-version_1/Data/b.jpg', result_property: 1, result_description: [['use Resize augmentation'], ['result_description to translate']] },
    { origin_source: 's3://test-obs/classify/data/flowers/a.jpg', new_source: '', result_property: 2, result_description: [['deleted as a near-duplicate'], ['result_description to translate']] },
    { origin_source: 's3://test-obs/classify/data/flowers/c.jpg', new_source: 'obs://elsewhere/c-new.jpg', result_property: 3, result_description: [['custom']] },
  ].map((sample) => ({ sample_id: md5(sample.origin_source.slice('s3://'.length)), ...sample }))
    .sort((a, b) => (a.sample_id < b.sample_id ? -1 : 1))
  t.strictSame(
    samples.map(({ sample_id, origin_source, new_source, result_property, result_description }: Record<string, unknown>) =>
      ({ sample_id, origin_source, new_source, result_property, result_description })),
    expected,
  )
  t.match((await maGet(app, taskUrl(FLOWERS))).json(), { status: 2, version_count: 5, version_id: 'my-version_1', version_name: 'V005' })

  const named = await postScenario(app, {
    project_id: 'aaaabbbbccccddddeeeeffff00001111', task_id: 'brand-new-task', task_name: 'mine', task_description: 'd',
    template_id: 'sys_data_validation', input_path: '/my-bucket/in/', work_path: '/my-bucket/', sample_counts: { added: 1 },
  })
  t.equal(named.statusCode, 201)
  const mine = named.json() as Created
  t.equal(mine.task_url, taskUrl('brand-new-task', 'aaaabbbbccccddddeeeeffff00001111'))
  clock.advance(6000)
  t.match((await maGet(app, mine.task_url)).json(), {
    task_id: 'brand-new-task', name: 'mine', description: 'd', template: { id: 'sys_data_validation', name: 'data validation' },
    inputs: [{ type: 'OBS', source: '/my-bucket/in/' }], work_path: { type: 'OBS', path: '/my-bucket/' }, status: 2,
  })
  const [sample] = (await maGet(app, mine.results_url)).json().results
  t.match(sample, { origin_source: 's3://my-bucket/in/1.jpg', new_source: `obs://my-bucket/${mine.version_id}/Data/1.jpg`, result_property: 3 })
  t.equal((await maGet(app, taskUrl('brand-new-task'))).statusCode, 400, 'the task is in its own project only')
})

t.test('{} is a useful scenario', async (t) => {
  const { app, clock } = await startSandbox(t)
  const created = (await postScenario(app, {})).json() as Created
  t.equal(created.sample_count, 10)
  t.strictSame(created.status_changes.map(({ status, at_ms }) => [status, at_ms]), [[1, START + 1000], [2, START + 6000]])
  clock.advance(6000)
  t.match((await maGet(app, created.version_url)).json(), {
    version_name: 'V001', status: 2, duration_seconds: 5,
    origin_sample_count: 9, add_sample_count: 1, modified_sample_count: 2, unmodified_sample_count: 6, deleted_sample_count: 1,
  })
  t.equal((await maGet(app, created.task_url)).json().name, 'resultbox-scenario')
  t.equal((await maGet(app, created.results_url)).json().count, 10)
})

t.test('reset restores the fixture and drops what scenarios created', async (t) => {
  const { app, clock } = await startSandbox(t)
  const first = (await postScenario(app, {})).json() as Created
  const onFixtureTask = (await postScenario(app, { task_id: ANIMALS })).json() as Created
  t.equal((await maGet(app, taskUrl(ANIMALS))).json().version_count, 3)
  clock.advance(1000)

  const reset = await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=modelarts' })
  t.equal(reset.statusCode, 200)
  t.strictSame((await maGet(app, first.task_url)).json(), { error_code: 'ModelArts.4612', error_msg: 'Task not found' })
  t.strictSame((await maGet(app, onFixtureTask.version_url)).json(), { error_code: 'ModelArts.4851', error_msg: 'Task version not found' })
  t.match((await maGet(app, taskUrl(ANIMALS))).json(), { version_count: 2, version_id: '7PoIhUzSk92OglQrTxr', status: 2 })
  t.equal((await maGet(app, resultsUrl(ANIMALS, '7PoIhUzSk92OglQrTxr'))).json().count, 30)
  t.match((await maGet(app, versionUrl(FLOWERS, 'Zt5wL8cQpX2mR6nVb9J'))).json(), { status: 4, update_time: 1606370434000 })
  const pending = app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM modelarts_version_steps').get() as { n: number }
  t.equal(pending.n, 0, "the scenarios' pending status changes went with them")

  // Clear called directly (inside the caller's transaction) drops the scenario's task, the fixture's too.
  const again = app.resultbox.simulations.modelarts!.scenario.create({}, clock.now()) as Created
  app.resultbox.db.transaction(() => app.resultbox.simulations.modelarts!.clear())()
  t.equal((await maGet(app, again.task_url)).statusCode, 400)
  t.equal((await maGet(app, versionUrl(FLOWERS, 'Zt5wL8cQpX2mR6nVb9J'))).statusCode, 400, 'the fixture went too: seeding is the reset route\'s')
})

t.test('pending status changes are persisted: a restart resumes them at their due times', async (t) => {
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  const open = async (at: number) => {
    const app = await buildApp({
      config: loadConfig({ RESULTBOX_DB: dbPath, LOG_LEVEL: 'silent' }),
      clock: new SandboxClock({ start: at, frozen: true }),
      logger: false,
    })
    await app.ready()
    return app
  }
  const first = await open(START)
  const created = first.resultbox.simulations.modelarts!.scenario.create({ starts_after_ms: 1000, runs_for_ms: 2000 }, START) as Created
  t.equal((await maGet(first, created.version_url)).json().status, 0)
  await first.close()

  const second = await open(START + 10_000)
  t.teardown(() => second.close())
  t.match((await maGet(second, created.version_url)).json(), { status: 2, update_time: START + 3000, duration_seconds: 2 },
    'both changes that fell due while stopped, stamped with their own due times')
})

t.test('fixture timelines and defaults', async (t) => {
  const dir = copyOf(t, 'fixtures')
  const file = path.join(dir, 'modelarts.json')
  const original = JSON.parse(fs.readFileSync(file, 'utf8'))
  const write = (fixture: unknown) => fs.writeFileSync(file, JSON.stringify(fixture))

  // A task with only the fields the older fixture had, one version that runs later on the clock, one without versions.
  write({
    tasks: [
      {
        project_id: PROJECT, task_id: 'LegacyTask000000000', name: 'legacy',
        versions: [{
          version_id: 'LaterVersion0000000', version_name: 'V001', status: 2, samples: [],
          create_time: START, status_changes: [{ status: 1, at: START + 1000 }, { status: 2, at: START + 4000 }],
        }, {
          // Finished, with no times at all: it ran for no time at create_time 0.
          version_id: 'OldVersion000000000', version_name: 'V000', status: 2, samples: [],
        }],
      },
      { project_id: PROJECT, task_id: 'EmptyTask0000000000', name: 'empty', versions: [] },
    ],
  })
  const { app, clock } = await startSandbox(t, { env: { RESULTBOX_FIXTURES: dir } })
  const legacy = (await maGet(app, taskUrl('LegacyTask000000000'))).json()
  t.match(legacy, {
    description: '', create_time: 0, version_count: 2, version_id: 'LaterVersion0000000', template: { id: 'sys_data_augmentation' },
    inputs: [{ type: 'OBS', source: '/resultbox-sandbox/data/' }], status: 0,
  })
  clock.advance(1000)
  t.match((await maGet(app, versionUrl('LegacyTask000000000', 'LaterVersion0000000'))).json(), { status: 1, description: '', update_time: START + 1000 })
  clock.advance(3000)
  t.match((await maGet(app, versionUrl('LegacyTask000000000', 'LaterVersion0000000'))).json(), { status: 2, duration_seconds: 3, origin_sample_count: 0 })
  t.match((await maGet(app, versionUrl('LegacyTask000000000', 'OldVersion000000000'))).json(), {
    status: 2, create_time: 0, update_time: 0, duration_seconds: 0, description: '',
  })
  const empty = (await maGet(app, taskUrl('EmptyTask0000000000'))).json()
  t.strictSame(Object.keys(empty), TASK_KEYS.slice(0, TASK_KEYS_ALWAYS), 'a task without versions names none')
  t.match(empty, { status: 0, duration_seconds: 0, version_count: 0 })

  // Timelines a version cannot go through are refused at start-up, naming the field.
  const spoiled: [(version: Record<string, unknown>) => void, RegExp][] = [
    [(v) => { v.status_changes = [{ status: 2, at: 1606375806000 }, { status: 4, at: 1606375807000 }]; v.status = 4 }, /\/status_changes\/1\/status: no status change can follow/],
    [(v) => { v.status_changes = [{ status: 1, at: 1606375806000 }, { status: 1, at: 1606375807000 }]; v.status = 1 }, /\/status_changes\/1\/status: is already 1/],
    [(v) => { v.status_changes = [{ status: 1, at: 1 }] ; v.status = 1 }, /\/status_changes\/0\/at: is before the previous change/],
    [(v) => { v.status_changes = [{ status: 1, at: 1606375806000 }] }, /\/versions\/0\/status_changes: must end at the version's status 2/],
    [(v) => { v.status_changes = [{ status: 0, at: 1606375806000 }] }, /\/status_changes\/0\/status/],
  ]
  for (const [spoil, message] of spoiled) {
    const fixture = structuredClone(original)
    spoil(fixture.tasks[0].versions[0])
    write(fixture)
    await t.rejects(startSandbox(t, { env: { RESULTBOX_FIXTURES: dir } }), { name: 'FixtureError', message }, String(message))
  }
  t.ok(FixtureError)
})

t.test('a results page is served from its cached bytes only while nothing has changed', async (t) => {
  const { app, clock } = await startSandbox(t)
  const scenario = (counts: Record<string, number>) => app.inject({
    method: 'POST', url: '/_resultbox/scenarios/modelarts',
    payload: { task_id: 'CachedTask', version_id: 'CachedVersion', starts_after_ms: 0, runs_for_ms: 0, sample_counts: counts },
  })
  const url = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/CachedTask/versions/CachedVersion/results?limit=100'
  const read = () => app.inject({ url, headers: { 'x-auth-token': 'resultbox' } })
  t.equal((await scenario({ retained: 2 })).statusCode, 201)
  const first = await read()
  t.equal(first.json().count, 2)
  t.equal((await read()).body, first.body, 'the same page, the same bytes')
  clock.advance(1000)
  const later = await read()
  t.not(later.body, first.body, 'a second later the signed URLs expire a second later')
  t.match(later.json().results[0].signed_origin_source, new RegExp(`Expires=${Math.floor(clock.now() / 1000) + 3600}&`))
  t.equal((await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=modelarts' })).statusCode, 200)
  t.equal((await scenario({ retained: 3, added: 1 })).statusCode, 201, 'the same ids again, at the same instant, other samples')
  const after = await read()
  t.equal(after.json().count, 4, 'the new version, not the cached page')
})

import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { CREDENTIALS, START, get, startSandbox } from './helpers/sandbox.js'

/*
 * GET /_resultbox/state: what the status page shows, as a test suite can
 * read it. Every answer here is also checked against the OpenAPI document by
 * the sandbox helper.
 */

const iso = (ms: number) => new Date(ms).toISOString()

async function post(app: FastifyInstance, url: string, payload: object, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload, headers })
}

async function state(t: Test, app: FastifyInstance) {
  const res = await get(app, '/_resultbox/state')
  t.equal(res.statusCode, 200, 'GET /_resultbox/state')
  return res.json()
}

t.test('the fixtures: dVbQ3x7K processing 0 of 3, the three Explorer jobs, the ModelArts versions', async (t) => {
  const { app } = await startSandbox(t)
  const res = await get(app, '/_resultbox/state')
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  const body = res.json()
  t.strictSame(Object.keys(body), ['clock', 'prpm', 'explorer', 'modelarts'])
  t.strictSame(body.clock, { now: iso(START), now_ms: START, frozen: true, speed: 1 }, 'the clock as GET /_resultbox/clock has it')

  t.equal(body.prpm.total, 1)
  t.strictSame(body.prpm.results, [{
    project_id: 1,
    result_key: 'dVbQ3x7K',
    status: 'processing',
    project_status: 'TRAINED',
    expected_plugins: ['plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm'],
    finished_plugins: [],
    progress: { done: 0, total: 3 },
    next: { what: 'plugin-random-forest-alarm finishes', at: iso(START + 2000) },
    cases_count: 2618,
    created_at: iso(START),
    expires_at: iso(START + 1800 * 1000),
    result_url: '/project/1/result/dVbQ3x7K',
  }])
  t.equal(body.prpm.projects_total, 3)
  t.strictSame(body.prpm.projects.map((project: { id: number; status: string }) => [project.id, project.status]), [[3, 'TRAINED'], [2, 'ERROR'], [1, 'TRAINED']])
  t.match(body.prpm.projects[2], { name: 'bpic2012-CSV.zip', created_at: iso(START), next: null, project_url: '/project/1' })
  t.equal(body.prpm.streams_total, 0)
  t.strictSame(body.prpm.streams, [], 'no fixture project streams (test/prpm-control-streams.test.ts has streams)')

  t.equal(body.explorer.total, 3)
  const jobs = body.explorer.jobs as { id: number; status: number; status_name: string; progress: object; next: unknown; tasks: { id: string; status_name: string }[] }[]
  t.strictSame(jobs.map((job) => job.id), [29990, 29988, 29987], 'newest first, by create time')
  t.strictSame(jobs.map((job) => [job.status, job.status_name]), [[3, 'failed'], [1, 'running'], [2, 'success']])
  t.strictSame(jobs.map((job) => job.progress), [{ done: 2, total: 2 }, { done: 1, total: 2 }, { done: 2, total: 2 }], 'tasks ended of all tasks')
  t.match(jobs[1], {
    name: 'basketballplayer bfs',
    workflow_id: '5',
    next: null,
    run_end_time: null,
    job_url: '/api-open/v1/jobs/29988',
    tasks: [
      { id: 'query_1', name: 'Query', status: 2, status_name: 'success', run_end_time: String },
      { id: 'analytics_bfs_2', name: 'BFS', status: 1, status_name: 'running', run_end_time: null, sample_result_url: '/api-open/v1/jobs/29988/tasks/analytics_bfs_2/sample_result' },
    ],
  }, 'job 29988 runs until cancelled: nothing comes next on the clock')

  t.equal(body.modelarts.total, 6)
  const versions = body.modelarts.versions as { version_id: string; status_name: string; progress: { done: number } }[]
  t.equal(versions.length, 6)
  const version = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr'
  t.match(versions[0], {
    project_id: 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60',
    task_id: 'SNEJua7qdZZN8GvkcEr',
    task_name: 'animals-augmentation',
    version_id: '7PoIhUzSk92OglQrTxr',
    version_name: 'V002',
    status: 2,
    status_name: 'completed',
    progress: { done: 2, total: 2 },
    next: null,
    create_time: '2020-11-26T07:30:00.000Z',
    started_at: '2020-11-26T07:30:06.000Z',
    ended_at: '2020-11-26T07:40:18.000Z',
    sample_count: 30,
    version_url: version,
    results_url: `${version}/results`,
    previews: [
      { sample_id: '0ac9aee517acbef965f547bb5a3268af', origin_url: /^\/obs\/test-obs\/classify\/data\/animals\/8\.jpg\?AccessKeyId=RESULTBOXSANDBOXAK01&Expires=1767229200&/, processed_url: /^\/obs\/test-obs\/classify\/output\/7PoIhUzSk92OglQrTxr\/Data\/8\.jpg\?/ },
      { sample_id: '196799b2d731727b1800b70851fc60b0', origin_url: /^\/obs\/test-obs\/classify\/data\/animals\/2\.jpg\?/, processed_url: /^\/obs\/test-obs\/classify\/output\/7PoIhUzSk92OglQrTxr\/Data\/2\.jpg\?/ },
      { sample_id: '1dc7351b78dcb24850f71d20267edd0e', origin_url: String, processed_url: String },
    ],
  }, 'the newest version first, its samples counted, its first three samples linked for the status page')
  t.strictSame(body.modelarts.versions.filter((item: { status: number }) => item.status !== 2).map((item: { previews: unknown[] }) => item.previews.length), [0, 0, 0, 0], 'a version not completed has no previews')
  t.strictSame(Object.fromEntries(versions.map((entry) => [entry.status_name, entry.progress.done])), { completed: 2, stopped: 2, initialized: 0, running: 1, failed: 2 },
    'a version that never started is at 0 of 2, one still running at 1, an ended one at 2')
})

t.test('the clock moves the snapshot: plugins finish in due order, the complete result goes once read', async (t) => {
  const { app } = await startSandbox(t)
  const advanced = await post(app, '/_resultbox/clock', { advance_ms: 4000 })
  t.equal(advanced.statusCode, 200)
  let result = (await state(t, app)).prpm.results[0]
  t.match(result, {
    status: 'processing',
    finished_plugins: ['plugin-random-forest-alarm', 'plugin-knn-next-activity'],
    progress: { done: 2, total: 3 },
    next: { what: 'plugin-causallift-treatment-effect finishes', at: iso(START + 6000) },
  })

  await post(app, '/_resultbox/clock', { advance_ms: 6000 })
  const after = await state(t, app)
  t.equal(after.clock.now_ms, START + 10_000)
  result = after.prpm.results[0]
  t.match(result, {
    status: 'complete',
    finished_plugins: ['plugin-random-forest-alarm', 'plugin-knn-next-activity', 'plugin-causallift-treatment-effect'],
    progress: { done: 3, total: 3 },
    next: null,
  })

  const read = await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)
  t.equal(read.json().message, 'Ongoing dataset result retrieved successfully')
  const gone = await state(t, app)
  t.equal(gone.prpm.total, 0, 'PrCore deletes a complete result on its first read; the snapshot shows the same')
  t.strictSame(gone.prpm.results, [])
})

t.test('the snapshot follows each vendor\'s scenario along its timeline', async (t) => {
  const { app } = await startSandbox(t)
  // A second on, so that what the scenarios create is the newest of each vendor.
  await post(app, '/_resultbox/clock', { advance_ms: 1000 })
  const now = START + 1000
  const prpm = await post(app, '/_resultbox/scenarios/prpm', { result_key: 'Scenario', plugins: [{ plugin: 'plugin-random-forest-alarm', finishes_after_ms: 1000 }], case_count: 2 })
  t.equal(prpm.statusCode, 201)
  const explorer = await post(app, '/_resultbox/scenarios/explorer', {
    job_id: 40001, tasks: [{ name: 'WCC', runs_for_ms: 1000 }, { name: 'Louvain', runs_for_ms: 1000, outcome: 'failed' }],
  })
  t.equal(explorer.statusCode, 201)
  const modelarts = await post(app, '/_resultbox/scenarios/modelarts', { version_id: 'ScenarioVersion1', starts_after_ms: 1000, runs_for_ms: 5000 })
  t.equal(modelarts.statusCode, 201)
  const { task_id: taskId, version_url: versionUrl, results_url: resultsUrl } = modelarts.json()

  const created = await state(t, app)
  const projectId = prpm.json().project_id as number
  t.equal(created.prpm.total, 2)
  t.match(created.prpm.results[0], {
    project_id: projectId,
    result_key: 'Scenario',
    status: 'processing',
    project_status: 'PREPROCESSING',
    expected_plugins: ['plugin-random-forest-alarm'],
    progress: { done: 0, total: 1 },
    // Dispatched once the project is trained: 35 s preprocessing, 7 s training, then 1 s.
    next: { what: 'plugin-random-forest-alarm finishes', at: iso(now + 43_000) },
    cases_count: 2,
    result_url: `/project/${projectId}/result/Scenario`,
  })
  t.match(created.prpm.projects[0], { id: projectId, status: 'PREPROCESSING', next: { what: 'TRAINING', at: iso(now + 35_000) } })
  t.match(created.explorer.jobs[0], {
    id: 40001,
    status: 0,
    status_name: 'preparing',
    progress: { done: 0, total: 2 },
    next: { what: 'job running', at: iso(now + 2000) },
    create_time: iso(now),
    tasks: [{ id: 'analytics_wcc_1', status_name: 'preparing', run_begin_time: null }, { id: 'analytics_louvain_2', status_name: 'preparing' }],
  })
  t.match(created.modelarts.versions[0], {
    task_id: taskId,
    version_id: 'ScenarioVersion1',
    version_name: 'V001',
    status: 0,
    status_name: 'initialized',
    progress: { done: 0, total: 2 },
    next: { what: 'running', at: iso(now + 1000) },
    started_at: null,
    sample_count: 10,
    version_url: versionUrl,
    results_url: resultsUrl,
  })

  await post(app, '/_resultbox/clock', { advance_ms: 3500 })
  const midway = await state(t, app)
  t.match(midway.explorer.jobs[0], {
    status_name: 'running',
    progress: { done: 1, total: 2 },
    next: { what: 'task analytics_louvain_2 failed', at: iso(now + 4000) },
    tasks: [{ status_name: 'success', run_begin_time: iso(now + 2000), run_end_time: iso(now + 3000) }, { status_name: 'running', run_end_time: null }],
  })
  t.match(midway.modelarts.versions[0], { status_name: 'running', progress: { done: 1, total: 2 }, next: { what: 'completed', at: iso(now + 6000) }, started_at: iso(now + 1000) })

  await post(app, '/_resultbox/clock', { advance_ms: 60_000 })
  const ended = await state(t, app)
  t.match(ended.prpm.results[0], { result_key: 'Scenario', status: 'complete', project_status: 'TRAINED', progress: { done: 1, total: 1 }, next: null })
  t.match(ended.prpm.projects[0], { id: projectId, status: 'TRAINED', next: null })
  t.match(ended.explorer.jobs[0], { status: 3, status_name: 'failed', progress: { done: 2, total: 2 }, next: null, run_end_time: iso(now + 4000) })
  t.match(ended.modelarts.versions[0], { status: 2, status_name: 'completed', progress: { done: 2, total: 2 }, next: null, ended_at: iso(now + 6000) })
})

t.test('with a control token the snapshot wants it, in the control API\'s 401 envelope; the page itself does not', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 's3cret' } })
  const missing = await get(app, '/_resultbox/state')
  t.equal(missing.statusCode, 401)
  t.strictSame(missing.json(), { error: 'unauthorized', message: 'the control API wants Authorization: Bearer <token>' })
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="resultbox"')
  const wrong = await get(app, '/_resultbox/state', { authorization: 'Bearer nope' })
  t.equal(wrong.statusCode, 401)
  t.strictSame(wrong.json(), { error: 'unauthorized', message: 'wrong control API token' })
  const right = await get(app, '/_resultbox/state', { authorization: 'Bearer s3cret' })
  t.equal(right.statusCode, 200)
  t.equal(right.json().prpm.results[0].result_key, 'dVbQ3x7K')

  const page = await get(app, '/_resultbox/')
  t.equal(page.statusCode, 200, 'the page needs no token: it holds no data')
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
})

t.test('the page: one HTML document, its own script and style only, no data in it; /_resultbox leads to it', async (t) => {
  const { app } = await startSandbox(t)
  const page = await get(app, '/_resultbox/')
  t.equal(page.statusCode, 200)
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8')
  t.match(page.body, /^<!doctype html>\n<html lang="en" data-prefix="\/_resultbox">/)
  t.notMatch(page.body, /dVbQ3x7K|29988|7PoIhUzSk92OglQrTxr/, 'the data comes from the control API, not the page')
  t.notMatch(page.body, /\b(src|href)="(https?:)?\/\//, 'nothing loaded from elsewhere')
  const policy = String(page.headers['content-security-policy'])
  t.match(policy, /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'sha256-[A-Za-z0-9+/]+=*'; connect-src 'self';/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')

  const bare = await get(app, '/_resultbox')
  t.equal(bare.statusCode, 302)
  t.equal(bare.headers.location, '/_resultbox/')
})

t.test('with the control API off there is neither page nor snapshot', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL: 'false' } })
  for (const url of ['/_resultbox/', '/_resultbox/state']) {
    const res = await get(app, url)
    t.equal(res.statusCode, 404, url)
    t.strictSame(res.json(), { error: 'not_found', message: `no control endpoint GET ${url}` })
  }
})

t.test('the large fixture set: counts from what is stored, not from reading a million rows', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_FIXTURE_SCALE: 'large' } })
  const began = performance.now()
  const body = await state(t, app)
  t.comment(`GET /_resultbox/state on the large set: ${Math.round(performance.now() - began)} ms`)
  t.match(body.prpm.results.find((result: { result_key: string }) => result.result_key === 'BPIC2012'), { project_id: 2012, cases_count: 2618, progress: { total: 3 } })
  t.match(body.explorer.jobs.find((job: { id: number }) => job.id === 2012001), {
    status_name: 'success', progress: { done: 2, total: 2 }, tasks: [{ id: 'pagerank_1m' }, { id: 'apsp_100k' }],
  })
  t.match(body.modelarts.versions.find((version: { version_id: string }) => version.version_id === 'BenchVersion100k'), { sample_count: 100_000 })
})

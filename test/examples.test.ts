import path from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { SandboxClock } from '../src/clock.js'
import { operations, type OpenApiDocument } from '../src/contract/document.js'
import { ResponseContract } from '../src/contract/responses.js'
import { EXPLORER_EXAMPLE_LIMIT, explorerExamples } from '../src/explorer/examples.js'
import { MODELARTS_EXAMPLE_LIMIT, modelartsExampleTime, modelartsExamples } from '../src/modelarts/examples.js'
import { loadModelArtsFixture } from '../src/modelarts/fixtures.js'
import { PRPM_EXAMPLE_TIME, prpmExampleWorkflow, prpmExamples } from '../src/prpm/examples.js'
import { loadPrpmFixture } from '../src/prpm/fixtures.js'
import type { OperationExamples } from '../src/schemas.js'
import { CREDENTIALS, START, get, repoRoot, startSandbox } from './helpers/sandbox.js'
import { postForm, sendJson } from './helpers/prpm.js'

const fixturesDir = path.join(repoRoot, 'fixtures')
const migrationsDir = path.join(repoRoot, 'migrations')
const VENDOR_TAGS = ['prpm', 'explorer', 'modelarts']

const allExamples = (): OperationExamples => ({
  ...prpmExamples(fixturesDir, migrationsDir),
  ...explorerExamples(fixturesDir),
  ...modelartsExamples(fixturesDir),
})

/** One example by operation, status and name; failing loudly when it is missing. */
function example(examples: OperationExamples, operationId: string, status: number, name: string): unknown {
  const value = examples[operationId]?.[status]?.[name]
  if (value === undefined) throw new Error(`no example ${operationId} ${status} ${name}`)
  return value
}

/** The response is the example: status and body. */
function answers(t: Test, res: { statusCode: number; body: string }, examples: OperationExamples, operationId: string, status: number, name: string) {
  t.equal(res.statusCode, status, `${operationId} ${name}: status`)
  t.strictSame(JSON.parse(res.body), example(examples, operationId, status, name), `${operationId} ${name}: body`)
}

async function documentOf(t: Test, app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await get(app, '/_resultbox/openapi.json')
  t.equal(res.statusCode, 200)
  return res.json() as OpenApiDocument
}

t.test('every example in the document matches its own response schema', async (t) => {
  const { app } = await startSandbox(t)
  const document = await documentOf(t, app)
  const contract = new ResponseContract(document)
  let checked = 0
  for (const operation of operations(document)) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const [contentType, media] of Object.entries(response.content ?? {})) {
        for (const [name, { value }] of Object.entries(media.examples ?? {})) {
          const body = contentType.includes('json') ? JSON.stringify(value) : String(value)
          const violation = contract.check({ operationId: operation.operationId as string, status: Number(status), contentType, body })
          t.equal(violation, null, `${operation.operationId} ${status} ${name}`, { violation })
          checked++
        }
      }
    }
  }
  t.ok(checked > 100, `${checked} examples checked`)
})

t.test('every vendor response the document lists has examples, and they are the fixtures\' own', async (t) => {
  const { app } = await startSandbox(t)
  const document = await documentOf(t, app)
  const built = allExamples()
  const shown: OperationExamples = {}
  for (const operation of operations(document)) {
    if (!operation.tags?.some((tag) => VENDOR_TAGS.includes(tag))) continue
    const operationId = operation.operationId as string
    shown[operationId] = {}
    let success = false
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const [contentType, media] of Object.entries(response.content ?? {})) {
        // An object's bytes (an OBS download) have no example a document could carry.
        if ((media.schema as { format?: string } | undefined)?.format === 'binary') continue
        t.ok(Object.keys(media.examples ?? {}).length > 0, `${operationId} ${status} ${contentType} has examples`)
        shown[operationId][Number(status)] = Object.fromEntries(Object.entries(media.examples ?? {}).map(([name, { value }]) => [name, value]))
        if (status.startsWith('2')) success = true
      }
    }
    if (operationId !== 'getObject') t.ok(success, `${operationId} has a success example`)
  }
  t.strictSame(shown, JSON.parse(JSON.stringify(built)), 'the document carries exactly the examples built from the fixtures')
})

t.test('the same fixtures give byte-identical examples and document, whatever the sandbox time', async (t) => {
  t.equal(JSON.stringify(allExamples()), JSON.stringify(allExamples()))
  const early = await startSandbox(t, { clock: new SandboxClock({ start: START, frozen: true }) })
  const late = await startSandbox(t, { clock: new SandboxClock({ start: START + 86_400_000 * 365, frozen: true }) })
  const [first, second] = await Promise.all([early, late].map(({ app }) => get(app, '/_resultbox/openapi.json')))
  t.equal(first?.statusCode, 200)
  t.ok(first?.body.includes('"examples"'))
  t.equal(first?.body, second?.body)
})

t.test('PrPM answers its examples: the workflow, the seed result and the refusals', async (t) => {
  const fixture = loadPrpmFixture(fixturesDir)
  const workflow = prpmExampleWorkflow(fixture)
  if (!workflow) throw new Error('the fixture has no workflow to follow')
  const examples = prpmExamples(fixturesDir, migrationsDir)
  const { app, clock } = await startSandbox(t, { clock: new SandboxClock({ start: PRPM_EXAMPLE_TIME, frozen: true }) })

  // The example client, at the examples' own time: upload, define, create.
  const csv = [workflow.log.columns, ...workflow.log.rows].map((row) => row.map((value) => `"${value.replaceAll('"', '""')}"`).join(',')).join('\n')
  const uploaded = await postForm(app, '/event_log', [{ name: 'file', filename: workflow.log.fileName, content: csv }])
  answers(t, uploaded, examples, 'uploadEventLog', 200, 'uploaded')
  const eventLogId = uploaded.json().event_log_id as number
  answers(t, await sendJson(app, 'PUT', `/event_log/${eventLogId + 1}`, workflow.definition), examples, 'defineColumns', 404, 'eventLogNotFound')
  answers(t, await sendJson(app, 'PUT', `/event_log/${eventLogId}`, workflow.definition), examples, 'defineColumns', 200, 'defined')
  const request = { event_log_id: eventLogId, ...workflow.project }
  const created = await sendJson(app, 'POST', '/project', request)
  answers(t, created, examples, 'createProject', 200, 'created')
  answers(t, await sendJson(app, 'POST', '/project', request), examples, 'createProject', 400, 'projectExists')
  const dataset = await postForm(app, `/project/${created.json().project.id}/result`, [{ name: 'file', filename: 'ongoing.csv', content: csv }])
  answers(t, dataset, examples, 'uploadDataset', 400, 'notReady')
  answers(t, await postForm(app, '/event_log', [{ name: 'separator', value: ',' }]), examples, 'uploadEventLog', 422, 'fileMissing')
  answers(t, await postForm(app, '/event_log', [{ name: 'file', filename: 'log.txt', content: csv }]), examples, 'uploadEventLog', 400, 'invalidLog')
  answers(t, await sendJson(app, 'PUT', `/event_log/${eventLogId}`, {}), examples, 'defineColumns', 422, 'definitionMissing')
  answers(t, await sendJson(app, 'POST', '/project', {}), examples, 'createProject', 422, 'eventLogIdMissing')
  const xml = await app.inject({
    method: 'POST', url: '/project', payload: '<project/>', headers: { ...CREDENTIALS.prpm, 'content-type': 'application/xml' },
  })
  answers(t, xml, examples, 'createProject', 415, 'unsupportedMediaType')

  const projectId = workflow.result.project_id
  answers(t, await get(app, `/project/${projectId}`, CREDENTIALS.prpm), examples, 'getProject', 200, 'trained')
  const inError = fixture.projects.find((project) => project.status === 'ERROR')
  if (inError) {
    answers(t, await get(app, `/project/${inError.id}`, CREDENTIALS.prpm), examples, 'getProject', 200, 'inError')
    answers(t, await get(app, `/project/${inError.id}/result/AAAAAAAA`, CREDENTIALS.prpm), examples, 'getResult', 400, 'projectInError')
  }
  answers(t, await get(app, '/project/abc', CREDENTIALS.prpm), examples, 'getProject', 422, 'projectIdNotInteger')
  answers(t, await get(app, `/project/${projectId}/result/AAAAAAAA`, CREDENTIALS.prpm), examples, 'getResult', 404, 'resultNotFound')
  answers(t, await get(app, `/project/${projectId}`), examples, 'getProject', 401, 'notAuthenticated')
  answers(t, await get(app, `/project/${projectId}`, { authorization: 'Bearer nope' }), examples, 'getProject', 401, 'invalidToken')

  // The seed result as its plugins finish: the first, then all.
  const resultUrl = `/project/${projectId}/result/${workflow.result.result_key}`
  const offsets = workflow.result.plugin_timeline.map((entry) => entry.finishes_after_seconds * 1000)
  clock.set(PRPM_EXAMPLE_TIME + Math.min(...offsets))
  answers(t, await get(app, resultUrl, CREDENTIALS.prpm), examples, 'getResult', 200, 'processing')
  clock.set(PRPM_EXAMPLE_TIME + Math.max(...offsets))
  answers(t, await get(app, resultUrl, CREDENTIALS.prpm), examples, 'getResult', 200, 'complete')
})

t.test('Explorer answers its examples', async (t) => {
  const examples = explorerExamples(fixturesDir)
  const { app } = await startSandbox(t)
  const api = '/api-open/v1'
  const explorer = (url: string, headers: Record<string, string> = CREDENTIALS.explorer) => get(app, `${api}${url}`, headers)

  const pageRank = '/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result'
  answers(t, await explorer(`${pageRank}?limit=${EXPLORER_EXAMPLE_LIMIT}`), examples, 'sampleResult', 200, 'firstRows')
  answers(t, await explorer('/jobs/29988/tasks/analytics_bfs_2/sample_result'), examples, 'sampleResult', 400, 'taskRunning')
  answers(t, await explorer('/jobs/29990/tasks/analytics_louvain_4/sample_result'), examples, 'sampleResult', 500, 'taskFailed')
  answers(t, await explorer('/jobs/0/tasks/x/sample_result'), examples, 'sampleResult', 500, 'jobNotFound')
  answers(t, await explorer(pageRank, {}), examples, 'sampleResult', 401, 'tokenMissing')
  answers(t, await explorer('/jobs/29987', { cookie: 'explorer_token=nope' }), examples, 'getJob', 401, 'tokenInvalid')
  answers(t, await explorer('/jobs/29987'), examples, 'getJob', 200, 'success')
  answers(t, await explorer('/jobs/29988'), examples, 'getJob', 200, 'running')
  answers(t, await explorer('/jobs'), examples, 'listJobs', 200, 'firstPage')
  answers(t, await explorer('/jobs?filter=%7B'), examples, 'listJobs', 400, 'filterInvalid')
  answers(t, await explorer('/workflows/4/jobs'), examples, 'listWorkflowJobs', 200, 'firstPage')
  const cancel = await app.inject({ method: 'PUT', url: `${api}/jobs/29987/cancel`, headers: CREDENTIALS.explorer })
  answers(t, cancel, examples, 'cancelJob', 400, 'jobSuccess')
  const created = await app.inject({ method: 'POST', url: `${api}/workflows/4/jobs`, headers: CREDENTIALS.explorer })
  answers(t, created, examples, 'createJob', 200, 'created')
  const needsInput = await app.inject({ method: 'POST', url: `${api}/workflows/5/jobs`, headers: CREDENTIALS.explorer, payload: {} })
  answers(t, needsInput, examples, 'createJob', 500, 'inputMissing')
  const connect = await app.inject({ method: 'POST', url: `${api}/connect`, payload: { address: 'graphd', port: 9669 } })
  answers(t, connect, examples, 'connect', 401, 'credentialsMissing')
})

t.test('ModelArts answers its examples, at the fixture\'s last moment', async (t) => {
  const examples = modelartsExamples(fixturesDir)
  const clock = new SandboxClock({ start: modelartsExampleTime(loadModelArtsFixture(fixturesDir)), frozen: true })
  const { app } = await startSandbox(t, { clock })
  const tasks = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks'
  const modelarts = (url: string, headers: Record<string, string> = CREDENTIALS.modelarts) => get(app, `${tasks}${url}`, headers)

  const animals = '/SNEJua7qdZZN8GvkcEr'
  const completed = `${animals}/versions/7PoIhUzSk92OglQrTxr`
  // The signed URLs point at the origin the client called: the quick start's, here.
  answers(t, await modelarts(`${completed}/results?limit=${MODELARTS_EXAMPLE_LIMIT}`, { ...CREDENTIALS.modelarts, host: 'localhost:8080' }), examples, 'getVersionResults', 200, 'firstPage')
  answers(t, await modelarts(animals), examples, 'getProcessorTask', 200, 'completed')
  answers(t, await modelarts(completed), examples, 'getProcessorTaskVersion', 200, 'completed')
  const flowers = '/kQ3vT8xNwP5rYb2LmZc'
  answers(t, await modelarts(flowers), examples, 'getProcessorTask', 200, 'stopped')
  answers(t, await modelarts(`${flowers}/versions/Hj6mP2wQzR8tN5xVc1L`), examples, 'getProcessorTaskVersion', 200, 'running')
  answers(t, await modelarts(`${flowers}/versions/Hj6mP2wQzR8tN5xVc1L/results`), examples, 'getVersionResults', 403, 'versionNotFinished')
  answers(t, await modelarts(`${flowers}/versions/Dg9kS3vBnM7qW4yTe2F/results`), examples, 'getVersionResults', 403, 'versionInitializing')
  answers(t, await modelarts(`${flowers}/versions/Rn4cX7pLqW2sT9vYb3K/results`), examples, 'getVersionResults', 500, 'versionFailed')
  answers(t, await modelarts('/noSuchTask'), examples, 'getProcessorTask', 400, 'taskNotFound')
  answers(t, await modelarts(completed, { 'x-auth-token': 'nope' }), examples, 'getProcessorTaskVersion', 401, 'invalidToken')

  // The gateway's id is new for each request: the body names the one its header gives.
  const missing = await modelarts(animals, {})
  t.equal(missing.statusCode, 401)
  const tokenMissing = example(examples, 'getProcessorTask', 401, 'tokenMissing') as Record<string, unknown>
  t.strictSame(missing.json(), { ...tokenMissing, request_id: missing.headers['x-request-id'] })
})

import path from 'node:path'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { SandboxClock } from '../src/clock.js'
import { operations, type OpenApiDocument } from '../src/contract/document.js'
import { ResponseContract } from '../src/contract/responses.js'
import { EXPLORER_EXAMPLE_LIMIT, explorerExamples } from '../src/explorer/examples.js'
import { MODELARTS_EXAMPLE_LIMIT, modelartsExampleTime, modelartsExamples } from '../src/modelarts/examples.js'
import { loadModelArtsFixture } from '../src/modelarts/fixtures.js'
import { PRPM_EXAMPLE_TIME, PRPM_EXAMPLE_UNKNOWN_ID, prpmExampleWorkflow, prpmExamples, prpmManagementPlan, type PrpmManagementPlan } from '../src/prpm/examples.js'
import { loadPrpmFixture } from '../src/prpm/fixtures.js'
import type { OperationExamples } from '../src/schemas.js'
import { CREDENTIALS, START, get, repoRoot, startSandbox } from './helpers/sandbox.js'
import { multipart, postForm, sendJson, type Part } from './helpers/prpm.js'

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
    let fileOnly = false
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      for (const [contentType, media] of Object.entries(response.content ?? {})) {
        // A file's bytes (an OBS object, a PrPM dataset download) have no example a document could carry.
        if ((media.schema as { format?: string } | undefined)?.format === 'binary') {
          if (status.startsWith('2')) fileOnly = true
          continue
        }
        t.ok(Object.keys(media.examples ?? {}).length > 0, `${operationId} ${status} ${contentType} has examples`)
        shown[operationId][Number(status)] = Object.fromEntries(Object.entries(media.examples ?? {}).map(([name, { value }]) => [name, value]))
        if (status.startsWith('2')) success = true
      }
    }
    if (!fileOnly || success) t.ok(success, `${operationId} has a success example`)
    else t.ok(['getObject', 'downloadDataset'].includes(operationId), `${operationId} answers a file: its success has no example`)
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

/** A client's CSV of rows, every value quoted. */
const csvOf = (columns: string[], rows: string[][]) =>
  [columns, ...rows].map((row) => row.map((value) => `"${value.replaceAll('"', '""')}"`).join(',')).join('\n')

function managementPlan(): PrpmManagementPlan {
  const plan = prpmManagementPlan(loadPrpmFixture(fixturesDir))
  if (!plan) throw new Error('the fixture has no two trained projects to work with')
  return plan
}

/** Every frame a Server-Sent Events answer sent, once it has ended. */
async function streamed(stream: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return text
}

t.test('PrPM answers its examples: projects, event logs, plugins, downloads and streams, in the examples\' order', async (t) => {
  const plan = managementPlan()
  const examples = prpmExamples(fixturesDir, migrationsDir)
  const { app } = await startSandbox(t, { clock: new SandboxClock({ start: PRPM_EXAMPLE_TIME, frozen: true }), env: { RESULTBOX_PRPM_STREAM_POLL_MS: '20' } })
  const auth = CREDENTIALS.prpm
  const read = (url: string, headers: Record<string, string> = auth) => get(app, url, headers)
  const put = (url: string) => app.inject({ method: 'PUT', url, headers: auth })
  const putForm = (url: string, parts: Part[]) => app.inject({ method: 'PUT', url, ...multipart(parts) })
  const is = (res: { statusCode: number; body: string }, operationId: string, status: number, name: string) => answers(t, res, examples, operationId, status, name)
  const unknown = PRPM_EXAMPLE_UNKNOWN_ID
  const { projectId, streamProjectId: streamProject, inErrorId } = plan
  const eventLogId = (example(examples, 'getEventLog', 200, 'defined') as { event_log: { id: number } }).event_log.id
  const pluginId = (example(examples, 'getPlugin', 200, 'trained') as { plugin: { id: number } }).plugin.id

  // Reads of the seed.
  is(await get(app, '/'), 'getRoot', 200, 'root')
  is(await read('/project/all'), 'listProjects', 200, 'firstPage')
  is(await read('/project/all?page=2'), 'listProjects', 200, 'pastTheEnd')
  is(await read('/project/all?page=0'), 'listProjects', 422, 'pageTooSmall')
  is(await read('/project/all?size=101'), 'listProjects', 422, 'sizeTooLarge')
  is(await read('/project/all', {}), 'listProjects', 401, 'notAuthenticated')
  is(await read('/project/all', { authorization: 'Bearer nope' }), 'listProjects', 401, 'invalidToken')
  is(await read('/event_log/all'), 'listEventLogs', 200, 'all')
  is(await read('/event_log/all?skip=x'), 'listEventLogs', 422, 'skipNotInteger')
  is(await read(`/event_log/${eventLogId}`), 'getEventLog', 200, 'defined')
  is(await read(`/event_log/${unknown}`), 'getEventLog', 404, 'eventLogNotFound')
  is(await read('/event_log/abc'), 'getEventLog', 422, 'eventLogIdNotInteger')
  is(await read(`/event_log/${eventLogId}/definition`), 'getEventLogDefinition', 200, 'definition')
  is(await read(`/event_log/${unknown}/definition`), 'getEventLogDefinition', 404, 'eventLogNotFound')
  is(await read('/event_log/abc/definition'), 'getEventLogDefinition', 422, 'eventLogIdNotInteger')
  is(await read('/plugin/all'), 'listPlugins', 200, 'all')
  is(await read('/plugin/all?skip=x'), 'listPlugins', 422, 'skipNotInteger')
  is(await read('/plugin/available'), 'listAvailablePlugins', 200, 'online')
  is(await read(`/plugin/${pluginId}`), 'getPlugin', 200, 'trained')
  is(await read(`/plugin/${unknown}`), 'getPlugin', 404, 'pluginNotFound')
  is(await read('/plugin/abc'), 'getPlugin', 422, 'pluginIdNotInteger')
  is(await read(`/project/${unknown}/dataset/original`), 'downloadDataset', 400, 'projectNotFound')
  is(await read(`/project/${projectId}/dataset/nope`), 'downloadDataset', 400, 'invalidType')
  if (inErrorId !== null) is(await read(`/project/${inErrorId}/dataset/original`), 'downloadDataset', 400, 'notProducible')
  is(await read('/project/abc/dataset/original'), 'downloadDataset', 422, 'projectIdNotInteger')

  // The first project: renamed, its plugin switched off and on, given additional info, then new parameters (it retrains).
  is(await sendJson(app, 'PUT', `/project/${projectId}`, plan.info), 'updateProject', 200, 'updated')
  is(await sendJson(app, 'PUT', `/project/${unknown}`, plan.info), 'updateProject', 400, 'projectNotFound')
  is(await sendJson(app, 'PUT', `/project/${projectId}`, { description: plan.info.description }), 'updateProject', 422, 'nameMissing')
  is(await sendJson(app, 'PUT', '/project/abc', plan.info), 'updateProject', 422, 'projectIdNotInteger')
  is(await sendJson(app, 'PUT', `/project/${projectId}`, { name: 'x'.repeat(1_100_000) }), 'updateProject', 413, 'tooLarge')
  is(await app.inject({ method: 'PUT', url: `/project/${projectId}`, payload: '<project/>', headers: { ...auth, 'content-type': 'application/xml' } }), 'updateProject', 415, 'unsupportedMediaType')
  is(await put(`/plugin/${pluginId}/disable`), 'switchPlugin', 200, 'disabled')
  is(await put(`/plugin/${pluginId}/disable`), 'switchPlugin', 400, 'alreadyDisabled')
  is(await put(`/plugin/${pluginId}/enable`), 'switchPlugin', 200, 'enabled')
  is(await put(`/plugin/${pluginId}/enable`), 'switchPlugin', 400, 'alreadyEnabled')
  is(await put(`/plugin/${pluginId}/toggle`), 'switchPlugin', 400, 'invalidTrigger')
  is(await put(`/plugin/${unknown}/enable`), 'switchPlugin', 404, 'pluginNotFound')
  is(await put('/plugin/abc/enable'), 'switchPlugin', 422, 'pluginIdNotInteger')
  is(await sendJson(app, 'PUT', `/plugin/${pluginId}`, plan.additionalInfo), 'updatePlugin', 200, 'additionalInfo')
  is(await sendJson(app, 'PUT', `/plugin/${unknown}`, plan.additionalInfo), 'updatePlugin', 404, 'pluginNotFound')
  is(await sendJson(app, 'PUT', `/plugin/${pluginId}`, { parameters: 5 }), 'updatePlugin', 422, 'parametersNotObject')
  is(await put(`/plugin/${pluginId}`), 'updatePlugin', 422, 'bodyMissing')
  is(await sendJson(app, 'PUT', '/plugin/abc', plan.additionalInfo), 'updatePlugin', 422, 'pluginIdNotInteger')
  is(await sendJson(app, 'PUT', `/plugin/${pluginId}`, plan.retrain), 'updatePlugin', 200, 'retraining')
  is(await sendJson(app, 'PUT', `/plugin/${pluginId}`, plan.retrain), 'updatePlugin', 400, 'projectNotReady')
  is(await put(`/plugin/${pluginId}/disable`), 'switchPlugin', 400, 'projectNotReady')
  is(await sendJson(app, 'PUT', `/project/${projectId}/definition`, plan.redefinition), 'redefineProject', 400, 'notReady')
  is(await put(`/project/${projectId}/stream/start`), 'startStream', 400, 'notTrained')
  is(await sendJson(app, 'POST', `/project/${projectId}/stream/event`, plan.event), 'postStreamEvent', 400, 'notStreaming')
  // Re-uploads refused before they take effect (the one that takes effect has a test of its own, below).
  const reupload = [{ name: 'file', filename: plan.reupload.fileName, content: csvOf(plan.reupload.columns, plan.reupload.rows) }]
  is(await putForm(`/event_log/${eventLogId}/upload`, reupload), 'reuploadEventLog', 400, 'notReady')
  is(await putForm(`/event_log/${eventLogId}/upload`, [{ name: 'file', filename: 'log.txt', content: 'a,b\n1,2\n' }]), 'reuploadEventLog', 400, 'invalidLog')
  const broken = { ...auth, 'content-type': 'multipart/form-data; boundary=x' }
  is(await app.inject({ method: 'PUT', url: `/event_log/${eventLogId}/upload`, payload: '--x\r\nnot a part', headers: broken }), 'reuploadEventLog', 400, 'unparsableBody')
  is(await putForm(`/event_log/${unknown}/upload`, reupload), 'reuploadEventLog', 404, 'eventLogNotFound')
  is(await putForm('/event_log/abc/upload', reupload), 'reuploadEventLog', 422, 'eventLogIdNotInteger')

  // The second project: streamed, a reader hears it stop; streamed again, sent events, cleared.
  const stream = (id: number | string, action: string) => put(`/project/${id}/stream/${action}`)
  const resultUrl = `/project/${streamProject}/stream/result`
  is(await stream(streamProject, 'stop'), 'stopStream', 400, 'notStarted')
  is(await read(resultUrl), 'readStream', 400, 'notStreaming')
  for (const [operationId, action] of [['startStream', 'start'], ['startStreamOfType', 'start/streaming'], ['stopStream', 'stop'], ['readStream', 'result']] as const) {
    const send = (id: number | string) => (action === 'result' ? read(`/project/${id}/stream/result`) : stream(id, action))
    is(await send(unknown), operationId, 400, 'projectNotFound')
    if (inErrorId !== null) is(await send(inErrorId), operationId, 400, 'projectInError')
    is(await send('abc'), operationId, 422, 'projectIdNotInteger')
  }
  is(await stream(streamProject, 'start/bogus'), 'startStreamOfType', 400, 'invalidType')
  is(await stream(streamProject, 'start/streaming'), 'startStreamOfType', 200, 'streaming')
  is(await stream(streamProject, 'start/simulating'), 'startStreamOfType', 400, 'alreadyStarted')
  const reader = await app.inject({ method: 'GET', url: resultUrl, headers: auth, payloadAsStream: true })
  t.equal(reader.statusCode, 200, 'a reader is connected')
  t.equal(reader.headers['content-type'], 'text/event-stream')
  is(await read(resultUrl), 'readStream', 400, 'alreadyReading')
  is(await stream(streamProject, 'stop'), 'stopStream', 200, 'stopped')
  t.equal(await streamed(reader.stream()), example(examples, 'readStream', 200, 'stopped'), 'readStream stopped: the frames')
  is(await stream(streamProject, 'start'), 'startStream', 200, 'started')
  is(await stream(streamProject, 'start'), 'startStream', 400, 'alreadyStarted')
  const eventUrl = `/project/${streamProject}/stream/event`
  is(await sendJson(app, 'POST', eventUrl, plan.event), 'postStreamEvent', 200, 'received')
  is(await sendJson(app, 'POST', eventUrl, plan.lastEvent), 'postStreamEvent', 200, 'lastEvent')
  is(await sendJson(app, 'POST', eventUrl, {}), 'postStreamEvent', 400, 'missingColumn')
  const notAString = await sendJson(app, 'POST', eventUrl, { ...plan.event, [plan.objectColumn]: [plan.event[plan.objectColumn]] })
  is(notAString, 'postStreamEvent', 400, 'notAString')
  t.equal(notAString.headers['content-type'], undefined, 'pydantic\'s list goes without a content type')
  t.equal(notAString.body, JSON.stringify(example(examples, 'postStreamEvent', 400, 'notAString'), null, 2), 'indented by 2')
  is(await sendJson(app, 'POST', `/project/${unknown}/stream/event`, plan.event), 'postStreamEvent', 400, 'projectNotFound')
  is(await sendJson(app, 'POST', '/project/abc/stream/event', plan.event), 'postStreamEvent', 422, 'projectIdNotInteger')
  const notJson = await app.inject({ method: 'POST', url: eventUrl, payload: '{"Case ID":', headers: { ...auth, 'content-type': 'application/json' } })
  t.equal(notJson.statusCode, 500, 'postStreamEvent: JSON that does not parse is PrCore\'s 500')
  t.equal(notJson.body, example(examples, 'postStreamEvent', 500, 'internal'))
  // PrCore reads the body whatever its type, one that is no media type too: an empty event misses its columns.
  is(await app.inject({ method: 'POST', url: eventUrl, payload: '{}', headers: { ...auth, 'content-type': 'garbage' } }), 'postStreamEvent', 400, 'missingColumn')
  is(await stream(streamProject, 'clear'), 'clearStream', 200, 'cleared')
  is(await stream(unknown, 'clear'), 'clearStream', 400, 'projectNotFound')
  if (inErrorId !== null) is(await stream(inErrorId, 'clear'), 'clearStream', 400, 'projectInError')
  is(await stream('abc', 'clear'), 'clearStream', 422, 'projectIdNotInteger')

  // Then redefined, so pre-processed again, and deleted.
  const definitionUrl = `/project/${streamProject}/definition`
  const conflicting = { ...plan.redefinition, negative_outcome: plan.redefinition.positive_outcome ?? [] }
  is(await sendJson(app, 'PUT', definitionUrl, conflicting), 'redefineProject', 400, 'conflict')
  is(await sendJson(app, 'PUT', `/project/${unknown}/definition`, plan.redefinition), 'redefineProject', 400, 'projectNotFound')
  is(await put(definitionUrl), 'redefineProject', 422, 'bodyMissing')
  is(await sendJson(app, 'PUT', '/project/abc/definition', plan.redefinition), 'redefineProject', 422, 'projectIdNotInteger')
  is(await sendJson(app, 'PUT', definitionUrl, plan.redefinition), 'redefineProject', 200, 'redefined')
  is(await read(`/project/${streamProject}/dataset/processed`), 'downloadDataset', 400, 'notPreprocessed')
  is(await app.inject({ method: 'DELETE', url: `/project/${streamProject}`, headers: auth }), 'deleteProject', 200, 'deleted')
  is(await app.inject({ method: 'DELETE', url: `/project/${streamProject}`, headers: auth }), 'deleteProject', 400, 'projectNotFound')
  is(await app.inject({ method: 'DELETE', url: '/project/abc', headers: auth }), 'deleteProject', 422, 'projectIdNotInteger')
})

t.test('PrPM\'s re-upload answers its examples: PrCore\'s 400 by default, the intended 200 when asked', async (t) => {
  const plan = managementPlan()
  const examples = prpmExamples(fixturesDir, migrationsDir)
  const eventLogId = (example(examples, 'getEventLog', 200, 'defined') as { event_log: { id: number } }).event_log.id
  const parts = [{ name: 'file', filename: plan.reupload.fileName, content: csvOf(plan.reupload.columns, plan.reupload.rows) }]
  for (const answer of ['faithful', 'intended']) {
    const { app } = await startSandbox(t, { clock: new SandboxClock({ start: PRPM_EXAMPLE_TIME, frozen: true }), env: { RESULTBOX_PRPM_REUPLOAD_ANSWER: answer } })
    const res = await app.inject({ method: 'PUT', url: `/event_log/${eventLogId}/upload`, ...multipart(parts) })
    if (answer === 'intended') {
      answers(t, res, examples, 'reuploadEventLog', 200, 'intended')
      continue
    }
    answers(t, res, examples, 'reuploadEventLog', 400, 'faithful')
    t.equal(res.headers['content-type'], undefined, 'faithful: no content type')
    t.equal(res.body, JSON.stringify(example(examples, 'reuploadEventLog', 400, 'faithful'), null, 2), 'faithful: indented by 2')
  }
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

  // The console's workflows and jobs.
  const consoleCall = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => app.inject({ method, url, headers: CREDENTIALS.explorer, ...(payload === undefined ? {} : { payload: payload as object }) })
  answers(t, await consoleCall('GET', '/api-analytics/jobs/29987'), examples, 'consoleGetJob', 200, 'succeeded')
  answers(t, await consoleCall('GET', '/api-analytics/flows'), examples, 'consoleListFlows', 200, 'firstPage')
  answers(t, await consoleCall('GET', '/api-analytics/flows?filter=%7B'), examples, 'consoleListFlows', 400, 'filterInvalid')
  answers(t, await consoleCall('GET', '/api-analytics/flows/1791614173'), examples, 'consoleGetFlow', 500, 'flowNotFound')
  answers(t, await consoleCall('POST', '/api-analytics/flows', { schema: '' }), examples, 'consoleCreateFlow', 400, 'nameMissing')
  answers(t, await consoleCall('POST', '/api-analytics/jobs', { id: '4' }), examples, 'consoleCreateJob', 400, 'flowIdMissing')
  answers(t, await consoleCall('POST', '/api-analytics/jobs', { flowId: '1791614173' }), examples, 'consoleCreateJob', 500, 'workflowNotFound')
  answers(t, await consoleCall('POST', '/api-analytics/jobs', { flowId: 5 }), examples, 'consoleCreateJob', 500, 'inputMissing')
  answers(t, await consoleCall('POST', '/api-analytics/jobs/result', { params: { hdfsPath: '/tmp' } }), examples, 'consoleJobResult', 400, 'hdfsPathInvalid')
  answers(t, await consoleCall('POST', '/api-analytics/controller', { method: 'POST', path: '/job/999/cancel' }), examples, 'consoleController', 500, 'jobNotFound')
  answers(t, await consoleCall('POST', '/api-analytics/controller', { method: 'GET', path: '/config/analytics/cluster' }), examples, 'consoleController', 500, 'notServed')
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

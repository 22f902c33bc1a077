import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Type } from '@sinclair/typebox'
import { parse as parseYaml } from 'yaml'
import { buildApp } from '../src/app.js'
import { SandboxClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { VIOLATION_HEADER } from '../src/contract/checking.js'
import type { OpenApiDocument } from '../src/contract/document.js'
import { OPENAPI_DIR, contractFiles } from '../src/contract/files.js'
import { ResponseContract, type ContractViolation } from '../src/contract/responses.js'
import { CREDENTIALS, START, get, repoRoot, startSandbox } from './helpers/sandbox.js'

const OPERATIONS = {
  prpm: [
    'getResult', 'uploadEventLog', 'defineColumns', 'createProject', 'getProject', 'uploadDataset',
    'getRoot', 'listProjects', 'updateProject', 'deleteProject', 'redefineProject', 'downloadDataset',
    'listEventLogs', 'getEventLog', 'getEventLogDefinition', 'reuploadEventLog',
    'listPlugins', 'listAvailablePlugins', 'getPlugin', 'updatePlugin', 'switchPlugin',
    'startStream', 'startStreamOfType', 'stopStream', 'clearStream', 'readStream', 'postStreamEvent',
  ],
  explorer: [
    'connect', 'createJob', 'listWorkflowJobs', 'listJobs', 'getJob', 'cancelJob', 'sampleResult', 'consoleConnect', 'consoleDisconnect', 'consoleExec',
    'consoleCreateFlow', 'consoleListFlows', 'consoleGetFlow', 'consoleUpdateFlow', 'consoleDeleteFlow', 'consoleFlowHistory', 'consoleRestoreFlow',
    'consoleCreateJob', 'consoleGetJob', 'consoleJobResult', 'consoleController',
  ],
  modelarts: ['getProcessorTask', 'getProcessorTaskVersion', 'getVersionResults', 'keystoneCreateUserTokenByPassword', 'getObject', 'listObjects'],
  control: [
    'health', 'ready', 'getOpenapi', 'getOpenapiYaml', 'getStatusPage', 'getState', 'resetState', 'createPrpmScenario', 'createExplorerScenario',
    'createModelartsScenario', 'getClock', 'changeClock', 'putFaults', 'getFaults', 'deleteFaults', 'listRequests', 'clearRequests',
    'listSandboxes', 'putSandbox', 'getSandbox', 'deleteSandbox', 'listProviderStates', 'changeProviderState',
  ],
} as const

function operationIds(document: OpenApiDocument): string[] {
  return Object.values(document.paths).flatMap((item) => Object.values(item).map((operation) => operation.operationId ?? '?'))
}

async function documentOf(app: Awaited<ReturnType<typeof startSandbox>>['app'], query = ''): Promise<OpenApiDocument> {
  const response = await get(app, `/_resultbox/openapi.json${query}`)
  t.equal(response.statusCode, 200, `openapi.json${query}`)
  return response.json()
}

t.test('the document is OpenAPI 3.1, valid, and lists every operation once under its vendor', async (t) => {
  const { app } = await startSandbox(t)
  const response = await get(app, '/_resultbox/openapi.json')
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'application/json; charset=utf-8')
  const document = response.json() as OpenApiDocument
  t.equal(document.openapi, '3.1.0')
  const result = await new Validator().validate(structuredClone(document) as never)
  t.ok(result.valid, 'valid per the OpenAPI 3.1 schema', { errors: result.errors })

  const all = Object.values(OPERATIONS).flat()
  t.strictSame(operationIds(document).sort(), [...all].sort(), 'every route, each operationId once')
  for (const operation of Object.values(document.paths).flatMap((item) => Object.values(item))) {
    const vendor = (Object.keys(OPERATIONS) as (keyof typeof OPERATIONS)[]).find((name) => (OPERATIONS[name] as readonly string[]).includes(operation.operationId ?? ''))
    t.strictSame(operation.tags, [vendor], `${operation.operationId} is tagged ${vendor}`)
  }
  const paths = document.paths
  t.strictSame(paths['/project/{project_id}/result/{result_key}']?.get?.security, [{ prpmBearer: [] }])
  t.strictSame(paths['/api-open/v1/connect']?.post?.security, [{ explorerCredentials: [] }])
  t.strictSame(paths['/api-open/v1/jobs/{job_id}/tasks/{task_id}/sample_result']?.get?.security, [{ explorerToken: [] }, { explorerTokenHeader: [] }])
  t.strictSame(paths['/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/results']?.get?.security, [{ modelartsToken: [] }, { modelartsAkSk: [] }])
  t.strictSame(paths['/v3/auth/tokens']?.post?.security, [], 'IAM\'s credentials are in the body')
  t.strictSame(paths['/obs/{bucket}/{key}']?.get?.security, [{ obsHeaderSignature: [] }, { obsSignedUrl: [] }])
  t.strictSame(paths['/_resultbox/clock']?.get?.security, [], 'no control token configured, none asked')
  t.match(paths['/_resultbox/clock']?.post?.responses, { 200: {}, 400: {}, 413: {}, 415: {} })
  t.notOk(paths['/_resultbox/clock']?.post?.responses?.['401'], 'no 401 without a token')

  const upload = paths['/event_log']?.post as { requestBody?: { content: Record<string, { schema: { required?: string[]; properties: object } }> } }
  t.strictSame(Object.keys(upload.requestBody?.content ?? {}), ['multipart/form-data'], 'an upload is described as the form it is')
  t.match(upload.requestBody?.content['multipart/form-data']?.schema, { required: ['file'], properties: { file: { format: 'binary' } } })

  // PrCore's root takes no token (prpm-api.md §0): the document should not ask one.
  t.strictSame(paths['/']?.get?.security, [], 'getRoot needs no token')
  t.notOk(paths['/']?.get?.responses?.['401'], 'nor does it document a 401')
  const download = paths['/project/{project_id}/dataset/{dataset_type}']?.get?.responses?.['200'] as { content: Record<string, { schema: { format?: string } }> }
  t.strictSame(Object.keys(download.content).sort(), ['application/zip', 'text/csv; charset=utf-8', 'text/plain; charset=utf-8'], 'a download is the file, typed by its extension')
  t.ok(Object.values(download.content).every((media) => media.schema.format === 'binary'))
  t.strictSame(Object.keys(paths['/project/{project_id}/stream/result']?.get?.responses?.['200']?.content ?? {}), ['text/event-stream'], 'the stream is Server-Sent Events')
  const reupload = paths['/event_log/{event_log_id}/upload']?.put as { requestBody?: { content: Record<string, unknown> } }
  t.strictSame(Object.keys(reupload.requestBody?.content ?? {}), ['multipart/form-data'], 'a re-upload is a form')
  t.match(paths['/project/{project_id}/stream/event']?.post?.responses?.['400'], { description: /no Content-Type/ }, 'an escaped pydantic error is described as PrCore sends it')

  const results = paths['/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/results']?.get as { parameters: { in: string; name: string }[] }
  t.strictSame(results.parameters.filter((p) => p.in === 'query').map((p) => p.name).sort(), ['limit', 'offset', 'process_parameter', 'result_property'])
  t.match(paths['/project/{project_id}/result/{result_key}']?.get?.responses?.['500'], {
    description: 'an unhandled failure, as Uvicorn answers it',
    content: { 'text/plain': { schema: { enum: ['Internal server error'] } } },
  })
})

t.test('one part per vendor, and YAML the same as JSON', async (t) => {
  const { app } = await startSandbox(t)
  const whole = await documentOf(app)
  const validator = new Validator()
  for (const part of ['prpm', 'explorer', 'modelarts', 'control'] as const) {
    const document = await documentOf(app, `?vendor=${part}`)
    t.strictSame(operationIds(document).sort(), [...OPERATIONS[part]].sort(), `${part}: its operations only`)
    t.strictSame(document.tags?.map((tag) => tag.name), [part])
    const schemes = Object.keys(document.components?.securitySchemes ?? {})
    const expected = { prpm: ['prpmBearer'], explorer: ['explorerCredentials', 'explorerToken', 'explorerTokenHeader'], modelarts: ['modelartsAkSk', 'modelartsToken', 'obsHeaderSignature', 'obsSignedUrl'], control: [] }[part]
    t.strictSame(schemes.sort(), expected, `${part}: only the security schemes it uses`)
    for (const [url, item] of Object.entries(document.paths)) t.strictSame(item, whole.paths[url], `${part}: ${url} as in the whole document`)
    const result = await validator.validate(structuredClone(document) as never)
    t.ok(result.valid, `${part} alone is valid OpenAPI 3.1`, { errors: result.errors })

    const yaml = await get(app, `/_resultbox/openapi.yaml?vendor=${part}`)
    t.equal(yaml.statusCode, 200)
    t.equal(yaml.headers['content-type'], 'application/yaml; charset=utf-8')
    t.strictSame(parseYaml(yaml.body), document, `${part}: the YAML says what the JSON says`)
  }
  const wholeYaml = await get(app, '/_resultbox/openapi.yaml')
  t.strictSame(parseYaml(wholeYaml.body), whole)

  const bad = await get(app, '/_resultbox/openapi.json?vendor=aws')
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { error: 'invalid_request', field: '/vendor' })
})

t.test('the document follows the configuration: a control token is a security scheme and a 401', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 's3cret' } })
  const document = await documentOf(app)
  t.match(document.components?.securitySchemes, { controlToken: { type: 'http', scheme: 'bearer' } })
  t.strictSame(document.paths['/_resultbox/clock']?.get?.security, [{ controlToken: [] }])
  t.ok(document.paths['/_resultbox/clock']?.get?.responses?.['401'], 'the guarded routes document the refusal')
  t.strictSame(document.paths['/_resultbox/health']?.get?.security, [], 'health needs no token')
  t.strictSame(document.paths['/_resultbox/openapi.json']?.get?.security, [], 'nor does the document')
  t.strictSame(document.paths['/_resultbox/']?.get?.security, [], 'nor does the status page, which holds no data')
  t.notOk(document.paths['/_resultbox/']?.get?.responses?.['401'])
  t.match(document.paths['/_resultbox/']?.get?.responses?.['200'], { content: { 'text/html': { schema: { type: 'string' } } } })
  t.strictSame(document.paths['/_resultbox/state']?.get?.security, [{ controlToken: [] }], 'the data it reads does')
  const refused = await get(app, '/_resultbox/clock')
  t.equal(refused.statusCode, 401, 'the 401 itself matches the document (the helper checks every response)')

  const off = await startSandbox(t, { env: { RESULTBOX_CONTROL: 'false' } })
  const served = await documentOf(off.app)
  t.strictSame(operationIds(served).filter((id) => (OPERATIONS.control as readonly string[]).includes(id)).sort(), ['getOpenapi', 'getOpenapiYaml', 'health', 'ready'],
    'with the control API off, the document describes only what is still served')
})

t.test('with one-shot reads off, getResult documents the 304 and the ETag a client may hold', async (t) => {
  const defaults = (await documentOf((await startSandbox(t)).app)).paths['/project/{project_id}/result/{result_key}']?.get
  t.notOk(defaults?.responses?.['304'], 'a one-shot result cannot be held: no 304 by default')
  t.notOk(defaults?.responses?.['200']?.headers, 'nor an ETag')
  const kept = (await documentOf((await startSandbox(t, { env: { RESULTBOX_PRPM_ONE_SHOT_READ: 'false' } })).app)).paths['/project/{project_id}/result/{result_key}']?.get
  t.match(kept?.responses?.['304'], { description: /no body/ })
  t.notOk(kept?.responses?.['304']?.content, 'a 304 has no body')
  t.match(kept?.responses?.['200']?.headers, { ETag: { required: false } })
  t.match(kept?.responses?.['304']?.headers, { ETag: { required: true } })
})

t.test('the committed documents in openapi/ are what the sandbox serves on its defaults', async (t) => {
  const generated = await contractFiles()
  const dir = path.join(repoRoot, OPENAPI_DIR)
  t.strictSame(fs.readdirSync(dir).sort(), [...generated.keys()].sort(), 'one file per part and format, no others')
  for (const [name, text] of generated) {
    t.ok(fs.readFileSync(path.join(dir, name), 'utf8') === text, `${OPENAPI_DIR}/${name} is current (else: npm run openapi)`)
  }
})

t.test('the docs page: Swagger UI over the same document', async (t) => {
  const { app } = await startSandbox(t)
  const page = await get(app, '/_resultbox/docs')
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<div id="swagger-ui">/)
  const script = page.body.match(/src="([^"]*swagger-initializer\.js)"/)?.[1]
  t.ok(script, 'the page loads its initializer')
  const initializer = await get(app, new URL(script as string, 'http://x/_resultbox/docs/').pathname)
  t.equal(initializer.statusCode, 200)
  t.match(initializer.body, /resolveUrl\('\.\/json'\)/, 'which reads the document beside it')
  const bundle = await get(app, '/_resultbox/docs/static/swagger-ui-bundle.js')
  t.equal(bundle.statusCode, 200)
  t.ok(bundle.body.length > 100_000, 'the UI bundle is served from the package, not a CDN')
  t.strictSame((await get(app, '/_resultbox/docs/json')).json(), await documentOf(app))
  const missing = await get(app, '/_resultbox/docs/static/nope.js')
  t.equal(missing.statusCode, 404)
  t.strictSame(missing.json(), { error: 'not_found', message: 'no control endpoint GET /_resultbox/docs/static/nope.js' }, 'in the control API\'s envelope')
})

/** A sandbox with a route whose answer breaks its own schema, as a drifted handler would. */
async function sandboxWithDrift(validate: boolean) {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const violations: ContractViolation[] = []
  const app = await buildApp({
    config: loadConfig({ RESULTBOX_DB: ':memory:', RESULTBOX_VALIDATE_RESPONSES: String(validate) }),
    clock: new SandboxClock({ start: START, frozen: true }),
    logger: { level: 'error', stream },
    onContractViolation: (violation) => violations.push(violation),
  })
  app.get(
    '/_resultbox/drift',
    { schema: { operationId: 'drift', response: { 200: Type.Object({ count: Type.Integer() }) } } },
    // Sent as text, as a handler that bypasses the serializer would.
    async (_request, reply) => reply.type('application/json').send('{"count":"three"}'),
  )
  await app.ready()
  t.teardown(() => app.close())
  return { app, lines, violations }
}

t.test('RESULTBOX_VALIDATE_RESPONSES: a response that breaks the document is logged and answered 500', async (t) => {
  const { app, lines, violations } = await sandboxWithDrift(true)
  const response = await get(app, '/_resultbox/drift')
  t.equal(response.statusCode, 500)
  t.equal(response.headers[VIOLATION_HEADER], 'drift')
  t.match(response.json(), {
    error: 'response_contract_violation',
    violation: { operationId: 'drift', status: 200, contentType: 'application/json', problems: ['/count must be integer'] },
  })
  t.equal(violations.length, 1, 'the embedder is told')
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'response breaks the OpenAPI document')
  t.match(logged, { level: 50, violation: { operationId: 'drift', problems: ['/count must be integer'] } })

  const fine = await get(app, '/_resultbox/health')
  t.equal(fine.statusCode, 200, 'a response that keeps the contract passes untouched')
  t.equal(fine.headers[VIOLATION_HEADER], undefined)
})

t.test('response validation is off by default', async (t) => {
  const { app, violations } = await sandboxWithDrift(false)
  const response = await get(app, '/_resultbox/drift')
  t.equal(response.statusCode, 200)
  t.equal(response.body, '{"count":"three"}')
  t.equal(violations.length, 0)
})

t.test('an injected fault is the user\'s own choice, not a contract violation', async (t) => {
  const { app } = await startSandbox(t)
  const rules = { rules: [{ vendor: 'prpm', operation: 'getResult', error: { status: 503, body: { message: 'overloaded' } } }] }
  t.equal((await app.inject({ method: 'PUT', url: '/_resultbox/faults', payload: rules })).statusCode, 200)
  const faulted = await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)
  t.equal(faulted.statusCode, 503, 'passed through although 503 is not in the document')
  t.strictSame(faulted.json(), { message: 'overloaded' })
})

t.test('ResponseContract says what is wrong with a response', async (t) => {
  const { app } = await startSandbox(t)
  const contract = new ResponseContract(await documentOf(app))
  const json = 'application/json'
  t.equal(contract.check({ operationId: 'getResult', status: 404, contentType: json, body: '{"detail":"Result not found"}' }), null)
  t.match(contract.check({ operationId: 'getResult', status: 418, contentType: json, body: '{}' }), {
    problems: ['status 418 is not documented (documented: 200, 400, 401, 404, 422, 500)'],
  })
  t.match(contract.check({ operationId: 'getResult', status: 404, contentType: 'text/html', body: '<p>' }), { problems: [/content type "text\/html" is not documented/] })
  t.match(contract.check({ operationId: 'getResult', status: 404, contentType: json, body: '{"detail"' }), { problems: ['the body is not JSON, yet its content type says it is'] })
  t.match(contract.check({ operationId: 'getResult', status: 404, contentType: json, body: '{"detail":1,"extra":true}' }), { problems: ['/detail must be string'] })
  t.match(contract.check({ operationId: 'getResult', status: 500, contentType: 'text/plain; charset=utf-8', body: 'Internal server error' }), null, 'text is checked by its content type only')
  t.match(contract.check({ operationId: 'nope', status: 200, contentType: json, body: '{}' }), { problems: ['operation nope is not in the document'] })
  const challenge = { 'www-authenticate': 'Bearer' }
  t.equal(contract.check({ operationId: 'getResult', status: 401, contentType: json, body: '{"detail":"Not authenticated"}', headers: challenge }), null)
  t.strictSame(contract.check({ operationId: 'getResult', status: 401, contentType: json, body: '{"detail":"Not authenticated"}', headers: {} })?.problems,
    ['header WWW-Authenticate is missing'], 'a documented header is checked too')
  t.match(contract.check({ operationId: 'getJob', status: 200, contentType: json, body: '{}', headers: { traceparent: '00-abc-00' } })?.problems,
    [/^header traceparent must match pattern/])
  t.equal(contract.check({ operationId: 'clearRequests', status: 204, contentType: undefined, body: '' }), null)
  t.match(contract.check({ operationId: 'clearRequests', status: 204, contentType: json, body: '{}' }), { problems: [/documented without a body/] })
  const rows = (items: string) => `{"code":0,"data":{"items":${items}},"message":"Success"}`
  t.equal(contract.check({ operationId: 'sampleResult', status: 200, contentType: json, body: rows('[["1","0.5"]]') }), null)
  t.strictSame(contract.check({ operationId: 'sampleResult', status: 200, contentType: json, body: rows('[["1",0.5]]') })?.problems, ['/data/items/0/1 must be string'], 'a cell must be text, as the vendor sends it')
})

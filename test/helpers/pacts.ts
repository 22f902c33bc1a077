/**
 * Consumer-driven contracts for the three vendors, written with pact-js (PactV3) as each vendor's client
 * author would write them: a small client of their own, its requests recorded against Pact's mock server,
 * each interaction given the provider states resultbox's catalogue names. `writePacts` runs them and
 * leaves the pact files in a folder; the verifications (test/pact.test.ts) replay them against resultbox.
 *
 * Three more consumers expect what the vendors do not do, so that a verification has to fail: PrPM's
 * `cases` filled while the result is processing, Explorer ignoring `limit`, and ModelArts' `offset` read
 * as a row offset rather than a page index.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import pact from '@pact-foundation/pact'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core'
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'

const { PactV3, MatchersV3: m } = pact

// What the pacts were recorded with: the example values Pact's mock server saw. Stale on purpose where a
// real pact's would be (a token long expired, a signature of last January).
const RECORDED = {
  prpmToken: 'recorded-token',
  explorerCookie: 'explorer_token=eyJhbGciOiJIUzI1NiJ9.eyJhY2NvdW50Ijoicm9vdCJ9.recorded',
  iamToken: 'MIIrecordedIAMtoken',
  projectId: 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60',
  sdkDate: '20260101T000000Z',
}

/** The fixture ModelArts project's access key (RESULTBOX_MODELARTS_ACCESS_KEYS' default), which a ModelArts client signs with. */
export const ACCESS_KEY = { ak: 'RESULTBOXSANDBOXAK01', sk: 'resultbox' }

export const PLUGIN_TYPES = /^(NEXT_ACTIVITY|ALARM|TREATMENT_EFFECT|RESOURCE_ALLOCATION)$/

async function json(response: Response): Promise<{ status: number; body: any }> {
  return { status: response.status, body: await response.json() }
}

/** A PrCore client as its dashboard would have one: Bearer token, the result polled by key. */
class PrpmClient {
  constructor(private readonly base: string, private readonly token: string) {}
  private get headers() {
    return { authorization: `Bearer ${this.token}` }
  }
  result(path: string) {
    return fetch(`${this.base}${path}`, { headers: this.headers }).then(json)
  }
  define(eventLogId: string | number, definition: unknown) {
    return fetch(`${this.base}/event_log/${eventLogId}`, { method: 'PUT', headers: { ...this.headers, 'content-type': 'application/json' }, body: JSON.stringify(definition) }).then(json)
  }
}

/** An Explorer workflow client: the explorer_token cookie /connect set, jobs and their sample results. */
class ExplorerClient {
  constructor(private readonly base: string, private readonly cookie: string) {}
  get(path: string) {
    return fetch(`${this.base}${path}`, { headers: { cookie: this.cookie } }).then(json)
  }
  post(path: string, body: unknown) {
    return fetch(`${this.base}${path}`, { method: 'POST', headers: { cookie: this.cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json)
  }
}

/** A ModelArts client with an IAM token in X-Auth-Token. */
class ModelArtsClient {
  constructor(private readonly base: string, private readonly token: string) {}
  get(path: string) {
    return fetch(`${this.base}${path}`, { headers: { 'x-auth-token': this.token } }).then(json)
  }
}

/**
 * The headers Huawei's SDK signer (AKSKSigner, what every Huawei SDK signs with) gives a GET of `url`,
 * at `sdkDate` if given, else now.
 */
export function huaweiSignedHeaders(url: string, sdkDate?: string, host?: string): Record<string, string> {
  const parsed = new URL(url)
  const queryParams = Object.fromEntries(parsed.searchParams)
  const headers: Record<string, string> = { 'X-Project-Id': RECORDED.projectId }
  if (sdkDate !== undefined) headers['X-Sdk-Date'] = sdkDate
  if (host !== undefined) headers.host = host
  const credentials = new BasicCredentials().withAk(ACCESS_KEY.ak).withSk(ACCESS_KEY.sk).withProjectId(RECORDED.projectId)
  const request = { endpoint: `${parsed.origin}${parsed.pathname}`, method: 'GET', headers, queryParams, data: '' }
  const signed = AKSKSigner.sign(request as never, credentials as never) as Record<string, string>
  // The signer answers every header it signed (host included); a client sends them as they are.
  return Object.fromEntries(Object.entries({ ...headers, ...signed }).filter(([name]) => name.toLowerCase() !== 'host'))
}

/** The sample ids of a completed version's generated samples (1.jpg … N.jpg in the default input folder), in the order ModelArts pages them. */
export function sampleIdsInPageOrder(count: number): string[] {
  const ids = Array.from({ length: count }, (_, index) => createHash('md5').update(`resultbox-sandbox/data/${index + 1}.jpg`).digest('hex'))
  return ids.sort()
}

export interface PactFiles {
  prpm: string
  explorer: string
  modelarts: string
  /** ModelArts requests signed with AK/SK at a date long past, as a recorded pact has them. */
  modelartsSigned: string
  wrong: { prpm: string; explorer: string; modelarts: string }
}

const PROVIDERS = { prpm: 'PrPM', explorer: 'NebulaGraph Explorer', modelarts: 'ModelArts' } as const

function pactFor(dir: string, consumer: string, provider: string) {
  return new PactV3({ consumer, provider, dir, logLevel: 'error' })
}

const fileOf = (dir: string, consumer: string, provider: string) => path.join(dir, `${consumer}-${provider}.json`)

async function prpmPact(dir: string): Promise<string> {
  const consumer = 'prpm-dashboard'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.prpm)
  const auth = { Authorization: m.fromProviderState('Bearer ${token}', `Bearer ${RECORDED.prpmToken}`) }
  const resultPath = m.fromProviderState('/project/${project_id}/result/${result_key}', '/project/7/result/Ab3dE6gH')

  pactV3.given('a trained project with a complete result', { case_count: 2 })
    .uponReceiving('a request for a complete result')
    .withRequest({ method: 'GET', path: resultPath, headers: auth })
    .willRespondWith({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: {
        message: 'Ongoing dataset result retrieved successfully',
        project_status: 'TRAINED',
        expected_plugins: m.eachLike('plugin-knn-next-activity'),
        finished_plugins: m.eachLike('plugin-knn-next-activity'),
        cases_count: 2,
        columns: m.eachLike('Case ID'),
        cases: m.like({
          173688: {
            events: m.eachLike(m.eachLike('173688')),
            prescriptions: m.eachLike({ type: m.regex(PLUGIN_TYPES, 'NEXT_ACTIVITY'), date: m.string('2026-01-01T00:00:00.000374'), plugin: { name: m.string('KNN next activity prediction') } }),
          },
        }),
      },
    })
  await pactV3.executeTest(async (server) => {
    const { status, body } = await new PrpmClient(server.url, RECORDED.prpmToken).result('/project/7/result/Ab3dE6gH')
    if (status !== 200 || body.cases_count !== 2) throw new Error('the client did not read the result')
  })

  pactV3.given('a project whose result is still processing', { finished_plugins: ['plugin-knn-next-activity'] })
    .uponReceiving('a request for a result still processing')
    .withRequest({ method: 'GET', path: resultPath, headers: auth })
    .willRespondWith({
      status: 200,
      body: {
        message: 'Ongoing dataset result is still processing',
        project_status: 'TRAINED',
        finished_plugins: ['plugin-knn-next-activity'],
        cases: null,
      },
    })
  await pactV3.executeTest(async (server) => {
    const { body } = await new PrpmClient(server.url, RECORDED.prpmToken).result('/project/7/result/Ab3dE6gH')
    if (body.cases !== null) throw new Error('the client took a processing result for a complete one')
  })

  pactV3.given('a trained project whose result is gone')
    .uponReceiving('a request for a result already read')
    .withRequest({ method: 'GET', path: resultPath, headers: auth })
    .willRespondWith({ status: 404, body: { detail: 'Result not found' } })
  await pactV3.executeTest(async (server) => {
    await new PrpmClient(server.url, RECORDED.prpmToken).result('/project/7/result/Ab3dE6gH')
  })

  pactV3.given('a project in error')
    .uponReceiving('a request for the result of a project in error')
    .withRequest({ method: 'GET', path: resultPath, headers: auth })
    .willRespondWith({ status: 400, body: { detail: 'Project is in error status' } })
  await pactV3.executeTest(async (server) => {
    await new PrpmClient(server.url, RECORDED.prpmToken).result('/project/7/result/Ab3dE6gH')
  })

  const definition = {
    columns_definition: { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', REG_DATE: 'DATETIME', Resource: 'RESOURCE' },
  }
  pactV3.given('an uploaded event log')
    .uponReceiving('a definition of the uploaded log\'s columns')
    .withRequest({
      method: 'PUT',
      path: m.fromProviderState('/event_log/${event_log_id}', '/event_log/3'),
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: definition,
    })
    .willRespondWith({ status: 200, body: { event_log_id: m.fromProviderState('${event_log_id}', 3) } })
  await pactV3.executeTest(async (server) => {
    await new PrpmClient(server.url, RECORDED.prpmToken).define(3, definition)
  })

  pactV3.uponReceiving('a request with a token PrPM does not know')
    .withRequest({ method: 'GET', path: '/project/1/result/dVbQ3x7K', headers: { Authorization: 'Bearer not-a-token' } })
    .willRespondWith({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: { detail: 'Invalid token' } })
  await pactV3.executeTest(async (server) => {
    await new PrpmClient(server.url, 'not-a-token').result('/project/1/result/dVbQ3x7K')
  })
  return fileOf(dir, consumer, PROVIDERS.prpm)
}

async function explorerPact(dir: string): Promise<string> {
  const consumer = 'graph-dashboard'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.explorer)
  const cookie = { Cookie: m.fromProviderState('explorer_token=${explorer_token}', RECORDED.explorerCookie) }
  const jobPath = m.fromProviderState('/api-open/v1/jobs/${job_id}', '/api-open/v1/jobs/31')
  const vertexRow = [m.string('player100'), m.regex(/^\d+\.\d+$/, '0.623457')]

  pactV3.given('a finished job with a PageRank task', { row_count: 30 })
    .uponReceiving('a request for five rows of a PageRank result')
    .withRequest({
      method: 'GET',
      path: m.fromProviderState('/api-open/v1/jobs/${job_id}/tasks/${task_id}/sample_result', '/api-open/v1/jobs/31/tasks/analytics_pagerank_1/sample_result'),
      query: { limit: '5' },
      headers: cookie,
    })
    .willRespondWith({ status: 200, body: { code: 0, message: 'Success', data: { items: m.constrainedArrayLike(vertexRow, 5, 5) } } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).get('/api-open/v1/jobs/31/tasks/analytics_pagerank_1/sample_result?limit=5')
  })

  pactV3.given('a running job')
    .uponReceiving('a request for a running job')
    .withRequest({ method: 'GET', path: jobPath, headers: cookie })
    .willRespondWith({ status: 200, body: { code: 0, data: { id: m.integer(31), status: 1, tasks: m.eachLike({ id: m.string('analytics_pagerank_1'), status: 1 }) } } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).get('/api-open/v1/jobs/31')
  })

  pactV3.given('a failed task')
    .uponReceiving('a request for a job whose task failed')
    .withRequest({ method: 'GET', path: jobPath, headers: cookie })
    .willRespondWith({ status: 200, body: { code: 0, data: { status: 3, tasks: [{ status: 3 }, { status: 4 }] } } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).get('/api-open/v1/jobs/31')
  })

  pactV3.given('a workflow with a required parameter', { param: 'root' })
    .uponReceiving('a job of that workflow without its parameter')
    .withRequest({
      method: 'POST',
      path: m.fromProviderState('/api-open/v1/workflows/${workflow_id}/jobs', '/api-open/v1/workflows/12/jobs'),
      headers: { ...cookie, 'Content-Type': 'application/json' },
      body: { input: {} },
    })
    .willRespondWith({ status: 500, body: { code: 50004002, message: m.regex(/^ErrInternalController::.* needs input parameter root$/, 'ErrInternalController::task analytics_bfs_1 needs input parameter root') } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).post('/api-open/v1/workflows/12/jobs', { input: {} })
  })

  // Two states in one interaction: a session of its own, then a job.
  pactV3.given('an Explorer session').given('a finished job with a PageRank task', { row_count: 3 })
    .uponReceiving('a request for a finished job in a new session')
    .withRequest({ method: 'GET', path: jobPath, headers: cookie })
    .willRespondWith({ status: 200, body: { code: 0, message: 'Success', data: { status: 2, tasks: [{ name: 'PageRank', status: 2 }] } } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).get('/api-open/v1/jobs/31')
  })
  return fileOf(dir, consumer, PROVIDERS.explorer)
}

const SAMPLE = {
  sample_id: m.regex(/^[0-9a-f]{32}$/, '9b98950a99e75955a2c3e7067dcf9070'),
  origin_source: m.regex(/^s3:\/\/[^/]+\/.+/, 's3://resultbox-sandbox/data/2.jpg'),
  result_property: m.integer(0),
}

async function modelartsPact(dir: string): Promise<string> {
  const consumer = 'dataset-pipeline'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.modelarts)
  const token = { 'X-Auth-Token': m.fromProviderState('${token}', RECORDED.iamToken) }
  const resultsPath = m.fromProviderState('/v2/${project_id}/processor-tasks/${task_id}/versions/${version_id}/results', '/v2/p/processor-tasks/t/versions/v/results')

  pactV3.given('a completed version with samples', { samples: 10 })
    .uponReceiving('a request for the second page of five results')
    .withRequest({ method: 'GET', path: resultsPath, query: { limit: '5', offset: '1' }, headers: token })
    .willRespondWith({ status: 200, body: { count: 10, results: m.constrainedArrayLike(SAMPLE, 5, 5) } })
  await pactV3.executeTest(async (server) => {
    await new ModelArtsClient(server.url, RECORDED.iamToken).get('/v2/p/processor-tasks/t/versions/v/results?limit=5&offset=1')
  })

  // A configured token (RESULTBOX_MODELARTS_TOKENS) in the pact as it is: it never goes stale.
  pactV3.given('a completed version with samples', { samples: 3 })
    .uponReceiving('a request for results with the configured token')
    .withRequest({ method: 'GET', path: resultsPath, headers: { 'X-Auth-Token': 'resultbox' } })
    .willRespondWith({ status: 200, body: { count: 3, results: m.eachLike(SAMPLE, 3) } })
  await pactV3.executeTest(async (server) => {
    await new ModelArtsClient(server.url, 'resultbox').get('/v2/p/processor-tasks/t/versions/v/results')
  })

  pactV3.given('a version still initializing')
    .uponReceiving('a request for the results of a version still initializing')
    .withRequest({ method: 'GET', path: resultsPath, headers: token })
    .willRespondWith({ status: 403, body: { error_code: 'ModelArts.4850', error_msg: m.string('Process task is initializing, the operation is forbidden') } })
  await pactV3.executeTest(async (server) => {
    await new ModelArtsClient(server.url, RECORDED.iamToken).get('/v2/p/processor-tasks/t/versions/v/results')
  })

  pactV3.given('an expired token')
    .uponReceiving('a request with an expired token')
    .withRequest({ method: 'GET', path: m.fromProviderState('/v2/${project_id}/processor-tasks/SNEJua7qdZZN8GvkcEr', `/v2/${RECORDED.projectId}/processor-tasks/SNEJua7qdZZN8GvkcEr`), headers: token })
    .willRespondWith({ status: 401, body: { error_code: 'ModelArts.0202', error_msg: m.string('The token has expired.') } })
  await pactV3.executeTest(async (server) => {
    await new ModelArtsClient(server.url, RECORDED.iamToken).get(`/v2/${RECORDED.projectId}/processor-tasks/SNEJua7qdZZN8GvkcEr`)
  })
  return fileOf(dir, consumer, PROVIDERS.modelarts)
}

/** A ModelArts client that signs with AK/SK, as Huawei's SDKs do: its pact holds a signature of the day it was recorded. */
async function modelartsSignedPact(dir: string): Promise<string> {
  const consumer = 'dataset-pipeline-sdk'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.modelarts)
  const path = `/v2/${RECORDED.projectId}/processor-tasks/SNEJua7qdZZN8GvkcEr`
  const recorded = huaweiSignedHeaders(`http://127.0.0.1:9/${path.slice(1)}`, RECORDED.sdkDate)
  const headers = Object.fromEntries(Object.entries(recorded).map(([name, value]) => [name, m.like(value)]))
  pactV3.uponReceiving('a signed request for a fixture task')
    .withRequest({ method: 'GET', path, headers })
    .willRespondWith({ status: 200, body: { task_id: 'SNEJua7qdZZN8GvkcEr', name: m.string('animals'), version_count: m.integer(2) } })
  await pactV3.executeTest(async (server) => {
    await fetch(`${server.url}${path}`, { headers: recorded })
  })
  return fileOf(dir, consumer, PROVIDERS.modelarts)
}

/** PrPM's `cases` expected while the result is still processing: PrCore answers null until every plugin has. */
async function wrongPrpmPact(dir: string): Promise<string> {
  const consumer = 'prpm-eager-dashboard'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.prpm)
  pactV3.given('a project whose result is still processing')
    .uponReceiving('a request for a processing result, expecting cases already')
    .withRequest({
      method: 'GET',
      path: m.fromProviderState('/project/${project_id}/result/${result_key}', '/project/7/result/Ab3dE6gH'),
      headers: { Authorization: m.fromProviderState('Bearer ${token}', 'Bearer x') },
    })
    .willRespondWith({ status: 200, body: { project_status: 'TRAINED', cases: m.like({ 173688: { events: m.eachLike(m.eachLike('173688')) } }) } })
  await pactV3.executeTest(async (server) => {
    await new PrpmClient(server.url, 'x').result('/project/7/result/Ab3dE6gH')
  })
  return fileOf(dir, consumer, PROVIDERS.prpm)
}

/** Explorer expected to ignore `limit` (every row of the task): Explorer caps the rows at it. */
async function wrongExplorerPact(dir: string): Promise<string> {
  const consumer = 'graph-export'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.explorer)
  pactV3.given('a finished job with a PageRank task', { row_count: 30 })
    .uponReceiving('a request for two rows, expecting all thirty')
    .withRequest({
      method: 'GET',
      path: m.fromProviderState('/api-open/v1/jobs/${job_id}/tasks/${task_id}/sample_result', '/api-open/v1/jobs/31/tasks/analytics_pagerank_1/sample_result'),
      query: { limit: '2' },
      headers: { Cookie: m.fromProviderState('explorer_token=${explorer_token}', RECORDED.explorerCookie) },
    })
    .willRespondWith({ status: 200, body: { code: 0, data: { items: m.atLeastLike([m.string('player100'), m.string('0.5')], 30) } } })
  await pactV3.executeTest(async (server) => {
    await new ExplorerClient(server.url, RECORDED.explorerCookie).get('/api-open/v1/jobs/31/tasks/analytics_pagerank_1/sample_result?limit=2')
  })
  return fileOf(dir, consumer, PROVIDERS.explorer)
}

/** ModelArts' `offset` read as a row offset (offset=2 from the third sample): it is a page index (from the fifth). */
async function wrongModelArtsPact(dir: string): Promise<string> {
  const consumer = 'dataset-rows'
  const pactV3 = pactFor(dir, consumer, PROVIDERS.modelarts)
  const ids = sampleIdsInPageOrder(10)
  pactV3.given('a completed version with samples', { samples: 10 })
    .uponReceiving('a request from row 2, two rows')
    .withRequest({
      method: 'GET',
      path: m.fromProviderState('/v2/${project_id}/processor-tasks/${task_id}/versions/${version_id}/results', '/v2/p/processor-tasks/t/versions/v/results'),
      query: { offset: '2', limit: '2' },
      headers: { 'X-Auth-Token': m.fromProviderState('${token}', RECORDED.iamToken) },
    })
    .willRespondWith({ status: 200, body: { count: 10, results: [{ sample_id: ids[2] }, { sample_id: ids[3] }] } })
  await pactV3.executeTest(async (server) => {
    await new ModelArtsClient(server.url, RECORDED.iamToken).get('/v2/p/processor-tasks/t/versions/v/results?offset=2&limit=2')
  })
  return fileOf(dir, consumer, PROVIDERS.modelarts)
}

/** Runs every consumer's test, leaving its pact in `dir`. */
export async function writePacts(dir: string): Promise<PactFiles> {
  return {
    prpm: await prpmPact(dir),
    explorer: await explorerPact(dir),
    modelarts: await modelartsPact(dir),
    modelartsSigned: await modelartsSignedPact(dir),
    wrong: { prpm: await wrongPrpmPact(dir), explorer: await wrongExplorerPact(dir), modelarts: await wrongModelArtsPact(dir) },
  }
}

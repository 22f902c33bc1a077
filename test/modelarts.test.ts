import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { SandboxClock } from '../src/clock.js'
import { CREDENTIALS, START, get, readSeed, startSandbox } from './helpers/sandbox.js'

const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
const BASE = `/v2/${PROJECT}/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results`

const seedText = readSeed('002_11ca733dcc312ea2.txt')
const seedExample = JSON.parse(seedText.slice(seedText.indexOf('{\n"count"'), seedText.indexOf('Status Codes'))) as {
  count: number
  results: Record<string, unknown>[]
  has_more: boolean
}
const SEED_EXPIRES = 1606380154

interface Sample {
  sample_id: string
  result_property: number
  new_source: string
  signed_origin_source: string
  signed_new_source: string
  [field: string]: unknown
}

/** The default key pair (RESULTBOX_MODELARTS_ACCESS_KEYS), which signs the URLs. */
const SECRET_ACCESS_KEY = 'resultbox'

/**
 * OBS's own check of a pre-signed URL, done here independently of the server's code: the security token is
 * signed as a sub-resource, as Huawei's OBS SDKs sign it.
 */
function verifyObsSignature(t: Test, signed: string, source: string) {
  const url = new URL(signed)
  const [bucket, ...key] = source.replace(/^(s3|obs):\/\//, '').split('/')
  t.equal(url.hostname, `${bucket}.obs.cn-north-4.myhuaweicloud.com`)
  t.ok(signed.includes('.myhuaweicloud.com:443/'), 'the port is spelled out, as the vendor does')
  t.strictSame([...url.searchParams.keys()], ['AccessKeyId', 'Expires', 'x-obs-security-token', 'Signature'])
  t.equal(url.searchParams.get('AccessKeyId'), 'RESULTBOXSANDBOXAK01')
  const token = url.searchParams.get('x-obs-security-token')
  const toSign = `GET\n\n\n${url.searchParams.get('Expires')}\n/${bucket}/${key.join('/')}?x-obs-security-token=${token}`
  t.equal(url.searchParams.get('Signature'), createHmac('sha1', SECRET_ACCESS_KEY).update(toSign).digest('base64'))
}

t.test('the seed example: its three samples, fields, order and Expires (signed URLs at the vendor\'s OBS)', async (t) => {
  const clock = new SandboxClock({ start: (SEED_EXPIRES - 3600) * 1000, frozen: true })
  const { app } = await startSandbox(t, { clock, env: { RESULTBOX_MODELARTS_OBS_ENDPOINT: 'vendor' } })
  const res = await get(app, `${BASE}?offset=0&limit=3&result_property=-1`, CREDENTIALS.modelarts)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.match(res.headers['x-request-id'], /^[0-9a-f]{32}$/)
  const body = res.json()
  t.strictSame(Object.keys(body), Object.keys(seedExample))
  t.equal(body.count, 30)
  t.equal(body.has_more, true)
  t.equal(body.results.length, 3)
  body.results.forEach((sample: Sample, index: number) => {
    const expected = seedExample.results[index] as Record<string, string>
    t.strictSame(Object.keys(sample), Object.keys(expected), 'field order as the seed')
    for (const field of ['sample_id', 'version_id', 'origin_source', 'new_source', 'result_property', 'result_description']) {
      t.strictSame(sample[field], expected[field], field)
    }
    for (const field of ['signed_origin_source', 'signed_new_source'] as const) {
      const ours = new URL(sample[field])
      const theirs = new URL(expected[field] as string)
      t.equal(ours.pathname, theirs.pathname)
      t.equal(ours.searchParams.get('Expires'), String(SEED_EXPIRES))
      verifyObsSignature(t, sample[field], field === 'signed_origin_source' ? sample.origin_source as string : sample.new_source)
    }
  })
})

t.test('Expires follows the sandbox clock', async (t) => {
  const { app, clock } = await startSandbox(t)
  const expiresOf = async () =>
    new URL((await get(app, `${BASE}?limit=1`, CREDENTIALS.modelarts)).json().results[0].signed_origin_source).searchParams.get('Expires')
  t.equal(await expiresOf(), String(START / 1000 + 3600))
  clock.advance(90 * 60 * 1000)
  t.equal(await expiresOf(), String(START / 1000 + 3600 + 5400))
  // The page is kept as sent while its second lasts, and no longer.
  clock.advance(999)
  t.equal(await expiresOf(), String(START / 1000 + 3600 + 5400), 'the same second: the same Expires')
  clock.advance(1)
  t.equal(await expiresOf(), String(START / 1000 + 3600 + 5401), 'the next second: the next Expires')
  const hostOf = async (host: string) =>
    new URL((await get(app, `${BASE}?limit=1`, { ...CREDENTIALS.modelarts, host })).json().results[0].signed_origin_source).host
  t.strictSame([await hostOf('localhost:4010'), await hostOf('resultbox:8080'), await hostOf('localhost:4010')], ['localhost:4010', 'resultbox:8080', 'localhost:4010'], 'each URL at the host its client called')
  const longer = await startSandbox(t, { env: { RESULTBOX_MODELARTS_URL_TTL_SECONDS: '60', RESULTBOX_MODELARTS_REGION: 'ap-southeast-1', RESULTBOX_MODELARTS_OBS_ENDPOINT: 'vendor' } })
  const signed = (await get(longer.app, `${BASE}?limit=1`, CREDENTIALS.modelarts)).json().results[0].signed_origin_source
  t.equal(new URL(signed).searchParams.get('Expires'), String(START / 1000 + 60))
  t.match(signed, /^https:\/\/test-obs\.obs\.ap-southeast-1\.myhuaweicloud\.com:443\//)
})

t.test('offset is a page index; count and has_more', async (t) => {
  const { app } = await startSandbox(t)
  const pages = []
  for (const offset of [0, 1, 2, 3]) {
    const res = await get(app, `${BASE}?offset=${offset}`, CREDENTIALS.modelarts)
    t.equal(res.statusCode, 200)
    pages.push(res.json())
  }
  t.strictSame(pages.map((page) => page.results.length), [10, 10, 10, 0], 'limit defaults to 10')
  t.strictSame(pages.map((page) => page.has_more), [true, true, false, false])
  t.ok(pages.every((page) => page.count === 30))
  const ids = pages.flatMap((page) => page.results.map((sample: Sample) => sample.sample_id))
  t.equal(new Set(ids).size, 30, 'every sample once across the pages')
  t.strictSame(ids, [...ids].sort(), 'ordered by sample_id')

  const fifty = (await get(app, `${BASE}?offset=1&limit=7`, CREDENTIALS.modelarts)).json()
  t.strictSame(fifty.results.map((sample: Sample) => sample.sample_id), ids.slice(7, 14), 'offset=1, limit=7 is records 8..14')
  const last = (await get(app, `${BASE}?offset=0&limit=100`, CREDENTIALS.modelarts)).json()
  t.equal(last.results.length, 30)
  t.equal(last.has_more, false)
})

t.test('result_property filters results and count', async (t) => {
  const { app } = await startSandbox(t)
  const expectedCounts: Record<number, number> = { 0: 9, 1: 7, 2: 5, 3: 9 }
  for (const property of [0, 1, 2, 3]) {
    const body = (await get(app, `${BASE}?result_property=${property}&limit=100`, CREDENTIALS.modelarts)).json()
    t.equal(body.count, expectedCounts[property], `count of result_property ${property}`)
    t.equal(body.results.length, body.count)
    t.ok(body.results.every((sample: Sample) => sample.result_property === property))
    if (property === 2) {
      t.ok(body.results.every((sample: Sample) => sample.new_source === '' && sample.signed_new_source === ''), 'a deleted sample has no new object')
    }
  }
  const paged = (await get(app, `${BASE}?result_property=1&limit=5&offset=1`, CREDENTIALS.modelarts)).json()
  t.equal(paged.results.length, 2)
  t.equal(paged.has_more, false)
  t.equal((await get(app, `${BASE}?process_parameter=image/resize,m_lfit,h_200`, CREDENTIALS.modelarts)).statusCode, 200)
})

t.test('invalid arguments answer ModelArts.0101 naming the parameter', async (t) => {
  const { app } = await startSandbox(t)
  const cases: [string, string][] = [
    ['limit=0', 'limit'], ['limit=101', 'limit'], ['limit=abc', 'limit'], ['limit=', 'limit'],
    ['offset=-1', 'offset'], ['offset=1.5', 'offset'], ['offset=2147483648', 'offset'],
    ['result_property=7', 'result_property'], ['result_property=-2', 'result_property'], ['result_property=all', 'result_property'],
    [`process_parameter=${'x'.repeat(1025)}`, 'process_parameter'],
  ]
  for (const [query, parameter] of cases) {
    const res = await get(app, `${BASE}?${query}`, CREDENTIALS.modelarts)
    t.equal(res.statusCode, 400, query)
    const body = res.json()
    t.strictSame(Object.keys(body), ['error_code', 'error_msg'])
    t.equal(body.error_code, 'ModelArts.0101', query)
    t.match(body.error_msg, new RegExp(`^Invalid argument\\. parameter \\[${parameter}\\] `), query)
  }
})

t.test('tasks, versions and version states', async (t) => {
  const { app } = await startSandbox(t)
  const url = (task: string, version: string, project = PROJECT) => `/v2/${project}/processor-tasks/${task}/versions/${version}/results`
  const cases: [string, number, string, string][] = [
    [url('NoSuchTask000000000', '7PoIhUzSk92OglQrTxr'), 400, 'ModelArts.4612', 'Task not found'],
    [url('SNEJua7qdZZN8GvkcEr', '7PoIhUzSk92OglQrTxr', 'ffffffffffffffffffffffffffffffff'), 400, 'ModelArts.4612', 'Task not found'],
    [url('SNEJua7qdZZN8GvkcEr', 'NoSuchVersion000000'), 400, 'ModelArts.4851', 'Task version not found'],
    [url('SNEJua7qdZZN8GvkcEr', 'Rn4cX7pLqW2sT9vYb3K'), 400, 'ModelArts.4851', 'Task version not found'],
    [url('kQ3vT8xNwP5rYb2LmZc', 'Dg9kS3vBnM7qW4yTe2F'), 403, 'ModelArts.4850', 'Process task is initializing, the operation is forbidden'],
    [url('kQ3vT8xNwP5rYb2LmZc', 'Hj6mP2wQzR8tN5xVc1L'), 403, 'ModelArts.4613', 'Task not finish'],
    [url('kQ3vT8xNwP5rYb2LmZc', 'Zt5wL8cQpX2mR6nVb9J'), 403, 'ModelArts.4613', 'Task not finish'],
    [url('kQ3vT8xNwP5rYb2LmZc', 'Rn4cX7pLqW2sT9vYb3K'), 500, 'ModelArts.4614', 'Task failed'],
  ]
  for (const [target, status, code, message] of cases) {
    const res = await get(app, target, CREDENTIALS.modelarts)
    t.equal(res.statusCode, status, target)
    t.strictSame(res.json(), { error_code: code, error_msg: message }, target)
  }
  const older = (await get(app, url('SNEJua7qdZZN8GvkcEr', 'E8ZLnTQvPBVtbZ6QsAp'), CREDENTIALS.modelarts)).json()
  t.equal(older.count, 3)
  t.ok(older.results.every((sample: Sample) => sample.version_id === 'E8ZLnTQvPBVtbZ6QsAp'))
})

// Missing, unknown and foreign-project tokens on every ModelArts route: test/modelarts-flows.test.ts.
t.test('a scoped token reaches its own project; auth and scope come before the arguments', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_MODELARTS_TOKENS: 'resultbox,scoped=aaaabbbbccccddddeeeeffff00001111' } })
  const ownProject = await get(app, '/v2/aaaabbbbccccddddeeeeffff00001111/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results', { 'x-auth-token': 'scoped' })
  t.strictSame(ownProject.json(), { error_code: 'ModelArts.4612', error_msg: 'Task not found' }, 'a scoped token reaches its own project')
  t.equal((await get(app, `${BASE}?limit=0`)).statusCode, 401, 'auth comes before arguments')
  t.equal((await get(app, `${BASE}?limit=0`, { 'x-auth-token': 'scoped' })).json().error_code, 'ModelArts.0210', 'the project scope too')
})

t.test('an unknown path is the gateway\'s 404', async (t) => {
  const { app } = await startSandbox(t)
  for (const target of [`/v2/${PROJECT}/processor-tasks`, `/v2/${PROJECT}/processor-tasks/x/versions/y/result`]) {
    const res = await get(app, target, CREDENTIALS.modelarts)
    t.equal(res.statusCode, 404)
    t.strictSame(res.json(), {
      error_msg: 'The API does not exist or has not been published in the environment',
      error_code: 'APIG.0101',
      request_id: res.headers['x-request-id'],
    })
  }
  const malformed = await get(app, `/v2/${PROJECT}/processor-tasks/%zz/versions/y/results`, CREDENTIALS.modelarts)
  t.equal(malformed.statusCode, 404)
  t.match(malformed.json(), { error_code: 'APIG.0101', request_id: /^[0-9a-f]{32}$/ }, 'a malformed URL is the gateway\'s 404 too')
})

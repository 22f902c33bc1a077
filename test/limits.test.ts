import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { JOURNAL_BODY_MAX_BYTES } from '../src/journal.js'
import { CREDENTIALS, startSandbox, tempDir } from './helpers/sandbox.js'
import { postForm, TRAINING_CSV, zipOf } from './helpers/prpm.js'
import { rawRequest } from './helpers/raw.js'
import { storeDigest } from './helpers/store.js'

const RESULT = '/project/1/result/dVbQ3x7K'
const SAMPLE_RESULT = '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result'
const RESULTS = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results'

const get = (target: string, headers: Record<string, string>) =>
  `GET ${target} HTTP/1.1\r\nhost: localhost\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}connection: close\r\n\r\n`

async function listening(t: Parameters<typeof startSandbox>[0], env: Record<string, string> = {}) {
  const { app } = await startSandbox(t, { env })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

t.test('a request head over RESULTBOX_HEADER_MAX_BYTES is refused in the envelope of the vendor its path names', async (t) => {
  const { app, port } = await listening(t, { RESULTBOX_HEADER_MAX_BYTES: '8192' })
  const before = storeDigest(app.resultbox.db)
  const padding = { 'x-padding': 'p'.repeat(9000) }

  const prpm = await rawRequest(port, get(RESULT, { ...CREDENTIALS.prpm, ...padding }))
  t.equal(prpm.status, 431)
  t.equal(prpm.headers['content-type'], 'application/json')
  t.equal(prpm.headers.connection, 'close')
  t.strictSame(JSON.parse(prpm.body), { detail: 'Request Header Fields Too Large' })

  // The vendor's framework calls any request it cannot read a bad request.
  const explorer = await rawRequest(port, get(SAMPLE_RESULT, { ...CREDENTIALS.explorer, ...padding }))
  t.equal(explorer.status, 400)
  t.strictSame(JSON.parse(explorer.body), { code: 40004000, message: 'ErrBadRequest::Request Header Fields Too Large' })

  // Huawei's IAM tokens run to kilobytes: the gateway refuses the head before ModelArts sees it.
  const modelarts = await rawRequest(port, get(RESULTS, { 'x-auth-token': 't'.repeat(9000) }))
  t.equal(modelarts.status, 431)
  t.match(JSON.parse(modelarts.body), { error_msg: 'Request Header Fields Too Large', error_code: 'APIG.0201', request_id: /^[0-9a-f]{32}$/ })

  const unknown = await rawRequest(port, get('/nowhere', padding))
  t.strictSame(JSON.parse(unknown.body), { detail: 'Request Header Fields Too Large' }, 'a path no vendor owns: PrPM, which serves the root')

  t.equal(storeDigest(app.resultbox.db), before, 'nothing written')
  const after = await rawRequest(port, get(RESULT, CREDENTIALS.prpm))
  t.equal(after.status, 200, 'the server goes on serving')
})

t.test('by default a 60 KiB X-Auth-Token is read, and a head over 64 KiB is not', async (t) => {
  const { port } = await listening(t)
  const accepted = await rawRequest(port, get(RESULTS, { 'x-auth-token': 'resultbox', 'x-large': 'l'.repeat(60 * 1024) }))
  t.equal(accepted.status, 200, JSON.stringify(accepted).slice(0, 300))
  const refused = await rawRequest(port, get(RESULTS, { 'x-auth-token': 'resultbox', 'x-large': 'l'.repeat(65 * 1024) }))
  t.equal(refused.status, 431)
})

t.test('a request that is not HTTP gets a 400 in the envelope of the vendor its request line names', async (t) => {
  const { port } = await listening(t)
  const badHeader = await rawRequest(port, `GET ${SAMPLE_RESULT} HTTP/1.1\r\nhost: localhost\r\nno colon here\r\n\r\n`)
  t.equal(badHeader.status, 400)
  t.strictSame(JSON.parse(badHeader.body), { code: 40004000, message: 'ErrBadRequest::Bad Request' })

  const badLength = await rawRequest(port, `POST /project HTTP/1.1\r\nhost: localhost\r\ncontent-length: twelve\r\n\r\n`)
  t.equal(badLength.status, 400)
  t.strictSame(JSON.parse(badLength.body), { detail: 'Bad Request' })

  const badRequestLine = await rawRequest(port, 'HELLO THERE\r\n\r\n')
  t.equal(badRequestLine.status, 400)
  t.strictSame(JSON.parse(badRequestLine.body), { detail: 'Bad Request' }, 'no request line to read: PrPM answers')
})

t.test('bodies: RESULTBOX_BODY_MAX_BYTES for vendor and control routes, RESULTBOX_SCENARIO_MAX_BYTES for scenarios', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_BODY_MAX_BYTES: '2048', RESULTBOX_SCENARIO_MAX_BYTES: '8192' } })
  const before = storeDigest(app.resultbox.db)
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })
  const filler = 'f'.repeat(3000)

  const prpm = await post('/project', { event_log_id: 1, filler }, CREDENTIALS.prpm)
  t.equal(prpm.statusCode, 413)
  t.strictSame(prpm.json(), { detail: 'Payload Too Large' })
  const explorer = await post('/api-open/v1/connect', { address: filler, port: 9669 }, { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` })
  t.equal(explorer.statusCode, 400)
  t.match(explorer.json(), { code: 40004000, message: /^ErrBadRequest::/ })
  const control = await post('/_resultbox/clock', { advance_ms: 1, filler })
  t.equal(control.statusCode, 413)
  t.strictSame(control.json(), { error: 'payload_too_large', message: 'Request body is too large' })

  const scenarioOverCap = await post('/_resultbox/scenarios/prpm', { result_key: 'Big00001', filler: filler.repeat(3) })
  t.equal(scenarioOverCap.statusCode, 413)
  t.equal(storeDigest(app.resultbox.db), before, 'no refused body wrote anything')

  // Over the body cap but under the scenario cap: a scenario may spell out many rows.
  const rows = Array.from({ length: 150 }, (_, index) => [`player${index}`, '0.150000'])
  const scenario = await post('/_resultbox/scenarios/explorer', { tasks: [{ name: 'PageRank', rows }] })
  t.ok(JSON.stringify({ tasks: [{ name: 'PageRank', rows }] }).length > 2048)
  t.equal(scenario.statusCode, 201, scenario.body)
})

t.test('the journal keeps bodies up to 64 KiB, and says how large every body was', async (t) => {
  const { app } = await startSandbox(t, { env: { RESULTBOX_BODY_MAX_BYTES: '1048576' } })
  const post = (body: string) =>
    app.inject({ method: 'POST', url: '/project', payload: body, headers: { 'content-type': 'application/json', ...CREDENTIALS.prpm } })
  const small = JSON.stringify({ event_log_id: 424242 })
  const large = JSON.stringify({ event_log_id: 424243, parameters: { x: { filler: 'f'.repeat(JOURNAL_BODY_MAX_BYTES) } } })
  await post(small)
  await post(large)
  await app.inject({ method: 'GET', url: RESULT, headers: CREDENTIALS.prpm })
  const journal = (await app.inject('/_resultbox/requests?limit=3')).json()
  const [read, largeEntry, smallEntry] = journal.requests
  t.match(read, { method: 'GET', body: null, body_bytes: null })
  t.match(largeEntry, { method: 'POST', body: null, body_bytes: Buffer.byteLength(large) })
  t.match(smallEntry, { method: 'POST', body: { event_log_id: 424242 }, body_bytes: Buffer.byteLength(small) })
})

t.test('JSON bodies: PrCore (pydantic v1) coerces values; Explorer and the control API take types as sent', async (t) => {
  const { app } = await startSandbox(t)
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } })
  const basic = { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` }

  const numberAddress = await post('/api-open/v1/connect', { address: 192168, port: 9669 }, basic)
  t.equal(numberAddress.statusCode, 400)
  t.strictSame(numberAddress.json(), { code: 40004001, message: 'ErrParam::address must be a non-empty string' })
  const textPort = await post('/api-open/v1/connect', { address: 'graphd', port: '9669' }, basic)
  t.equal(textPort.statusCode, 400)
  t.strictSame(textPort.json(), { code: 40004001, message: 'ErrParam::port must be an integer from 1 to 65535' })
  t.equal((await post('/api-open/v1/connect', { address: 'graphd', port: 9669 }, basic)).statusCode, 200)

  const textAdvance = await post('/_resultbox/clock', { advance_ms: '1000' })
  t.equal(textAdvance.statusCode, 400)
  t.strictSame(textAdvance.json(), { error: 'invalid_request', message: 'body/advance_ms Expected integer', field: '/advance_ms' })

  // pydantic v1 reads "1" as 1: the event log is looked up, and is not there.
  const textId = await post('/project', { event_log_id: '424242' }, CREDENTIALS.prpm)
  t.equal(textId.statusCode, 400, textId.body)
  t.strictSame(textId.json(), { detail: 'Event log not found' })
})

t.test('uploads stay in their own temporary folder, whatever the file and entry names say', async (t) => {
  const root = tempDir(t, 'resultbox-limits-')
  const tmp = path.join(root, 'tmp')
  fs.mkdirSync(tmp)
  const saved = process.env.TMPDIR
  process.env.TMPDIR = tmp
  t.teardown(() => {
    if (saved === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = saved
  })
  const { app } = await startSandbox(t)
  const traversal = '../../escaped.csv'
  // The client's file name only picks the reader (.csv); it is never a path.
  const named = await postForm(app, '/event_log', [{ name: 'file', filename: traversal, content: TRAINING_CSV }])
  t.equal(named.statusCode, 200, named.body)
  const zipped = await postForm(app, '/event_log', [{ name: 'file', filename: '../x.zip', content: zipOf({ [traversal]: TRAINING_CSV }, { method: 8 }) }])
  t.equal(zipped.statusCode, 400)
  t.strictSame(zipped.json(), { detail: 'ZIP file is corrupted' })
  const absolute = await postForm(app, '/event_log', [{ name: 'file', filename: 'y.zip', content: zipOf({ [path.join(root, 'abs.csv')]: TRAINING_CSV }) }])
  t.equal(absolute.statusCode, 400)
  t.strictSame(absolute.json(), { detail: 'ZIP file is corrupted' })
  t.strictSame(fs.readdirSync(root), ['tmp'], 'nothing beside the temporary folder')
  t.strictSame(fs.readdirSync(tmp), [], 'and nothing left in it')
})

import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core'
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { SandboxClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { START } from './helpers/sandbox.js'

/**
 * The replay lane (src/replay-lane.ts): a results page ModelArts' route has answered is given again before
 * Fastify routes the request. Everything here goes over a real socket, as the lane sits in the server's request
 * handler, which inject() does not pass; each test says what the lane did by its count.
 */

type TapTest = Parameters<Extract<Parameters<typeof t.test>[0], (t: never) => unknown>>[0]

const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
const VERSION_PATH = `/v2/${PROJECT}/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr`
const PAGE = `${VERSION_PATH}/results?limit=3`
const TOKEN = { 'x-auth-token': 'resultbox' }

interface Answer {
  status: number
  /** Field names and values as they came, in order. */
  rawHeaders: string[]
  headers: http.IncomingHttpHeaders
  body: Buffer
}

/** A world as `npm start` runs one (no response validation), its logger at `level`, listening on loopback. */
interface WorldOptions {
  level?: string
  env?: Record<string, string>
  loggerInstance?: FastifyBaseLogger
  /** Default: frozen at START. */
  clock?: SandboxClock
}

async function world(t: TapTest, { level = 'warn', env = {}, loggerInstance, clock = new SandboxClock({ start: START, frozen: true }) }: WorldOptions = {}) {
  const config = loadConfig({ RESULTBOX_DB: ':memory:', LOG_LEVEL: level, ...env })
  const app = await buildApp(loggerInstance ? { config, clock, loggerInstance } : { config, clock, logger: { level, stream: { write: () => {} } } as never })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const port = (app.server.address() as AddressInfo).port
  // Connections kept, as a client's are.
  const agent = new http.Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET', onPort = port) =>
    new Promise<Answer>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: onPort, path, method, headers, agent }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, headers: response.headers, body: Buffer.concat(chunks) }))
      })
      request.on('error', reject)
      request.end()
    })
  return { app, clock, port, get, replayed: () => app.resultbox.lane.replayed }
}

/** The head's fields but those that differ from answer to answer: the request id and the date. */
const stableHead = (answer: Answer) => answer.rawHeaders.flatMap((value, index, all) => (index % 2 === 1 ? [] : [[value, /^(x-request-id|date)$/i.test(value) ? '…' : all[index + 1]]]))

const journal = async (app: FastifyInstance) =>
  (await app.inject({ method: 'GET', url: '/_resultbox/requests?vendor=modelarts' })).json().requests as Array<Record<string, unknown>>

t.test('a page answered again is the route\'s answer: the same head and bytes, a new request id, journaled alike', async (t) => {
  const { app, get, replayed } = await world(t)
  const first = await get(PAGE, TOKEN)
  t.equal(first.status, 200)
  t.equal(replayed(), 0, 'the first is the route\'s: nothing was cached yet')
  const again = await get(PAGE, TOKEN)
  t.equal(replayed(), 1, 'the second is replayed')
  t.equal(again.status, 200)
  t.strictSame(stableHead(again), stableHead(first), 'the same fields, in the same order, with the same values')
  t.strictSame(stableHead(first).map(([name]) => name), ['x-request-id', 'content-type', 'content-length', 'Date', 'Connection', 'Keep-Alive'])
  t.match(again.headers['x-request-id'], /^[0-9a-f]{32}$/)
  t.not(again.headers['x-request-id'], first.headers['x-request-id'], 'each answer has its own request id')
  t.ok(again.body.equals(first.body), 'the same bytes')
  t.equal(JSON.parse(again.body.toString()).results.length, 3)

  const [replayedEntry, routedEntry] = await journal(app)
  t.match(replayedEntry, { operation: 'getVersionResults', method: 'GET', status: 200, aborted: false, body: null, body_bytes: null, fault: null, query: 'limit=3' })
  t.same(Object.keys(replayedEntry ?? {}), Object.keys(routedEntry ?? {}))
  const headBytes = (answer: Answer) => Buffer.byteLength(`HTTP/1.1 200 OK\r\n${answer.rawHeaders.map((value, index, all) => (index % 2 === 0 ? `${value}: ${all[index + 1]}\r\n` : '')).join('')}\r\n`)
  t.equal(replayedEntry?.sent_bytes, headBytes(again) + again.body.length, 'what went out, head and body')
  t.equal(routedEntry?.sent_bytes, headBytes(first) + first.body.length)
  t.equal((replayedEntry?.headers as Record<string, string>)['x-auth-token'], 'resultbox')
})

t.test('AK/SK as Huawei\'s signer signs it: replayed once the route has answered, refused by the route when it does not pass', async (t) => {
  const { get, port, replayed } = await world(t)
  const signed = (sk = 'resultbox') => {
    const credentials = new BasicCredentials().withAk('RESULTBOXSANDBOXAK01').withSk(sk).withProjectId(PROJECT)
    const request = { endpoint: `http://127.0.0.1:${port}${VERSION_PATH}/results`, method: 'GET', headers: { 'X-Project-Id': PROJECT }, queryParams: { limit: '3' }, data: '' }
    const headers = AKSKSigner.sign(request as never, credentials as never) as Record<string, string>
    return Object.fromEntries(Object.entries({ 'X-Project-Id': PROJECT, ...headers }).filter(([name]) => name.toLowerCase() !== 'host'))
  }
  const first = await get(PAGE, signed())
  t.equal(first.status, 200)
  const again = await get(PAGE, signed())
  t.equal(again.status, 200)
  t.equal(replayed(), 1)
  t.ok(again.body.equals(first.body))

  const wrong = await get(PAGE, signed('not-the-secret'))
  t.equal(wrong.status, 401, 'a wrong secret key is the route\'s to refuse')
  t.match(JSON.parse(wrong.body.toString()), { error_code: 'APIG.0301', error_msg: /^Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:GET\|/ })
  t.equal(replayed(), 1, 'and the lane left it to the route')
})

t.test('what the lane leaves to the route: refusals, another host, another page, the next second, a write, HEAD, a body, a fault', async (t) => {
  const { app, get, replayed } = await world(t)
  const first = await get(PAGE, TOKEN)
  t.equal(first.status, 200)

  const missing = await get(PAGE)
  t.equal(missing.status, 401)
  t.match(JSON.parse(missing.body.toString()), { error_code: 'APIG.0301' })
  const unknown = await get(PAGE, { 'x-auth-token': 'nobody' })
  t.equal(unknown.status, 401)
  t.match(JSON.parse(unknown.body.toString()), { error_code: 'ModelArts.0203' })
  const otherProject = await get(PAGE, { ...TOKEN, 'x-project-id': 'another' })
  t.equal(otherProject.status, 403)
  t.strictSame(JSON.parse(otherProject.body.toString()), { error_code: 'ModelArts.0210', error_msg: 'The project ID in the URL is not the project of the token.' })
  t.equal(replayed(), 0, 'every refusal came from the route')

  const elsewhere = await get(PAGE, { ...TOKEN, host: 'sandbox.example:8080' })
  t.equal(elsewhere.status, 200)
  t.equal(replayed(), 0, 'the page for another host is the route\'s')
  t.match(JSON.parse(elsewhere.body.toString()).results[0].signed_new_source, /^http:\/\/sandbox\.example:8080\/obs\//, 'signed for the host the client called')
  t.equal((await get(`${VERSION_PATH}/results?limit=4`, TOKEN)).status, 200)
  t.equal(replayed(), 0, 'another page is the route\'s')

  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 1, 'the cached page again')
  await app.inject({ method: 'POST', url: '/_resultbox/clock', payload: { advance_ms: 1000 } })
  const next = await get(PAGE, TOKEN)
  t.equal(replayed(), 1, 'a second later the route signs the page anew')
  const expiresOf = (answer: Answer) => new URL(JSON.parse(answer.body.toString()).results[0].signed_new_source).searchParams.get('Expires')
  t.equal(Number(expiresOf(next)), Number(expiresOf(first)) + 1, 'its URLs expire a second later')
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 2)

  await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=modelarts' })
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 2, 'after a write to the store the route answers')

  const head = await get(PAGE, TOKEN, 'HEAD')
  t.equal(head.status, 200)
  t.equal(head.body.length, 0)
  t.equal(replayed(), 2, 'HEAD is the route\'s')
  const withBody = await new Promise<number>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: (app.server.address() as AddressInfo).port, path: PAGE, method: 'GET', headers: { ...TOKEN, 'content-type': 'text/plain', 'content-length': '19' }, agent: false }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    request.on('error', reject)
    request.end('a body nobody reads')
  })
  t.equal(withBody, 200)
  t.equal(replayed(), 2, 'a GET with a body is the route\'s, which reads it')

  await app.inject({ method: 'PUT', url: '/_resultbox/faults', payload: { seed: 1, rules: [{ vendor: 'modelarts', operation: 'getVersionResults', error: { status: 503, probability: 1 } }] } })
  const faulted = await get(PAGE, TOKEN)
  t.equal(faulted.status, 503, 'a fault rule is applied')
  t.strictSame(JSON.parse(faulted.body.toString()), { error_code: 'ModelArts.0010', error_msg: 'Internal server error.' })
  t.equal(replayed(), 2)
  await app.inject({ method: 'DELETE', url: '/_resultbox/faults' })
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 3, 'once the rules are gone, replayed again')
})

t.test('an IAM token is held to its expiry on the sandbox clock, also while the page it read is still cached', async (t) => {
  // A running clock, whose time passes without a change (a set or an advance ends every cached page with it):
  // its real time is the test's.
  let real = 0
  const clock = new SandboxClock({ start: START, realNow: () => real })
  const { app, get, replayed } = await world(t, { env: { RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS: '1' }, clock })
  real = 500
  const issued = await app.inject({
    method: 'POST',
    url: '/v3/auth/tokens',
    payload: { auth: { identity: { methods: ['password'], password: { user: { name: 'resultbox', password: 'resultbox', domain: { name: 'resultbox' } } } }, scope: { project: { id: PROJECT } } } },
  })
  t.equal(issued.statusCode, 201)
  const token = { 'x-auth-token': issued.headers['x-subject-token'] as string }
  // The token lives until 1.5 s; the page read at 1.2 s is cached until 2 s.
  real = 1200
  t.equal((await get(PAGE, token)).status, 200)
  t.equal((await get(PAGE, token)).status, 200)
  t.equal(replayed(), 1, 'replayed while the token lives')
  real = 1600
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 2, 'the page is still cached')
  const expired = await get(PAGE, token)
  t.equal(expired.status, 401)
  t.strictSame(JSON.parse(expired.body.toString()), { error_code: 'ModelArts.0202', error_msg: 'The token has expired.' })
  t.equal(replayed(), 2, 'the expired token is the route\'s to refuse')
})

t.test('requests on one connection, sent at once, are answered in order and journaled with their own bytes, replayed or not', async (t) => {
  for (const [label, options, replays] of [['replayed', {}, 3], ['Fastify\'s', { env: { RESULTBOX_VALIDATE_RESPONSES: 'true' } }, 0]] as const) {
    const { app, port, get, replayed } = await world(t, options)
    const first = await get(PAGE, TOKEN)
    const request = `GET ${PAGE} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-auth-token: resultbox\r\n\r\n`
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request.repeat(3)))
      const chunks: Buffer[] = []
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        const text = Buffer.concat(chunks).toString('latin1')
        // Each page ends with has_more: three of them, and every answer has come.
        if (text.endsWith('}') && text.split('"has_more"').length === 4) {
          socket.destroy()
          resolve(text)
        }
      })
      socket.on('error', reject)
    })
    t.equal(replayed(), replays, label)
    const answers = received.split('HTTP/1.1 200 OK\r\n').slice(1)
    t.equal(answers.length, 3, 'three answers')
    for (const answer of answers) t.ok(answer.endsWith(first.body.toString('latin1')), 'each with the whole page')
    const entries = (await journal(app)).slice(0, 3)
    // Each answer's own: not what the connection carried between its request's arrival and its end.
    t.strictSame(entries.map((entry) => entry.sent_bytes), answers.map((answer) => Buffer.byteLength(`HTTP/1.1 200 OK\r\n${answer}`, 'latin1')), label)
  }
})

t.test('not while Fastify logs each request (info, or a logger that cannot say), nor with response validation on: every request is then Fastify\'s', async (t) => {
  const lines: string[] = []
  const write = (line: string) => () => lines.push(line)
  // A caller's logger with no levels to ask: it may write everything, as far as anyone can tell.
  const opaque: FastifyBaseLogger = { level: 'warn', fatal: write('fatal'), error: write('error'), warn: write('warn'), info: write('info'), debug: write('debug'), trace: write('trace'), silent: () => {}, child: () => opaque }
  const worlds = [['info', { level: 'info' }], ['validation', { env: { RESULTBOX_VALIDATE_RESPONSES: 'true' } }], ['opaque logger', { loggerInstance: opaque }]] as const
  for (const [label, options] of worlds) {
    const { get, replayed } = await world(t, options)
    t.equal((await get(PAGE, TOKEN)).status, 200)
    t.equal((await get(PAGE, TOKEN)).status, 200)
    t.equal(replayed(), 0, label)
  }
  t.ok(lines.filter((line) => line === 'info').length >= 4, 'the opaque logger was told of each request')
})

t.test('a closing world replays nothing; a request an OBS client signed is OBS\'s, whatever its path', async (t) => {
  const { app, port, get, replayed } = await world(t)
  t.equal((await get(PAGE, TOKEN)).status, 200)
  const bucketHost = { ...TOKEN, host: `test-obs.localhost:${port}` }
  t.equal((await get(PAGE, bucketHost)).status, 200, 'without OBS\'s credentials, the page, for that host too')
  // OBS's V2 header signature, as esdk-obs-nodejs sends it, on a path that is also a ModelArts page: claimed by OBS
  // when its host names a bucket (virtual-hosted style), and answered in OBS's XML.
  const obs = await get(PAGE, { ...bucketHost, date: new Date().toUTCString(), authorization: 'OBS RESULTBOXSANDBOXAK01:bm90LWEtc2lnbmF0dXJl' })
  t.equal(obs.headers['content-type'], 'application/xml')
  t.match(obs.body.toString(), /<Code>SignatureDoesNotMatch<\/Code>/)
  t.equal(replayed(), 0, 'OBS\'s, not the lane\'s')
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 1)
  app.resultbox.lane.close()
  t.equal((await get(PAGE, TOKEN)).status, 200)
  t.equal(replayed(), 1, 'once closing, every request is Fastify\'s')
})

t.test('a named sandbox replays its own pages, under the server\'s prefix and at its own port, each with its own URLs', async (t) => {
  const { app, port, get } = await world(t)
  const made = await app.inject({ method: 'PUT', url: '/_resultbox/sandboxes/lane', payload: { port: 0, clock: { start: new Date(START).toISOString(), frozen: true } } })
  t.equal(made.statusCode, 201)
  const ownPort = made.json().port as number
  const sandbox = app.resultbox.sandboxes?.get('lane')
  const replayed = () => sandbox?.app.resultbox.lane.replayed
  const prefixed = await get(`/sandboxes/lane${PAGE}`, TOKEN)
  t.equal((await get(`/sandboxes/lane${PAGE}`, TOKEN)).status, 200)
  t.equal(replayed(), 1)
  t.equal(app.resultbox.lane.replayed, 0, 'the server\'s own world replayed nothing')
  t.match(JSON.parse(prefixed.body.toString()).results[0].signed_new_source, new RegExp(`^http://127\\.0\\.0\\.1:${port}/sandboxes/lane/obs/`))
  const own = await get(PAGE, TOKEN, 'GET', ownPort)
  const ownAgain = await get(PAGE, TOKEN, 'GET', ownPort)
  t.equal(replayed(), 2)
  t.ok(ownAgain.body.equals(own.body))
  t.match(JSON.parse(own.body.toString()).results[0].signed_new_source, new RegExp(`^http://127\\.0\\.0\\.1:${ownPort}/obs/`))
})

t.test('a failure while replaying is the route\'s to answer: a 500 in ModelArts\' envelope, and the server goes on', async (t) => {
  const { app, get, replayed } = await world(t)
  t.equal((await get(PAGE, TOKEN)).status, 200)
  const { scheduler } = app.resultbox
  const catchUp = scheduler.catchUp.bind(scheduler)
  scheduler.catchUp = () => {
    throw new Error('the store is gone')
  }
  const failed = await get(PAGE, TOKEN)
  t.equal(failed.status, 500)
  t.match(JSON.parse(failed.body.toString()), { error_code: 'ModelArts.0010' })
  scheduler.catchUp = catchUp
  t.equal((await get(PAGE, TOKEN)).status, 200, 'and answers the next')
  t.equal(replayed(), 1)
})

import http from 'node:http'
import t from 'tap'
import { start } from '../src/index.js'

const MiB = 1024 * 1024
const CHUNK = Buffer.alloc(64 * 1024, 0x61)

interface Exchange {
  status: number
  body: string
  /** From the first byte written to the request's close, in ms. */
  endedAfterMs: number
  written: number
  error: string | null
}

/**
 * Streams `bytes` of body the way Node's http client does for an upload (a chunk, then wait for drain), and
 * reads the answer; resolves when the exchange has ended, whichever way. The test fails if it has not ended
 * within 10 s.
 */
function streamUpload(port: number, path: string, { bytes, keepAlive, contentType }: { bytes: number; keepAlive: boolean; contentType: string }): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const agent = new http.Agent({ keepAlive })
    const began = Date.now()
    let written = 0
    let status = 0
    let body = ''
    let error: string | null = null
    const hung = setTimeout(() => {
      agent.destroy()
      reject(new Error(`${path}: the exchange had not ended after 10 s (${written} of ${bytes} bytes written, status ${status})`))
    }, 10_000)
    const request = http.request({ port, path, method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': bytes } }, (response) => {
      status = response.statusCode ?? 0
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
    })
    request.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure.code ?? failure.message
    })
    request.on('close', () => {
      clearTimeout(hung)
      agent.destroy()
      resolve({ status, body, endedAfterMs: Date.now() - began, written, error })
    })
    const write = () => {
      while (written < bytes) {
        written += CHUNK.length
        if (!request.write(CHUNK)) return void request.once('drain', write)
      }
      request.end()
    }
    write()
  })
}

const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
// ModelArts' processor-task API takes no bodies: only its unknown paths can be sent one.
const cases = [
  { vendor: 'PrPM', refusal: 'no token', path: '/event_log', contentType: 'multipart/form-data; boundary=resultbox', status: 401, envelope: /"detail":"Not authenticated"/ },
  { vendor: 'PrPM', refusal: 'unknown path', path: '/no/such/route', contentType: 'application/octet-stream', status: 404, envelope: /"detail":"Not Found"/ },
  { vendor: 'Explorer', refusal: 'no token', path: '/api-open/v1/workflows/1/jobs', contentType: 'application/json', status: 401, envelope: /"code":40104001/ },
  { vendor: 'Explorer', refusal: 'unknown path', path: '/api-open/v1/no/such/route', contentType: 'application/octet-stream', status: 404, envelope: /"code":40404000/ },
  { vendor: 'ModelArts', refusal: 'unknown path', path: `/v2/${PROJECT}/no/such/route`, contentType: 'application/octet-stream', status: 404, envelope: /"error_code":"APIG\.0101"/ },
]

t.test('a refusal sent before the body was read: the client sees it, and the exchange ends', async (t) => {
  const sandbox = await start()
  t.teardown(() => sandbox.close())
  for (const { vendor, refusal, path, contentType, status, envelope } of cases) {
    for (const size of [4, 32]) {
      for (const keepAlive of [true, false]) {
        const exchange = await streamUpload(sandbox.port, path, { bytes: size * MiB, keepAlive, contentType })
        const name = `${vendor}, ${refusal}, ${size} MiB, ${keepAlive ? 'keep-alive' : 'Connection: close'}`
        t.equal(exchange.status, status, `${name}: the refusal's status`)
        t.match(exchange.body, envelope, `${name}: in the vendor's envelope`)
        t.equal(exchange.error, null, `${name}: no broken pipe or reset`)
        t.equal(exchange.written, size * MiB, `${name}: the whole body was taken`)
        t.ok(exchange.endedAfterMs < 2000, `${name}: ended in ${exchange.endedAfterMs} ms`)
      }
    }
  }
})

t.test('after a refused upload, the same keep-alive connection answers the next request', async (t) => {
  const sandbox = await start()
  t.teardown(() => sandbox.close())
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const sockets = new Set<unknown>()
  const refused = await new Promise<number>((resolve, reject) => {
    const request = http.request({ port: sandbox.port, path: '/event_log', method: 'POST', agent, headers: { 'content-type': 'text/plain', 'content-length': 2 * MiB } }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0))
    })
    request.on('socket', (socket) => sockets.add(socket))
    request.on('error', reject)
    request.end(Buffer.alloc(2 * MiB, 0x61))
  })
  t.equal(refused, 401)
  const next = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.get({ port: sandbox.port, path: '/_resultbox/health', agent }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    request.on('socket', (socket) => sockets.add(socket))
    request.on('error', reject)
  })
  t.equal(next.status, 200)
  t.same(JSON.parse(next.body), { status: 'up' })
  t.equal(sockets.size, 1, 'one connection for both')
})

t.test('a body declared larger than the upload cap is not read: the answer goes at once, and the connection closes', async (t) => {
  const sandbox = await start({ uploadMaxBytes: MiB })
  t.teardown(() => sandbox.close())
  const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const request = http.request({ port: sandbox.port, path: '/event_log', method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': 64 * MiB } }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection, body }))
    })
    request.on('error', reject)
    request.write(CHUNK)
  })
  t.equal(answer.status, 401)
  t.equal(answer.connection, 'close')
  t.same(JSON.parse(answer.body), { detail: 'Not authenticated' })
})

t.test('a client that stops sending halfway is answered once it has been idle, and the connection closes', async (t) => {
  const sandbox = await start()
  t.teardown(() => sandbox.close())
  const began = Date.now()
  const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const request = http.request({ port: sandbox.port, path: '/event_log', method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': 4 * MiB } }, (response) => {
      resolve({ status: response.statusCode ?? 0, connection: response.headers.connection })
      response.resume()
      request.destroy()
    })
    request.on('error', reject)
    request.write(CHUNK)
  })
  t.equal(answer.status, 401)
  t.equal(answer.connection, 'close')
  const waited = Date.now() - began
  t.ok(waited >= 4500 && waited < 8000, `answered after the idle limit (${waited} ms)`)
})

t.test('a chunked body that grows past the upload cap is read no further: the answer goes, and the connection closes', async (t) => {
  const sandbox = await start({ uploadMaxBytes: MiB })
  t.teardown(() => sandbox.close())
  const answer = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const request = http.request({ port: sandbox.port, path: '/event_log', method: 'POST', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' } }, (response) => {
      resolve({ status: response.statusCode ?? 0, connection: response.headers.connection })
      response.resume()
      request.destroy()
    })
    request.on('error', reject)
    let written = 0
    const write = () => {
      while (written < 4 * MiB) {
        written += CHUNK.length
        if (!request.write(CHUNK)) return void request.once('drain', write)
      }
    }
    write()
  })
  t.equal(answer.status, 401)
  t.equal(answer.connection, 'close')
})

t.test('a client that gives up halfway through its upload leaves the sandbox serving', async (t) => {
  const sandbox = await start()
  t.teardown(() => sandbox.close())
  await new Promise<void>((resolve) => {
    const request = http.request({ port: sandbox.port, path: '/event_log', method: 'POST', headers: { 'content-type': 'text/plain', 'content-length': 4 * MiB } })
    request.on('error', () => resolve())
    request.on('close', () => resolve())
    request.write(CHUNK, () => setTimeout(() => request.destroy(), 50))
  })
  const health = await fetch(`${sandbox.url}/_resultbox/health`)
  t.equal(health.status, 200)
  t.same(await health.json(), { status: 'up' })
})

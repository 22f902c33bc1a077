import http from 'node:http'
import net from 'node:net'

/** A response's status line and headers exactly as they came over the wire, names' case and order kept. */
export interface CapturedHead {
  status: number
  rawHeaders: string[]
}

export interface Captured extends CapturedHead {
  body: Buffer
}

export const HOST = '127.0.0.1'

/** A port free on loopback right now, for a server that must be told its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, HOST, () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export interface Request {
  method?: string
  headers?: Record<string, string>
  body?: string
}

/**
 * One request on a keep-alive connection, as autocannon sends them: a
 * `Connection: close` request would be answered with `Connection: close`.
 */
export function send(port: number, path: string, request: Request = {}): Promise<Captured> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  return new Promise<Captured>((resolve, reject) => {
    const outgoing = http.request(
      { host: HOST, port, path, method: request.method ?? 'GET', headers: request.headers ?? {}, agent },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('error', reject)
        response.on('end', () => resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks) }))
      },
    )
    outgoing.on('error', reject)
    outgoing.end(request.body)
  }).finally(() => agent.destroy())
}

/** POSTs JSON to resultbox's control API; anything but 2xx is an error, since the case would measure the wrong thing. */
export async function control(port: number, path: string, body?: unknown): Promise<unknown> {
  const response = await send(port, path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = response.body.toString('utf8')
  if (response.status < 200 || response.status > 299) throw new Error(`POST ${path} answered ${response.status}: ${text}`)
  return JSON.parse(text) as unknown
}

/** Whether GET path answers 200 now; a refused connection (not listening yet) is false. */
export function answersOk(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const outgoing = http.get({ host: HOST, port, path, agent: false }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode === 200))
      response.on('error', () => resolve(false))
    })
    outgoing.on('error', () => resolve(false))
  })
}

export function header(head: CapturedHead, name: string): string | undefined {
  for (let index = 0; index + 1 < head.rawHeaders.length; index += 2) {
    if (head.rawHeaders[index]?.toLowerCase() === name) return head.rawHeaders[index + 1]
  }
  return undefined
}

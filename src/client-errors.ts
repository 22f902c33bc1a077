import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import { vendorPathOf } from './sandboxes/paths.js'
import type { VendorRegistry } from './vendors.js'

interface ParserError {
  code?: string
  /** The bytes Node's HTTP parser was reading when it gave up (a Buffer, whatever Fastify's types say). */
  rawPacket?: unknown
}

/** Node's parser codes, and what a vendor's server would call them. */
function refusalOf(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'Request Header Fields Too Large' }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'Request Timeout' }
  return { status: 400, message: 'Bad Request' }
}

const REQUEST_LINE = /^[A-Z]{1,20} (\S{1,8192}) HTTP\/\d\.\d\r?\n/

/**
 * The path the refused request asked for, when its request line is still in
 * the packet; '/' (PrPM's envelope, as for any path no vendor owns) otherwise.
 */
export function targetOf(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '/'
  const match = REQUEST_LINE.exec(rawPacket.subarray(0, 8300).toString('latin1'))
  return match?.[1] ?? '/'
}

/** The raw HTTP/1.1 answer: the connection is closed after it, as Node closes it after a parse error. */
export function rawAnswer(status: number, headers: Record<string, string>, body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`]
  const named = { 'content-type': 'application/json', ...headers, 'content-length': String(Buffer.byteLength(text)), connection: 'close' }
  for (const [name, value] of Object.entries(named)) lines.push(`${name}: ${value}`)
  return `${lines.join('\r\n')}\r\n\r\n${text}`
}

/**
 * Fastify's clientErrorHandler (called with the instance as `this`). Node's
 * parser refuses a request whose head is over the cap, or that is not HTTP,
 * before Fastify sees it; Fastify would answer in its own envelope. Here the
 * vendor the request line names answers, with its envelope for a request it
 * cannot read.
 */
export function clientErrorAnswerer(vendors: VendorRegistry) {
  return function answerClientError(this: { log: FastifyBaseLogger }, error: ParserError, socket: Socket): void {
    // A reset connection, or one already closed, has no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    const { status, message } = refusalOf(error.code)
    const target = targetOf(error.rawPacket)
    this.log.info({ code: error.code, target }, 'request refused by the HTTP parser')
    // Under a named sandbox's prefix, the vendor is the one of the path that follows it.
    const refusal = vendors.errorsFor(vendorPathOf(target)).clientError(status, message)
    if (socket.writable && !socket.writableEnded) socket.write(rawAnswer(refusal.statusCode, refusal.headers, refusal.body))
    socket.destroy()
  }
}

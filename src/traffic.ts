import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SandboxClock } from './clock.js'
import { InjectedFault, type AppliedFault, type Faults } from './faults.js'
import { JOURNAL_BODY_MAX_BYTES, type Journal, type JournalRecord } from './journal.js'
import type { VendorModule } from './vendor-module.js'
import type { VendorRegistry } from './vendors.js'

/**
 * The query parameter that marks a vendor request the sandbox makes of itself (the status page's thumbnails):
 * neither faulted nor journaled, as the control API is not. OBS signs no such parameter, so the URL stays valid.
 */
export const OWN_REQUEST = '_resultbox=page'

/** Where a response keeps the reply the journal records it by, once the response has closed. */
const RECORDED = Symbol('resultbox.recorded')
type RecordedResponse = ServerResponse & { [RECORDED]?: FastifyReply }

declare module 'fastify' {
  interface FastifyRequest {
    /** The sandbox time the request arrived, and what a fault rule did to it. */
    traffic: {
      vendor: VendorModule | null
      arrivedAt: number
      fault: AppliedFault | null
      /** Whether the journal has it: once answered, or once its client left. */
      journaled: boolean
    }
  }
}

/**
 * Every vendor request passes here: fault rules delay or fail it before the
 * vendor sees it (before auth, as a flaky network or gateway would), and the
 * journal records it once answered. The control API is neither faulted nor
 * journaled, so polling the journal does not fill it.
 */
export function watchTraffic(
  app: FastifyInstance,
  { vendors, clock, faults, journal }: { vendors: VendorRegistry; clock: SandboxClock; faults: Faults; journal: Journal },
): void {
  app.decorateRequest('traffic', null as unknown as FastifyRequest['traffic'])
  // Hooks that call done() rather than return a promise: every request passes them, and without a fault
  // rule there is nothing to wait for.
  app.addHook('onRequest', (request, reply, done) => {
    // What the status page itself fetches from a vendor (its thumbnails) is the sandbox's own traffic, not a client's.
    const vendor = request.url.includes(OWN_REQUEST) ? null : vendors.vendorOf(request.url)
    const recording = vendor !== null && journal.capacity > 0
    request.traffic = { vendor, arrivedAt: clock.now(), fault: null, journaled: false }
    // Recorded when the response closes, which every response does: just after its last byte went (the next
    // tick after 'finish'), or when its client left before the answer had ended (an SSE reader closed, a
    // timeout during a fault's latency), marked as aborted. No onResponse hook: one listener shared by every
    // response (it finds its request through the response), rather than a hook run and closures per request.
    if (recording) {
      meterSentBytes(reply.raw)
      ;(reply.raw as RecordedResponse)[RECORDED] = reply
      reply.raw.on('close', recordOnClose)
    }
    if (vendor === null || !faults.active) return done()
    faults.apply(vendor.name, request.routeOptions.schema?.operationId, vendors.errorsFor(request.url), (drawn) => { request.traffic.fault = drawn }).then(
      (fault) => {
        request.traffic.fault = fault
        done()
      },
      (error: unknown) => {
        if (error instanceof InjectedFault) request.traffic.fault = error.applied
        done(error as Error)
      },
    )
  })
  function recordOnClose(this: RecordedResponse): void {
    const reply = this[RECORDED]
    if (reply !== undefined) record(reply.request, reply, !this.writableFinished)
  }
  const record = (request: FastifyRequest, reply: FastifyReply, aborted: boolean) => {
    const { vendor, arrivedAt, fault, journaled } = request.traffic
    if (vendor === null || journaled) return
    request.traffic.journaled = true
    journal.record(journalRecordOf(request.raw, reply.raw, {
      vendor: vendor.name,
      arrivedAt,
      operation: request.routeOptions.schema?.operationId ?? null,
      body: request.body,
      durationMs: reply.elapsedTime,
      fault,
      aborted,
    }))
  }
}

/** What the journal keeps of an answered request besides the request and response themselves. */
export interface ExchangeFacts {
  vendor: string
  /** Sandbox time the request arrived. */
  arrivedAt: number
  operation: string | null
  /** The body as parsed; undefined for none. */
  body: unknown
  durationMs: number
  fault: AppliedFault | null
  /** Whether the client left before the answer ended. */
  aborted: boolean
}

/** What a response has written to its connection: from when it had the connection, to its last byte handed over. */
const SENT = Symbol('resultbox.sent')
type MeteredResponse = ServerResponse & { [SENT]?: { before: number | null; after: number | null } }

/**
 * Starts counting the bytes this response writes to its connection (the journal's sent_bytes), as the
 * connection's count before and after. Before: now, or, for an answer waiting behind another on its connection
 * (a pipelined request), once the connection is its turn. After: once its last byte is handed to the connection
 * ('prefinish'), before Node lets the next waiting answer write. Without a socket (inject) it counts nothing.
 */
export function meterSentBytes(response: ServerResponse): void {
  const socket = response.socket
  ;(response as MeteredResponse)[SENT] = { before: socket ? socket.bytesWritten ?? null : null, after: null }
  if (!socket) response.on('socket', takeTurn)
  response.on('prefinish', handedOver)
}

function takeTurn(this: MeteredResponse, socket: { bytesWritten?: number }): void {
  const meter = this[SENT]
  if (meter !== undefined) meter.before = socket.bytesWritten ?? null
}

function handedOver(this: MeteredResponse): void {
  const meter = this[SENT]
  if (meter !== undefined) meter.after = this.socket?.bytesWritten ?? null
}

/** What the response wrote, head included; for one whose client left, what had gone by then (read off the request's socket). */
function sentBytesOf(raw: IncomingMessage, response: ServerResponse): number | null {
  const meter = (response as MeteredResponse)[SENT]
  if (meter === undefined || meter.before === null) return null
  const after = meter.after ?? raw.socket?.bytesWritten
  return after === undefined ? null : after - meter.before
}

/**
 * The journal's record of a request whose response has closed: Fastify's, or one the replay lane answered
 * (replay-lane.ts), recorded alike.
 */
export function journalRecordOf(raw: IncomingMessage, response: ServerResponse, facts: ExchangeFacts): JournalRecord {
  const { headers } = raw
  const length = headers['content-length']
  const { body } = facts
  // A chunked body has no Content-Length: its parsed JSON's size stands in.
  const bodyBytes = length !== undefined ? Number(length) : body === undefined ? null : Buffer.byteLength(JSON.stringify(body) ?? '')
  // Uploads and large bodies are not kept: the journal holds what a client sent, not megabytes of event logs.
  const kept = body !== undefined && (bodyBytes ?? 0) <= JOURNAL_BODY_MAX_BYTES && !String(headers['content-type']).startsWith('multipart/')
  return {
    vendor: facts.vendor,
    arrivedAt: facts.arrivedAt,
    operation: facts.operation,
    method: raw.method ?? 'GET',
    url: raw.url ?? '/',
    headers: headers as Record<string, string | string[]>,
    body: kept ? body : null,
    bodyBytes,
    // A client that left before the answer began saw no status.
    status: facts.aborted && !response.headersSent ? null : response.statusCode,
    durationMs: facts.durationMs,
    fault: facts.fault,
    aborted: facts.aborted,
    sentBytes: sentBytesOf(raw, response),
  }
}

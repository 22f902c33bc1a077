import type { ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SandboxClock } from './clock.js'
import { InjectedFault, type AppliedFault, type Faults } from './faults.js'
import { JOURNAL_BODY_MAX_BYTES, type Journal } from './journal.js'
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
      /** What the connection had carried when the request arrived, to tell what its answer added. */
      bytesBefore: number | null
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
    request.traffic = { vendor, arrivedAt: clock.now(), fault: null, journaled: false, bytesBefore: recording ? request.raw.socket?.bytesWritten ?? null : null }
    // Recorded when the response closes, which every response does: just after its last byte went (the next
    // tick after 'finish'), or when its client left before the answer had ended (an SSE reader closed, a
    // timeout during a fault's latency), marked as aborted. No onResponse hook: one listener shared by every
    // response (it finds its request through the response), rather than a hook run and closures per request.
    if (recording) {
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
    const { vendor, arrivedAt, fault, journaled, bytesBefore } = request.traffic
    if (vendor === null || journaled) return
    request.traffic.journaled = true
    const length = request.headers['content-length']
    const body = request.body
    // A chunked body has no Content-Length: its parsed JSON's size stands in.
    const bodyBytes = length !== undefined ? Number(length) : body === undefined ? null : Buffer.byteLength(JSON.stringify(body) ?? '')
    // Uploads and large bodies are not kept: the journal holds what a client sent, not megabytes of event logs.
    const kept = body !== undefined && (bodyBytes ?? 0) <= JOURNAL_BODY_MAX_BYTES && !String(request.headers['content-type']).startsWith('multipart/')
    // The request keeps its socket; a finished response has let go of it.
    const bytesAfter = request.raw.socket?.bytesWritten
    journal.record({
      vendor: vendor.name,
      arrivedAt,
      operation: request.routeOptions.schema?.operationId ?? null,
      method: request.method,
      url: request.url,
      headers: request.headers as Record<string, string | string[]>,
      body: kept ? body : null,
      bodyBytes,
      // A client that left before the answer began saw no status.
      status: aborted && !reply.raw.headersSent ? null : reply.statusCode,
      durationMs: reply.elapsedTime,
      fault,
      aborted,
      sentBytes: bytesBefore === null || bytesAfter === undefined ? null : bytesAfter - bytesBefore,
    })
  }
}

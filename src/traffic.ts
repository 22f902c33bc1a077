import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SandboxClock } from './clock.js'
import type { VendorErrorMapping } from './errors.js'
import { InjectedFault, type AppliedFault, type Faults } from './faults.js'
import { JOURNAL_BODY_MAX_BYTES, type Journal } from './journal.js'
import type { Vendor } from './simulation.js'
import { CONTROL_PREFIX } from './control/index.js'
import { EXPLORER_PREFIX } from './explorer/index.js'
import { explorerErrorMapping } from './explorer/errors.js'
import { MODELARTS_PREFIX } from './modelarts/index.js'
import { modelartsErrorMapping } from './modelarts/errors.js'
import { prpmErrorMapping } from './prpm/errors.js'

const MAPPINGS: Record<Vendor, VendorErrorMapping> = {
  prpm: prpmErrorMapping,
  explorer: explorerErrorMapping,
  modelarts: modelartsErrorMapping,
}

// Made once: asked of every request.
const CONTROL_PATHS = `${CONTROL_PREFIX}/`
const CONTROL_QUERY = `${CONTROL_PREFIX}?`
const EXPLORER_PATHS = `${EXPLORER_PREFIX}/`
const MODELARTS_PATHS = `${MODELARTS_PREFIX}/`

/** The vendor a URL belongs to; PrPM serves the root, so everything else is its. Null for the control API. */
export function vendorOf(url: string): Vendor | null {
  if (url === CONTROL_PREFIX || url.startsWith(CONTROL_PATHS) || url.startsWith(CONTROL_QUERY)) return null
  if (url.startsWith(EXPLORER_PATHS)) return 'explorer'
  if (url.startsWith(MODELARTS_PATHS)) return 'modelarts'
  return 'prpm'
}

/** The envelope of the vendor a URL belongs to (PrPM's for the root and for anything unknown). */
export function errorMappingFor(url: string): VendorErrorMapping {
  return MAPPINGS[vendorOf(url) ?? 'prpm']
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The sandbox time the request arrived, and what a fault rule did to it. */
    traffic: { vendor: Vendor | null; arrivedAt: number; fault: AppliedFault | null }
  }
}

/**
 * Every vendor request passes here: fault rules delay or fail it before the
 * vendor sees it (before auth, as a flaky network or gateway would), and the
 * journal records it once answered. The control API is neither faulted nor
 * journaled, so polling the journal does not fill it.
 */
export function watchTraffic(app: FastifyInstance, { clock, faults, journal }: { clock: SandboxClock; faults: Faults; journal: Journal }): void {
  app.decorateRequest('traffic', null as unknown as FastifyRequest['traffic'])
  // Hooks that call done() rather than return a promise: every request passes them, and without a fault
  // rule there is nothing to wait for.
  app.addHook('onRequest', (request, _reply, done) => {
    const vendor = vendorOf(request.url)
    request.traffic = { vendor, arrivedAt: clock.now(), fault: null }
    if (vendor === null || !faults.active) return done()
    faults.apply(vendor, request.routeOptions.schema?.operationId, MAPPINGS[vendor]).then(
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
  if (journal.capacity === 0) return
  app.addHook('onResponse', (request, reply, done) => {
    const { vendor, arrivedAt, fault } = request.traffic
    if (vendor !== null) {
      const length = request.headers['content-length']
      const body = request.body
      // A chunked body has no Content-Length: its parsed JSON's size stands in.
      const bodyBytes = length !== undefined ? Number(length) : body === undefined ? null : Buffer.byteLength(JSON.stringify(body) ?? '')
      // Uploads and large bodies are not kept: the journal holds what a client sent, not megabytes of event logs.
      const kept = body !== undefined && (bodyBytes ?? 0) <= JOURNAL_BODY_MAX_BYTES && !String(request.headers['content-type']).startsWith('multipart/')
      journal.record({
        vendor,
        arrivedAt,
        operation: request.routeOptions.schema?.operationId ?? null,
        method: request.method,
        url: request.url,
        headers: request.headers as Record<string, string | string[]>,
        body: kept ? body : null,
        bodyBytes,
        status: reply.statusCode,
        durationMs: reply.elapsedTime,
        fault,
      })
    }
    done()
  })
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import type { SandboxClock } from './clock.js'
import type { Faults } from './faults.js'
import type { Journal } from './journal.js'
import { OWN_REQUEST, journalRecordOf, meterSentBytes, type ExchangeFacts } from './traffic.js'
import type { Replay, Replayer, ReplayOffers } from './vendor-module.js'
import type { VendorRegistry } from './vendors.js'

/** Where the answered request's journal record waits for its response to close. */
const REPLAYED = Symbol('resultbox.replayed')
type ReplayedResponse = ServerResponse & { [REPLAYED]?: { request: IncomingMessage; facts: ExchangeFacts; startedAt: number; journal: Journal } }

function recordOnClose(this: ReplayedResponse): void {
  const replayed = this[REPLAYED]
  if (replayed === undefined) return
  this[REPLAYED] = undefined
  const { request, facts, startedAt, journal } = replayed
  const aborted = !this.writableFinished
  journal.record(journalRecordOf(request, this, { ...facts, aborted, durationMs: performance.now() - startedAt }))
}

export interface ReplayLaneOptions {
  vendors: VendorRegistry
  clock: SandboxClock
  faults: Faults
  journal: Journal
  /** Whether Fastify would log this request as it answered it (at info): then Fastify answers it. */
  logsRequests: () => boolean
  /** The URL a vendor claims the request as by its credentials (OBS), if one does: such a request is Fastify's. */
  claimOf: (request: IncomingMessage) => string | undefined
  /** Off where every answer goes through Fastify: response validation against the document is on. */
  enabled: boolean
}

/**
 * A lane beside Fastify for the answers a client asks for again and again: a page a vendor's route has
 * already answered (and cached) is written once more, as it was, without Fastify's routing, validation,
 * hooks and request objects, which cost more than the rest of answering it. Only a certain 200 takes the
 * lane: each vendor's replayer checks the request's credentials as its route would and finds the answer in
 * the route's own cache, which expires with the sandbox clock and with any write to the store. Anything
 * else (a refusal, an unknown page, a body, HEAD, a fault rule, a claim by OBS, a closing server, request
 * logging at info or below, response validation) goes to Fastify unchanged. What a client sees is the
 * route's answer with a new request id; the journal records the request as it records Fastify's.
 */
export class ReplayLane implements ReplayOffers {
  private readonly replayers: Array<{ prefix: string; replayer: Replayer }> = []
  private closing = false
  /** How many answers it has given (app.resultbox.lane.replayed): what tells a test that the lane was taken. */
  replayed = 0

  constructor(private readonly options: ReplayLaneOptions) {}

  offer(prefix: string, replayer: Replayer): void {
    this.replayers.push({ prefix, replayer })
  }

  /** From now on every request is Fastify's, which answers 503 while it closes. */
  close(): void {
    this.closing = true
  }

  /** Answers the request with a replay and says so; false leaves it untouched, for Fastify. */
  answer(request: IncomingMessage, response: ServerResponse): boolean {
    if (this.replayers.length === 0 || !this.options.enabled || this.closing || request.method !== 'GET') return false
    const { url, headers } = request
    if (url === undefined || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false
    const { faults, vendors, clock, journal, claimOf, logsRequests } = this.options
    if (faults.active || logsRequests() || url.includes(OWN_REQUEST)) return false
    const offered = this.replayers.find(({ prefix }) => url.startsWith(prefix))
    if (offered === undefined) return false
    const vendor = vendors.vendorOf(url)
    if (vendor === null || claimOf(request) !== undefined) return false
    const startedAt = performance.now()
    const arrivedAt = clock.now()
    let replay: Replay | undefined
    try {
      replay = offered.replayer(request)
    } catch {
      // Thrown here, it would be thrown from the server's request listener; the route meets the same failure
      // and answers it in the vendor's envelope.
      return false
    }
    if (replay === undefined) return false
    if (journal.capacity > 0) {
      const facts: ExchangeFacts = { vendor: vendor.name, arrivedAt, operation: replay.operation, body: undefined, durationMs: 0, fault: null, aborted: false }
      meterSentBytes(response)
      ;(response as ReplayedResponse)[REPLAYED] = { request, facts, startedAt, journal }
      response.on('close', recordOnClose)
    }
    response.writeHead(200, replay.headers as string[])
    response.end(replay.bytes)
    this.replayed += 1
    return true
  }
}

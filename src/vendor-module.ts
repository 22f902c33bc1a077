import type { IncomingMessage } from 'node:http'
import type { FastifyPluginAsync } from 'fastify'
import type { SandboxClock } from './clock.js'
import type { Config } from './config.js'
import type { HeaderObject, OpenApiOperation, SecurityRequirement } from './contract/types.js'
import type { Db } from './database.js'
import type { VendorErrorMapping } from './errors.js'
import type { Scheduler, TimedWork } from './scheduler.js'
import type { OperationExamples } from './schemas.js'
import type { VendorSimulation } from './simulation.js'

/** What a vendor's routes, timed work and simulation are given: the shared services, made once per sandbox. */
export interface VendorContext {
  config: Config
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
  /** Where its routes offer the answers they can give again before Fastify routes a request (replay-lane.ts). */
  replays: ReplayOffers
}

/** An answer a vendor's route gave, to be given again as it was. */
export interface Replay {
  /** The route's operationId, as the journal names it. */
  readonly operation: string
  /** The head's fields as the route writes them, name then value, in its order (Node adds Date and the connection's own). */
  readonly headers: readonly string[]
  readonly bytes: Buffer
}

/**
 * A vendor's own test of a request: the 200 its route would answer, when that is certain (the answer is in the
 * route's cache and the credentials pass); undefined otherwise, and the route answers it, refusals included.
 */
export type Replayer = (request: IncomingMessage) => Replay | undefined

export interface ReplayOffers {
  /** A replayer, asked about the GET requests whose URL starts with `prefix`. */
  offer(prefix: string, replayer: Replayer): void
}

/** What the OpenAPI document says of a vendor that no route schema can: its auth, and the headers its answers carry. */
export interface VendorContract {
  /** Its security schemes by name, as the document's components list them; names are unique across vendors. */
  readonly securitySchemes: Readonly<Record<string, Record<string, unknown>>>
  /** The schemes an operation accepts (any one of them), by its operationId. */
  security(operationId: string | undefined): SecurityRequirement[]
  /** The headers the vendor's own code sets on an answer of this operation and status, which a client may read. */
  headers(operation: OpenApiOperation, status: string): Record<string, HeaderObject>
}

/**
 * One vendor, whole: everything the sandbox needs to serve it, reset it and
 * document it. Each vendor folder's index.ts exports one; the composition
 * root (app.ts) lists them, and the shared layers (traffic, client errors,
 * the document, the control API) take the list and never name a vendor.
 * LocalStack's provider registry is the model.
 */
export interface VendorModule {
  /** As the control API, fault rules, the journal and the document's tag spell it: lower case, [a-z0-9-]. */
  readonly name: string
  /** One line for the document's tag: what the vendor's API does. */
  readonly description: string
  /**
   * The URL prefixes whose paths are this vendor's ('/api-open/v1' owns '/api-open/v1' and everything under
   * it). '/' owns every path no other vendor (or the control API) does; at most one vendor has it.
   * Every route the plugin adds must lie under one of them: buildApp refuses to start otherwise.
   */
  readonly prefixes: readonly string[]
  /**
   * Requests it recognises by their credentials wherever their path lies, and the URL (under one of its
   * prefixes) each is routed as; undefined for the others. OBS is a host of its own: its SDKs send
   * GET /{bucket}/{key} with OBS's signature to / of whatever server they are given, where a path alone
   * could be another vendor's. Made once per world (a claim may read its store); called for every request
   * before routing, so it checks a header or two first.
   */
  readonly claims?: (context: VendorContext) => (request: IncomingMessage) => string | undefined
  /** Its routes, registered once in a scope of their own; it mounts them under its prefixes itself. */
  readonly plugin: FastifyPluginAsync<VendorContext>
  /** Its error envelope, for everything the shared layers refuse on its behalf (unknown paths, parse errors, faults). */
  readonly errors: VendorErrorMapping
  /**
   * Another envelope for the paths under one of its prefixes, where a route family of its own speaks
   * another service's (ModelArts' IAM answers in Keystone's JSON, its OBS in XML).
   */
  readonly errorsAt?: Readonly<Record<string, VendorErrorMapping>>
  /**
   * Whether a JSON body's values are coerced to the schema's types ("5" read as 5), as a lenient server
   * (PrCore's pydantic v1) does; otherwise they are taken as sent.
   */
  readonly coercesBodyTypes: boolean
  /** Its first content: the fixture files read, checked and written to the store, inside the caller's transaction. */
  seed(db: Db, fixturesDir: string, seededAt: number): void
  /** Its large set (RESULTBOX_FIXTURE_SCALE=large), beside the fixtures, inside the caller's transaction. */
  seedLarge(db: Db, seededAt: number): void
  /** What runs on the sandbox clock (plugins finishing, jobs stepping, results expiring), in the order it must run. */
  timedWork(context: VendorContext): readonly TimedWork[]
  /** Its reset, scenarios and overview, for the control API. */
  simulation(context: VendorContext): VendorSimulation
  /** Examples for the document, by operationId and status, computed from the fixtures. */
  examples(paths: { fixturesDir: string; migrationsDir: string }): OperationExamples
  readonly contract: VendorContract
}

/** A vendor's plugin that mounts `routes` under one prefix, the common case of VendorModule.plugin. */
export function mountedAt(prefix: string, routes: FastifyPluginAsync<VendorContext>): FastifyPluginAsync<VendorContext> {
  return async (app, context) => {
    await app.register(routes, { ...context, prefix })
  }
}

import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { clientErrorAnswerer } from './client-errors.js'
import { SandboxClock } from './clock.js'
import { packageRoot, version, type Config } from './config.js'
import { requestLoggerFactory } from './request-logger.js'
import { CompiledSchemas, lazyCompilers } from './compilers.js'
import { checkResponses } from './contract/checking.js'
import { contractOptions } from './contract/document.js'
import type { ContractViolation } from './contract/responses.js'
import { latestSandboxTime, migrate, migratedImage, openDatabase, recordSandboxTime, seedOnce, storeRevision, type Db } from './database.js'
import { sendVendorError } from './errors.js'
import { Faults } from './faults.js'
import { Journal } from './journal.js'
import { ReplayLane } from './replay-lane.js'
import { watchTraffic } from './traffic.js'
import { ProviderStateBook } from './provider-states/book.js'
import { Scheduler } from './scheduler.js'
import { seedVendor } from './seeding.js'
import { finishUnreadBodies } from './unread-body.js'
import type { VendorContext, VendorModule } from './vendor-module.js'
import { VendorRegistry } from './vendors.js'
import { CONTROL_PREFIX, controlApi } from './control/index.js'
import { SANDBOXES_PREFIX } from './sandboxes/paths.js'
import { SandboxRegistry } from './sandboxes/registry.js'
import { unknownSandboxes } from './sandboxes/routes.js'
import { prpm } from './prpm/index.js'
import { explorer } from './explorer/index.js'
import { modelarts } from './modelarts/index.js'

/** The vendors a sandbox serves. A new vendor is a folder of its own and one entry here. */
export const VENDORS: readonly VendorModule[] = [prpm, explorer, modelarts]

export interface BuildOptions {
  config: Config
  /** The clock everything reads; tests pass a frozen one. Defaults to one built from config.clock. */
  clock?: SandboxClock
  logger?: FastifyServerOptions['logger']
  migrationsDir?: string
  /** Told of each response that breaks the OpenAPI document, when config.validateResponses is on (tests fail on it). */
  onContractViolation?: (violation: ContractViolation) => void
  /** The vendors to serve; default: VENDORS. An embedder may leave some out, or add its own. */
  vendors?: readonly VendorModule[]
  /** A logger of the caller's (a named sandbox gets its server's, with its name), instead of one made from `logger`. */
  loggerInstance?: FastifyBaseLogger
  /** Real time, for what runs on it rather than on the sandbox clock (named sandboxes' idle expiry); tests pass their own. */
  realNow?: () => number
  /**
   * Set when this world is a named sandbox inside a server: it is reached through the server's port (and
   * perhaps one of its own), holds no sandboxes itself, and closes its store only once its requests in
   * flight have ended.
   */
  world?: {
    name: string
    /** Where it is reached on its server's port: /sandboxes/{name}. */
    basePath: string
    drained: () => Promise<void>
    /** Told of each request that reaches it at a port of its own. */
    arrived: (response: ServerResponse) => void
    /** Its server's compiled validators and serializers, which it shares. */
    compiled: CompiledSchemas
    /** A new store with every migration applied, which its own starts from. */
    storeImage: () => Promise<Buffer>
    /** Whether its server's logger writes Fastify's request lines, which its own (a child of that one) then does too. */
    logsRequests: () => boolean
  }
}


/**
 * Where the sandbox clock starts: the configured time, else real time, but
 * never before what the store has already seen, so a clock that ran faster
 * than real time does not go back on a restart.
 */
function clockStart(config: Config, db: Db): number {
  if (config.clock.start !== null) return config.clock.start
  return Math.max(Date.now(), latestSandboxTime(db) ?? 0)
}

/**
 * Builds the sandbox: opens and migrates the store, seeds it from the
 * fixtures on first use, and mounts each vendor's API where the vendor
 * serves its own. The caller listens (or injects).
 */
/**
 * Fastify's rewriteUrl, when a vendor claims requests by their credentials (ModelArts' OBS): such a request is
 * routed as the URL its vendor gives; every other goes as it came. The claims are the world's, made once its
 * store is open (`claimWith`); until then no request is routed.
 */
function claimedUrls(modules: readonly VendorModule[]) {
  let claimers: Array<(request: IncomingMessage) => string | undefined> = []
  const claimWith = (context: VendorContext) => {
    claimers = modules.flatMap((module) => (module.claims ? [module.claims(context)] : []))
  }
  /** The URL a vendor claims the request as, if one does. */
  const claimOf = (request: IncomingMessage): string | undefined => {
    for (const claims of claimers) {
      const url = claims(request)
      if (url !== undefined) return url
    }
    return undefined
  }
  if (!modules.some((module) => module.claims)) return { options: {}, claimWith, claimOf }
  const rewriteUrl = (request: IncomingMessage): string => claimOf(request) ?? request.url ?? '/'
  return { options: { rewriteUrl }, claimWith, claimOf }
}

export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const vendors = new VendorRegistry(options.vendors ?? VENDORS, CONTROL_PREFIX, SANDBOXES_PREFIX)
  // A named sandbox compiles nothing its server's world (or an earlier sandbox) already has.
  const compiled = options.world?.compiled ?? new CompiledSchemas()
  // The server's own world dispatches its port's requests: those under /sandboxes/{name} to that sandbox.
  let dispatch: RequestHandler | undefined
  // The world's own handler: a replay (replay-lane.ts), else Fastify's routing; set once its services are made.
  let answer: RequestHandler | undefined
  const claimed = claimedUrls(vendors.modules)
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? { level: config.logLevel } }),
    // The server's own world dispatches its port's requests; a named sandbox's own port counts its requests.
    serverFactory: serverWith((handler) => {
      const { world } = options
      const own: RequestHandler = (request, response) => (answer ?? handler)(request, response)
      if (world === undefined) return (request, response) => (dispatch ?? own)(request, response)
      return (request, response) => {
        world.arrived(response)
        own(request, response)
      }
    }),
    // The control API takes JSON values as sent; each vendor as its server does.
    schemaController: { compilersFactory: lazyCompilers((url) => vendors.vendorOf(url)?.coercesBodyTypes ?? false, compiled) },
    bodyLimit: config.limits.bodyMaxBytes,
    http: { maxHeaderSize: config.limits.headerMaxBytes },
    clientErrorHandler: clientErrorAnswerer(vendors),
    ...claimed.options,
    childLoggerFactory: requestLoggerFactory,
    frameworkErrors: (error, request, reply) => {
      request.log.info({ err: error }, 'request refused before routing')
      sendVendorError(reply, vendors.errorsFor(request.url).notFound(request))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const migrationsDir = options.migrationsDir ?? path.join(packageRoot, 'migrations')
  const db = openDatabase(options.world ? await options.world.storeImage() : config.dbPath)
  let clock: SandboxClock
  try {
    if (!options.world) await migrate(db, migrationsDir)
    clock = options.clock ?? new SandboxClock({ start: clockStart(config, db), speed: config.clock.speed })
    const seedingStarted = performance.now()
    let largeMs: Record<string, number> | null = null
    const seeded = seedOnce(db, clock.now(), (seededAt) => {
      for (const vendor of vendors.modules) {
        const took = seedVendor(vendor, db, config, seededAt)
        if (took !== null) (largeMs ??= {})[vendor.name] = took
      }
    })
    app.log.info({ db: config.dbPath, seeded }, seeded ? 'store seeded from fixtures' : 'store already seeded; fixtures not loaded')
    if (largeMs) {
      // Seeding in one transaction left a WAL as large as the store; its pages are in the store by now.
      db.pragma('wal_checkpoint(TRUNCATE)')
      // Per vendor, and in all: with the fixtures, the commit and the checkpoint.
      app.log.info({ ms: largeMs, total_ms: Math.round(performance.now() - seedingStarted) }, 'large fixtures seeded')
    }
  } catch (error) {
    db.close()
    throw error
  }

  const scheduler = new Scheduler(clock, app.log as FastifyBaseLogger, storeRevision(db))
  const faults = new Faults()
  const journal = new Journal(config.journalSize)
  const logsRequests = options.world?.logsRequests ?? requestLogging(app.log, options)
  const lane = new ReplayLane({ vendors, clock, faults, journal, logsRequests, claimOf: claimed.claimOf, enabled: !config.validateResponses })
  const context: VendorContext = { config, db, clock, scheduler, replays: lane }
  claimed.claimWith(context)
  for (const vendor of vendors.modules) for (const work of vendor.timedWork(context)) scheduler.register(work)
  const simulations = Object.fromEntries(vendors.modules.map((vendor) => [vendor.name, vendor.simulation(context)]))
  const providerStates = new ProviderStateBook({ db, clock, scheduler, simulations, compiled })
  // Made when the first sandbox is: one migrated store, copied for each.
  let image: Promise<Buffer> | undefined
  const storeImage = () => (image ??= migratedImage(migrationsDir))
  const sandboxes = options.world ? null : new SandboxRegistry({
    config,
    log: app.log as FastifyBaseLogger,
    realNow: options.realNow,
    // Each a whole world, built as this one is, logging through this one's logger with its name.
    build: ({ name, basePath, config: worldConfig, clock: worldClock, drained, arrived }) => buildApp({
      config: worldConfig,
      clock: worldClock,
      vendors: options.vendors,
      migrationsDir: options.migrationsDir,
      onContractViolation: options.onContractViolation,
      loggerInstance: (app.log as FastifyBaseLogger).child({ sandbox: name }),
      world: { name, basePath, drained, arrived, compiled, storeImage, logsRequests },
    }),
  })
  answer = (request, response) => {
    if (!lane.answer(request, response)) app.routing(request, response)
  }
  if (sandboxes) dispatch = sandboxes.dispatcher(answer)
  app.decorate('resultbox', { config, db, clock, scheduler, vendors, simulations, providerStates, faults, journal, sandboxes, reached: { basePath: options.world?.basePath ?? '', ownPort: null }, lane, answer })
  watchTraffic(app, { vendors, clock, faults, journal })
  finishUnreadBodies(app, { maxBytes: config.uploadMaxBytes })
  // Registered before any route, so that it sees them all; it builds the document on first request.
  await app.register(
    fastifySwagger,
    contractOptions(config, version(), vendors, () =>
      Object.assign({}, ...vendors.modules.map((vendor) => vendor.examples({ fixturesDir: config.fixturesDir, migrationsDir })))),
  )
  if (config.validateResponses) checkResponses(app, options.onContractViolation)
  // Fastify answers 503 to what arrives while it closes: nothing is replayed past this point.
  app.addHook('preClose', (done) => {
    lane.close()
    done()
  })
  app.addHook('onReady', async () => scheduler.start())
  // Before this server stops listening: the sandboxes reached through its port end their streams and go.
  if (sandboxes) app.addHook('preClose', async () => sandboxes.closeAll())
  app.addHook('onClose', async () => {
    scheduler.stop()
    // A sandbox reached through its server's port is not listening itself: its requests in flight end first.
    await options.world?.drained()
    if (db.open) recordSandboxTime(db, clock.now())
    db.close()
  })

  await app.register(controlApi, { prefix: CONTROL_PREFIX, sandbox: app.resultbox })
  await app.register(unknownSandboxes(options.world !== undefined), { prefix: SANDBOXES_PREFIX })
  // A vendor that owns the root answers its unknown paths in its own scope; without one, the first vendor does.
  if (!vendors.root.prefixes.includes('/')) app.setNotFoundHandler((request, reply) => sendVendorError(reply, vendors.root.errors.notFound(request)))
  for (const vendor of vendors.modules) {
    await app.register(async (scope) => {
      // A route outside the vendor's prefixes would be answered, faulted and journaled as another vendor's.
      scope.addHook('onRoute', (route) => {
        if (vendors.vendorOf(route.url) !== vendor) throw new Error(`${vendor.name}'s route ${route.method} ${route.url} is outside its prefixes (${vendor.prefixes.join(', ')})`)
      })
      await scope.register(vendor.plugin, context)
    })
  }
  return app
}

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void

/**
 * Whether Fastify writes its request lines ('incoming request', 'request completed', at info) with this
 * logger: never without one (`logger: false`), as pino's level says, and always, for all that is known,
 * with a caller's logger that cannot say.
 */
function requestLogging(log: FastifyBaseLogger, options: BuildOptions): () => boolean {
  if (options.loggerInstance === undefined && options.logger === false) return () => false
  const levelAware = log as Partial<{ isLevelEnabled(level: string): boolean }>
  if (typeof levelAware.isLevelEnabled !== 'function') return () => true
  return () => levelAware.isLevelEnabled?.call(log, 'info') === true
}

/**
 * A world's http.Server, as Fastify would make it (its options, timeouts and limits), with a request handler
 * of resultbox's around Fastify's: the server's own dispatches to named sandboxes, a sandbox's counts its use.
 */
function serverWith(handlerAround: (fastifyHandler: RequestHandler) => RequestHandler): NonNullable<FastifyServerOptions['serverFactory']> {
  return (fastifyHandler, given) => {
    // Fastify has filled in its defaults by now.
    const options = given as { http?: http.ServerOptions; keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number; maxRequestsPerSocket: number }
    const server = http.createServer(options.http ?? {}, handlerAround(fastifyHandler as RequestHandler))
    server.keepAliveTimeout = options.keepAliveTimeout
    server.requestTimeout = options.requestTimeout
    server.setTimeout(options.connectionTimeout)
    if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket
    return server
  }
}

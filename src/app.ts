import path from 'node:path'
import { performance } from 'node:perf_hooks'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { clientErrorAnswerer } from './client-errors.js'
import { SandboxClock } from './clock.js'
import { packageRoot, version, type Config } from './config.js'
import { requestLoggerFactory } from './request-logger.js'
import { lazyCompilers } from './compilers.js'
import { checkResponses } from './contract/checking.js'
import { contractOptions } from './contract/document.js'
import type { ContractViolation } from './contract/responses.js'
import { latestSandboxTime, migrate, openDatabase, recordSandboxTime, seedOnce, storeRevision, type Db } from './database.js'
import { sendVendorError } from './errors.js'
import { Faults } from './faults.js'
import { Journal } from './journal.js'
import { watchTraffic } from './traffic.js'
import { Scheduler } from './scheduler.js'
import { finishUnreadBodies } from './unread-body.js'
import type { VendorContext, VendorModule } from './vendor-module.js'
import { VendorRegistry } from './vendors.js'
import { CONTROL_PREFIX, controlApi } from './control/index.js'
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
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const vendors = new VendorRegistry(options.vendors ?? VENDORS, CONTROL_PREFIX)
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // The control API takes JSON values as sent; each vendor as its server does.
    schemaController: { compilersFactory: lazyCompilers((url) => vendors.vendorOf(url)?.coercesBodyTypes ?? false) },
    bodyLimit: config.limits.bodyMaxBytes,
    http: { maxHeaderSize: config.limits.headerMaxBytes },
    clientErrorHandler: clientErrorAnswerer(vendors),
    childLoggerFactory: requestLoggerFactory,
    frameworkErrors: (error, request, reply) => {
      request.log.info({ err: error }, 'request refused before routing')
      sendVendorError(reply, vendors.errorsFor(request.url).notFound(request))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const migrationsDir = options.migrationsDir ?? path.join(packageRoot, 'migrations')
  const db = openDatabase(config.dbPath)
  let clock: SandboxClock
  try {
    await migrate(db, migrationsDir)
    clock = options.clock ?? new SandboxClock({ start: clockStart(config, db), speed: config.clock.speed })
    const seedingStarted = performance.now()
    let largeMs: Record<string, number> | null = null
    const seeded = seedOnce(db, clock.now(), (seededAt) => {
      for (const vendor of vendors.modules) vendor.seed(db, config.fixturesDir, seededAt)
      if (config.fixtureScale === 'large') largeMs = seedLarge(vendors.modules, db, seededAt)
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
  const context: VendorContext = { config, db, clock, scheduler }
  for (const vendor of vendors.modules) for (const work of vendor.timedWork(context)) scheduler.register(work)
  const simulations = Object.fromEntries(vendors.modules.map((vendor) => [vendor.name, vendor.simulation(context)]))
  const faults = new Faults()
  const journal = new Journal(config.journalSize)
  app.decorate('resultbox', { config, db, clock, scheduler, vendors, simulations, faults, journal })
  watchTraffic(app, { vendors, clock, faults, journal })
  finishUnreadBodies(app, { maxBytes: config.uploadMaxBytes })
  // Registered before any route, so that it sees them all; it builds the document on first request.
  await app.register(
    fastifySwagger,
    contractOptions(config, version(), vendors, () =>
      Object.assign({}, ...vendors.modules.map((vendor) => vendor.examples({ fixturesDir: config.fixturesDir, migrationsDir })))),
  )
  if (config.validateResponses) checkResponses(app, options.onContractViolation)
  app.addHook('onReady', async () => scheduler.start())
  app.addHook('onClose', async () => {
    scheduler.stop()
    if (db.open) recordSandboxTime(db, clock.now())
    db.close()
  })

  await app.register(controlApi, { prefix: CONTROL_PREFIX, sandbox: app.resultbox })
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

/** Seeds every vendor's large set beside the fixtures, inside the caller's transaction; how long each took, in ms. */
function seedLarge(modules: readonly VendorModule[], db: Db, seededAt: number): Record<string, number> {
  const took: Record<string, number> = {}
  for (const vendor of modules) {
    const started = performance.now()
    vendor.seedLarge(db, seededAt)
    took[vendor.name] = Math.round(performance.now() - started)
  }
  return took
}

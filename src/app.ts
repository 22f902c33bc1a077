import path from 'node:path'
import { performance } from 'node:perf_hooks'
import fastifySwagger from '@fastify/swagger'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { answerClientError } from './client-errors.js'
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
import { seedLargeFixtures } from './large.js'
import { errorMappingFor, vendorOf, watchTraffic } from './traffic.js'
import { Scheduler } from './scheduler.js'
import { finishUnreadBodies } from './unread-body.js'
import { CONTROL_PREFIX, controlApi } from './control/index.js'
import { EXPLORER_PREFIX, explorerApi, explorerExamples, loadExplorerFixture, seedExplorer } from './explorer/index.js'
import { MODELARTS_PREFIX, loadModelArtsFixture, modelartsApi, modelartsExamples, seedModelArts } from './modelarts/index.js'
import { loadPrpmFixture, prpmApi, prpmExamples, seedPrpm } from './prpm/index.js'
import { prpmSimulation } from './prpm/simulation.js'
import { explorerSimulation } from './explorer/simulation.js'
import { modelartsSimulation } from './modelarts/simulation.js'
import type { Vendor, VendorSimulation } from './simulation.js'


export interface BuildOptions {
  config: Config
  /** The clock everything reads; tests pass a frozen one. Defaults to one built from config.clock. */
  clock?: SandboxClock
  logger?: FastifyServerOptions['logger']
  migrationsDir?: string
  /** Told of each response that breaks the OpenAPI document, when config.validateResponses is on (tests fail on it). */
  onContractViolation?: (violation: ContractViolation) => void
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
 * fixtures on first use, and mounts the three vendor APIs where each vendor
 * serves its own. The caller listens (or injects).
 */
export async function buildApp(options: BuildOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // PrCore's pydantic v1 coerces JSON values ("5" for 5); Explorer's Go decoder and the control API take them as sent.
    schemaController: { compilersFactory: lazyCompilers((url) => vendorOf(url) === 'prpm') },
    bodyLimit: config.limits.bodyMaxBytes,
    http: { maxHeaderSize: config.limits.headerMaxBytes },
    clientErrorHandler: answerClientError,
    childLoggerFactory: requestLoggerFactory,
    frameworkErrors: (error, request, reply) => {
      request.log.info({ err: error }, 'request refused before routing')
      sendVendorError(reply, errorMappingFor(request.url).notFound(request))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const migrationsDir = options.migrationsDir ?? path.join(packageRoot, 'migrations')
  const db = openDatabase(config.dbPath)
  let clock: SandboxClock
  try {
    await migrate(db, migrationsDir)
    clock = options.clock ?? new SandboxClock({ start: clockStart(config, db), speed: config.clock.speed })
    const seedingStarted = performance.now()
    let largeMs: Record<Vendor, number> | null = null
    const seeded = seedOnce(db, clock.now(), (seededAt) => {
      seedPrpm(db, loadPrpmFixture(config.fixturesDir), seededAt)
      seedExplorer(db, loadExplorerFixture(config.fixturesDir))
      seedModelArts(db, loadModelArtsFixture(config.fixturesDir))
      if (config.fixtureScale === 'large') largeMs = seedLargeFixtures(db, seededAt)
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
  const simulations: Record<Vendor, VendorSimulation> = {
    prpm: prpmSimulation({ db, fixturesDir: config.fixturesDir, fixtureScale: config.fixtureScale, config: config.prpm }),
    explorer: explorerSimulation({ db, fixturesDir: config.fixturesDir, fixtureScale: config.fixtureScale }),
    modelarts: modelartsSimulation({ db, fixturesDir: config.fixturesDir, fixtureScale: config.fixtureScale }),
  }
  const faults = new Faults()
  const journal = new Journal(config.journalSize)
  app.decorate('resultbox', { config, db, clock, scheduler, simulations, faults, journal })
  watchTraffic(app, { clock, faults, journal })
  finishUnreadBodies(app, { maxBytes: config.uploadMaxBytes })
  // Registered before any route, so that it sees them all; it builds the document on first request.
  await app.register(
    fastifySwagger,
    contractOptions(config, version(), (url) => vendorOf(url) ?? 'control', () => ({
      ...prpmExamples(config.fixturesDir, migrationsDir),
      ...explorerExamples(config.fixturesDir),
      ...modelartsExamples(config.fixturesDir),
    })),
  )
  if (config.validateResponses) checkResponses(app, options.onContractViolation)
  app.addHook('onReady', async () => scheduler.start())
  app.addHook('onClose', async () => {
    scheduler.stop()
    if (db.open) recordSandboxTime(db, clock.now())
    db.close()
  })

  await app.register(controlApi, { prefix: CONTROL_PREFIX, sandbox: app.resultbox })
  await app.register(prpmApi, { config: config.prpm, db, clock, scheduler, uploadMaxBytes: config.uploadMaxBytes })
  await app.register(explorerApi, { prefix: EXPLORER_PREFIX, config: config.explorer, db, clock, scheduler })
  await app.register(modelartsApi, { prefix: MODELARTS_PREFIX, config: config.modelarts, db, clock, scheduler })
  return app
}

import type { SandboxClock } from './clock.js'
import type { Config } from './config.js'
import type { Db } from './database.js'
import type { Faults } from './faults.js'
import type { Journal } from './journal.js'
import type { Scheduler } from './scheduler.js'
import type { Vendor, VendorSimulation } from './simulation.js'

/**
 * The shared services, for tests and embedders. A module of its own, so that what the composition root
 * (app.ts) mounts, the control API above all, can name it without importing app.ts back.
 */
export interface Sandbox {
  config: Config
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
  /** Each vendor's reset and scenarios, for the control API. */
  simulations: Record<Vendor, VendorSimulation>
  faults: Faults
  /** The requests vendors received, for GET /_resultbox/requests. */
  journal: Journal
}

declare module 'fastify' {
  interface FastifyInstance {
    resultbox: Sandbox
  }
}

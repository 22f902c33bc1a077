import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SandboxClock } from './clock.js'
import type { Config } from './config.js'
import type { Db } from './database.js'
import type { Faults } from './faults.js'
import type { Journal } from './journal.js'
import type { ReplayLane } from './replay-lane.js'
import type { ProviderStateBook } from './provider-states/book.js'
import type { SandboxRegistry } from './sandboxes/registry.js'
import type { Scheduler } from './scheduler.js'
import type { VendorSimulation } from './simulation.js'
import type { VendorRegistry } from './vendors.js'

/**
 * The shared services, for tests and embedders. A module of its own, so that what the composition root
 * (app.ts) mounts, the control API above all, can name it without importing app.ts back.
 */
export interface Sandbox {
  config: Config
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
  /** The vendors it serves, and which one each URL belongs to. */
  vendors: VendorRegistry
  /** Each vendor's reset, scenarios and overview, by its name, for the control API. */
  simulations: Readonly<Record<string, VendorSimulation>>
  /** The vendors' provider states, and the setups made of them that a teardown undoes (POST /_resultbox/provider-states). */
  providerStates: ProviderStateBook
  faults: Faults
  /** The requests vendors received, for GET /_resultbox/requests. */
  journal: Journal
  /** The named sandboxes reached through this server's port; null inside one (a sandbox holds none). */
  sandboxes: SandboxRegistry | null
  /**
   * How clients reach this world: a named sandbox under `basePath` on its server's port, and at `ownPort`
   * once it listens on one of its own; the server's own world at '' and no port of its own.
   */
  reached: { readonly basePath: string; ownPort: number | null }
  /** The answers its vendors give again before Fastify routes a request. */
  lane: ReplayLane
  /** The world's request handler: an answer replayed by the lane, else Fastify's routing. */
  answer: (request: IncomingMessage, response: ServerResponse) => void
}

declare module 'fastify' {
  interface FastifyInstance {
    resultbox: Sandbox
  }
}

import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { SandboxClock } from './clock.js'
import { loadConfig, type Settings } from './config.js'
import { settingsToEnvironment } from './settings.js'
import type { VendorModule } from './vendor-module.js'

export interface StartOptions extends Settings {
  /** A clock of your own (e.g. frozen) instead of one built from clockSpeed/clockStart. */
  clock?: SandboxClock
  /** The vendors to serve; default: all of VENDORS. */
  vendors?: readonly VendorModule[]
}

export interface RunningSandbox {
  /** Base URL, e.g. http://127.0.0.1:41234: point the client under test here. */
  url: string
  port: number
  /** The sandbox clock: advance or freeze it to move plugins, expiry and signed URLs. */
  clock: SandboxClock
  /** The Fastify instance, for inject() without a socket. */
  app: FastifyInstance
  /** Stops listening and closes the store. */
  close(): Promise<void>
}

/** What an embedded sandbox uses unless told otherwise: its own port, its own memory, quiet logs. */
const EMBEDDED_DEFAULTS: Settings = { port: 0, db: ':memory:', logLevel: 'warn' }

/**
 * Starts a sandbox in this process, e.g. one per test file:
 * `const sandbox = await start(); … await sandbox.close()`.
 * Options are the environment variables' settings in camelCase
 * (`clockSpeed`, `prpmTokens`, …); process.env is not read.
 */
export async function start(options: StartOptions = {}): Promise<RunningSandbox> {
  const { clock, vendors, ...settings } = options
  const config = loadConfig(settingsToEnvironment({ ...EMBEDDED_DEFAULTS, ...settings }))
  const app = await buildApp({ config, clock, vendors })
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    url: `http://${host}:${port}`,
    port,
    clock: app.resultbox.clock,
    app,
    close: () => app.close(),
  }
}

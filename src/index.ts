/** resultbox as a library: start a sandbox in-process, or build the Fastify app yourself. */
export { start, type RunningSandbox, type StartOptions } from './start.js'
export { buildApp, type BuildOptions } from './app.js'
export type { Sandbox } from './sandbox.js'
export { SandboxClock, type ClockOptions, type ClockState } from './clock.js'
export { ConfigError, loadConfig, type Config, type Settings } from './config.js'

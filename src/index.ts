/** resultbox as a library: start a sandbox in-process, or build the Fastify app yourself. */
export { start, type RunningSandbox, type StartOptions } from './start.js'
export { VENDORS, buildApp, type BuildOptions } from './app.js'
export type { Sandbox } from './sandbox.js'
export { SandboxClock, type ClockOptions, type ClockState } from './clock.js'
export { ConfigError, loadConfig, type Config, type Settings } from './config.js'
// For a vendor of your own: the shape it plugs in as, and the pieces its envelope is made of.
export { mountedAt, type VendorContext, type VendorContract, type VendorModule } from './vendor-module.js'
export type { VendorSimulation } from './simulation.js'
export { VendorError, useVendorErrors, type VendorErrorMapping } from './errors.js'
export type { TimedWork } from './scheduler.js'
export type { Db } from './database.js'
// For Pact: stateHandlers for pact-js's Verifier that set states up in a resultbox world (also 'resultbox/pact').
export { pactStateHandlers, type PactStateHandler, type PactStateHandlerOptions } from './provider-states/pact.js'
export { providerState, type ProviderState, type AppliedState } from './provider-states/types.js'

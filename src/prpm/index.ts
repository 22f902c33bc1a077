import type { VendorModule } from '../vendor-module.js'
import { prpmContract } from './contract.js'
import { prpmErrorMapping } from './errors.js'
import { prpmExamples } from './examples.js'
import { loadPrpmFixture, seedPrpm } from './fixtures.js'
import { seedLargePrpm } from './large.js'
import { resultRules } from './results.js'
import { prpmApi } from './routes.js'
import { prpmRunner } from './runner.js'
import { prpmProviderStates } from './provider-states.js'
import { prpmSimulation } from './simulation.js'
import { PrpmStore } from './store.js'
import { StreamStore } from './stream-store.js'
import { prpmStreaming } from './streams.js'
import { prpmTraining } from './training.js'

/** PrPM (PrCore), at the root of the URL space, as the vendor serves it. */
export const prpm: VendorModule = {
  name: 'prpm',
  description: 'PrPM (PrCore): upload an event log, define its columns, create a project, upload an ongoing dataset, read its result',
  // PrCore's routes (/event_log, /project, …) sit at the root: every path no other vendor owns is PrCore's.
  prefixes: ['/'],
  plugin: prpmApi,
  errors: prpmErrorMapping,
  // PrCore's pydantic v1 coerces JSON values ("5" for 5).
  coercesBodyTypes: true,
  seed: (db, fixturesDir, seededAt) => seedPrpm(db, loadPrpmFixture(fixturesDir), seededAt),
  seedLarge: seedLargePrpm,
  timedWork({ db, config }) {
    const store = new PrpmStore(db)
    // Training first: a project that becomes TRAINED in a step has its plugins' due times already set.
    return [prpmTraining(store), prpmRunner(store, resultRules(config.prpm)), prpmStreaming(store, new StreamStore(db), config.prpm)]
  },
  simulation: ({ db, config, clock }) => {
    const simulation = prpmSimulation({ db, config: config.prpm, uploadMaxBytes: config.uploadMaxBytes, now: () => clock.now() })
    return { ...simulation, providerStates: prpmProviderStates(simulation, { db, tokens: config.prpm.tokens }) }
  },
  examples: ({ fixturesDir, migrationsDir }) => prpmExamples(fixturesDir, migrationsDir),
  contract: prpmContract,
}

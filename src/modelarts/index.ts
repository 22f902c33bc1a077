import { mountedAt, type VendorModule } from '../vendor-module.js'
import { modelartsContract } from './contract.js'
import { modelartsErrorMapping } from './errors.js'
import { modelartsExamples } from './examples.js'
import { loadModelArtsFixture, seedModelArts } from './fixtures.js'
import { seedLargeModelArts } from './large.js'
import { MODELARTS_PREFIX, modelartsApi } from './routes.js'
import { modelartsRunner } from './runner.js'
import { modelartsSimulation } from './simulation.js'
import { ModelArtsStore } from './store.js'

/** ModelArts data processing ("old version" API), under /v2 as the vendor serves it. */
export const modelarts: VendorModule = {
  name: 'modelarts',
  description: 'ModelArts data processing (v2): processor tasks, their versions and the versions\' results',
  prefixes: [MODELARTS_PREFIX],
  plugin: mountedAt(MODELARTS_PREFIX, modelartsApi),
  errors: modelartsErrorMapping,
  // Its routes take no JSON body; were one added, Huawei's gateway would take its values as sent.
  coercesBodyTypes: false,
  seed: (db, fixturesDir) => seedModelArts(db, loadModelArtsFixture(fixturesDir)),
  seedLarge: (db) => seedLargeModelArts(db),
  timedWork: ({ db }) => [modelartsRunner(new ModelArtsStore(db))],
  simulation: ({ db, config }) => modelartsSimulation({ db, fixturesDir: config.fixturesDir, fixtureScale: config.fixtureScale }),
  examples: ({ fixturesDir }) => modelartsExamples(fixturesDir),
  contract: modelartsContract,
}

import { mountedAt, type VendorModule } from '../vendor-module.js'
import { explorerContract } from './contract.js'
import { explorerErrorMapping } from './errors.js'
import { explorerExamples } from './examples.js'
import { loadExplorerFixture, seedExplorer } from './fixtures.js'
import { seedLargeExplorer } from './large.js'
import { EXPLORER_PREFIX, explorerApi } from './routes.js'
import { explorerRunner } from './runner.js'
import { explorerSimulation } from './simulation.js'
import { ExplorerStore } from './store.js'

/** NebulaGraph Explorer's workflow API, under /api-open/v1 as the vendor serves it. */
export const explorer: VendorModule = {
  name: 'explorer',
  description: 'NebulaGraph Explorer workflow API (api-open/v1): connect, run workflow jobs, read task sample results',
  prefixes: [EXPLORER_PREFIX],
  plugin: mountedAt(EXPLORER_PREFIX, explorerApi),
  errors: explorerErrorMapping,
  // Explorer's Go decoder takes JSON values as sent: "port": "9669" is not a number.
  coercesBodyTypes: false,
  seed: (db, fixturesDir) => seedExplorer(db, loadExplorerFixture(fixturesDir)),
  seedLarge: (db) => seedLargeExplorer(db),
  timedWork: ({ db }) => [explorerRunner(new ExplorerStore(db))],
  simulation: ({ db, config }) => explorerSimulation({ db, fixturesDir: config.fixturesDir, fixtureScale: config.fixtureScale }),
  examples: ({ fixturesDir }) => explorerExamples(fixturesDir),
  contract: explorerContract,
}

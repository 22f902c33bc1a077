import type { VendorModule } from '../vendor-module.js'
import { CONSOLE_PREFIX, CONSOLE_PREFIXES, consoleApi, consoleFallback, explorerFallback } from './console.js'
import { explorerContract } from './contract.js'
import { explorerErrorMapping } from './errors.js'
import { explorerExamples } from './examples.js'
import { loadExplorerFixture, seedExplorer } from './fixtures.js'
import { loadGraphFixture } from './graph.js'
import { seedLargeExplorer } from './large.js'
import { EXPLORER_PREFIX, EXPLORER_ROOT, explorerApi } from './routes.js'
import { explorerProviderStates } from './provider-states.js'
import { explorerRunner } from './runner.js'
import { explorerSimulation } from './simulation.js'
import { ExplorerStore } from './store.js'

/** NebulaGraph Explorer's workflow API, under /api-open/v1 as the vendor serves it. */
export const explorer: VendorModule = {
  name: 'explorer',
  description: 'NebulaGraph Explorer workflow API (api-open/v1): connect, run workflow jobs, read task sample results; the console\'s login and logout (api-nebula)',
  // The workflow API, and the web console's API, whose login and logout the vendor's QA suite uses too.
  prefixes: [EXPLORER_ROOT, CONSOLE_PREFIX, ...CONSOLE_PREFIXES],
  plugin: async (app, context) => {
    await app.register(explorerApi, { ...context, prefix: EXPLORER_PREFIX })
    await app.register(consoleApi, { ...context, prefix: CONSOLE_PREFIX })
    await app.register(explorerFallback, { prefix: EXPLORER_ROOT })
    await app.register(consoleFallback, { ...context, prefixes: CONSOLE_PREFIXES })
  },
  errors: explorerErrorMapping,
  // Explorer's Go decoder takes JSON values as sent: "port": "9669" is not a number.
  coercesBodyTypes: false,
  seed: (db, fixturesDir) => seedExplorer(db, loadExplorerFixture(fixturesDir), loadGraphFixture(fixturesDir)),
  seedLarge: (db) => seedLargeExplorer(db),
  timedWork: ({ db }) => [explorerRunner(new ExplorerStore(db))],
  simulation: ({ db, config }) => {
    const simulation = explorerSimulation({ db })
    const account = config.explorer.accounts[0]?.account ?? 'root'
    return { ...simulation, providerStates: explorerProviderStates(simulation, { db, account, tokenTtlSeconds: config.explorer.tokenTtlSeconds }) }
  },
  examples: ({ fixturesDir }) => explorerExamples(fixturesDir),
  contract: explorerContract,
}

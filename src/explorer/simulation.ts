import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { ScenarioError, type VendorSimulation } from '../simulation.js'
import { loadExplorerFixture, seedExplorer } from './fixtures.js'

export interface ExplorerSimulationOptions {
  db: Db
  fixturesDir: string
}

/** Explorer's part of the control API: reset to the fixture, and scenarios. */
export function explorerSimulation({ db, fixturesDir }: ExplorerSimulationOptions) {
  return {
    vendor: 'explorer',
    reset(now) {
      // Every other explorer table hangs off this one by a cascading foreign key.
      db.prepare('DELETE FROM explorer_jobs').run()
      seedExplorer(db, loadExplorerFixture(fixturesDir))
    },
    scenario: {
      body: Type.Object({}),
      created: Type.Object({}),
      create() {
        throw new ScenarioError(400, '', 'scenarios for explorer are not built yet')
      },
    },
  } satisfies VendorSimulation
}

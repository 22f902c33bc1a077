import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { ScenarioError, type VendorSimulation } from '../simulation.js'
import { loadPrpmFixture, seedPrpm } from './fixtures.js'

export interface PrpmSimulationOptions {
  db: Db
  fixturesDir: string
}

/** Prpm's part of the control API: reset to the fixture, and scenarios. */
export function prpmSimulation({ db, fixturesDir }: PrpmSimulationOptions) {
  return {
    vendor: 'prpm',
    reset(now) {
      // Every other prpm table hangs off this one by a cascading foreign key.
      db.prepare('DELETE FROM prpm_projects').run()
      seedPrpm(db, loadPrpmFixture(fixturesDir), now)
    },
    scenario: {
      body: Type.Object({}),
      created: Type.Object({}),
      create() {
        throw new ScenarioError(400, '', 'scenarios for prpm are not built yet')
      },
    },
  } satisfies VendorSimulation
}

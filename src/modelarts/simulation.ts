import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { ScenarioError, type VendorSimulation } from '../simulation.js'
import { loadModelArtsFixture, seedModelArts } from './fixtures.js'

export interface ModelArtsSimulationOptions {
  db: Db
  fixturesDir: string
}

/** ModelArts's part of the control API: reset to the fixture, and scenarios. */
export function modelartsSimulation({ db, fixturesDir }: ModelArtsSimulationOptions) {
  return {
    vendor: 'modelarts',
    reset(now) {
      // Every other modelarts table hangs off this one by a cascading foreign key.
      db.prepare('DELETE FROM modelarts_tasks').run()
      seedModelArts(db, loadModelArtsFixture(fixturesDir))
    },
    scenario: {
      body: Type.Object({}),
      created: Type.Object({}),
      create() {
        throw new ScenarioError(400, '', 'scenarios for modelarts are not built yet')
      },
    },
  } satisfies VendorSimulation
}

import { performance } from 'node:perf_hooks'
import type { Db } from './database.js'
import { seedLargeExplorer } from './explorer/large.js'
import { seedLargeModelArts } from './modelarts/large.js'
import { seedLargePrpm } from './prpm/large.js'
import type { Vendor } from './simulation.js'

/**
 * Seeds every vendor's large set (RESULTBOX_FIXTURE_SCALE=large) beside the
 * fixtures, inside the caller's transaction; returns how long each took, in ms.
 */
export function seedLargeFixtures(db: Db, seededAt: number): Record<Vendor, number> {
  const timed = (seed: () => void) => {
    const started = performance.now()
    seed()
    return Math.round(performance.now() - started)
  }
  return {
    prpm: timed(() => seedLargePrpm(db, seededAt)),
    explorer: timed(() => seedLargeExplorer(db)),
    modelarts: timed(() => seedLargeModelArts(db)),
  }
}

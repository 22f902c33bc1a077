import { performance } from 'node:perf_hooks'
import type { Config } from './config.js'
import type { Db } from './database.js'
import type { VendorModule } from './vendor-module.js'

/**
 * Seeds one vendor's part of a store as the configuration asks: its fixture files, with the generated large
 * set beside them (RESULTBOX_FIXTURE_SCALE=large), or nothing at all (none, as a named sandbox may ask).
 * A new store and every reset seed this way, inside the caller's transaction. Answers the milliseconds the
 * large set took, or null without one.
 */
export function seedVendor(vendor: VendorModule, db: Db, config: Pick<Config, 'fixturesDir' | 'fixtureScale'>, seededAt: number): number | null {
  if (config.fixtureScale === 'none') return null
  vendor.seed(db, config.fixturesDir, seededAt)
  if (config.fixtureScale !== 'large') return null
  const started = performance.now()
  vendor.seedLarge(db, seededAt)
  return Math.round(performance.now() - started)
}

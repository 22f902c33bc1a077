import { createHash } from 'node:crypto'
import type { Db } from '../../src/database.js'

/**
 * Every row of every table but sandbox_meta (where the clock is recorded),
 * hashed: a refused request must leave it as it was.
 */
export function storeDigest(db: Db): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sandbox_meta' ORDER BY name").pluck().all() as string[]
  const hash = createHash('sha256')
  for (const table of tables) hash.update(table).update(JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).raw().all()))
  return hash.digest('hex')
}

/** A value drawn into requests that must never reach SQL text: values travel as parameters only. */
export const SQL_CANARY = "rbxcanary'; DROP TABLE prpm_projects; --"

/**
 * From now on, every SQL text the store prepares or executes that contains
 * the canary's word, collected: the list must stay empty.
 */
export function sqlCarryingCanary(db: Db): string[] {
  const seen: string[] = []
  const watch = <F extends (sql: string) => unknown>(run: F): F =>
    ((sql: string) => {
      if (sql.includes('rbxcanary')) seen.push(sql)
      return run(sql)
    }) as F
  db.prepare = watch(db.prepare.bind(db)) as typeof db.prepare
  db.exec = watch(db.exec.bind(db))
  return seen
}

/**
 * Every row of every vendor table, each as `table JSON`, sorted (some tables are WITHOUT ROWID): what a
 * provider state's teardown must leave as its setup found it. SQLite's own counters are no vendor's state.
 */
export function vendorRows(db: Db): string[] {
  const tables = db.prepare<[], string>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'prpm%' OR name LIKE 'explorer%' OR name LIKE 'modelarts%') ORDER BY name",
  ).pluck().all()
  return tables.flatMap((name) => db.prepare(`SELECT * FROM "${name}"`).all().map((row) => `${name} ${JSON.stringify(row)}`)).sort()
}

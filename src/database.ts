import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import Postgrator from 'postgrator'

export type Db = Database.Database

export class StoreError extends Error {
  override name = 'StoreError'
}

/** Opens the store: a file (its folder created), ':memory:', or in memory from an image of another store. */
export function openDatabase(location: string | Buffer): Db {
  let db: Db
  try {
    if (typeof location === 'string' && location !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(location)), { recursive: true })
    db = new Database(location)
    db.pragma('journal_mode = WAL')
  } catch (error) {
    throw new StoreError(`cannot open ${typeof location === 'string' ? location : 'an image of a store'} (${(error as Error).message})`, { cause: error })
  }
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  // WAL with synchronous=NORMAL never corrupts the store; a power loss may cost the last commits only.
  db.pragma('synchronous = NORMAL')
  countWrites(db)
  return db
}

/** Writes made through each connection openDatabase() opened, as counted in JS. */
const writeCounts = new WeakMap<Db, { writes: number }>()

const STATEMENT_RUNS = ['run', 'get', 'all', 'iterate'] as const

/**
 * Counts every write made through this connection: each run of a statement that can write (SQLite's own
 * `readonly` says which; INSERT … RETURNING read with get() counts too) and each exec(). Statements run by
 * a transaction (BEGIN, COMMIT) are better-sqlite3's own and change nothing by themselves. Reading the count
 * costs nothing, where asking SQLite for total_changes() on every cached answer cost a twentieth of it.
 */
function countWrites(db: Db): void {
  const count = { writes: 0 }
  writeCounts.set(db, count)
  const prepare = db.prepare.bind(db)
  db.prepare = ((source: string) => {
    const statement = prepare(source)
    if (!statement.readonly) {
      const writer = statement as unknown as Record<(typeof STATEMENT_RUNS)[number], (...args: unknown[]) => unknown>
      for (const name of STATEMENT_RUNS) {
        const run = writer[name].bind(statement)
        writer[name] = (...args: unknown[]) => {
          count.writes += 1
          return run(...args)
        }
      }
    }
    return statement
  }) as typeof db.prepare
  const exec = db.exec.bind(db)
  db.exec = (source: string) => {
    count.writes += 1
    return exec(source)
  }
}

/**
 * Named prepared statements, each prepared when first used rather than when its store is made: the stores
 * hold about a hundred, and preparing them all was a tenth of start-up, mostly for statements a test never
 * runs. After its first use a statement is a plain property, as if it had been prepared up front.
 */
export function statementsOnDemand<T extends Record<string, () => unknown>>(prepare: T): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const statements = {} as { [K in keyof T]: ReturnType<T[K]> }
  for (const name of Object.keys(prepare) as (keyof T & string)[]) {
    Object.defineProperty(statements, name, {
      configurable: true,
      enumerable: true,
      get() {
        const statement = (prepare[name] as () => unknown)()
        Object.defineProperty(statements, name, { value: statement, enumerable: true })
        return statement
      },
    })
  }
  return statements
}

/**
 * A number that changes with every write to the store: the count kept for a connection openDatabase()
 * opened, SQLite's total_changes() for any other.
 */
export function storeRevision(db: Db): () => number {
  const count = writeCounts.get(db)
  if (count) return () => count.writes
  const changes = db.prepare<[], number>('SELECT total_changes()').pluck()
  return () => changes.get() as number
}

/**
 * A throwaway in-memory store with every migration applied, for work that
 * must never touch the real one (the OpenAPI document's examples). Nothing
 * is recorded and nothing persists, so no version table is needed.
 */
export function scratchDatabase(migrationsDir: string): Db {
  const db = new Database(':memory:')
  const scripts = fs.readdirSync(migrationsDir).filter((name) => /^\d+\.do\..*\.sql$/.test(name))
  for (const name of scripts.sort((a, b) => parseInt(a, 10) - parseInt(b, 10))) db.exec(fs.readFileSync(path.join(migrationsDir, name), 'utf8'))
  return db
}

/**
 * A new store with every migration applied and recorded, as bytes: a named sandbox's store starts from it,
 * in memory, instead of running the migrations again (a fifth of making a sandbox). Its server made it from
 * the same files it migrated its own store with.
 */
export async function migratedImage(migrationsDir: string): Promise<Buffer> {
  const db = openDatabase(':memory:')
  try {
    await migrate(db, migrationsDir)
    return db.serialize()
  } finally {
    db.close()
  }
}

/**
 * Applies the numbered files in `migrationsDir` (NNN.do.name.sql) in order.
 * Postgrator keeps the version table and refuses an applied migration whose
 * checksum changed; its hooks let us put each script and its version row in
 * one transaction, so a crash never leaves a migration applied but unrecorded.
 */
export async function migrate(db: Db, migrationsDir: string): Promise<number[]> {
  const postgrator = new Postgrator({
    migrationPattern: path.join(migrationsDir, '*.sql'),
    driver: 'sqlite3',
    schemaTable: 'schema_migrations',
    validateChecksums: true,
    newline: 'LF',
    execQuery: async (query: string) => {
      const statement = db.prepare(query)
      if (statement.reader) return { rows: statement.all() as Record<string, unknown>[] }
      statement.run()
      return { rows: [] }
    },
    execSqlScript: async (script: string) => {
      db.exec(script)
    },
  })
  postgrator.on('migration-started', () => db.exec('BEGIN IMMEDIATE'))
  postgrator.on('migration-finished', () => db.exec('COMMIT'))

  try {
    const applied = await postgrator.migrate()
    const storeVersion = await postgrator.getDatabaseVersion()
    const knownVersion = await postgrator.getMaxVersion()
    if (storeVersion > knownVersion) {
      throw new StoreError(`the store is at schema version ${storeVersion}, newer than this resultbox knows (${knownVersion})`)
    }
    return applied.map((migration) => migration.version)
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    if (error instanceof StoreError) throw error
    throw new StoreError(`migrations failed: ${(error as Error).message}`, { cause: error })
  }
}

const SEEDED_AT = 'seeded_at'
const CLOCK_SEEN = 'clock_seen'

function meta(db: Db, key: string): number | null {
  const row = db.prepare('SELECT value FROM sandbox_meta WHERE key = ?').get(key) as { value: string } | undefined
  return row ? Number(row.value) : null
}

/** Sandbox time the store was seeded at, or null for a store never seeded. */
export function seededAt(db: Db): number | null {
  return meta(db, SEEDED_AT)
}

/** The latest sandbox time this store is known to have seen (seeding, or the clock at the last close). */
export function latestSandboxTime(db: Db): number | null {
  const times = [meta(db, SEEDED_AT), meta(db, CLOCK_SEEN)].filter((time): time is number => time !== null)
  return times.length === 0 ? null : Math.max(...times)
}

export function recordSandboxTime(db: Db, now: number): void {
  db.prepare(
    `INSERT INTO sandbox_meta (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))`,
  ).run(CLOCK_SEEN, String(now))
}

/** Runs `seed` and records the seeding in one transaction, unless the store was seeded before. */
export function seedOnce(db: Db, now: number, seed: (seededAt: number) => void): boolean {
  return db.transaction(() => {
    if (seededAt(db) !== null) return false
    seed(now)
    db.prepare('INSERT INTO sandbox_meta (key, value) VALUES (?, ?)').run(SEEDED_AT, String(now))
    return true
  }).immediate()
}

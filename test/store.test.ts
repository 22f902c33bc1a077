import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { SandboxClock } from '../src/clock.js'
import { loadConfig } from '../src/config.js'
import { StoreError, migrate, openDatabase } from '../src/database.js'
import { ExplorerStore, ROW_BLOCK } from '../src/explorer/store.js'
import { FixtureError } from '../src/fixtures.js'
import { CREDENTIALS, START, copyOf, get, repoRoot, tempDir } from './helpers/sandbox.js'

const RESULT_URL = '/project/1/result/dVbQ3x7K'

/** Starts a sandbox on a store file; close it before opening the file again. */
async function open(dbPath: string, at: number, env: Record<string, string> = {}, migrationsDir?: string) {
  const config = loadConfig({ RESULTBOX_DB: dbPath, ...env })
  const clock = new SandboxClock({ start: at, frozen: true })
  const app = await buildApp({ config, clock, logger: false, migrationsDir })
  await app.ready()
  return { app, clock }
}

function counts(dbPath: string) {
  const db = new Database(dbPath, { readonly: true })
  try {
    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n
    return {
      projects: count('prpm_projects'), results: count('prpm_results'), cases: count('prpm_cases'),
      prescriptions: count('prpm_prescriptions'), jobs: count('explorer_jobs'), rows: count('explorer_task_rows'),
      samples: count('modelarts_samples'),
    }
  } finally {
    db.close()
  }
}

t.test('a new file store is migrated, seeded once, and kept across restarts', async (t) => {
  const dbPath = path.join(tempDir(t), 'nested', 'store.sqlite')
  const first = await open(dbPath, START)
  const migrations = first.app.resultbox.db.prepare('SELECT version, name, md5, run_at FROM schema_migrations WHERE version > 0 ORDER BY version').all()
  t.strictSame(migrations.map((row) => (row as { version: number }).version), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
  t.ok(migrations.every((row) => /^[0-9a-f]{32}$/.test((row as { md5: string }).md5)), 'each recorded with a checksum')
  t.equal(first.app.resultbox.db.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(first.app.resultbox.db.pragma('foreign_keys', { simple: true }), 1)
  await first.app.close()
  const seeded = counts(dbPath)
  t.strictSame(seeded, { projects: 3, results: 1, cases: 2, prescriptions: 6, jobs: 3, rows: 81 + 24 + 5 + 81, samples: 33 })

  const second = await open(dbPath, START + 1000)
  t.strictSame(
    second.app.resultbox.db.prepare('SELECT version, name, md5, run_at FROM schema_migrations WHERE version > 0 ORDER BY version').all(),
    migrations,
    'migrations are not run again',
  )
  await second.app.close()
  t.strictSame(counts(dbPath), seeded, 'no second seeding')
})

t.test('the runner survives a restart: what finished stays finished, what is due resumes', async (t) => {
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  const first = await open(dbPath, START)
  first.clock.advance(2500)
  t.strictSame((await get(first.app, RESULT_URL, CREDENTIALS.prpm)).json().finished_plugins, ['plugin-random-forest-alarm'])
  await first.app.close()

  const second = await open(dbPath, START + 3000)
  t.strictSame((await get(second.app, RESULT_URL, CREDENTIALS.prpm)).json().finished_plugins, ['plugin-random-forest-alarm'])
  second.clock.advance(1000)
  t.strictSame((await get(second.app, RESULT_URL, CREDENTIALS.prpm)).json().finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity'])
  await second.app.close()

  const third = await open(dbPath, START + 60_000)
  const finished = third.app.resultbox.db
    .prepare('SELECT plugin_key, finished_at FROM prpm_result_plugins ORDER BY finish_seq').all()
  t.strictSame(finished, [
    { plugin_key: 'plugin-random-forest-alarm', finished_at: START + 2000 },
    { plugin_key: 'plugin-knn-next-activity', finished_at: START + 4000 },
    { plugin_key: 'plugin-causallift-treatment-effect', finished_at: START + 6000 },
  ], 'a plugin that fell due while the server was down finishes at its due time, in order')
  const complete = await get(third.app, RESULT_URL, CREDENTIALS.prpm)
  t.equal(complete.json().message, 'Ongoing dataset result retrieved successfully')
  await third.app.close()

  const fourth = await open(dbPath, START + 61_000)
  t.equal((await get(fourth.app, RESULT_URL, CREDENTIALS.prpm)).statusCode, 404, 'the one-shot read was persisted')
  await fourth.app.close()
})

t.test('a restarted store resumes its sandbox clock rather than going back', async (t) => {
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  const ahead = Date.parse('2030-01-01T00:00:00Z')
  const first = await buildApp({ config: loadConfig({ RESULTBOX_DB: dbPath, RESULTBOX_CLOCK_START: '2030-01-01T00:00:00Z' }), logger: false })
  await first.ready()
  first.resultbox.clock.advance(60_000)
  await first.close()
  const second = await buildApp({ config: loadConfig({ RESULTBOX_DB: dbPath }), logger: false })
  await second.ready()
  t.ok(second.resultbox.clock.now() >= ahead + 60_000, 'starts no earlier than the clock stood at the last close')
  t.ok(second.resultbox.clock.now() < ahead + 70_000, 'and about there')
  await second.close()
  const third = await buildApp({ config: loadConfig({ RESULTBOX_DB: dbPath, RESULTBOX_CLOCK_START: '2029-01-01T00:00:00Z' }), logger: false })
  const explicit = Date.parse('2029-01-01T00:00:00Z')
  t.ok(third.resultbox.clock.now() >= explicit && third.resultbox.clock.now() < explicit + 10_000, 'an explicit start still wins')
  await third.close()
})

t.test('the timer finishes plugins without any read', async (t) => {
  const clock = new SandboxClock({ start: START, speed: 200, frozen: true })
  const config = loadConfig({ RESULTBOX_DB: ':memory:' })
  const app = await buildApp({ config, clock, logger: false })
  await app.ready()
  t.teardown(() => app.close())
  clock.freeze(false)
  const finished = () => (app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_result_plugins WHERE finished_at IS NOT NULL').get() as { n: number }).n
  t.equal(finished(), 0)
  // 6 sandbox seconds at 200x is 30 ms of real time.
  await new Promise((resolve) => setTimeout(resolve, 150))
  t.equal(finished(), 3)
})

t.test('start-up refuses a changed applied migration', async (t) => {
  const migrationsDir = copyOf(t, 'migrations')
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  await (await open(dbPath, START, {}, migrationsDir)).app.close()
  const file = path.join(migrationsDir, '002.do.prpm.sql')
  fs.appendFileSync(file, '\nCREATE TABLE sneaky (id INTEGER);\n')
  await t.rejects(open(dbPath, START, {}, migrationsDir), { name: 'StoreError', message: /checksum failed for migration \[2\]/i })
  const db = new Database(dbPath, { readonly: true })
  t.equal(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'sneaky'").pluck().get(), 0)
  db.close()
})

t.test('start-up refuses a store newer than its migrations', async (t) => {
  const migrationsDir = copyOf(t, 'migrations')
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  await (await open(dbPath, START, {}, migrationsDir)).app.close()
  const newest = fs.readdirSync(migrationsDir).sort().at(-1) as string
  const version = Number.parseInt(newest, 10)
  fs.rmSync(path.join(migrationsDir, newest))
  await t.rejects(open(dbPath, START, {}, migrationsDir), new StoreError(`the store is at schema version ${version}, newer than this resultbox knows (${version - 1})`))
})

t.test('a failing migration leaves nothing half-applied', async (t) => {
  const migrationsDir = copyOf(t, 'migrations')
  const latest = fs.readdirSync(migrationsDir).length
  fs.writeFileSync(path.join(migrationsDir, `${String(latest + 1).padStart(3, '0')}.do.broken.sql`), 'CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;\n')
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  await t.rejects(open(dbPath, START, {}, migrationsDir), { name: 'StoreError', message: /migrations failed/ })
  const db = new Database(dbPath, { readonly: true })
  t.equal(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half_done'").pluck().get(), 0, 'the script rolled back')
  t.equal(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get(), latest, 'and was not recorded')
  db.close()
})

t.test('a bad fixture stops start-up naming the file and the field, and seeds nothing', async (t) => {
  const spoil = (file: string, change: (data: any) => void) => {
    const dir = copyOf(t, 'fixtures')
    const target = path.join(dir, file)
    const data = JSON.parse(fs.readFileSync(target, 'utf8'))
    change(data)
    fs.writeFileSync(target, JSON.stringify(data))
    return dir
  }
  const cases: [string, string, RegExp][] = [
    [spoil('prpm.json', (d) => { d.results[0].cases['173688'].events[0][1] = 7 }), 'prpm.json', /prpm\.json: \/results\/0\/cases\/173688\/events\/0\/1: Expected string/],
    [spoil('prpm.json', (d) => { d.results[0].cases['173712'].events[1].pop() }), 'prpm.json', /prpm\.json: \/results\/0\/cases\/173712\/events\/1: has 6 values for 7 columns/],
    [spoil('prpm.json', (d) => { d.results[0].project_id = 42 }), 'prpm.json', /prpm\.json: \/results\/0\/project_id: no project 42/],
    [spoil('prpm.json', (d) => { d.results[0].plugin_timeline.pop() }), 'prpm.json', /\/results\/0\/plugin_timeline: must schedule every expected plugin/],
    [spoil('prpm.json', (d) => { d.results[0].result_key = 'short' }), 'prpm.json', /\/results\/0\/result_key: Expected string to match/],
    [spoil('explorer.json', (d) => { d.jobs[0].tasks[0].rows[3].push('extra') }), 'explorer.json', /explorer\.json: \/jobs\/0\/tasks\/0\/rows\/3: has 3 cells for 2 columns/],
    [spoil('explorer.json', (d) => { d.jobs[1].id = 29987 }), 'explorer.json', /\/jobs\/1\/id: job 29987 is listed twice/],
    [spoil('modelarts.json', (d) => { d.tasks[0].versions[0].samples[0].result_property = 9 }), 'modelarts.json', /modelarts\.json: \/tasks\/0\/versions\/0\/samples\/0\/result_property/],
    [spoil('modelarts.json', (d) => { d.tasks[0].versions[0].samples[0].new_source = '' }), 'modelarts.json', /\/samples\/0\/new_source: must be empty exactly when/],
  ]
  for (const [fixturesDir, file, message] of cases) {
    const dbPath = path.join(tempDir(t), 'store.sqlite')
    const failure = open(dbPath, START, { RESULTBOX_FIXTURES: fixturesDir })
    await t.rejects(failure, FixtureError, file)
    const error = (await failure.catch((caught: unknown) => caught)) as FixtureError
    t.match(error.message, message)
    t.equal(error.file, path.join(fixturesDir, file))
    t.strictSame(counts(dbPath), { projects: 0, results: 0, cases: 0, prescriptions: 0, jobs: 0, rows: 0, samples: 0 }, 'nothing half-seeded')
    const retry = await open(dbPath, START)
    await retry.app.close()
    t.equal(counts(dbPath).samples, 33, 'the same store seeds once the fixtures are fixed')
  }
})

t.test('unreadable fixtures are named too', async (t) => {
  const dir = copyOf(t, 'fixtures')
  fs.writeFileSync(path.join(dir, 'explorer.json'), '{"jobs": [')
  await t.rejects(open(':memory:', START, { RESULTBOX_FIXTURES: dir }), { name: 'FixtureError', message: /explorer\.json: is not valid JSON/ })
  fs.rmSync(path.join(dir, 'modelarts.json'))
  fs.cpSync(path.join(repoRoot, 'fixtures', 'explorer.json'), path.join(dir, 'explorer.json'))
  await t.rejects(open(':memory:', START, { RESULTBOX_FIXTURES: dir }), { name: 'FixtureError', message: /modelarts\.json: cannot be read \(ENOENT\)/ })
})

t.test('migration 008 joins the rows of a store made before it into blocks; new rows get theirs as stored', async (t) => {
  const dir = tempDir(t)
  const dbPath = path.join(dir, 'store.sqlite')
  // The store as the release before 008 left it: migrations 001 to 007, a task of 2 blocks and 5 rows.
  const before = path.join(dir, 'migrations-007')
  fs.mkdirSync(before)
  for (const name of fs.readdirSync(path.join(repoRoot, 'migrations'))) {
    if (parseInt(name, 10) <= 7) fs.copyFileSync(path.join(repoRoot, 'migrations', name), path.join(before, name))
  }
  const old = openDatabase(dbPath)
  await migrate(old, before)
  const cells = Array.from({ length: ROW_BLOCK * 2 + 5 }, (_, row) => JSON.stringify([`v${row}`, String(row / 7)]))
  old.prepare("INSERT INTO explorer_jobs (id, name, workflow_id, workflow_name, status) VALUES (5, 'j', '1', 'w', 2)").run()
  old.prepare("INSERT INTO explorer_tasks (job_id, id, name, status, columns) VALUES (5, 't', 'PageRank', 2, '[\"VID\",\"VALUE\"]')").run()
  const insert = old.prepare("INSERT INTO explorer_task_rows (job_id, task_id, ordinal, cells) VALUES (5, 't', ?, ?)")
  old.transaction(() => cells.forEach((text, ordinal) => insert.run(ordinal, text)))()
  old.close()

  const db = openDatabase(dbPath)
  t.teardown(() => db.close())
  t.strictSame(await migrate(db, path.join(repoRoot, 'migrations')), [8, 9, 10, 11, 12, 13, 14, 15], 'then the later ones on top')
  const store = new ExplorerStore(db)
  t.equal(store.rowBlock(5, 't', 0), cells.slice(0, ROW_BLOCK).join(','), 'block 0: rows 0 to 4095, in order')
  t.equal(store.rowBlock(5, 't', 1), cells.slice(ROW_BLOCK, ROW_BLOCK * 2).join(','), 'block 1')
  t.equal(store.rowBlock(5, 't', 2), undefined, 'no block for the last 5 rows')

  db.prepare("INSERT INTO explorer_tasks (job_id, id, name, status, columns) VALUES (5, 'u', 'PageRank', 2, '[\"VID\",\"VALUE\"]')").run()
  store.insertRows(5, 'u', cells.map((text) => JSON.parse(text) as string[]))
  t.equal(store.rowBlock(5, 'u', 1), store.rowBlock(5, 't', 1), 'rows stored now get the same blocks')
  t.strictSame(store.cellsFrom(5, 'u', ROW_BLOCK * 2, ROW_BLOCK), cells.slice(ROW_BLOCK * 2), 'and the rows themselves')
  db.prepare("DELETE FROM explorer_jobs WHERE id = 5").run()
  t.equal(db.prepare('SELECT COUNT(*) FROM explorer_task_row_blocks').pluck().get(), 0, "a job's deletion takes its blocks")
})

import path from 'node:path'
import { once } from 'node:events'
import Database from 'better-sqlite3'
import t from 'tap'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { tempDir } from './helpers/sandbox.js'
import { startServer } from './helpers/server.js'

/*
 * Crash durability: the shipped server on a file store is killed with
 * SIGKILL at drawn points while it takes writes (scenarios of all three
 * vendors, clock advances that finish plugins). After each kill it starts
 * again on the same file: the store passes PRAGMA integrity_check, every
 * write it acknowledged is there, and the runner resumes what was due.
 */

const KILLS = Number(process.env.RESULTBOX_CRASH_KILLS ?? 4)
const ENV = { RESULTBOX_CLOCK_START: '2026-01-01T00:00:00Z', LOG_LEVEL: 'warn', RESULTBOX_PRPM_ONE_SHOT_READ: 'false', RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0' }
const AUTH = { prpm: { authorization: 'Bearer resultbox' }, explorer: { cookie: 'explorer_token=resultbox' }, modelarts: { 'x-auth-token': 'resultbox' } }

interface Acknowledged {
  vendor: 'prpm' | 'explorer' | 'modelarts'
  /** Where the created thing is read. */
  url: string
}

t.test(`${KILLS} SIGKILLs during writes: the store stays whole, acknowledged writes stay, the runner resumes`, async (t) => {
  const dbPath = path.join(tempDir(t), 'store.sqlite')
  const rng = xoroshiro128plus(7)
  const acknowledged: Acknowledged[] = []
  let serial = 0

  const write = async (base: string): Promise<void> => {
    const kind = uniformInt(rng, 0, 3)
    const id = ++serial
    if (kind === 3) {
      await fetch(`${base}/_resultbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_ms: 700 }) })
      return
    }
    const vendor = (['prpm', 'explorer', 'modelarts'] as const)[kind] as Acknowledged['vendor']
    const body = vendor === 'prpm' ? { project_id: 1, result_key: `Crash${String(id).padStart(3, '0')}`, case_count: 20 }
      : vendor === 'explorer' ? { job_id: 90_000 + id, tasks: [{ name: 'PageRank', row_count: 500 }] }
        : { task_id: 'SNEJua7qdZZN8GvkcEr', version_id: `CrashVersion${id}`, sample_counts: { retained: 50 } }
    const res = await fetch(`${base}/_resultbox/scenarios/${vendor}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    if (res.status !== 201) return
    const created = await res.json() as { result_url?: string; job_url?: string; version_url?: string }
    // Acknowledged: the client has its 201, so the write must outlive any crash from here on.
    acknowledged.push({ vendor, url: (created.result_url ?? created.job_url ?? created.version_url) as string })
  }

  for (let kill = 0; kill <= KILLS; kill++) {
    const server = startServer({ ...ENV, RESULTBOX_DB: dbPath })
    const base = await server.listening
    const ready = await fetch(`${base}/_resultbox/ready`)
    t.equal(ready.status, 200, `start ${kill + 1}: ready`)

    const check = new Database(dbPath, { readonly: true })
    t.equal(check.pragma('integrity_check', { simple: true }), 'ok', `start ${kill + 1}: integrity_check`)
    check.close()
    const lost: string[] = []
    for (const { vendor, url } of acknowledged) {
      const res = await fetch(`${base}${url}`, { headers: AUTH[vendor] })
      if (res.status !== 200) lost.push(`${url} answers ${res.status}`)
    }
    t.strictSame(lost, [], `start ${kill + 1}: all ${acknowledged.length} acknowledged writes are there`)

    if (kill === KILLS) {
      // The runner resumes: what fell due is carried out once the clock gets there.
      await fetch(`${base}/_resultbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance_ms: 60_000 }) })
      const results = acknowledged.filter((entry) => entry.vendor === 'prpm')
      t.ok(results.length > 0, 'some PrPM results were acknowledged')
      const unfinished: string[] = []
      for (const { vendor, url } of results) {
        const result = await (await fetch(`${base}${url}`, { headers: AUTH[vendor] })).json() as { cases_count: number | null }
        if (result.cases_count !== 20) unfinished.push(`${url}: cases_count ${result.cases_count}`)
      }
      t.strictSame(unfinished, [], `all ${results.length} acknowledged PrPM results complete after the restarts`)
      server.child.kill('SIGTERM')
      await once(server.child, 'exit')
      break
    }

    // Writes, then a kill at a drawn moment, with one more write in flight.
    const writes = uniformInt(rng, 2, 6)
    for (let i = 0; i < writes; i++) await write(base)
    const inFlight = write(base).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, uniformInt(rng, 0, 15)))
    server.child.kill('SIGKILL')
    await once(server.child, 'exit')
    await inFlight
  }
  t.ok(acknowledged.length >= KILLS * 2, `${acknowledged.length} writes acknowledged across ${KILLS} kills`)
})

import t from 'tap'
import { SandboxClock, start } from '../src/index.js'

t.test('start() serves an in-memory sandbox on a free port', async (t) => {
  const sandbox = await start()
  t.teardown(() => sandbox.close())
  t.match(sandbox.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.not(sandbox.port, 0)
  t.equal(sandbox.app.resultbox.config.dbPath, ':memory:')
  const res = await fetch(`${sandbox.url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })
  t.equal(res.status, 200)
  t.equal(((await res.json()) as { cases: unknown }).cases, null)
})

t.test('sandboxes are independent, and their clocks are the caller\'s to move', async (t) => {
  const first = await start({ clock: new SandboxClock({ start: Date.parse('2026-01-01T00:00:00Z'), frozen: true }) })
  const second = await start({ prpmTokens: 'other', prpmOneShotRead: false })
  t.teardown(() => Promise.all([first.close(), second.close()]))
  t.not(first.port, second.port)

  first.clock.advance(6000)
  const complete = await fetch(`${first.url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })
  t.equal(((await complete.json()) as { message: string }).message, 'Ongoing dataset result retrieved successfully')
  t.equal((await fetch(`${first.url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })).status, 404)

  const refused = await fetch(`${second.url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })
  t.equal(refused.status, 401, 'options reach the configuration')
  const stillThere = await fetch(`${second.url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer other' } })
  t.equal(((await stillThere.json()) as { cases: unknown }).cases, null, 'the other sandbox has its own store')
})

t.test('start() refuses a bad option with the variable it stands for', async (t) => {
  await t.rejects(start({ port: 70000 }), { name: 'ConfigError', variable: 'PORT' })
  await t.rejects(start({ clockSpeed: -1 }), { name: 'ConfigError', variable: 'RESULTBOX_CLOCK_SPEED' })
})

t.test('close() stops listening', async (t) => {
  const sandbox = await start()
  await sandbox.close()
  await t.rejects(fetch(`${sandbox.url}/_resultbox/health`))
})

// Compile-time checks, run by `tsc --noEmit` in npm test: each line must stay a type error.
export function optionTypes() {
  // @ts-expect-error an unknown option
  void start({ prot: 0 })
  // @ts-expect-error port is a number
  void start({ port: '8080' })
  // @ts-expect-error the one-shot switch is a boolean
  void start({ prpmOneShotRead: 'no' })
  void start({ clockSpeed: 60, clockStart: '2026-01-01T00:00:00Z', modelartsTokens: 'a,b=c2d5', logLevel: 'silent' })
}

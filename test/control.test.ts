import t from 'tap'
import { START, get, startSandbox } from './helpers/sandbox.js'

t.test('health and readiness', async (t) => {
  const { app, clock } = await startSandbox(t)
  const health = await get(app, '/_resultbox/health')
  t.equal(health.statusCode, 200)
  t.strictSame(health.json(), { status: 'up' })
  clock.advance(1500)
  const ready = await get(app, '/_resultbox/ready')
  t.equal(ready.statusCode, 200)
  t.strictSame(ready.json(), {
    status: 'ready',
    schema_version: 4,
    seeded_at: new Date(START).toISOString(),
    clock: new Date(START + 1500).toISOString(),
  })
  const unknown = await get(app, '/_resultbox/nope')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error, 'Not Found')
})


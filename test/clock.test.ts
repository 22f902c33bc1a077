import t from 'tap'
import { SandboxClock } from '../src/clock.js'

function fakeRealTime(start = 1_000_000) {
  let now = start
  return { realNow: () => now, pass: (ms: number) => { now += ms } }
}

t.test('runs at speed from its start, and can be frozen, set and advanced', async (t) => {
  const real = fakeRealTime()
  const clock = new SandboxClock({ start: 0, speed: 10, realNow: real.realNow })
  const changes: number[] = []
  clock.on('change', (state) => changes.push(state.now))
  t.equal(clock.now(), 0)
  real.pass(100)
  t.equal(clock.now(), 1000)
  t.equal(clock.realDelayFor(5000), 500)

  clock.freeze(true)
  real.pass(100)
  t.equal(clock.now(), 1000, 'frozen time stands still')
  t.equal(clock.realDelayFor(5000), null)
  clock.advance(250)
  t.equal(clock.now(), 1250)
  clock.set(50_000)
  t.equal(clock.now(), 50_000)
  clock.freeze(false)
  real.pass(10)
  t.equal(clock.now(), 50_100)
  clock.setSpeed(1)
  real.pass(10)
  t.equal(clock.now(), 50_110)
  t.strictSame(clock.state(), { now: 50_110, speed: 1, frozen: false })
  t.strictSame(changes, [1000, 1250, 50_000, 50_000, 50_100])
})

t.test('defaults to real time at speed 1', async (t) => {
  const before = Date.now()
  const now = new SandboxClock().now()
  t.ok(now >= before && now <= Date.now())
})

t.test('refuses impossible moves', async (t) => {
  const clock = new SandboxClock({ start: 0, frozen: true })
  t.throws(() => clock.advance(-1), RangeError)
  t.throws(() => clock.advance(Number.NaN), RangeError)
  t.throws(() => clock.set(Number.POSITIVE_INFINITY), RangeError)
  t.throws(() => clock.setSpeed(0), RangeError)
  t.throws(() => new SandboxClock({ speed: -1 }), RangeError)
  t.equal(clock.now(), 0)
})

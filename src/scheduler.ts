import type { FastifyBaseLogger } from 'fastify'
import type { SandboxClock } from './clock.js'

/** Something a vendor simulates on the sandbox clock (a plugin finishing, a result expiring). */
export interface TimedWork {
  readonly name: string
  /** Sandbox time of the next thing due, or null when nothing is pending. */
  nextDueAt(): number | null
  /** Carries out, in order and persistently, everything due at or before `now`. */
  runDue(now: number): void
}

/** Node's setTimeout takes at most a signed 32-bit delay. */
const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * Drives every vendor's timed work from the one clock: a single timer for the
 * earliest due time, re-armed whenever the clock changes or work is added.
 * Readers call catchUp() too, so a response never lags the clock even if the
 * timer has not fired yet.
 */
export class Scheduler {
  private readonly works: TimedWork[] = []
  private timer: NodeJS.Timeout | null = null
  private running = false
  private readonly onClockChange = () => this.catchUp()

  constructor(
    private readonly clock: SandboxClock,
    private readonly log: FastifyBaseLogger,
  ) {}

  register(work: TimedWork): void {
    this.works.push(work)
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.clock.on('change', this.onClockChange)
    this.catchUp()
  }

  stop(): void {
    this.running = false
    this.clock.off('change', this.onClockChange)
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Runs everything due now; call after scheduling new work so the timer sees it. */
  catchUp(): void {
    const now = this.clock.now()
    for (const work of this.works) {
      try {
        work.runDue(now)
      } catch (error) {
        this.log.error({ err: error, work: work.name }, 'timed work failed; it will be retried')
      }
    }
    this.arm(now)
  }

  private arm(now: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.running) return
    let next: number | null = null
    for (const work of this.works) {
      const due = work.nextDueAt()
      if (due !== null && (next === null || due < next)) next = due
    }
    if (next === null) return
    const delay = this.clock.realDelayFor(next - now)
    if (delay === null) return
    this.timer = setTimeout(() => this.catchUp(), Math.min(delay, MAX_TIMER_DELAY))
    this.timer.unref()
  }
}

import type { FastifyBaseLogger } from 'fastify'
import type { SandboxClock } from './clock.js'

/**
 * Something a vendor simulates on the sandbox clock (a plugin finishing, a result expiring). What it
 * reads lives in the store: the scheduler asks nextDueAt() again only after the store has been written.
 */
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
  /** The earliest due time as last computed (null: nothing pending), and the store's revision then. */
  private known: { nextDue: number | null; revision: number } | null = null
  // A clock set, advanced or sped up needs the timer armed anew even when nothing is due yet.
  private readonly onClockChange = () => this.run(true)

  /**
   * @param storeRevision a number that changes with every write to the store
   *   (SQLite's total_changes()): while it stands still and the clock has not
   *   reached the next due time, there is nothing to run, and a read's
   *   catchUp() costs one statement instead of every vendor's queries.
   */
  constructor(
    private readonly clock: SandboxClock,
    private readonly log: FastifyBaseLogger,
    private readonly storeRevision: () => number,
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

  /**
   * Runs everything due now; call after scheduling new work so the timer sees it. Returns the store's
   * revision once caught up, which a reader can hand to an AnswerCache instead of asking the store again.
   */
  catchUp(): number {
    return this.run(false)
  }

  private run(force: boolean): number {
    const now = this.clock.now()
    const known = this.known
    const revision = this.storeRevision()
    if (!force && known !== null && known.revision === revision && (known.nextDue === null || now < known.nextDue)) return revision
    for (const work of this.works) {
      try {
        work.runDue(now)
      } catch (error) {
        this.log.error({ err: error, work: work.name }, 'timed work failed; it will be retried')
      }
    }
    return this.arm(now)
  }

  /** Sets the timer for the next due work; returns the store's revision, as the scheduler now knows it. */
  private arm(now: number): number {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    let next: number | null = null
    for (const work of this.works) {
      const due = work.nextDueAt()
      if (due !== null && (next === null || due < next)) next = due
    }
    const revision = this.storeRevision()
    this.known = { nextDue: next, revision }
    if (!this.running || next === null) return revision
    const delay = this.clock.realDelayFor(next - now)
    if (delay === null) return revision
    // Forced: a timer that fires a hair early (ms rounding at a fast clock) must still arm the next one.
    this.timer = setTimeout(() => this.run(true), Math.min(delay, MAX_TIMER_DELAY))
    this.timer.unref()
    return revision
  }
}

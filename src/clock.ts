import { EventEmitter } from 'node:events'

export interface ClockOptions {
  /** Sandbox time (ms since the epoch) at construction; defaults to real time. */
  start?: number | null
  /** Sandbox milliseconds per real millisecond. */
  speed?: number
  frozen?: boolean
  /** The real time source, injectable so the clock itself can be tested. */
  realNow?: () => number
}

export interface ClockState {
  now: number
  speed: number
  frozen: boolean
}

/**
 * The one clock everything time-dependent reads: plugin finishes, expiry,
 * signed URL Expires. Sandbox time runs at `speed` times real time from an
 * anchor, and can be frozen, set or advanced; every change re-anchors and emits
 * 'change' so the scheduler can run what became due.
 */
export class SandboxClock extends EventEmitter<{ change: [ClockState] }> {
  private readonly realNow: () => number
  private anchorReal: number
  private anchorSandbox: number
  private speedFactor: number
  private isFrozen: boolean

  constructor(options: ClockOptions = {}) {
    super()
    this.realNow = options.realNow ?? Date.now
    this.anchorReal = this.realNow()
    this.anchorSandbox = options.start ?? this.anchorReal
    this.speedFactor = options.speed ?? 1
    this.isFrozen = options.frozen ?? false
    if (!(this.speedFactor > 0)) throw new RangeError('clock speed must be positive')
  }

  now(): number {
    if (this.isFrozen) return this.anchorSandbox
    return this.anchorSandbox + Math.floor((this.realNow() - this.anchorReal) * this.speedFactor)
  }

  state(): ClockState {
    return { now: this.now(), speed: this.speedFactor, frozen: this.isFrozen }
  }

  /** Real milliseconds until the sandbox clock has moved `sandboxMs` on; null while frozen. */
  realDelayFor(sandboxMs: number): number | null {
    if (this.isFrozen) return null
    return Math.max(0, Math.ceil(sandboxMs / this.speedFactor))
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward')
    this.reanchor(this.now() + ms)
  }

  set(time: number): void {
    if (!Number.isFinite(time)) throw new RangeError('not a time')
    this.reanchor(time)
  }

  freeze(frozen: boolean): void {
    const current = this.now()
    this.isFrozen = frozen
    this.reanchor(current)
  }

  setSpeed(speed: number): void {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('clock speed must be positive')
    const current = this.now()
    this.speedFactor = speed
    this.reanchor(current)
  }

  private reanchor(sandboxTime: number): void {
    this.anchorReal = this.realNow()
    this.anchorSandbox = sandboxTime
    this.emit('change', this.state())
  }
}

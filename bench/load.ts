import autocannon from 'autocannon'
import { HOST } from './http.js'

export interface Endpoint {
  port: number
  path: string
  headers: Record<string, string>
}

export interface Measured {
  requestsPerSecond: number
  /** Milliseconds, from each response's own time (autocannon's histogram keeps whole milliseconds only). */
  p50Ms: number
  p99Ms: number
  responses: number
  /** What a client would have noticed: another status than the captured one, connection errors, timeouts. */
  anomalies: string[]
}

/** Every response of one server's measured slices, added up. */
export class Tally {
  readonly times: number[] = []
  readonly statuses = new Map<number, number>()
  errors = 0
  timeouts = 0
  seconds = 0

  measured(expectedStatus: number): Measured {
    const sorted = Float64Array.from(this.times).sort()
    const percentile = (p: number) =>
      sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN)
    const anomalies: string[] = []
    for (const [status, count] of this.statuses) if (status !== expectedStatus) anomalies.push(`${count}× status ${status}`)
    if (this.errors > 0) anomalies.push(`${this.errors} connection errors (${this.timeouts} timeouts)`)
    return {
      requestsPerSecond: this.seconds > 0 ? this.times.length / this.seconds : Number.NaN,
      p50Ms: percentile(50),
      p99Ms: percentile(99),
      responses: this.times.length,
      anomalies,
    }
  }
}

/** One autocannon run against target; with a tally, its responses count (without one it is a warm-up). */
export function fire(target: Endpoint, connections: number, seconds: number, tally?: Tally): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      // autocannon notices the end of the duration only at a sample: every second by default, so a 1-s slice could last 2.
      { url: `http://${HOST}:${target.port}${target.path}`, headers: target.headers, connections, duration: seconds, sampleInt: 50, timeout: 60 },
      (error, result) => {
        if (error) return reject(error)
        if (tally) {
          tally.errors += result.errors
          tally.timeouts += result.timeouts
          tally.seconds += result.duration
        }
        resolve()
      },
    )
    if (tally) {
      instance.on('response', (_client, status, _bytes, milliseconds) => {
        tally.times.push(milliseconds)
        tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1)
      })
    }
  })
}

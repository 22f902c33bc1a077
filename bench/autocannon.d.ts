// autocannon 8 ships no types: only the part of its programmatic API the benchmark uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  namespace autocannon {
    interface Options {
      url: string
      connections?: number
      /** seconds */
      duration?: number
      /** milliseconds between samples, which is also how often the end of `duration` is noticed (default 1000) */
      sampleInt?: number
      amount?: number
      /** seconds to wait for a response */
      timeout?: number
      method?: string
      headers?: Record<string, string>
      pipelining?: number
      /** cycled through by every connection, in order */
      requests?: Array<{ method?: string; path: string; headers?: Record<string, string>; body?: string }>
    }

    interface Histogram {
      average: number
      min: number
      max: number
      p50: number
      p99: number
    }

    interface Result {
      requests: Histogram
      /** whole milliseconds */
      latency: Histogram
      throughput: Histogram
      /** seconds */
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      statusCodeStats: Record<string, { count: number }>
    }

    interface Instance extends EventEmitter {
      stop(): void
      on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): this
      on(event: string, listener: (...args: unknown[]) => void): this
    }
  }

  function autocannon(options: autocannon.Options, callback: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance

  export = autocannon
}

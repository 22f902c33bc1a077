import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './schemas.js'
import { VendorName } from './simulation.js'

/**
 * The largest body the journal keeps. A ring of 1,000 entries of 1 MiB bodies
 * would hold a gigabyte; a client's JSON requests are far smaller than this.
 */
export const JOURNAL_BODY_MAX_BYTES = 64 * 1024

export const JournalEntry = Type.Object({
  id: Type.Integer({ description: 'increasing from 1 for the life of the process' }),
  time: Type.String({ description: 'sandbox clock when the request arrived, ISO 8601' }),
  vendor: VendorName,
  operation: Nullable(Type.String({ description: "the route's operationId; null for a path the vendor does not serve" })),
  method: Type.String(),
  path: Type.String(),
  query: Type.String({ description: 'the raw query string, without "?"' }),
  headers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  body: Type.Unknown({ description: `a JSON body as parsed; null for no body, a multipart upload, or a body over ${JOURNAL_BODY_MAX_BYTES / 1024} KiB` }),
  body_bytes: Nullable(Type.Integer({ minimum: 0, description: 'the body\'s size as sent (its Content-Length; for a chunked body, its JSON\'s); null when it had none' })),
  status: Type.Integer(),
  duration_ms: Type.Number({ description: 'real milliseconds from arrival to the answer' }),
  fault: Nullable(
    Type.Object({ rule: Type.Integer(), latency_ms: Type.Integer(), injected_status: Nullable(Type.Integer()) }),
  ),
})
export type JournalEntry = Static<typeof JournalEntry>

export interface JournalFilter {
  vendor?: string
  operation?: string
  method?: string
  /** Matches a path that starts with it. */
  path?: string
  status?: number
  limit: number
}

/**
 * The requests vendors received, newest first, in a ring of fixed size: a
 * long test run never grows it, and the oldest entries make room.
 */
export class Journal {
  private readonly ring: (JournalEntry | undefined)[]
  private next = 0
  private lastId = 0

  constructor(readonly capacity: number) {
    this.ring = new Array<JournalEntry | undefined>(capacity)
  }

  nextId(): number {
    this.lastId += 1
    return this.lastId
  }

  record(entry: JournalEntry): void {
    if (this.capacity === 0) return
    this.ring[this.next] = entry
    this.next = (this.next + 1) % this.capacity
  }

  clear(): void {
    this.ring.fill(undefined)
    this.next = 0
  }

  /** Entries matching the filter, newest first, with how many matched in all. */
  query(filter: JournalFilter): { total: number; requests: JournalEntry[] } {
    const requests: JournalEntry[] = []
    let total = 0
    for (let step = 1; step <= this.capacity; step += 1) {
      const entry = this.ring[(this.next - step + this.capacity) % this.capacity]
      if (!entry) break
      if (filter.vendor !== undefined && entry.vendor !== filter.vendor) continue
      if (filter.operation !== undefined && entry.operation !== filter.operation) continue
      if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) continue
      if (filter.path !== undefined && !entry.path.startsWith(filter.path)) continue
      if (filter.status !== undefined && entry.status !== filter.status) continue
      total += 1
      if (requests.length < filter.limit) requests.push(entry)
    }
    return { total, requests }
  }
}

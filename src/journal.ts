import { Type, type Static, type TSchema, type TString } from '@sinclair/typebox'
import { Nullable } from './schemas.js'

/**
 * The largest body the journal keeps. A ring of 1,000 entries of 1 MiB bodies
 * would hold a gigabyte; a client's JSON requests are far smaller than this.
 */
export const JOURNAL_BODY_MAX_BYTES = 64 * 1024

/** One journaled request, as GET /_resultbox/requests lists it; `vendor` is the schema of the vendors' names. */
export const journalEntry = <Vendor extends TSchema>(vendor: Vendor) => Type.Object({
  id: Type.Integer({ description: 'increasing from 1 for the life of the process' }),
  time: Type.String({ description: 'sandbox clock when the request arrived, ISO 8601' }),
  vendor,
  operation: Nullable(Type.String({ description: "the route's operationId; null for a path the vendor does not serve" })),
  method: Type.String(),
  path: Type.String(),
  query: Type.String({ description: 'the raw query string, without "?"' }),
  headers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  body: Type.Unknown({ description: `a JSON body as parsed; null for no body, a multipart upload, or a body over ${JOURNAL_BODY_MAX_BYTES / 1024} KiB` }),
  body_bytes: Nullable(Type.Integer({ minimum: 0, description: 'the body\'s size as sent (its Content-Length; for a chunked body, its JSON\'s); null when it had none' })),
  status: Nullable(Type.Integer({ description: 'null when the client left before an answer began' })),
  duration_ms: Type.Number({ description: 'real milliseconds from arrival to the answer, or to the client\'s leaving' }),
  aborted: Type.Boolean({ description: 'the client closed the connection before the answer ended (an SSE reader that left, a request that timed out)' }),
  sent_bytes: Nullable(Type.Integer({ minimum: 0, description: 'bytes of the answer, head included, written to the connection by the end (or by the time the client left); null without a socket (inject)' })),
  fault: Nullable(
    Type.Object({ rule: Type.Integer(), latency_ms: Type.Integer(), injected_status: Nullable(Type.Integer()) }),
  ),
})
export type JournalEntry = Static<ReturnType<typeof journalEntry<TString>>>

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
 * What the traffic hook keeps of one request: the facts as they came, formatted into a JournalEntry only when
 * the journal is read. Formatting on every request (an ISO date, the path split from the query) cost more
 * than the rest of serving a cached answer; almost every request is recorded and never read.
 */
export interface JournalRecord {
  vendor: string
  /** Sandbox time the request arrived. */
  arrivedAt: number
  operation: string | null
  method: string
  /** Path and query as sent. */
  url: string
  headers: Record<string, string | string[]>
  body: unknown
  bodyBytes: number | null
  status: number | null
  /** Real milliseconds from arrival to the answer, or to the client's leaving. */
  durationMs: number
  fault: JournalEntry['fault']
  aborted: boolean
  sentBytes: number | null
}

const pathOf = (url: string) => {
  const queryAt = url.indexOf('?')
  return queryAt === -1 ? url : url.slice(0, queryAt)
}

function entryOf(id: number, record: JournalRecord): JournalEntry {
  const queryAt = record.url.indexOf('?')
  return {
    id,
    time: new Date(record.arrivedAt).toISOString(),
    vendor: record.vendor,
    operation: record.operation,
    method: record.method,
    path: pathOf(record.url),
    query: queryAt === -1 ? '' : record.url.slice(queryAt + 1),
    headers: record.headers,
    body: record.body,
    body_bytes: record.bodyBytes,
    status: record.status,
    duration_ms: Math.round(record.durationMs * 1000) / 1000,
    fault: record.fault,
    aborted: record.aborted,
    sent_bytes: record.sentBytes,
  }
}

/**
 * The requests vendors received, newest first, in a ring of fixed size: a
 * long test run never grows it, and the oldest entries make room.
 */
export class Journal {
  private readonly ring: (JournalRecord | undefined)[]
  private next = 0
  /** Ids increase from 1 for the life of the process: the newest record's id is how many were recorded. */
  private recorded = 0

  constructor(readonly capacity: number) {
    this.ring = new Array<JournalRecord | undefined>(capacity)
  }

  record(record: JournalRecord): void {
    if (this.capacity === 0) return
    this.ring[this.next] = record
    this.next = (this.next + 1) % this.capacity
    this.recorded += 1
  }

  clear(): void {
    this.ring.fill(undefined)
    this.next = 0
  }

  /** Entries matching the filter, newest first, with how many matched in all. */
  query(filter: JournalFilter): { total: number; requests: JournalEntry[] } {
    const requests: JournalEntry[] = []
    const method = filter.method?.toUpperCase()
    let total = 0
    for (let step = 1; step <= this.capacity; step += 1) {
      const record = this.ring[(this.next - step + this.capacity) % this.capacity]
      if (!record) break
      if (filter.vendor !== undefined && record.vendor !== filter.vendor) continue
      if (filter.operation !== undefined && record.operation !== filter.operation) continue
      if (method !== undefined && record.method !== method) continue
      if (filter.path !== undefined && !pathOf(record.url).startsWith(filter.path)) continue
      if (filter.status !== undefined && record.status !== filter.status) continue
      total += 1
      if (requests.length < filter.limit) requests.push(entryOf(this.recorded - step + 1, record))
    }
    return { total, requests }
  }
}

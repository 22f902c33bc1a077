import { Readable } from 'node:stream'
import type { ExplorerStore } from './store.js'

/** Rows read at a time; a larger limit is streamed, so a million rows never sit in memory at once. */
export const SAMPLE_CHUNK_ROWS = 4096

// The success envelope around data.items, in the key order the route's schema serializes.
const HEAD = '{"code":0,"data":{"items":['
const TAIL = ']},"message":"Success"}'

const joined = (rows: [number, string][]) => rows.map((row) => row[1]).join(',')

/**
 * The body of sample_result: the stored cells are already the JSON each row
 * is sent as, so they are joined, not parsed and serialized again. Up to one
 * chunk, a string; beyond, a stream that reads the next chunk by key only
 * when the client has taken the last one.
 */
export function sampleResultBody(store: ExplorerStore, jobId: number, taskId: string, limit: number): string | Readable {
  const first = store.rowsAfter(jobId, taskId, -1, Math.min(limit, SAMPLE_CHUNK_ROWS))
  if (limit <= SAMPLE_CHUNK_ROWS || first.length < SAMPLE_CHUNK_ROWS) return `${HEAD}${joined(first)}${TAIL}`
  return Readable.from(chunks(store, jobId, taskId, limit, first), { objectMode: false })
}

function* chunks(store: ExplorerStore, jobId: number, taskId: string, limit: number, first: [number, string][]): Generator<string> {
  yield `${HEAD}${joined(first)}`
  let sent = first.length
  let last = first[first.length - 1]?.[0] ?? -1
  while (sent < limit) {
    const next = store.rowsAfter(jobId, taskId, last, Math.min(SAMPLE_CHUNK_ROWS, limit - sent))
    if (next.length === 0) break
    yield `,${joined(next)}`
    sent += next.length
    last = next[next.length - 1]?.[0] ?? last
  }
  yield TAIL
}

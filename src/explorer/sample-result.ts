import { Readable } from 'node:stream'
import { ROW_BLOCK, type ExplorerStore } from './store.js'

/** Rows read at a time; a larger limit is streamed, so a million rows never sit in memory at once. */
export const SAMPLE_CHUNK_ROWS = ROW_BLOCK

// The success envelope around data.items, in the key order the route's schema serializes.
const HEAD = '{"code":0,"data":{"items":['
const TAIL = ']},"message":"Success"}'

/** Rows `from` to `from + count − 1` (fewer if the task has fewer) as the JSON they are sent as, and how many. */
function rowsJoined(store: ExplorerStore, jobId: number, taskId: string, from: number, count: number): { text: string; rows: number } {
  // A whole stored block is one read; anything else, row by row.
  if (count === ROW_BLOCK && from % ROW_BLOCK === 0) {
    const block = store.rowBlock(jobId, taskId, from / ROW_BLOCK)
    if (block !== undefined) return { text: block, rows: ROW_BLOCK }
  }
  const cells = store.cellsFrom(jobId, taskId, from, count)
  return { text: cells.join(','), rows: cells.length }
}

/**
 * The body of sample_result: the stored cells are already the JSON each row
 * is sent as, so they are joined, not parsed and serialized again (and whole
 * blocks of them were joined when stored). Up to one chunk, a string; beyond,
 * a stream that reads the next chunk by key only when the client has taken the last one.
 */
export function sampleResultBody(store: ExplorerStore, jobId: number, taskId: string, limit: number): string | Readable {
  const first = rowsJoined(store, jobId, taskId, 0, Math.min(limit, SAMPLE_CHUNK_ROWS))
  if (limit <= SAMPLE_CHUNK_ROWS || first.rows < SAMPLE_CHUNK_ROWS) return `${HEAD}${first.text}${TAIL}`
  return Readable.from(chunks(store, jobId, taskId, limit, first.text), { objectMode: false })
}

function* chunks(store: ExplorerStore, jobId: number, taskId: string, limit: number, first: string): Generator<string> {
  yield `${HEAD}${first}`
  let sent = SAMPLE_CHUNK_ROWS
  while (sent < limit) {
    const next = rowsJoined(store, jobId, taskId, sent, Math.min(SAMPLE_CHUNK_ROWS, limit - sent))
    if (next.rows === 0) break
    yield `,${next.text}`
    sent += next.rows
  }
  yield TAIL
}

import { createHash } from 'node:crypto'
import type { Db } from '../database.js'

/** A complete result as sent: its bytes, their ETag, and when it expires (null: never). */
export interface CompleteResult {
  bytes: Buffer
  etag: string
  expiresAt: number | null
}

/**
 * Complete results, serialized once. A complete result never changes, so
 * later reads send the same bytes (the 2,618-case BPIC result is megabytes of
 * JSON) instead of reading and serializing every case again. An entry is
 * good while nothing at all has been written to the store since it was made
 * (SQLite's total_changes() on the one connection the sandbox uses): a reset,
 * a scenario reusing the key, a finished plugin or a deletion all write, so
 * none of them can leave stale bytes behind.
 */
export class CompleteResults {
  private readonly entries = new Map<string, CompleteResult & { revision: number }>()
  private readonly revision: () => number

  constructor(db: Db) {
    const changes = db.prepare<[], number>('SELECT total_changes()').pluck()
    this.revision = () => changes.get() as number
  }

  /** The cached result of this project and key, if nothing was written since and it has not expired by `now`. */
  get(projectId: number, resultKey: string, now: number): CompleteResult | undefined {
    const key = `${projectId}/${resultKey}`
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.revision !== this.revision() || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  put(projectId: number, resultKey: string, text: string, expiresAt: number | null): CompleteResult {
    const bytes = Buffer.from(text)
    const revision = this.revision()
    const entry = { bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`, expiresAt, revision }
    // Entries made before the last write can never be served again.
    for (const [key, other] of this.entries) if (other.revision !== revision) this.entries.delete(key)
    this.entries.set(`${projectId}/${resultKey}`, entry)
    return entry
  }
}

/** Whether an If-None-Match header names this ETag (weakly compared, as RFC 9110 says for GET). */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag))
}

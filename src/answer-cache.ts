import { createHash } from 'node:crypto'
import { storeRevision, type Db } from './database.js'

/** An answer as sent: its bytes, and when it stops being true (null: only a write ends it). */
export interface CachedAnswer {
  readonly bytes: Buffer
  /** A strong ETag of the bytes, made on first use. */
  readonly etag: string
}

interface Entry extends CachedAnswer {
  revision: number
  expiresAt: number | null
}

/**
 * Answers serialized once and sent as bytes while they stay true: a complete
 * PrPM result (megabytes of JSON for the BPIC 2012-sized one), a page of a
 * completed ModelArts version. An entry is good while nothing at all has been
 * written to the store since it was made (the store's revision: a reset, a
 * scenario reusing an id, a finished plugin, a deletion all write), and until
 * its own expiry on the sandbox clock. The oldest entries go when the bytes
 * held would pass `maxBytes` (32 MiB each cache by default), so that memory stays bounded.
 */
export class AnswerCache {
  private readonly entries = new Map<string, Entry>()
  private readonly revision: () => number
  private held = 0

  constructor(db: Db, private readonly maxBytes = 32 * 1024 * 1024) {
    this.revision = storeRevision(db)
  }

  /** `revision`: the store's, if the caller has just read it (Scheduler.catchUp() returns it). */
  get(key: string, now: number, revision = this.revision()): CachedAnswer | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (entry.revision !== revision || (entry.expiresAt !== null && entry.expiresAt <= now)) {
      this.drop(key, entry)
      return undefined
    }
    return entry
  }

  put(key: string, text: string, expiresAt: number | null): CachedAnswer {
    const revision = this.revision()
    // Entries made before the last write can never be served again.
    for (const [other, entry] of this.entries) if (entry.revision !== revision) this.drop(other, entry)
    const bytes = Buffer.from(text)
    const replaced = this.entries.get(key)
    if (replaced !== undefined) this.drop(key, replaced)
    const keep = bytes.length <= this.maxBytes
    for (const [other, entry] of this.entries) {
      if (!keep || this.held + bytes.length <= this.maxBytes) break
      this.drop(other, entry)
    }
    let etag: string | undefined
    const entry: Entry = {
      bytes,
      revision,
      expiresAt,
      get etag() {
        etag ??= `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 32)}"`
        return etag
      },
    }
    // An answer larger than the whole cache is sent, not kept.
    if (keep) {
      this.entries.set(key, entry)
      this.held += bytes.length
    }
    return entry
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key)
    this.held -= entry.bytes.length
  }
}

/**
 * Whether an If-None-Match header names this ETag (weakly compared, as RFC
 * 9110 says for GET). @fastify/etag would hash every response it sends; here
 * the ETag is made once per kept answer, so only the comparison is needed.
 */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  if (ifNoneMatch.trim() === '*') return true
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag))
}

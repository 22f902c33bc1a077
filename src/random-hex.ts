import { randomFillSync } from 'node:crypto'

const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let used = POOL_BYTES

/**
 * `bytes` random bytes as lower-case hex: the vendors' trace and request ids, made on every request. Drawn
 * from a pool that the system's generator refills 4 KiB at a time, as crypto.randomUUID does for its ids:
 * one call per request to the generator cost more than the rest of answering from the cache.
 */
export function randomHex(bytes: number): string {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at a time`)
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  const hex = pool.toString('hex', used, used + bytes)
  used += bytes
  return hex
}

import { timingSafeEqual } from 'node:crypto'

/**
 * Whether a secret (a token, a signature) a client sent is the expected one, in time that does not depend on
 * where they first differ: a client guessing byte by byte learns nothing from how fast it is refused.
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

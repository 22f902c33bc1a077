import type { onRequestHookHandler } from 'fastify'
import { PrpmErrors } from './errors.js'

/**
 * PrCore's OAuth2PasswordBearer: a missing header or another scheme is "Not
 * authenticated"; a Bearer token it does not know is "Invalid token". The
 * token is everything after the first space, as FastAPI splits it.
 */
export function bearerAuth(tokens: readonly string[]): onRequestHookHandler {
  const accepted = new Set(tokens)
  return (request, _reply, done) => {
    const header = request.headers.authorization
    if (!header) throw PrpmErrors.notAuthenticated()
    const space = header.indexOf(' ')
    const scheme = space === -1 ? header : header.slice(0, space)
    if (scheme.toLowerCase() !== 'bearer') throw PrpmErrors.notAuthenticated()
    const token = space === -1 ? '' : header.slice(space + 1)
    if (!accepted.has(token)) throw PrpmErrors.invalidToken()
    done()
  }
}

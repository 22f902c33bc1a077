import type { onRequestAsyncHookHandler } from 'fastify'
import { explorerError } from './errors.js'

/**
 * The explorer_token the workflow API expects: from the cookie, as the
 * vendor's curl sends it, or from a header of that name, as its parameter
 * table lists it. A missing or unknown token is a login-session error.
 */
export function explorerTokenAuth(tokens: readonly string[]): onRequestAsyncHookHandler {
  const accepted = new Set(tokens)
  return async (request) => {
    const fromHeader = request.headers.explorer_token
    const token = request.cookies.explorer_token ?? (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader)
    if (token === undefined || token === '') throw explorerError('ErrSession', 'explorer_token is missing')
    if (!accepted.has(token)) throw explorerError('ErrSession', 'explorer_token is invalid or expired')
  }
}

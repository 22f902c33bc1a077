import type { FastifyRequest } from 'fastify'

/**
 * The path prefix this request reached its world by: `/sandboxes/{name}` for a named sandbox reached through
 * the server's port, '' for the server's own world and for a sandbox reached at a port of its own. Told from
 * the port the connection came in on, so that the server's dispatcher need not mark each request it hands on.
 */
export function basePathOf(request: FastifyRequest): string {
  const { basePath, ownPort } = request.server.resultbox.reached
  if (basePath === '' || (ownPort !== null && request.raw.socket?.localPort === ownPort)) return ''
  return basePath
}

/**
 * Where the client reached this world, scheme, host and port as it called them, with the sandbox's prefix if
 * it came through one: what an answer that points back at the sandbox (a signed OBS URL, IAM's catalog) starts
 * with, so it works behind Docker's port mapping and inside a sandbox alike.
 */
export const baseUrlOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}${basePathOf(request)}`

/** The Path of a cookie a vendor sets at its root: '/', or a named sandbox's prefix. */
export const cookiePathOf = (request: FastifyRequest): string => basePathOf(request) || '/'

/** The path and query as the client sent them (what an AK/SK signature covers): a sandbox's prefix included. */
export const sentUrlOf = (request: FastifyRequest): string => `${basePathOf(request)}${request.url}`

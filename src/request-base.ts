import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import type { FastifyRequest } from 'fastify'
import type { Sandbox } from './sandbox.js'

type Reached = Sandbox['reached']

/**
 * The path prefix a request reached its world by: `/sandboxes/{name}` for a named sandbox reached through
 * the server's port, '' for the server's own world and for a sandbox reached at a port of its own. Told from
 * the port the connection came in on, so that the server's dispatcher need not mark each request it hands on.
 */
export function basePathAt({ basePath, ownPort }: Reached, raw: IncomingMessage): string {
  if (basePath === '' || (ownPort !== null && raw.socket?.localPort === ownPort)) return ''
  return basePath
}

/**
 * Where the client reached this world, scheme, host and port as it called them, with the sandbox's prefix if
 * it came through one: what an answer that points back at the sandbox (a signed OBS URL, IAM's catalog) starts
 * with, so it works behind Docker's port mapping and inside a sandbox alike. As Fastify's request.protocol and
 * request.host tell them (no proxy is trusted), read off the request as it came, before Fastify has seen it.
 */
export function baseUrlAt(reached: Reached, raw: IncomingMessage): string {
  const scheme = raw.socket === undefined || raw.socket === null ? 'undefined' : (raw.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http'
  return `${scheme}://${raw.headers.host ?? raw.headers[':authority'] ?? ''}${basePathAt(reached, raw)}`
}

/** basePathAt, for a request Fastify is answering. */
export const basePathOf = (request: FastifyRequest): string => basePathAt(request.server.resultbox.reached, request.raw)

/** baseUrlAt, for a request Fastify is answering. */
export const baseUrlOf = (request: FastifyRequest): string => baseUrlAt(request.server.resultbox.reached, request.raw)

/** The Path of a cookie a vendor sets at its root: '/', or a named sandbox's prefix. */
export const cookiePathOf = (request: FastifyRequest): string => basePathOf(request) || '/'

/** The path and query as the client sent them (what an AK/SK signature covers): a sandbox's prefix included. */
export const sentUrlOf = (request: FastifyRequest): string => `${basePathOf(request)}${request.url}`

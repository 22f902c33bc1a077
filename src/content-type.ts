import type { FastifyInstance } from 'fastify'

const FASTIFY_JSON = 'application/json; charset=utf-8'

/**
 * Answers JSON as `application/json` with no charset parameter, as FastAPI
 * and Explorer's server send it (the Explorer seed shows that header);
 * Fastify's own default adds `; charset=utf-8`.
 */
export function useBareJsonContentType(scope: FastifyInstance): void {
  scope.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.getHeader('content-type') === FASTIFY_JSON) reply.header('content-type', 'application/json')
    done(null, payload)
  })
}

/**
 * For routes whose vendor handler reads the body itself, or not at all: whatever body comes, of
 * whatever type, is read (within the body limit) as text and left to the handler, so it can
 * neither be refused as an unknown type nor fail to parse. Call it on a scope holding only such routes.
 */
export function takeBodiesAsText(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  // Fastify refuses a Content-Type that is no media type at all ("garbage") before any parser sees it:
  // the body is read under a stand-in type, and the client's own header is back before the answer (and the journal).
  const sent = Symbol('content-type as sent')
  scope.addHook('onRequest', (request, _reply, done) => {
    const headers = request.headers as Record<string | symbol, unknown>
    if (headers['content-type'] !== undefined) {
      headers[sent] = headers['content-type']
      headers['content-type'] = 'application/octet-stream'
    }
    done()
  })
  scope.addHook('onSend', (request, _reply, payload, done) => {
    const headers = request.headers as Record<string | symbol, unknown>
    if (sent in headers) headers['content-type'] = headers[sent]
    done(null, payload)
  })
}

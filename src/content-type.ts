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

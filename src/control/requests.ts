import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Sandbox } from '../sandbox.js'
import { journalEntry } from '../journal.js'
import { BodyRefusals, ControlErrorBody, NoContent } from './schemas.js'

/** GET and DELETE /_resultbox/requests: what clients sent the vendors, newest first. */
export const requestRoutes: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  const { journal, vendors } = sandbox
  const RequestsQuery = Type.Object(
    {
      vendor: Type.Optional(vendors.nameSchema()),
      operation: Type.Optional(Type.String({ minLength: 1 })),
      method: Type.Optional(Type.String({ pattern: '^[A-Za-z]+$' })),
      path: Type.Optional(Type.String({ minLength: 1, description: 'matches paths that start with it' })),
      status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
      limit: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100 }),
    },
    { additionalProperties: false },
  )

  const RequestsBody = Type.Object({
    total: Type.Integer({ description: 'entries matching the filter (the journal keeps the newest `capacity`)' }),
    capacity: Type.Integer(),
    requests: Type.Array(journalEntry(vendors.nameSchema()), { description: 'newest first, at most `limit`' }),
  })

  app.get(
    '/requests',
    {
      schema: {
        operationId: 'listRequests',
        tags: ['control'],
        querystring: RequestsQuery,
        response: { 200: RequestsBody, 400: ControlErrorBody },
      },
    },
    async (request) => ({ ...journal.query(request.query), capacity: journal.capacity }),
  )

  app.delete('/requests', { schema: { operationId: 'clearRequests', tags: ['control'], response: { 204: NoContent, ...BodyRefusals } } }, async (_request, reply) => {
    journal.clear()
    return reply.code(204).send(null)
  })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Sandbox } from '../app.js'
import { seededAt } from '../database.js'

/** Where resultbox's own endpoints live, apart from every vendor's paths (LocalStack's /_localstack/ is the model). */
export const CONTROL_PREFIX = '/_resultbox'

const Health = Type.Object({ status: Type.Literal('up') })

const Readiness = Type.Object({
  status: Type.Literal('ready'),
  schema_version: Type.Integer(),
  seeded_at: Type.Union([Type.String(), Type.Null()]),
  clock: Type.String({ description: 'the sandbox clock, ISO 8601' }),
})

/**
 * The sandbox's own endpoints: liveness for a process supervisor, readiness
 * for a container HEALTHCHECK. The server only listens once the store is
 * migrated and seeded, so any answer from /ready means ready: before that the
 * port refuses connections, and while closing Fastify itself answers 503.
 */
export const controlApi: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no control endpoint ${request.method} ${request.url}` }),
  )
  const schemaVersion = sandbox.db.prepare<[], number>('SELECT MAX(version) FROM schema_migrations').pluck()

  app.get('/health', { schema: { response: { 200: Health } } }, async () => ({ status: 'up' as const }))

  app.get('/ready', { schema: { response: { 200: Readiness } } }, async () => {
    const seeded = seededAt(sandbox.db)
    return {
      status: 'ready' as const,
      schema_version: schemaVersion.get() ?? 0,
      seeded_at: seeded === null ? null : new Date(seeded).toISOString(),
      clock: new Date(sandbox.clock.now()).toISOString(),
    }
  })
}

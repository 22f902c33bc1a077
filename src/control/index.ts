import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Sandbox } from '../sandbox.js'
import { sameSecret } from '../secrets.js'
import { seededAt } from '../database.js'
import { ScenarioError } from '../simulation.js'
import { lazyValidatorCompiler } from '../compilers.js'
import { Nullable } from '../schemas.js'
import { documentParts } from '../contract/document.js'
import { contractRoutes } from '../contract/routes.js'
import { basePathOf } from '../request-base.js'
import { clockRoutes } from './clock.js'
import { linksUnder } from './links.js'
import { faultRoutes } from './faults.js'
import { requestRoutes } from './requests.js'
import { providerStateRoutes } from '../provider-states/routes.js'
import { sandboxRoutes } from '../sandboxes/routes.js'
import { scenarioRoutes } from './scenarios.js'
import { ControlError, ControlErrorBody } from './schemas.js'
import { stateRoutes } from './state.js'
import { statusPageRoutes } from './status-page.js'
import { strictTypeBoxCompiler } from './validation.js'

/** Where resultbox's own endpoints live, apart from every vendor's paths (LocalStack's /_localstack/ is the model). */
export const CONTROL_PREFIX = '/_resultbox'

const Health = Type.Object({ status: Type.Literal('up') })

const Readiness = Type.Object({
  status: Type.Literal('ready'),
  schema_version: Type.Integer(),
  seeded_at: Nullable(Type.String()),
  clock: Type.String({ description: 'the sandbox clock, ISO 8601' }),
})

/** Stable codes for what Fastify refuses before a handler runs; any other 4xx is an invalid request. */
const REFUSAL_CODES: Record<number, string> = { 413: 'payload_too_large', 415: 'unsupported_media_type' }

function sendControlError(reply: FastifyReply, error: ControlError, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(error.statusCode).headers(headers).send(error.body)
}

function fieldOf(error: FastifyError): string {
  const first = error.validation?.[0]
  const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty
  const at = first?.instancePath ?? ''
  return missing === undefined ? at : `${at}/${missing}`
}


/** Guards a scope with `Authorization: Bearer <token>` when the configuration sets one. */
function requireToken(scope: FastifyInstance, token: string): void {
  scope.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? ''
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null
    if (given !== null && sameSecret(given, token)) return
    const message = given === null ? 'the control API wants Authorization: Bearer <token>' : 'wrong control API token'
    return sendControlError(reply, new ControlError(401, 'unauthorized', message), { 'www-authenticate': 'Bearer realm="resultbox"' })
  })
}

/**
 * The sandbox's own endpoints. Health and readiness always answer (a
 * container HEALTHCHECK has no token); the rest (reset, scenarios, clock,
 * faults, journal) can be switched off or guarded by a token. The server
 * listens only once the store is migrated and seeded, so any answer from
 * /ready means ready; while closing, Fastify itself answers 503.
 */
export const controlApi: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  app.setValidatorCompiler(lazyValidatorCompiler(strictTypeBoxCompiler))
  app.setNotFoundHandler((request, reply) =>
    sendControlError(reply, new ControlError(404, 'not_found', `no control endpoint ${request.method} ${request.url.split('?')[0]}`)),
  )
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ControlError) return sendControlError(reply, error)
    if (error instanceof ScenarioError) {
      const code = error.statusCode === 409 ? 'conflict' : error.statusCode === 404 ? 'not_found' : 'invalid_scenario'
      return sendControlError(reply, new ControlError(error.statusCode, code, error.message, error.field))
    }
    if (error.validation) {
      const field = fieldOf(error)
      const part = error.validationContext ?? 'body'
      return sendControlError(reply, new ControlError(400, 'invalid_request', `${part}${field} ${error.validation[0]?.message ?? 'is invalid'}`, field))
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) return sendControlError(reply, new ControlError(status, REFUSAL_CODES[status] ?? 'invalid_request', error.message))
    request.log.error({ err: error }, 'control API failure')
    return sendControlError(reply, new ControlError(500, 'internal', 'resultbox failed to carry this out; the log says why'))
  })
  // Under a named sandbox's prefix, the paths an answer gives (result_url, jobs_url, …) lead back under it.
  app.addHook('preSerialization', (request, _reply, payload, done) => {
    const basePath = basePathOf(request)
    done(null, basePath === '' ? payload : linksUnder(payload, basePath))
  })
  const schemaVersion = sandbox.db.prepare<[], number>('SELECT MAX(version) FROM schema_migrations').pluck()

  app.get('/health', { schema: { operationId: 'health', response: { 200: Health } } }, async () => ({ status: 'up' as const }))

  app.get('/ready', { schema: { operationId: 'ready', response: { 200: Readiness } } }, async () => {
    const seeded = seededAt(sandbox.db)
    return {
      status: 'ready' as const,
      schema_version: schemaVersion.get() ?? 0,
      seeded_at: seeded === null ? null : new Date(seeded).toISOString(),
      clock: new Date(sandbox.clock.now()).toISOString(),
    }
  })

  await app.register(contractRoutes, { parts: documentParts(sandbox.vendors) })

  if (!sandbox.config.control.enabled) return
  // Outside the guard, like the docs page: the page holds no data, and what it reads asks for the token.
  await app.register(statusPageRoutes)
  await app.register(async (guarded) => {
    if (sandbox.config.control.token !== null) requireToken(guarded, sandbox.config.control.token)
    await guarded.register(stateRoutes, { sandbox })
    await guarded.register(scenarioRoutes, { sandbox })
    await guarded.register(providerStateRoutes, { book: sandbox.providerStates })
    await guarded.register(clockRoutes, { sandbox })
    await guarded.register(faultRoutes, { sandbox })
    await guarded.register(requestRoutes, { sandbox })
    if (sandbox.sandboxes) await guarded.register(sandboxRoutes, { registry: sandbox.sandboxes })
  })
}

export { ControlErrorBody }

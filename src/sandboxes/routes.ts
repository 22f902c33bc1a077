import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { clockBody } from '../control/clock.js'
import { BodyRefusals, ControlError, ControlErrorBody, NoContent } from '../control/schemas.js'
import { SANDBOXES_PREFIX, sandboxTarget } from './paths.js'
import type { NamedSandbox, SandboxRegistry } from './registry.js'
import { SandboxBody, SandboxList, SandboxParams, SandboxView } from './schemas.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** A sandbox as the control API shows it, its URLs at the origin the asking client used. */
function viewOf(sandbox: NamedSandbox, registry: SandboxRegistry, request: FastifyRequest): SandboxView {
  const expiresAt = registry.expiresAt(sandbox)
  return {
    name: sandbox.name,
    url: `${request.protocol}://${request.host}${sandbox.basePath}`,
    base_path: sandbox.basePath,
    port: sandbox.port,
    port_url: sandbox.port === null ? null : `${request.protocol}://${request.hostname}:${sandbox.port}`,
    fixtures: sandbox.fixtures,
    settings: sandbox.settings,
    clock: clockBody(sandbox.app.resultbox.clock),
    created_at: iso(sandbox.createdAt),
    last_used_at: iso(sandbox.lastUsedAt),
    requests: sandbox.requests,
    idle_expires_at: expiresAt === null ? null : iso(expiresAt),
  }
}

const notFound = (name: string) =>
  new ControlError(404, 'not_found', `no sandbox named "${name}"; PUT /_resultbox/sandboxes/${name} creates it`)

/**
 * PUT, GET and DELETE /_resultbox/sandboxes/{name}, and the list: named worlds in one server, so that tests
 * running in parallel (CI workers sharing one container, Pact verifications) never meet. Only the server's
 * own control API has them: a sandbox holds no sandboxes.
 */
export const sandboxRoutes: FastifyPluginAsyncTypebox<{ registry: SandboxRegistry }> = async (app, { registry }) => {
  app.get(
    '/sandboxes',
    {
      schema: {
        operationId: 'listSandboxes',
        tags: ['control'],
        summary: 'The named sandboxes: each one\'s URLs, port, clock, creation, last use and request count',
        response: { 200: SandboxList },
      },
    },
    async (request) => ({ total: registry.list().length, max: registry.max, sandboxes: registry.list().map((sandbox) => viewOf(sandbox, registry, request)) }),
  )

  app.put(
    '/sandboxes/:name',
    {
      schema: {
        operationId: 'putSandbox',
        tags: ['control'],
        summary: 'Create a named sandbox, a whole world of its own (201), or get the one of that name (200)',
        params: SandboxParams,
        body: SandboxBody,
        // None at all makes one of the defaults.
        bodyOptional: true,
        response: { 200: SandboxView, 201: SandboxView, ...BodyRefusals, 409: ControlErrorBody, 429: ControlErrorBody },
      },
    },
    async (request, reply) => {
      const { sandbox, created } = await registry.create(request.params.name, request.body ?? {})
      return reply.code(created ? 201 : 200).send(viewOf(sandbox, registry, request))
    },
  )

  app.get(
    '/sandboxes/:name',
    {
      schema: {
        operationId: 'getSandbox',
        tags: ['control'],
        params: SandboxParams,
        response: { 200: SandboxView, 400: ControlErrorBody, 404: ControlErrorBody },
      },
    },
    async (request) => {
      const sandbox = registry.get(request.params.name)
      if (sandbox === undefined) throw notFound(request.params.name)
      return viewOf(sandbox, registry, request)
    },
  )

  app.delete(
    '/sandboxes/:name',
    {
      schema: {
        operationId: 'deleteSandbox',
        tags: ['control'],
        summary: 'Drop a named sandbox: its streams end, its port closes, its store goes',
        params: SandboxParams,
        response: { 204: NoContent, ...BodyRefusals, 404: ControlErrorBody },
      },
    },
    async (request, reply) => {
      if (!(await registry.drop(request.params.name))) throw notFound(request.params.name)
      return reply.code(204).send(null)
    },
  )
}

/**
 * Every path under /sandboxes that reaches a world's own router names no sandbox there: the server's
 * dispatcher has handed the others to their sandbox. It answers the control API's 404 at once (before any
 * body is read, which the server then reads and discards), never a vendor's: the path is resultbox's.
 */
export const unknownSandboxes = (inSandbox: boolean): FastifyPluginAsync => async (app) => {
  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    const name = sandboxTarget(request.url)?.name ?? ''
    const error = inSandbox
      ? new ControlError(404, 'not_found', `a sandbox holds no sandboxes: ${SANDBOXES_PREFIX}/${name} is on the server's own port`)
      : name === ''
        ? new ControlError(404, 'not_found', `${SANDBOXES_PREFIX}/{name}/… reaches a named sandbox; GET /_resultbox/sandboxes lists them`)
        : notFound(name)
    return reply.code(404).send(error.body)
  }
  app.addHook('onRequest', async (request, reply) => refuse(request, reply))
  const hidden = { schema: { hide: true } }
  app.all('/', hidden, refuse)
  app.all('/*', hidden, refuse)
}

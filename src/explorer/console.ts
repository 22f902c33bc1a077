import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { takeBodiesAsText } from '../content-type.js'
import { cookiePathOf } from '../request-base.js'
import type { VendorContext } from '../vendor-module.js'
import { accountPasswords, explorerTokenAuth, explorerTokenOf } from './auth.js'
import { ok } from './answers.js'
import { explorerError, explorerErrorMapping } from './errors.js'
import { addConnect, explorerScope } from './routes.js'
import { ErrorBody, ExecBody, ExecRequest, SuccessBody } from './schemas.js'
import { accountStatement } from './ngql.js'
import { ExplorerStore } from './store.js'
import { addAnalyticsRoutes } from './console-analytics.js'

/** Where Explorer's web console calls the graph: login, logout, and the account statements of nGQL. */
export const CONSOLE_PREFIX = '/api-nebula'
/**
 * The rest of the web console's API (workflows and jobs, snapshots, icon groups, templates, its
 * configuration), as its JavaScript and the vendor's QA suite call it: Explorer's, whatever of it is
 * served (the workflows and jobs under /api-analytics are), so that a path it does not serve answers
 * Explorer's 404 and is journaled and faulted as Explorer.
 */
export const CONSOLE_PREFIXES = ['/api-analytics', '/api-snapshot', '/api-icongroup', '/api-templates', '/api-config'] as const

/**
 * The console's login and logout, as Explorer's web console and the vendor's
 * QA suite use them: every session starts with POST /api-nebula/db/connect
 * (the same request and answer as the workflow API's /connect) and may end
 * with POST /api-nebula/db/disconnect, after which the token is refused.
 */
export const consoleApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config: { explorer: config }, db, clock }) => {
  const store = new ExplorerStore(db)
  explorerScope(app)
  addConnect(app, { url: '/db/connect', operationId: 'consoleConnect', summary: 'Log in as the web console does: an explorer_token cookie, for the workflow API too' }, { config, store, clock })
  const authenticate = explorerTokenAuth(config.tokens, store, clock)
  const passwordOf = accountPasswords(config.accounts, store)

  app.post(
    '/db/exec',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'consoleExec',
        summary: 'Run an nGQL statement as the console does: the sandbox runs the account statements (ALTER USER … WITH PASSWORD, CHANGE PASSWORD)',
        body: ExecRequest,
        response: { 200: ExecBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    async (request) => {
      const statement = accountStatement(gqlOf(request.body))
      if (statement === null) throw ExecRefusals.notRunnable()
      const current = passwordOf(statement.account)
      if (current === undefined && !(statement.kind === 'alter' && statement.ifExists)) throw ExecRefusals.userNotExisted()
      if (statement.kind === 'change' && statement.from !== current) throw ExecRefusals.invalidPassword()
      if (current !== undefined) store.setPassword(statement.account, statement.kind === 'alter' ? statement.password : statement.to)
      return execAnswer()
    },
  )

  // Explorer's logout reads no body: whatever a client sends with it is dropped, never refused.
  await app.register(async (scope) => {
    takeBodiesAsText(scope)
    scope.post(
      '/db/disconnect',
      {
        onRequest: authenticate,
        schema: {
          operationId: 'consoleDisconnect',
          summary: 'Log out: the token is refused from now on, and the cookie cleared',
          response: { 200: SuccessBody, 401: ErrorBody, 500: ErrorBody },
        },
      },
      async (request, reply) => {
        const token = explorerTokenOf(request)
        // A configured token (RESULTBOX_EXPLORER_TOKENS) is the sandbox's, not a session's: it outlives a logout.
        if (token !== undefined) store.deleteToken(token)
        reply.header('set-cookie', `explorer_token=; Path=${cookiePathOf(request)}; Max-Age=0; HttpOnly`)
        return ok({ success: true as const })
      },
    )
  })
}

/** The rest of Explorer's prefixes answer in its envelope: an unknown path there is Explorer's 404, not PrPM's. */
export const explorerFallback: FastifyPluginAsyncTypebox = async (app) => {
  explorerScope(app)
}

/**
 * The console's prefixes in one scope of Explorer's: its workflows and jobs (/api-analytics), and for every
 * other path under them a route that answers Explorer's 404, after Explorer's body parsing (a malformed body
 * is refused in Explorer's envelope too). One scope rather than one per prefix: each scope costs a world its
 * own copy of the content-type parsers and 404 routes for every HTTP method, about 120 KiB a prefix in every sandbox.
 */
export const consoleFallback: FastifyPluginAsyncTypebox<VendorContext & { prefixes: readonly string[] }> = async (app, context) => {
  const { prefixes } = context
  explorerScope(app, { notFound: false })
  addAnalyticsRoutes(app, context)
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
  for (const prefix of prefixes) {
    for (const url of [prefix, `${prefix}/*`]) {
      app.route({ method: methods, url, schema: { hide: true }, handler: async (request) => { throw explorerErrorMapping.notFound(request) } })
    }
  }
}

/** An account statement's answer: a statement of no result, as the console shows one. */
export const execAnswer = (): Static<typeof ExecBody> => ok({ headers: [], tables: [], timeCost: 0 })

/** What POST /api-nebula/db/exec refuses; the graph's own refusals (NebulaGraph's words) for an account statement. */
export const ExecRefusals = {
  notRunnable: () => explorerError('ErrBadRequest', 'the sandbox runs no nGQL but ALTER USER … WITH PASSWORD and CHANGE PASSWORD'),
  userNotExisted: () => explorerError('ErrBadRequest', 'User not existed!'),
  invalidPassword: () => explorerError('ErrBadRequest', 'Invalid password!'),
  bodyInvalid: () => explorerError('ErrParam', 'body must be {"gql": "<statement>"}'),
}

/** The statement of an exec body: its `gql`, the body being the object or that object as a JSON string. */
function gqlOf(body: ExecRequest): string {
  if (typeof body !== 'string') return body.gql
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw ExecRefusals.bodyInvalid()
  }
  const gql = (parsed as { gql?: unknown } | null)?.gql
  if (typeof gql !== 'string') throw ExecRefusals.bodyInvalid()
  return gql
}

import { createHash, randomUUID, randomBytes } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { useBareJsonContentType } from '../content-type.js'
import { baseUrlOf } from '../request-base.js'
import { VendorError, useVendorErrors, type VendorErrorMapping } from '../errors.js'
import type { VendorContext } from '../vendor-module.js'
import { tokenSha256 } from './auth.js'
import { DEFAULT_PROJECT_ID } from './simulation.js'
import { ModelArtsStore } from './store.js'

/*
 * IAM's token API, as much of it as a ModelArts client uses: POST
 * /v3/auth/tokens with the password method (KeystoneCreateUserTokenByPassword),
 * scoped to a project by id or name, or to the account (domain). The token
 * comes back in X-Subject-Token and works as ModelArts' X-Auth-Token until it
 * expires on the sandbox clock.
 */

/** Where IAM serves Keystone's v3 API (at the sandbox's origin; at iam.myhuaweicloud.com on the real cloud). */
export const IAM_PREFIX = '/v3'

const Named = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
  Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
])

export const TokenRequest = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.Literal('password'), { minItems: 1, maxItems: 1, description: 'resultbox takes the password method only (not totp)' }),
      password: Type.Object({
        user: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64, description: 'the IAM user (RESULTBOX_MODELARTS_IAM_USERS)' }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          domain: Named,
        }),
      }),
    }),
    scope: Type.Optional(Type.Union([
      Type.Object({ project: Named }, { description: 'a project, by id or by name (a default project is named after its region)' }),
      Type.Object({ domain: Named }, { description: 'the account: no project\'s API takes such a token' }),
    ])),
  }),
})
export type TokenRequest = Static<typeof TokenRequest>

export const TokenQuery = Type.Object({
  nocatalog: Type.Optional(Type.String({ description: 'any value leaves catalog out of the answer' })),
})

const IdName = Type.Object({ id: Type.String(), name: Type.String() })

export const TokenBody = Type.Object({
  token: Type.Object({
    expires_at: Type.String({ description: 'UTC with microseconds, e.g. 2020-01-04T09:05:22.701000Z, on the sandbox clock' }),
    methods: Type.Array(Type.String()),
    catalog: Type.Optional(Type.Array(Type.Object({
      endpoints: Type.Array(Type.Object({ id: Type.String(), interface: Type.String(), region: Type.String(), region_id: Type.String(), url: Type.String() })),
      id: Type.String(),
      name: Type.String(),
      type: Type.String(),
    }))),
    roles: Type.Array(IdName),
    project: Type.Optional(Type.Object({ domain: IdName, id: Type.String(), name: Type.String() })),
    domain: Type.Optional(IdName),
    issued_at: Type.String(),
    user: Type.Object({ domain: IdName, id: Type.String(), name: Type.String(), password_expires_at: Type.String() }),
  }),
})

/** Keystone's error envelope, as IAM answers: {"error": {"code": 401, "title": "Unauthorized", "message": …}}. */
export const KeystoneError = Type.Object({
  error: Type.Object({ code: Type.Integer(), title: Type.String(), message: Type.String() }),
})

const keystoneError = (statusCode: number, message: string) =>
  new VendorError(statusCode, { error: { code: statusCode, title: STATUS_CODES[statusCode] ?? 'Error', message } }, { 'content-type': 'application/json' })

export const iamErrorMapping: VendorErrorMapping = {
  invalidRequest: ({ part, parameter }) => IamErrors.invalidInput(parameter === '' ? part : parameter),
  notFound: () => keystoneError(404, 'The resource could not be found.'),
  clientError: (statusCode, message) => keystoneError(statusCode, message),
  injected: (statusCode, body) => (body === undefined ? keystoneError(statusCode, STATUS_CODES[statusCode] ?? 'Error') : new VendorError(statusCode, body)),
  internal: () => keystoneError(500, 'An unexpected error prevented the server from fulfilling your request.'),
}

/** Ids IAM would have given: 32 hex characters, the same for the same name every time. */
const idOf = (...names: string[]) => createHash('md5').update(names.join('/')).digest('hex')

/** IAM writes times with microseconds. */
const iamTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')

/**
 * A token as IAM's look: base64 of a DER structure (so it starts "MII"),
 * kilobytes long. The bytes after the header are random: it names nothing.
 */
export function newIamToken(): string {
  const body = randomBytes(1536)
  return Buffer.concat([Buffer.from([0x30, 0x82, body.length >> 8, body.length & 0xff]), body]).toString('base64')
}

/** What a token is scoped to, as IAM reads the request. */
function scopeOf(request: TokenRequest, region: string, domainId: string): { id: string; name: string } | null {
  const scope = request.auth.scope
  if (scope !== undefined && 'domain' in scope) return null
  const named = scope?.project
  // A default project is named after its region; the sandbox's is the fixtures' (and scenarios') project.
  if (named === undefined || ('name' in named && named.name === region)) return { id: DEFAULT_PROJECT_ID, name: region }
  if ('name' in named) return { id: idOf(domainId, named.name), name: named.name }
  return { id: named.id, name: named.id === DEFAULT_PROJECT_ID ? region : `${region}_${named.id.slice(0, 8)}` }
}

/** IAM's answer to a token request, in the order of Huawei's ValidateToken example. */
export function tokenBody(request: TokenRequest, at: { region: string; now: number; ttlSeconds: number; origin: string; catalog: boolean }) {
  const { user } = request.auth.identity.password
  const domainName = 'name' in user.domain ? user.domain.name : user.domain.id
  const domain = { id: 'id' in user.domain ? user.domain.id : idOf(domainName), name: domainName }
  const project = scopeOf(request, at.region, domain.id)
  const catalog = at.catalog ? [
    { endpoints: [{ id: idOf('modelarts', at.region), interface: 'public', region: at.region, region_id: at.region, url: `${at.origin}/v2/$(tenant_id)s` }], id: idOf('modelarts'), name: 'modelarts', type: 'modelarts' },
    { endpoints: [{ id: idOf('iam', at.region), interface: 'public', region: '*', region_id: '*', url: `${at.origin}${IAM_PREFIX}` }], id: idOf('iam'), name: 'iam', type: 'identity' },
  ] : undefined
  return {
    token: {
      expires_at: iamTime(at.now + at.ttlSeconds * 1000),
      methods: ['password'],
      ...(catalog === undefined ? {} : { catalog }),
      roles: [{ id: idOf('role', 'te_admin'), name: 'te_admin' }, { id: idOf('role', 'modelarts_adm'), name: 'modelarts_adm' }],
      ...(project === null ? { domain } : { project: { domain, id: project.id, name: project.name } }),
      issued_at: iamTime(at.now),
      user: { domain, id: idOf(domain.id, user.name), name: user.name, password_expires_at: '' },
    },
  }
}

/** Keystone's refusals, as the document's examples show them. */
export const IamErrors = {
  wrongPassword: () => keystoneError(401, 'The username or password is wrong.'),
  invalidInput: (field: string) => keystoneError(400, `Invalid input for field '${field}'.`),
}

export const iamApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config: { modelarts: config }, db, clock }) => {
  const store = new ModelArtsStore(db)
  useVendorErrors(app, iamErrorMapping)
  useBareJsonContentType(app)
  // IAM traces every answer with a UUID of its own (X-IAM-Trace-Id), as Huawei's capture of this API shows; it
  // sends no X-Request-Id, so the SDKs' exceptions carry no request id, as they do against IAM itself.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-iam-trace-id', randomUUID())
    done()
  })
  const passwords = new Map(config.iamUsers.map((user) => [user.name, user.password]))

  app.post(
    '/auth/tokens',
    {
      schema: {
        operationId: 'keystoneCreateUserTokenByPassword',
        summary: 'Get an IAM user token (password method); it is X-Subject-Token, for X-Auth-Token',
        querystring: TokenQuery,
        body: TokenRequest,
        response: { 201: TokenBody, 400: KeystoneError, 401: KeystoneError, 413: KeystoneError, 415: KeystoneError },
      },
    },
    async (request, reply) => {
      const { user } = request.body.auth.identity.password
      // The same answer for an unknown user as for a wrong password, as IAM gives.
      if (passwords.get(user.name) !== user.password) throw IamErrors.wrongPassword()
      const now = clock.now()
      const token = newIamToken()
      const body = tokenBody(request.body, { region: config.region, now, ttlSeconds: config.tokenTtlSeconds, origin: baseUrlOf(request), catalog: request.query.nocatalog === undefined || request.query.nocatalog === '' })
      // Expired tokens are kept a day, so that a client still sending one is told it expired.
      store.deleteIamTokensExpiredBy(now - 86_400_000)
      store.insertIamToken({
        token_sha256: tokenSha256(token),
        user_name: user.name,
        domain_name: body.token.user.domain.name,
        project_id: 'project' in body.token ? body.token.project.id : null,
        issued_at: now,
        expires_at: now + config.tokenTtlSeconds * 1000,
      })
      // Serialized here: the route's serializer puts optional fields (catalog, project) last, and IAM's order has them inside.
      return reply.code(201).header('x-subject-token', token).type('application/json').send(JSON.stringify(body) as never)
    },
  )
}

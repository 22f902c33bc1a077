import t from 'tap'
import type { OpenApiDocument } from '../src/contract/document.js'
import { get, startSandbox } from './helpers/sandbox.js'

/*
 * Auth everywhere: every route the OpenAPI document lists is walked, so a new
 * route cannot escape this test. Each vendor route refuses a missing and a
 * wrong credential with that vendor's own 401; the control API honours its
 * token and its off switch. Auth runs before the body is read, so the body
 * sent does not matter.
 */

/** A value for each path parameter, from the fixtures. */
const PARAMETERS: Record<string, string> = {
  project_id: '1',
  result_key: 'dVbQ3x7K',
  event_log_id: '1',
  workflow_id: '4',
  job_id: '29987',
  task_id: '8c171f70fb6f11ecac7e6da0662c195b',
  version_id: '7PoIhUzSk92OglQrTxr',
}
const MODELARTS_PARAMETERS: Record<string, string> = {
  project_id: 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60',
  task_id: 'SNEJua7qdZZN8GvkcEr',
  version_id: '7PoIhUzSk92OglQrTxr',
}

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  operationId: string
  tag: string
}

function routesOf(document: OpenApiDocument): Route[] {
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, operation]) => {
      const tag = operation.tags?.[0] ?? ''
      const values = tag === 'modelarts' ? MODELARTS_PARAMETERS : PARAMETERS
      const url = template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'x')
      return { method: method.toUpperCase() as Route['method'], url, operationId: operation.operationId ?? '', tag }
    }),
  )
}

/** Explorer's logins: the workflow API's and the console's take credentials, not a token. */
const LOGINS = new Set(['connect', 'consoleConnect'])

/** What each vendor answers a request with no credential and with a wrong one. */
const REFUSALS: Record<string, { headers: Record<string, string>; missing: (route: Route) => object; wrong: object; challenge?: string }> = {
  prpm: {
    headers: { authorization: 'Bearer not-a-token' },
    missing: () => ({ detail: 'Not authenticated' }),
    wrong: { detail: 'Invalid token' },
    challenge: 'Bearer',
  },
  explorer: {
    headers: { cookie: 'explorer_token=not-a-token' },
    missing: (route) => LOGINS.has(route.operationId) ? { code: 40104000, message: /^ErrUnauthorized/ } : { code: 40104001, message: 'ErrSession::explorer_token is missing' },
    wrong: { code: 40104001, message: 'ErrSession::explorer_token is invalid or expired' },
  },
  modelarts: {
    headers: { 'x-auth-token': 'not-a-token' },
    missing: () => ({ error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: x-auth-token not found', request_id: /^[0-9a-f]{32}$/ }),
    wrong: { error_code: 'ModelArts.0203', error_msg: 'Invalid token.' },
  },
}

t.test('every vendor route refuses a missing and a wrong credential with its vendor\'s 401', async (t) => {
  const { app } = await startSandbox(t)
  const document = (await get(app, '/_resultbox/openapi.json')).json() as OpenApiDocument
  const all = routesOf(document).filter((route) => route.tag !== 'control')
  t.equal(all.length, 54, 'the 27 PrPM, 21 Explorer and six ModelArts operations')
  // IAM's token route takes its credentials in the body, OBS's its own way (403 AccessDenied without them): both are
  // checked below and in modelarts-obs-sdk.test.ts. PrCore's root (where it lives) takes no token at all.
  const elsewhere = new Set(['keystoneCreateUserTokenByPassword', 'getObject', 'listObjects', 'getRoot'])
  const routes = all.filter((route) => !elsewhere.has(route.operationId))
  t.strictSame(all.filter((route) => elsewhere.has(route.operationId)).map((route) => route.operationId).sort(), [...elsewhere].sort())
  // connect takes any account (resultbox keeps no accounts); what it refuses is credentials it cannot read.
  const connectWrong = { authorization: 'Bearer %%%-not-base64' }
  for (const route of routes) {
    const refusal = REFUSALS[route.tag]
    if (!refusal) throw new Error(`no refusal known for ${route.tag}`)
    const send = (headers: Record<string, string>) =>
      app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json', ...headers }, payload: route.method === 'GET' ? undefined : '{}' })
    const missing = await send({})
    t.equal(missing.statusCode, 401, `${route.operationId}: no credential`)
    t.match(missing.json(), refusal.missing(route), `${route.operationId}: no credential, the vendor's body`)
    if (refusal.challenge) t.equal(missing.headers['www-authenticate'], refusal.challenge)
    const wrongHeaders = LOGINS.has(route.operationId) ? connectWrong : refusal.headers
    const wrong = await send(wrongHeaders)
    t.equal(wrong.statusCode, 401, `${route.operationId}: a wrong credential`)
    if (LOGINS.has(route.operationId)) t.match(wrong.json(), { code: 40104000, message: /^ErrUnauthorized/ }, 'connect: unreadable credentials')
    else t.match(wrong.json(), refusal.wrong, `${route.operationId}: a wrong credential, the vendor's body`)
  }

  // GET / answers without a token, and a wrong one does not change that (PrCore's root has no dependency on the token).
  for (const headers of [{}, REFUSALS.prpm?.headers ?? {}]) {
    const root = await app.inject({ url: '/', headers })
    t.equal(root.statusCode, 200, `getRoot with ${Object.keys(headers).length === 0 ? 'no' : 'a wrong'} token`)
    t.strictSame(root.json(), {
      API: 'https://prcore.chaos.run',
      Documentation: 'https://prcore-docs.chaos.run',
      'Swagger UI': 'https://prcore.chaos.run/docs',
      'RabbitMQ Management': 'https://prcore-rabbitmq.chaos.run',
    })
    t.equal(root.headers['www-authenticate'], undefined, 'and asks for no credential')
  }

  const password = (secret: string) => ({ auth: { identity: { methods: ['password'], password: { user: { name: 'resultbox', password: secret, domain: { name: 'acme' } } } } } })
  const noUser = await app.inject({ method: 'POST', url: '/v3/auth/tokens', payload: { auth: { identity: { methods: ['password'] } } } })
  t.equal(noUser.statusCode, 400, 'IAM: no user, a bad request')
  t.match(noUser.json(), { error: { code: 400, title: 'Bad Request', message: String } })
  const wrongPassword = await app.inject({ method: 'POST', url: '/v3/auth/tokens', payload: password('wrong') })
  t.equal(wrongPassword.statusCode, 401, 'IAM: a wrong password')
  t.strictSame(wrongPassword.json(), { error: { code: 401, title: 'Unauthorized', message: 'The username or password is wrong.' } })
  const unsigned = await app.inject({ url: '/obs/test-obs/classify/data/animals/8.jpg' })
  t.equal(unsigned.statusCode, 403, 'OBS: an unsigned URL')
  t.match(unsigned.body, /<Code>AccessDenied<\/Code>/)
  const unknownKey = await app.inject({ url: '/obs/test-obs/classify/data/animals/8.jpg?AccessKeyId=NOTAKEY&Expires=9999999999&Signature=x' })
  t.equal(unknownKey.statusCode, 403, 'OBS: a key it does not know')
  t.match(unknownKey.body, /<Code>InvalidAccessKeyId<\/Code>/)
})

/** What answers even with RESULTBOX_CONTROL=false: probes and the contract. */
const ALWAYS_ON = ['health', 'ready', 'getOpenapi', 'getOpenapiYaml']
/** What needs no control token: those, and the status page, which holds no data (what it reads asks for the token). */
const OPEN_CONTROL = [...ALWAYS_ON, 'getStatusPage']

t.test('the control API: every guarded route wants its token, the open ones do not; off leaves only probes and the contract', async (t) => {
  const guarded = await startSandbox(t, { env: { RESULTBOX_CONTROL_TOKEN: 's3cret' } })
  const document = (await get(guarded.app, '/_resultbox/openapi.json')).json() as OpenApiDocument
  const routes = routesOf(document).filter((route) => route.tag === 'control')
  t.equal(routes.length, 23)
  for (const route of routes) {
    const send = (headers: Record<string, string>) =>
      guarded.app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json', ...headers }, payload: route.method === 'GET' ? undefined : '{}' })
    const missing = await send({})
    const wrong = await send({ authorization: 'Bearer nope' })
    const right = await send({ authorization: 'Bearer s3cret' })
    t.not(right.statusCode, 401, `${route.operationId}: the token is accepted`)
    if (OPEN_CONTROL.includes(route.operationId)) {
      t.equal(missing.statusCode, 200, `${route.operationId} needs no token`)
      continue
    }
    t.equal(missing.statusCode, 401, `${route.operationId}: no token`)
    t.strictSame(missing.json(), { error: 'unauthorized', message: 'the control API wants Authorization: Bearer <token>' })
    t.equal(missing.headers['www-authenticate'], 'Bearer realm="resultbox"')
    t.equal(wrong.statusCode, 401, `${route.operationId}: a wrong token`)
    t.strictSame(wrong.json(), { error: 'unauthorized', message: 'wrong control API token' })
  }

  const off = await startSandbox(t, { env: { RESULTBOX_CONTROL: 'false' } })
  for (const route of routes) {
    const res = await off.app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json' }, payload: route.method === 'GET' ? undefined : '{}' })
    if (ALWAYS_ON.includes(route.operationId)) t.equal(res.statusCode, 200, `${route.operationId} answers with the control API off`)
    else {
      t.equal(res.statusCode, 404, `${route.operationId} is gone with the control API off`)
      t.match(res.json(), { error: 'not_found' })
    }
  }
})

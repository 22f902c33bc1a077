import http from 'node:http'
import net from 'node:net'
import t from 'tap'
import { listen } from './helpers/prpm-clients.js'
import { CREDENTIALS, START, startSandbox } from './helpers/sandbox.js'
import { sdkRequest, sdkSignedHeaders } from './helpers/huawei-sdk.js'
import { ANIMALS, PROJECT, resultsUrl } from './helpers/modelarts.js'
import { rawRequest } from './helpers/raw.js'

/*
 * Named sandboxes: worlds of their own in one server, reached under /sandboxes/{name} on its port or on a
 * port of their own, created, listed and dropped over the control API. Everything here goes over a real
 * socket, as a CI worker's client would reach a shared container.
 */

type TapTest = Parameters<Extract<Parameters<typeof t.test>[0], (t: never) => unknown>>[0]

const JSON_HEADERS = { 'content-type': 'application/json' }
const RESULT = '/project/1/result/dVbQ3x7K'

async function server(t: TapTest, env: Record<string, string> = {}, realNow?: () => number) {
  const { app, clock } = await startSandbox(t, { env, realNow })
  const base = await listen(app)
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { ...JSON_HEADERS, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    let parsed: any = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: response.status, headers: response.headers, body: parsed, text }
  }
  const put = (name: string, body: unknown = {}) => call('PUT', `/_resultbox/sandboxes/${name}`, body)
  return { app, clock, base, call, put }
}

t.test('PUT creates a sandbox (201) or gives back the one of that name (200); GET lists and shows; DELETE drops', async (t) => {
  const { base, call, put } = await server(t)
  const created = await put('worker-1', { clock: { start: '2030-01-01T00:00:00Z', frozen: true } })
  t.equal(created.status, 201)
  t.match(created.body, {
    name: 'worker-1',
    url: `${base}/sandboxes/worker-1`,
    base_path: '/sandboxes/worker-1',
    port: null,
    port_url: null,
    fixtures: 'default',
    settings: {},
    clock: { now: '2030-01-01T00:00:00.000Z', now_ms: Date.parse('2030-01-01T00:00:00Z'), frozen: true, speed: 1 },
    requests: 0,
  })
  t.equal(Date.parse(created.body.created_at), Date.parse(created.body.last_used_at))
  t.equal(Date.parse(created.body.idle_expires_at) - Date.parse(created.body.last_used_at), 1_800_000, 'dropped after 30 unused minutes by default')

  await call('GET', '/sandboxes/worker-1/_resultbox/health')
  const again = await put('worker-1', { clock: { start: '2040-01-01T00:00:00Z' }, fixtures: 'none' })
  t.equal(again.status, 200, 'the one that exists: a worker that restarts gets its own back')
  t.equal(again.body.created_at, created.body.created_at)
  t.equal(again.body.clock.now, '2030-01-01T00:00:00.000Z', 'its body is not read again')
  t.equal(again.body.fixtures, 'default')
  t.equal(again.body.requests, 1)

  await put('worker-0')
  const list = await call('GET', '/_resultbox/sandboxes')
  t.equal(list.status, 200)
  t.equal(list.body.total, 2)
  t.equal(list.body.max, 64)
  t.strictSame(list.body.sandboxes.map((sandbox: { name: string }) => sandbox.name), ['worker-0', 'worker-1'], 'by name')

  const one = await call('GET', '/_resultbox/sandboxes/worker-1')
  t.equal(one.status, 200)
  t.equal(one.body.name, 'worker-1')

  const dropped = await call('DELETE', '/_resultbox/sandboxes/worker-1')
  t.equal(dropped.status, 204)
  t.equal(dropped.text, '')
  const gone = await call('GET', '/_resultbox/sandboxes/worker-1')
  t.equal(gone.status, 404)
  t.strictSame(gone.body, { error: 'not_found', message: 'no sandbox named "worker-1"; PUT /_resultbox/sandboxes/worker-1 creates it' })
  t.equal((await call('DELETE', '/_resultbox/sandboxes/worker-1')).status, 404)
  const unreachable = await call('GET', `/sandboxes/worker-1${RESULT}`, undefined, CREDENTIALS.prpm)
  t.equal(unreachable.status, 404)
  t.strictSame(unreachable.body, gone.body, 'its paths answer the control API\'s 404, not a vendor\'s')
})

t.test('two PUTs of one name at once make one sandbox; a PUT after one that failed makes it from its own body', async (t) => {
  const { call, put } = await server(t)
  const [first, second] = await Promise.all([put('twin', { clock: { frozen: true } }), put('twin', { fixtures: 'none' })])
  t.strictSame([first.status, second.status].sort(), [200, 201], 'one made it, the other was given it')
  t.equal(first.body.created_at, second.body.created_at)
  t.equal((await call('GET', '/_resultbox/sandboxes')).body.total, 1)
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const taken = (blocker.address() as net.AddressInfo).port
  const [refused, made] = await Promise.all([put('late', { port: taken }), put('late', { fixtures: 'none' })])
  t.equal(refused.status, 409, 'the port is taken')
  t.equal(made.status, 201, 'the second PUT, waiting on the first, made the sandbox from its own body')
  t.equal(made.body.fixtures, 'none')
})

t.test('a name outside the rule, a body that breaks the schema: 400 naming it, and nothing is made', async (t) => {
  const { call, put } = await server(t)
  for (const name of ['Worker', '-x', 'a_b', 'x'.repeat(64), 'dot.name']) {
    const refused = await put(encodeURIComponent(name))
    t.equal(refused.status, 400, name)
    t.strictSame(refused.body, { error: 'invalid_request', message: "params/name Expected string to match '^[a-z0-9][a-z0-9-]{0,62}$'", field: '/name' }, `${name}: the rule named`)
  }
  t.equal((await put('x'.repeat(63))).status, 201, '63 characters are allowed')
  const cases: Array<[unknown, string]> = [
    [{ colour: 'blue' }, ''],
    [{ fixtures: 'large' }, '/fixtures'],
    [{ clock: { start: 'yesterday' } }, '/clock/start'],
    [{ clock: { speed: 0 } }, '/clock/speed'],
    [{ settings: { prpm_one_shot_read: 'false' } }, '/settings/prpm_one_shot_read'],
    [{ settings: { port: 1 } }, '/settings'],
    [{ settings: { prpm_tokens: 'a, b' } }, '/settings/prpm_tokens'],
    [{ port: 70000 }, '/port'],
  ]
  for (const [body, field] of cases) {
    const refused = await put('refused', body)
    t.equal(refused.status, 400, JSON.stringify(body))
    t.match(refused.body, { error: 'invalid_request', field: field === '' ? String : field }, JSON.stringify(body))
  }
  t.equal((await call('GET', '/_resultbox/sandboxes/refused')).status, 404, 'none of them was made')
})

t.test('each sandbox is a world of its own: clock, store, reset, faults, journal and settings never leak', async (t) => {
  const { call, put } = await server(t)
  await put('a', { clock: { start: new Date(START).toISOString(), frozen: true } })
  await put('b', { clock: { start: new Date(START).toISOString(), frozen: true }, settings: { prpm_tokens: 'b-token', prpm_one_shot_read: false } })

  // A's clock moves; B's and the server's do not.
  t.equal((await call('POST', '/sandboxes/a/_resultbox/clock', { advance_ms: 6000 })).body.now_ms, START + 6000)
  t.equal((await call('GET', '/sandboxes/b/_resultbox/clock')).body.now_ms, START)
  t.equal((await call('GET', '/_resultbox/clock')).body.now_ms, START)
  const complete = await call('GET', `/sandboxes/a${RESULT}`, undefined, CREDENTIALS.prpm)
  t.equal(complete.body.message, 'Ongoing dataset result retrieved successfully', 'A\'s plugins finished on A\'s clock')
  t.equal((await call('GET', `/sandboxes/a${RESULT}`, undefined, CREDENTIALS.prpm)).status, 404, 'and A read it once')
  const processing = await call('GET', `/sandboxes/b${RESULT}`, undefined, { authorization: 'Bearer b-token' })
  t.equal(processing.body.message, 'Ongoing dataset result is still processing', 'B\'s is still processing')
  t.equal((await call('GET', RESULT, undefined, CREDENTIALS.prpm)).body.message, 'Ongoing dataset result is still processing', 'and the server\'s')

  // B's settings are B's.
  t.equal((await call('GET', `/sandboxes/b${RESULT}`, undefined, CREDENTIALS.prpm)).status, 401, 'B takes its own token only')
  t.equal((await call('GET', RESULT, undefined, { authorization: 'Bearer b-token' })).status, 401, 'the server does not take B\'s')
  t.equal((await call('GET', '/_resultbox/sandboxes/b')).body.settings.prpm_tokens, 'b-token')

  // A scenario made in A is A's.
  const scenario = await call('POST', '/sandboxes/a/_resultbox/scenarios/prpm', { result_key: 'OnlyInA1' })
  t.equal(scenario.status, 201)
  t.equal(scenario.body.result_url, `/sandboxes/a/project/${scenario.body.project_id}/result/OnlyInA1`, 'its URLs lead back under A\'s prefix')
  t.equal((await call('GET', scenario.body.result_url, undefined, CREDENTIALS.prpm)).status, 200)
  t.equal((await call('GET', `/sandboxes/b/project/${scenario.body.project_id}/result/OnlyInA1`, undefined, { authorization: 'Bearer b-token' })).status, 400, 'B has no such project')

  // A fault rule in B fails B only.
  await call('PUT', '/sandboxes/b/_resultbox/faults', { rules: [{ vendor: 'explorer', error: { status: 503 } }] })
  const sample = '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=1'
  t.equal((await call('GET', `/sandboxes/b${sample}`, undefined, CREDENTIALS.explorer)).status, 503)
  t.equal((await call('GET', `/sandboxes/a${sample}`, undefined, CREDENTIALS.explorer)).status, 200)
  t.equal((await call('GET', sample, undefined, CREDENTIALS.explorer)).status, 200)

  // Each journal holds its own world's requests, by the vendor's path.
  const journalA = (await call('GET', '/sandboxes/a/_resultbox/requests')).body
  t.strictSame(journalA.requests.map((entry: { path: string }) => entry.path), [sample.split('?')[0], `/project/${scenario.body.project_id}/result/OnlyInA1`, RESULT, RESULT])
  const journalB = (await call('GET', '/sandboxes/b/_resultbox/requests')).body
  t.strictSame(journalB.requests.map((entry: { status: number }) => entry.status), [503, 400, 401, 200])
  const journalRoot = (await call('GET', '/_resultbox/requests')).body
  t.strictSame(journalRoot.requests.map((entry: { path: string }) => entry.path), [sample.split('?')[0], RESULT, RESULT], 'the server\'s own has none of theirs')

  // A reset of A puts A back, and only A.
  t.equal((await call('POST', '/sandboxes/a/_resultbox/state/reset')).status, 200)
  t.equal((await call('GET', scenario.body.result_url, undefined, CREDENTIALS.prpm)).status, 400, 'the scenario went with A\'s reset')
  t.equal((await call('GET', `/sandboxes/b${RESULT}`, undefined, { authorization: 'Bearer b-token' })).status, 200, 'B still has its result')
  t.equal((await call('GET', '/sandboxes/b/_resultbox/faults')).body.rules.length, 1, 'and its faults')
})

t.test('fixtures none: an empty world, and a reset keeps it empty', async (t) => {
  const { call, put } = await server(t)
  await put('empty', { fixtures: 'none' })
  t.strictSame((await call('GET', '/sandboxes/empty/project/1', undefined, CREDENTIALS.prpm)).body, { detail: 'Project not found' })
  const state = (await call('GET', '/sandboxes/empty/_resultbox/state')).body
  t.strictSame([state.prpm.total, state.explorer.total, state.modelarts.total], [0, 0, 0])
  const made = await call('POST', '/sandboxes/empty/_resultbox/scenarios/explorer', { tasks: [{ name: 'WCC' }] })
  t.equal(made.status, 201)
  await call('POST', '/sandboxes/empty/_resultbox/state/reset')
  t.equal((await call('GET', '/sandboxes/empty/_resultbox/state')).body.explorer.total, 0)
  t.equal((await call('GET', '/project/1', undefined, CREDENTIALS.prpm)).status, 200, 'the server keeps its fixtures')
})

t.test('what points back at a sandbox points the way the client came: signed URLs, IAM\'s catalog, the document, the pages', async (t) => {
  const { base, call, put } = await server(t)
  await put('ma', { clock: { start: new Date(START).toISOString(), frozen: true } })
  const page = await call('GET', `/sandboxes/ma${resultsUrl(ANIMALS, '7PoIhUzSk92OglQrTxr')}?limit=2`, undefined, CREDENTIALS.modelarts)
  t.equal(page.status, 200)
  const signed = new URL(page.body.results[0].signed_new_source)
  t.equal(`${signed.origin}${signed.pathname.split('/obs/')[0]}`, `${base}/sandboxes/ma`, 'the sandbox\'s own OBS, under its prefix')
  const image = await fetch(page.body.results[0].signed_new_source)
  t.equal(image.status, 200)
  t.equal(image.headers.get('content-type'), 'image/jpeg')
  await call('POST', '/sandboxes/ma/_resultbox/clock', { advance_ms: 3_600_001 })
  t.equal((await fetch(page.body.results[0].signed_new_source)).status, 403, 'expired on the sandbox\'s clock')
  t.equal((await fetch(page.body.results[1].signed_new_source)).status, 403)

  const token = await call('POST', '/sandboxes/ma/v3/auth/tokens', {
    auth: { identity: { methods: ['password'], password: { user: { name: 'resultbox', password: 'resultbox', domain: { name: 'any' } } } }, scope: { project: { id: PROJECT } } },
  })
  t.equal(token.status, 201)
  const endpoints = token.body.token.catalog.flatMap((service: { endpoints: Array<{ url: string }> }) => service.endpoints.map((endpoint) => endpoint.url))
  t.ok(endpoints.every((url: string) => url.startsWith(`${base}/sandboxes/ma/`)), 'IAM\'s catalog names the sandbox')

  // Explorer's session cookie is scoped to the sandbox, so one cookie jar can hold a session in each.
  const login = await call('POST', '/sandboxes/ma/api-nebula/db/connect', { address: 'graphd', port: 9669 }, { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` })
  t.match(login.headers.get('set-cookie'), /^explorer_token=[^;]+; Path=\/sandboxes\/ma; Max-Age=259200; HttpOnly$/)
  const rootLogin = await call('POST', '/api-nebula/db/connect', { address: 'graphd', port: 9669 }, { authorization: `Bearer ${Buffer.from('root:nebula').toString('base64')}` })
  t.match(rootLogin.headers.get('set-cookie'), /; Path=\/; Max-Age/, 'at the server\'s root, the vendor\'s Path=/')

  const document = await call('GET', '/sandboxes/ma/_resultbox/openapi.json?vendor=modelarts')
  t.strictSame(document.body.servers, [{ url: '/sandboxes/ma', description: 'this named sandbox, under the server\'s port' }])
  t.notOk('servers' in (await call('GET', '/_resultbox/openapi.json?vendor=modelarts')).body, 'the server\'s own names none, as the committed copies')
  t.match((await call('GET', '/sandboxes/ma/_resultbox/openapi.yaml')).text, /servers:\n {2}- url: \/sandboxes\/ma/)

  const statusPage = await call('GET', '/sandboxes/ma/_resultbox/')
  t.equal(statusPage.status, 200)
  t.match(statusPage.text, 'data-prefix="/sandboxes/ma/_resultbox"', 'the page reads its own sandbox\'s state')
  t.match((await call('GET', '/_resultbox/')).text, 'data-prefix="/_resultbox"')
  const redirect = await fetch(`${base}/sandboxes/ma/_resultbox`, { redirect: 'manual' })
  t.equal(redirect.headers.get('location'), '/sandboxes/ma/_resultbox/')
  const docs = await call('GET', '/sandboxes/ma/_resultbox/docs')
  t.equal(docs.status, 200)
  t.match(docs.text, 'src="/sandboxes/ma/_resultbox/docs/static/swagger-ui-bundle.js"', 'Swagger UI\'s assets under the prefix')
  t.equal((await call('GET', '/sandboxes/ma/_resultbox/docs/static/swagger-ui-bundle.js')).status, 200)
  const state = (await call('GET', '/sandboxes/ma/_resultbox/state')).body
  t.match(state.modelarts.versions.find((version: { version_id: string }) => version.version_id === '7PoIhUzSk92OglQrTxr'), { version_url: /^\/sandboxes\/ma\/v2\//, previews: [{ origin_url: /^\/sandboxes\/ma\/obs\// }] })
})

t.test('an AK/SK signature is checked over the path the client signed, the prefix included', async (t) => {
  const { base, call, put } = await server(t)
  await put('signed')
  const path = `/sandboxes/signed${resultsUrl(ANIMALS, '7PoIhUzSk92OglQrTxr')}`
  const request = await sdkSignedHeaders({ endpoint: base, ak: 'RESULTBOXSANDBOXAK01', sk: 'resultbox', method: 'GET', path, query: { limit: 1 } })
  const answer = await fetch(request.url, { headers: request.headers })
  t.equal(answer.status, 200, 'Huawei\'s signer over /sandboxes/signed/v2/…')
  t.equal(((await answer.json()) as { count: number }).count, 30)
  const stripped = await sdkSignedHeaders({ endpoint: base, ak: 'RESULTBOXSANDBOXAK01', sk: 'resultbox', method: 'GET', path: resultsUrl(ANIMALS, '7PoIhUzSk92OglQrTxr'), query: { limit: 1 } })
  const replayed = await fetch(`${base}/sandboxes/signed${stripped.url.slice(base.length)}`, { headers: stripped.headers })
  t.equal(replayed.status, 401, 'a signature over the path without the prefix is not the path this client sent')
  t.match(await replayed.json(), { error_code: 'APIG.0301' })
  t.equal((await call('GET', '/sandboxes/signed/_resultbox/requests')).body.requests[0].status, 401)
})

t.test('a port of its own: Huawei\'s SDK, which keeps only scheme and host, reaches the sandbox there', async (t) => {
  const { call, put } = await server(t)
  const made = await put('own-port', { port: 0, clock: { start: new Date(START).toISOString(), frozen: true } })
  t.equal(made.status, 201)
  t.type(made.body.port, 'number')
  t.equal(made.body.port_url, `http://127.0.0.1:${made.body.port}`)
  const result = await sdkRequest({
    endpoint: made.body.port_url, ak: 'RESULTBOXSANDBOXAK01', sk: 'resultbox', projectId: PROJECT, method: 'GET',
    path: '/v2/{project_id}/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results', query: { limit: 3 },
  })
  t.equal(result.status, 200)
  const body = result.body as { results: Array<{ signed_new_source: string }> }
  t.ok(body.results.every((sample) => sample.signed_new_source.startsWith(`${made.body.port_url}/obs/`)), 'signed URLs at the port, with no prefix')
  const image = await fetch((body.results[0] as { signed_new_source: string }).signed_new_source)
  t.equal(image.status, 200)
  t.equal(image.headers.get('content-type'), 'image/jpeg')
  const scenario = await (await fetch(`${made.body.port_url}/_resultbox/scenarios/modelarts`, { method: 'POST', headers: JSON_HEADERS, body: '{}' })).json() as { version_url: string }
  t.match(scenario.version_url, /^\/v2\//, 'the control API at the port answers plain paths')
  // The same world both ways: what the port made, the prefix sees.
  t.equal((await call('GET', `/sandboxes/own-port${scenario.version_url}`, undefined, CREDENTIALS.modelarts)).status, 200)
  const listed = (await call('GET', '/_resultbox/sandboxes/own-port')).body
  t.equal(listed.requests, 4, 'requests by the port and the prefix are counted')
  await call('DELETE', '/_resultbox/sandboxes/own-port')
  await t.rejects(fetch(`${made.body.port_url}/_resultbox/health`), 'its port closes when it is dropped')
})

t.test('ports: a range, a port taken, one outside the range, a range used up', async (t) => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const taken = (blocker.address() as net.AddressInfo).port
  const { put } = await server(t, { RESULTBOX_SANDBOX_PORTS: `${taken}-${taken + 1}` })
  const first = await put('p1', { port: 0 })
  t.equal(first.status, 201)
  t.equal(first.body.port, taken + 1, 'the first free port of the range: the other is another process\'s')
  const none = await put('p2', { port: 0 })
  t.equal(none.status, 409)
  t.strictSame(none.body, { error: 'no_free_port', message: `no port of RESULTBOX_SANDBOX_PORTS (${taken}-${taken + 1}) is free`, field: '/port' })
  const busy = await put('p3', { port: taken })
  t.equal(busy.status, 409)
  t.match(busy.body, { error: 'port_taken', field: '/port' })
  const outside = await put('p4', { port: taken + 2 })
  t.equal(outside.status, 400)
  t.match(outside.body, { error: 'invalid_request', message: `body/port ${taken + 2} is outside RESULTBOX_SANDBOX_PORTS (${taken}-${taken + 1})`, field: '/port' })
  t.equal((await put('p5')).status, 201, 'a sandbox without a port needs none')
})

t.test('RESULTBOX_SANDBOXES_MAX: one more is a 429 that says the limit and how to drop one', async (t) => {
  const { call, put } = await server(t, { RESULTBOX_SANDBOXES_MAX: '2' })
  t.equal((await put('one')).status, 201)
  t.equal((await put('two')).status, 201)
  const refused = await put('three')
  t.equal(refused.status, 429)
  t.equal(refused.body.error, 'too_many_sandboxes')
  t.match(refused.body.message, /2 sandboxes exist, the most RESULTBOX_SANDBOXES_MAX allows \(2\); DELETE \/_resultbox\/sandboxes\/\{name\} drops one/)
  t.equal((await put('one')).status, 200, 'an existing one is still given back')
  await call('DELETE', '/_resultbox/sandboxes/one')
  t.equal((await put('three')).status, 201, 'room again once one is dropped')
})

t.test('a sandbox unused for RESULTBOX_SANDBOX_IDLE_SECONDS of real time is dropped; one with a stream open is in use', async (t) => {
  let now = Date.parse('2026-12-01T00:00:00Z')
  const { app, call, put } = await server(t, { RESULTBOX_SANDBOX_IDLE_SECONDS: '60', RESULTBOX_PRPM_STREAM_POLL_MS: '20' }, () => now)
  const sandboxes = app.resultbox.sandboxes!
  await put('idle')
  await put('streaming', { clock: { start: new Date(START).toISOString(), frozen: true } })
  t.equal((await call('GET', '/_resultbox/sandboxes/idle')).body.idle_expires_at, '2026-12-01T00:01:00.000Z')
  await call('PUT', '/sandboxes/streaming/project/1/stream/start', undefined, CREDENTIALS.prpm)
  const reader = new AbortController()
  const stream = await fetch(`${listenedBase(app)}/sandboxes/streaming/project/1/stream/result`, { headers: CREDENTIALS.prpm, signal: reader.signal })
  t.equal(stream.status, 200)
  now += 59_000
  t.strictSame(await sandboxes.sweep(), [], 'not yet')
  now += 1_000
  t.strictSame(await sandboxes.sweep(), ['idle'], 'the idle one goes; the one with an open stream stays')
  t.equal((await call('GET', '/sandboxes/idle/_resultbox/health')).status, 404)
  reader.abort()
  await stream.body?.cancel().catch(() => undefined)
  await waitFor(() => !sandboxes.get('streaming')!.busy)
  now += 60_000
  t.strictSame(await sandboxes.sweep(), ['streaming'], 'once its reader left and the idle time passed, it goes too')
})

t.test('a drop while requests and SSE streams are in flight: they end cleanly, nothing hangs', async (t) => {
  const { app, call, put } = await server(t, { RESULTBOX_PRPM_STREAM_POLL_MS: '20' })
  await put('busy', { clock: { start: new Date(START).toISOString(), frozen: true } })
  await call('PUT', '/sandboxes/busy/project/1/stream/start', undefined, CREDENTIALS.prpm)
  const stream = await fetch(`${listenedBase(app)}/sandboxes/busy/project/1/stream/result`, { headers: CREDENTIALS.prpm })
  const text = stream.text()
  // A request held by a fault rule's latency, in flight across the drop.
  await call('PUT', '/sandboxes/busy/_resultbox/faults', { rules: [{ vendor: 'prpm', operation: 'getProject', latency: { fixed_ms: 300 } }] })
  const slow = call('GET', '/sandboxes/busy/project/1', undefined, CREDENTIALS.prpm)
  await new Promise((resolve) => setTimeout(resolve, 50))
  const started = Date.now()
  t.equal((await call('DELETE', '/_resultbox/sandboxes/busy')).status, 204)
  t.ok(Date.now() - started < 2000, 'the drop waits for what is in flight, briefly')
  t.match(await text, /event: notification\r\ndata: CONNECTED/, 'the stream ended (its body is complete)')
  t.equal((await slow).status, 200, 'the request in flight got its answer from the store before it closed')
  t.equal((await call('GET', '/sandboxes/busy/project/1', undefined, CREDENTIALS.prpm)).status, 404)
})

t.test('paths under /sandboxes that name no sandbox: the control API\'s 404, the body read and discarded, nothing journaled', async (t) => {
  const { call, base } = await server(t)
  for (const path of ['/sandboxes/nope', '/sandboxes/nope/project/1', '/sandboxes/', '/sandboxes']) {
    const answer = await call('POST', path, { a: 1 }, CREDENTIALS.prpm)
    t.equal(answer.status, 404, path)
    t.equal(answer.body.error, 'not_found', path)
  }
  t.match((await call('GET', '/sandboxes/nope')).body.message, 'no sandbox named "nope"')
  t.match((await call('GET', '/sandboxes/')).body.message, 'GET /_resultbox/sandboxes lists them')
  // An upload streamed to a sandbox that is not there gets its answer once the body is in, on a keep-alive connection.
  const agent = new http.Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const upload = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(`${base}/sandboxes/nope/event_log`, { method: 'POST', agent, headers: { 'content-length': String(4 << 20), 'content-type': 'text/csv' } }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    request.on('error', reject)
    request.end(Buffer.alloc(4 << 20, 'a'))
  })
  t.equal(upload.status, 404)
  t.equal(JSON.parse(upload.body).error, 'not_found')
  t.equal((await call('GET', '/_resultbox/requests')).body.total, 0, 'none of it is a vendor\'s request')
  // Inside a sandbox there are no sandboxes.
  await call('PUT', '/_resultbox/sandboxes/outer')
  const nested = await call('GET', '/sandboxes/outer/sandboxes/inner/project/1')
  t.equal(nested.status, 404)
  t.match(nested.body, { error: 'not_found', message: 'a sandbox holds no sandboxes: /sandboxes/inner is on the server\'s own port' })
  t.equal((await call('GET', '/sandboxes/outer/_resultbox/sandboxes')).status, 404, 'nor a sandboxes endpoint')
})

t.test('a request head too large under a prefix is refused in the envelope of the vendor after it', async (t) => {
  const { base, put } = await server(t, { RESULTBOX_HEADER_MAX_BYTES: '2048' })
  await put('heads')
  const answer = await rawRequest(Number(new URL(base).port), `GET /sandboxes/heads/api-open/v1/jobs/1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`)
  t.equal(answer.status, 400)
  t.equal(answer.headers['content-type'], 'application/json')
  t.equal(answer.headers.connection, 'close')
  t.strictSame(JSON.parse(answer.body), { code: 40004000, message: 'ErrBadRequest::Request Header Fields Too Large' }, 'Explorer\'s envelope, for the path after the prefix')
})

t.test('the journal keeps requests whose client left: an SSE reader that closed, one that gave up during a fault\'s latency', async (t) => {
  const { app, call, put } = await server(t, { RESULTBOX_PRPM_STREAM_POLL_MS: '20' })
  await put('journal', { clock: { start: new Date(START).toISOString(), frozen: true } })
  await call('PUT', '/sandboxes/journal/project/1/stream/start', undefined, CREDENTIALS.prpm)
  const reader = new AbortController()
  const stream = await fetch(`${listenedBase(app)}/sandboxes/journal/project/1/stream/result`, { headers: CREDENTIALS.prpm, signal: reader.signal })
  const chunk = await stream.body!.getReader().read()
  t.match(new TextDecoder().decode(chunk.value), 'CONNECTED')
  reader.abort()
  await call('PUT', '/sandboxes/journal/_resultbox/faults', { rules: [{ vendor: 'explorer', latency: { fixed_ms: 400 } }] })
  const impatient = new AbortController()
  const gaveUp = fetch(`${listenedBase(app)}/sandboxes/journal/api-open/v1/jobs/29987`, { headers: CREDENTIALS.explorer, signal: impatient.signal })
  setTimeout(() => impatient.abort(), 50)
  await t.rejects(gaveUp)
  await new Promise((resolve) => setTimeout(resolve, 500))
  const entries = (await call('GET', '/sandboxes/journal/_resultbox/requests')).body.requests
  const sse = entries.find((entry: { operation: string }) => entry.operation === 'readStream')
  t.match(sse, { status: 200, aborted: true, method: 'GET', path: '/project/1/stream/result' }, 'the reader that left')
  t.ok(sse.sent_bytes > 50, `with what it had been sent (${sse.sent_bytes} bytes, head and CONNECTED)`)
  const job = entries.find((entry: { path: string }) => entry.path === '/api-open/v1/jobs/29987')
  t.match(job, { status: null, aborted: true, sent_bytes: 0, fault: { latency_ms: 400 } }, 'the request that timed out before any answer')
  const started = entries.find((entry: { operation: string }) => entry.operation === 'startStream')
  t.match(started, { status: 200, aborted: false }, 'an ordinary request is not aborted')
  t.ok(started.sent_bytes > 0)
})

function listenedBase(app: { server: http.Server }): string {
  return `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`
}

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('a password changed by nGQL in one sandbox is that sandbox\'s alone', async (t) => {
  const { call, put } = await server(t)
  t.equal((await put('pw-a')).status, 201)
  const credentials = (password: string) => ({ authorization: `Bearer ${Buffer.from(JSON.stringify(['root', password])).toString('base64')}` })
  const address = { address: 'graphd', port: 9669 }
  const login = await call('POST', '/sandboxes/pw-a/api-nebula/db/connect', address, credentials('nebula'))
  const cookie = String(login.headers.get('set-cookie')).split(';')[0] as string
  const changed = await call('POST', '/sandboxes/pw-a/api-nebula/db/exec', { gql: "ALTER USER root WITH PASSWORD 'only-here'" }, { cookie })
  t.equal(changed.body.code, 0)
  t.equal((await call('POST', '/sandboxes/pw-a/api-nebula/db/connect', address, credentials('only-here'))).body.code, 0, 'the sandbox takes the new one')
  t.equal((await call('POST', '/api-nebula/db/connect', address, credentials('nebula'))).body.code, 0, 'the server\'s own world keeps the configured one')
  t.equal((await call('POST', '/api-nebula/db/connect', address, credentials('only-here'))).body.code, 40004000)
})

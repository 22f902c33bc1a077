import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'
import t, { type Test } from 'tap'
import { ConfigError, SandboxClock, loadConfig, start } from '../src/index.js'
import { canonicalRequest, formatSdkDate, signatureOf, stringToSign } from '../src/modelarts/apig.js'
import { FixtureError } from '../src/fixtures.js'
import { iamPasswordToken, obsSignedUrl, sdkRequest, sdkSignedHeaders } from './helpers/huawei-sdk.js'
import { START, copyOf } from './helpers/sandbox.js'

/*
 * ModelArts as its clients reach it: signed by Huawei's own SDK core (AK/SK), with tokens from IAM (through
 * Huawei's IAM SDK), and downloading the signed URLs (some signed by Huawei's OBS SDK), over a real socket.
 */

const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
const TASK = `/v2/{project_id}/processor-tasks/SNEJua7qdZZN8GvkcEr`
const VERSION = `${TASK}/versions/7PoIhUzSk92OglQrTxr`
const RESULTS = `${VERSION}/results`
const KEY = { ak: 'RESULTBOXSANDBOXAK01', sk: 'resultbox' }
const MINUTE = 60_000

async function sandbox(test: Test, env: Record<string, string> = {}) {
  const running = await start({ clock: new SandboxClock({ start: START, frozen: true }), logLevel: 'silent', ...settingsOf(env) })
  test.teardown(() => running.close())
  return running
}

/** RESULTBOX_X_Y → xY, as start() takes the settings. */
function settingsOf(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name.replace(/^RESULTBOX_/, '').toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), value]))
}

interface ResultsPage {
  results: Array<{ sample_id: string; signed_origin_source: string; signed_new_source: string; result_property: number }>
}

const gatewayRefusal = (message: RegExp | string) => ({ error_code: 'APIG.0301', error_msg: message, request_id: /^[0-9a-f]{32}$/ })

t.test("Huawei's published signing example reproduces with resultbox's canonical request", async (t) => {
  const url = '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'
  const canonical = canonicalRequest(
    { method: 'GET', url, headers: { 'content-type': 'application/json', host: 'service.region.example.com', 'x-sdk-date': '20191115T033655Z' } },
    ['content-type', 'host', 'x-sdk-date'],
  )
  t.equal(createHash('sha256').update(canonical).digest('hex'), 'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a')
  t.equal(signatureOf('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', stringToSign(canonical, '20191115T033655Z')), '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe')
})

t.test("a client on Huawei's SDK core with BasicCredentials reads task, version and results unchanged", async (t) => {
  const { url } = await sandbox(t)
  const viaToken = async (pathname: string) => (await fetch(`${url}${pathname.replace('{project_id}', PROJECT)}`, { headers: { 'x-auth-token': 'resultbox' } })).json()
  for (const pathname of [TASK, VERSION]) {
    const signed = await sdkRequest({ endpoint: url, ...KEY, projectId: PROJECT, method: 'GET', path: pathname })
    t.equal(signed.status, 200, pathname)
    t.match(signed.headers['x-request-id'], /^[0-9a-f]{32}$/)
    t.strictSame(signed.body, await viaToken(pathname), `${pathname}: the same body as with a token`)
    t.equal(signed.sdk.outcome, 'returned')
  }
  const page = await sdkRequest({ endpoint: url, ...KEY, projectId: PROJECT, method: 'GET', path: RESULTS, query: { limit: 5, offset: 1, result_property: -1 } })
  t.equal(page.status, 200)
  t.match(page.body, { count: 30, has_more: true, results: Array })
  t.equal((page.body as { results: unknown[] }).results.length, 5)
})

t.test('the gateway refuses what does not verify, in its envelope and words', async (t) => {
  const { url, clock } = await sandbox(t, { RESULTBOX_MODELARTS_ACCESS_KEYS: 'RESULTBOXSANDBOXAK01:resultbox,SCOPEDAK:scoped-secret=aaaabbbbccccddddeeeeffff00001111' })
  const call = (options: Partial<Parameters<typeof sdkRequest>[0]>) => sdkRequest({ endpoint: url, ...KEY, projectId: PROJECT, method: 'GET', path: TASK, ...options })

  const wrongSecret = await call({ sk: 'not-the-secret' })
  t.equal(wrongSecret.status, 401)
  t.match(wrongSecret.body, gatewayRefusal(/^Incorrect IAM authentication information: verify aksk signature fail, canonicalRequest:GET\|\/v2\/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60\/processor-tasks\/SNEJua7qdZZN8GvkcEr\/\|\|content-type:application\/json\|host:/))
  t.match(wrongSecret.sdk, { outcome: 'threw', name: 'ClientRequestException', httpStatusCode: 401, errorCode: 'APIG.0301' }, "the SDK's own error, with the gateway's code")

  const unknownKey = await call({ ak: 'NOSUCHAK', sk: 'whatever' })
  t.equal(unknownKey.status, 401)
  t.match(unknownKey.body, gatewayRefusal('Incorrect IAM authentication information: Get secretKey failed,ak:NOSUCHAK,err:ak not exist'))

  // X-Sdk-Date is held to real time, 15 minutes either way, whatever the sandbox clock says.
  const signedAt = (ms: number) => call({ headers: { 'X-Sdk-Date': formatSdkDate(ms) } })
  t.equal((await signedAt(Date.now() - 14 * MINUTE)).status, 200, '14 minutes old: accepted')
  const stale = await signedAt(Date.now() - 16 * MINUTE)
  t.equal(stale.status, 401, '16 minutes old: refused')
  t.match(stale.body, gatewayRefusal(/^Incorrect IAM authentication information: calc aksk signature fail:signature expired, signature time:\d{8}T\d{6}Z,server time:\d{8}T\d{6}Z$/))
  t.equal((await signedAt(Date.now() + 16 * MINUTE)).status, 401, '16 minutes ahead: refused')
  clock.advance(400 * 24 * 3600 * 1000)
  t.equal((await call({})).status, 200, 'the sandbox clock a year on: a fresh signature still verifies')

  const scoped = await call({ ak: 'SCOPEDAK', sk: 'scoped-secret' })
  t.equal(scoped.status, 403, 'a key scoped to another project')
  t.strictSame(scoped.body, { error_code: 'ModelArts.0210', error_msg: 'The project ID in the URL is not the project of the token.' })
  const actingElsewhere = await sdkRequest({ endpoint: url, ...KEY, method: 'GET', path: TASK.replace('{project_id}', PROJECT), headers: { 'X-Project-Id': 'aaaabbbbccccddddeeeeffff00001111' } })
  t.equal(actingElsewhere.status, 403, 'X-Project-Id of another project than the URL\'s')
})

t.test('a request changed after signing, a bad date, an unsigned token: refused', async (t) => {
  const { url } = await sandbox(t)
  const signed = await sdkSignedHeaders({ endpoint: url, ...KEY, projectId: PROJECT, method: 'GET', path: TASK })
  t.strictSame(signed.signedHeaders, ['content-type', 'host', 'x-project-id', 'x-sdk-date'], 'what the Node.js SDK signs on a GET')
  const send = (headers: Record<string, string>, target = signed.url) => fetch(target, { headers })
  t.equal((await send(signed.headers)).status, 200, 'as signed')
  const tampered = await send({ ...signed.headers, 'Content-Type': 'text/plain' })
  t.equal(tampered.status, 401, 'a signed header changed')
  t.match(await tampered.json(), gatewayRefusal(/verify aksk signature fail/))
  t.equal((await send(signed.headers, `${signed.url}?limit=1`)).status, 401, 'a query added')
  t.equal((await send({ ...signed.headers, 'User-Agent': 'changed' })).status, 200, 'an unsigned header changed')
  const badDate = await send({ ...signed.headers, 'X-Sdk-Date': '2026-12-01T10:00:00Z' })
  t.equal(badDate.status, 401)
  t.match(await badDate.json(), gatewayRefusal('Incorrect IAM authentication information: verify aksk signature fail, x-sdk-date "2026-12-01T10:00:00Z" is not YYYYMMDDTHHMMSSZ'))
  const noDate = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'x-sdk-date'))
  t.equal((await send(noDate)).status, 401, 'no X-Sdk-Date')
  const malformed = await send({ ...signed.headers, Authorization: 'SDK-HMAC-SHA256 Access=RESULTBOXSANDBOXAK01' })
  t.match(await malformed.json(), gatewayRefusal(/the Authorization header is not SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…$/))
  const unsignedToken = await send({ ...signed.headers, 'X-Security-Token': 'swapped-in' })
  t.equal(unsignedToken.status, 401)
  t.match(await unsignedToken.json(), gatewayRefusal(/x-security-token is not a signed header/))
  const temporary = await sdkRequest({ endpoint: url, ...KEY, projectId: PROJECT, securityToken: 'a-temporary-token', method: 'GET', path: TASK })
  t.equal(temporary.status, 200, 'temporary keys: the SDK signs X-Security-Token')
})

t.test('IAM: a token from Huawei\'s IAM SDK works as X-Auth-Token until it expires on the sandbox clock', async (t) => {
  const { url, clock } = await sandbox(t, { RESULTBOX_MODELARTS_IAM_USERS: 'alice:wonderland,bob:builder', RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS: '3600' })
  const issued = await iamPasswordToken({ endpoint: url, user: 'alice', password: 'wonderland', domainName: 'acme', projectName: 'cn-north-4' })
  t.equal(issued.status, 201)
  t.match(issued.token, /^MII[A-Za-z0-9+/=]{1500,}$/, "IAM's shape: base64 DER, kilobytes")
  t.equal(issued.headers['x-subject-token'], issued.token)
  const body = issued.body as { token: Record<string, unknown> }
  t.strictSame(Object.keys(body.token), ['expires_at', 'methods', 'catalog', 'roles', 'project', 'issued_at', 'user'], "IAM's key order")
  t.match(body.token, {
    expires_at: '2026-01-01T01:00:00.000000Z',
    issued_at: '2026-01-01T00:00:00.000000Z',
    methods: ['password'],
    project: { id: PROJECT, name: 'cn-north-4', domain: { name: 'acme', id: /^[0-9a-f]{32}$/ } },
    user: { name: 'alice', password_expires_at: '' },
    catalog: [{ type: 'modelarts', endpoints: [{ url: `${url}/v2/$(tenant_id)s` }] }, { type: 'identity' }],
  })
  const withToken = () => fetch(`${url}${TASK.replace('{project_id}', PROJECT)}`, { headers: { 'x-auth-token': issued.token as string } })
  t.equal((await withToken()).status, 200)
  clock.advance(3599_999)
  t.equal((await withToken()).status, 200, 'a millisecond before it expires')
  clock.advance(1)
  const expired = await withToken()
  t.equal(expired.status, 401)
  t.strictSame(await expired.json(), { error_code: 'ModelArts.0202', error_msg: 'The token has expired.' })

  const wrong = await iamPasswordToken({ endpoint: url, user: 'alice', password: 'guess', domainName: 'acme' })
  t.equal(wrong.status, 401)
  t.strictSame(wrong.body, { error: { code: 401, title: 'Unauthorized', message: 'The username or password is wrong.' } })
  t.match(wrong.sdk, { outcome: 'threw', httpStatusCode: 401 })

  const elsewhere = await iamPasswordToken({ endpoint: url, user: 'bob', password: 'builder', domainName: 'acme', projectId: 'aaaabbbbccccddddeeeeffff00001111' })
  t.match(elsewhere.body, { token: { project: { id: 'aaaabbbbccccddddeeeeffff00001111' } } })
  const forbidden = await fetch(`${url}${TASK.replace('{project_id}', PROJECT)}`, { headers: { 'x-auth-token': elsewhere.token as string } })
  t.equal(forbidden.status, 403, 'a token of another project')
  const domain = await iamPasswordToken({ endpoint: url, user: 'bob', password: 'builder', domainName: 'acme' })
  t.match(domain.body, { token: { domain: { name: 'acme' } } })
  t.notOk('project' in (domain.body as { token: object }).token, 'a domain-scoped token names no project')
  t.equal((await fetch(`${url}${TASK.replace('{project_id}', PROJECT)}`, { headers: { 'x-auth-token': domain.token as string } })).status, 403, 'which no project\'s API takes')

  const noCatalog = await fetch(`${url}/v3/auth/tokens?nocatalog=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json;charset=utf8' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'bob', password: 'builder', domain: { name: 'acme' } } } }, scope: { project: { id: PROJECT } } } }),
  })
  t.equal(noCatalog.status, 201)
  t.equal(noCatalog.headers.get('content-type'), 'application/json', 'as Huawei\'s capture of this API shows it')
  t.match(noCatalog.headers.get('x-iam-trace-id'), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'IAM\'s trace id, a UUID')
  t.equal(noCatalog.headers.get('x-request-id'), null, 'and no X-Request-Id, as IAM sends none')
  t.notOk('catalog' in ((await noCatalog.json()) as { token: object }).token)
})

/** A decoded image's size and pixels, whichever format. */
function decode(bytes: Buffer, type: string | null): { width: number; height: number; data: Uint8Array } {
  if (type === 'image/jpeg') return jpeg.decode(bytes, { useTArray: true })
  return PNG.sync.read(bytes)
}

t.test('every signed URL of a page downloads an image that decodes, until it expires on the sandbox clock', async (t) => {
  const { url, clock } = await sandbox(t)
  const page = (await (await fetch(`${url}${RESULTS.replace('{project_id}', PROJECT)}?limit=10`, { headers: { 'x-auth-token': 'resultbox' } })).json()) as ResultsPage
  const signed: string[] = page.results.flatMap((sample) => [sample.signed_origin_source, sample.signed_new_source].filter((link) => link !== ''))
  // Every origin, and every new source but a deleted sample's ("").
  t.equal(signed.length, 10 + page.results.filter((sample) => sample.result_property !== 2).length, `${signed.length} URLs`)
  t.ok(signed.length > 10)
  const images = new Map<string, { width: number; height: number; data: Uint8Array }>()
  for (const link of signed) {
    t.ok(link.startsWith(`${url}/obs/test-obs/`), "at the sandbox's own OBS, at the origin this client used")
    const answer = await fetch(link)
    t.equal(answer.status, 200, link)
    const bytes = Buffer.from(await answer.arrayBuffer())
    t.equal(answer.headers.get('content-type'), 'image/jpeg', 'the keys end in .jpg')
    t.equal(answer.headers.get('content-length'), String(bytes.length))
    t.equal(answer.headers.get('etag'), `"${createHash('md5').update(bytes).digest('hex')}"`)
    t.match(answer.headers.get('x-obs-request-id'), /^[0-9A-F]{32}$/)
    const image = decode(bytes, answer.headers.get('content-type'))
    t.strictSame([image.width, image.height], [192, 144])
    images.set(new URL(link).pathname, image)
  }
  // A processed sample is its origin, visibly changed.
  const [first] = page.results.filter((sample) => sample.result_property !== 2) as [ResultsPage['results'][number]]
  const origin = images.get(new URL(first.signed_origin_source).pathname)
  const processed = images.get(new URL(first.signed_new_source).pathname)
  let differing = 0
  for (let i = 0; i < (origin?.data.length ?? 0); i += 4) if (Math.abs((origin?.data[i] ?? 0) - (processed?.data[i] ?? 0)) > 40) differing++
  t.ok(differing > 192 * 144 * 0.2, `${differing} of ${192 * 144} pixels differ clearly`)

  // The signature covers the verb: a GET URL does not open a HEAD, as on OBS (HEAD has URLs of its own, and header signatures).
  const head = await fetch(signed[0] as string, { method: 'HEAD' })
  t.equal(head.status, 403)
  t.equal(head.headers.get('x-obs-error-code'), 'SignatureDoesNotMatch', 'HEAD: no body, the code in a header')
  t.equal((await head.arrayBuffer()).byteLength, 0)
  const part = await fetch(signed[0] as string, { headers: { range: 'bytes=0-1' } })
  t.equal(part.status, 206)
  t.strictSame([...Buffer.from(await part.arrayBuffer())], [0xff, 0xd8], 'the first two bytes: a JPEG')
  t.match(part.headers.get('content-range'), /^bytes 0-1\/\d+$/)

  const tampered = await fetch((signed[0] as string).replace(/Expires=(\d+)/, (_, expires: string) => `Expires=${Number(expires) + 1}`))
  t.equal(tampered.status, 403)
  t.equal(tampered.headers.get('content-type'), 'application/xml')
  t.match(await tampered.text(), /^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?><Error><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated does not match the signature you provided\. Check your key and signing method\.<\/Message>[\s\S]*<RequestId>[0-9A-F]{32}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/)

  clock.advance(3600_000)
  t.equal((await fetch(signed[0] as string)).status, 200, 'at its Expires: still valid')
  clock.advance(1000)
  const expired = await fetch(signed[0] as string)
  t.equal(expired.status, 403)
  t.match(await expired.text(), /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><Expires>2026-01-01T01:00:00.000Z<\/Expires><ServerTime>2026-01-01T01:00:01.000Z<\/ServerTime>/)
})

t.test("URLs signed by Huawei's OBS SDK download from the sandbox's OBS; an unknown key is NoSuchKey", async (t) => {
  const { url } = await sandbox(t)
  const local = (query: URLSearchParams, bucket: string, key: string) => `${url}/obs/${bucket}/${key}?${query}`
  const plain = await obsSignedUrl({ ...KEY, bucket: 'test-obs', key: 'classify/data/animals/8.jpg', expires: 600 })
  t.match(plain.url, /^https:\/\/test-obs\.obs\.cn-north-4\.myhuaweicloud\.com:443\/classify\/data\/animals\/8\.jpg\?AccessKeyId=RESULTBOXSANDBOXAK01&Expires=\d+&Signature=/)
  t.equal((await fetch(local(plain.query, 'test-obs', 'classify/data/animals/8.jpg'))).status, 200)
  const withToken = await obsSignedUrl({ ...KEY, securityToken: 'STS/TOKEN+==', bucket: 'test-obs', key: 'classify/output/7PoIhUzSk92OglQrTxr/Data/8.jpg', expires: 600 })
  t.equal(withToken.query.get('x-obs-security-token'), 'STS/TOKEN+==')
  t.equal((await fetch(local(withToken.query, 'test-obs', 'classify/output/7PoIhUzSk92OglQrTxr/Data/8.jpg'))).status, 200, 'with a security token, signed as a sub-resource')
  const missing = await obsSignedUrl({ ...KEY, bucket: 'test-obs', key: 'no/such/object.jpg', expires: 600 })
  const answer = await fetch(local(missing.query, 'test-obs', 'no/such/object.jpg'))
  t.equal(answer.status, 404)
  t.match(answer.headers.get('x-obs-id-2'), /^[A-Za-z0-9+/=]+$/)
  t.match(await answer.text(), /<Code>NoSuchKey<\/Code><Message>The specified key does not exist\.<\/Message><Resource>\/test-obs\/no\/such\/object\.jpg<\/Resource>/)
  const otherKey = await obsSignedUrl({ ak: 'SOMEONEELSE', sk: 'x', bucket: 'test-obs', key: 'classify/data/animals/8.jpg', expires: 600 })
  const refused = await fetch(local(otherKey.query, 'test-obs', 'classify/data/animals/8.jpg'))
  t.equal(refused.status, 403)
  t.match(await refused.text(), /<Code>InvalidAccessKeyId<\/Code>/)
  const put = await fetch(local(plain.query, 'test-obs', 'classify/data/animals/8.jpg'), { method: 'PUT', body: 'x' })
  t.equal(put.status, 405, 'the sandbox\'s OBS serves downloads only')
  t.match(await put.text(), /<Code>MethodNotAllowed<\/Code>/)
})

t.test('where signed URLs point: the origin the client used, the vendor, or a base of your own', async (t) => {
  const { url } = await sandbox(t)
  const first = async (target: string, headers: Record<string, string> = {}) =>
    ((await (await fetch(`${target}${RESULTS.replace('{project_id}', PROJECT)}?limit=1`, { headers: { 'x-auth-token': 'resultbox', ...headers } })).json()) as ResultsPage).results[0]?.signed_new_source
  // Behind Docker's port mapping the Host a client sends is the mapped one.
  const { app } = await sandbox(t)
  const mapped = await app.inject({ url: `${RESULTS.replace('{project_id}', PROJECT)}?limit=1`, headers: { 'x-auth-token': 'resultbox', host: 'localhost:18080' } })
  t.match(mapped.json().results[0].signed_new_source, /^http:\/\/localhost:18080\/obs\/test-obs\/classify\/output\//)
  t.match(await first(url), new RegExp(`^${url}/obs/test-obs/`))
  const vendor = await sandbox(t, { RESULTBOX_MODELARTS_OBS_ENDPOINT: 'vendor' })
  t.match(await first(vendor.url), /^https:\/\/test-obs\.obs\.cn-north-4\.myhuaweicloud\.com:443\/classify\/output\//)
  const own = await sandbox(t, { RESULTBOX_MODELARTS_OBS_ENDPOINT: 'http://files.example.test:9000/objects' })
  t.match(await first(own.url), /^http:\/\/files\.example\.test:9000\/objects\/test-obs\/classify\/output\//)
  t.throws(() => loadConfig({ RESULTBOX_MODELARTS_OBS_ENDPOINT: 'ftp://x' }), ConfigError)
  t.throws(() => loadConfig({ RESULTBOX_MODELARTS_ACCESS_KEYS: 'no-secret' }), ConfigError)
  t.throws(() => loadConfig({ RESULTBOX_MODELARTS_IAM_USERS: 'nopassword' }), ConfigError)
})

t.test('a fixture may name the files its objects download; a file that is not there stops the start', async (t) => {
  const fixturesDir = copyOf(t, 'fixtures')
  const fixturePath = path.join(fixturesDir, 'modelarts.json')
  const fixture = JSON.parse(fs.readFileSync(fixturePath, 'utf8'))
  const sample = fixture.tasks[0].versions[0].samples[0]
  const picture = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082', 'hex')
  fs.mkdirSync(path.join(fixturesDir, 'objects'))
  fs.writeFileSync(path.join(fixturesDir, 'objects', 'cat.png'), picture)
  sample.origin_file = 'objects/cat.png'
  fs.writeFileSync(fixturePath, JSON.stringify(fixture))
  const { url } = await sandbox(t, { RESULTBOX_FIXTURES: fixturesDir })
  const page = (await (await fetch(`${url}${RESULTS.replace('{project_id}', PROJECT)}?limit=30`, { headers: { 'x-auth-token': 'resultbox' } })).json()) as ResultsPage
  const stored = page.results.find((result) => result.sample_id === sample.sample_id)
  const answer = await fetch(stored?.signed_origin_source ?? 'http://missing')
  t.equal(answer.status, 200)
  t.equal(answer.headers.get('content-type'), 'image/png', 'by the file\'s extension')
  t.strictSame(Buffer.from(await answer.arrayBuffer()), picture, 'the file, byte for byte')

  sample.new_file = 'objects/missing.png'
  fs.writeFileSync(fixturePath, JSON.stringify(fixture))
  await t.rejects(start({ logLevel: 'silent', fixtures: fixturesDir }), FixtureError)
  sample.new_file = '../outside.png'
  fs.writeFileSync(fixturePath, JSON.stringify(fixture))
  await t.rejects(start({ logLevel: 'silent', fixtures: fixturesDir }), /new_file/)
})

t.test("IAM and OBS answer everything in their own envelopes: unknown paths, bad bodies, faults", async (t) => {
  const { url, app } = await sandbox(t)
  const iamPath = await fetch(`${url}/v3/projects`)
  t.equal(iamPath.status, 404)
  t.strictSame(await iamPath.json(), { error: { code: 404, title: 'Not Found', message: 'The resource could not be found.' } })
  const notJson = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"auth":' })
  t.equal(notJson.status, 400)
  t.match(await notJson.json(), { error: { code: 400, title: 'Bad Request' } })
  const tooLarge = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) })
  t.equal(tooLarge.status, 413)
  t.match(await tooLarge.json(), { error: { code: 413, title: 'Payload Too Large' } })

  const obsPath = await fetch(`${url}/obs/test-obs`)
  t.equal(obsPath.status, 403, 'a listing without credentials: the bucket is private')
  t.match(await obsPath.text(), /<Code>AccessDenied<\/Code>/)
  const obsNothing = await fetch(`${url}/obs/test-obs/a/b`, { method: 'DELETE' })
  t.equal(obsNothing.status, 405)
  t.match(await obsNothing.text(), /<Code>MethodNotAllowed<\/Code>/)
  const badBucket = await fetch(`${url}/obs/NOT_A_BUCKET/key.jpg`)
  t.equal(badBucket.status, 400)
  t.match(await badBucket.text(), /<Code>InvalidArgument<\/Code>/)

  const page = (await (await fetch(`${url}${RESULTS.replace('{project_id}', PROJECT)}?limit=1`, { headers: { 'x-auth-token': 'resultbox' } })).json()) as ResultsPage
  const signed = page.results[0]?.signed_origin_source as string
  const whole = (await (await fetch(signed)).arrayBuffer()).byteLength
  for (const range of ['bytes=abc', 'bytes=0-1,5-6', 'items=0-1']) {
    const answer = await fetch(signed, { headers: { range } })
    t.equal(answer.status, 200, `${range}: answered whole`)
    t.equal((await answer.arrayBuffer()).byteLength, whole)
  }
  t.equal((await fetch(signed.replace('AccessKeyId=', 'AWSAccessKeyId='))).status, 200, "S3's spelling of the key's name")

  await app.inject({ method: 'PUT', url: '/_resultbox/faults', payload: { rules: [
    { vendor: 'modelarts', operation: 'getObject', error: { status: 503 } },
    { vendor: 'modelarts', operation: 'keystoneCreateUserTokenByPassword', error: { status: 500 } },
  ] } })
  const busy = await fetch(signed)
  t.equal(busy.status, 503)
  t.match(busy.headers.get('x-obs-request-id'), /^[0-9A-F]{32}$/)
  t.match(await busy.text(), /<Code>ServiceUnavailable<\/Code><Message>Please reduce your request rate\.<\/Message>/)
  const iamDown = await fetch(`${url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  t.equal(iamDown.status, 500)
  t.match(await iamDown.json(), { error: { code: 500, title: 'Internal Server Error' } })
  const journal = (await app.inject({ url: '/_resultbox/requests?vendor=modelarts&operation=getObject' })).json()
  t.equal(journal.requests[0].status, 503, 'journaled as a ModelArts request')
})

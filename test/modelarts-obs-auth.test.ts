import { createHash, createHmac } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { startSandbox } from './helpers/sandbox.js'

/*
 * OBS's authentication at its edges, through inject() with every answer checked against the OpenAPI document:
 * what esdk-obs-nodejs never sends (V4 header signatures, x-obs-date) signed here by hand as OBS and S3
 * compute them, and what OBS refuses in each scheme. modelarts-obs-sdk.test.ts has the SDK's own requests.
 */

const AK = 'RESULTBOXSANDBOXAK01'
const SK = 'resultbox'
const KEY_PATH = '/test-obs/classify/data/animals/8.jpg'

const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest()
const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/** An AWS Signature Version 4 header signature, as S3 clients compute it (service s3, UNSIGNED-PAYLOAD). */
function v4Headers(path: string, { at = Date.now(), secret = SK, host = 'localhost:80' } = {}): Record<string, string> {
  const date = amzDate(at)
  const day = date.slice(0, 8)
  const headers = { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': date }
  const signed = Object.keys(headers).sort()
  const canonical = ['GET', path, '', signed.map((name) => `${name}:${headers[name as keyof typeof headers]}\n`).join(''), signed.join(';'), 'UNSIGNED-PAYLOAD'].join('\n')
  const scope = `${day}/cn-north-4/s3/aws4_request`
  const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
  let key = hmac(`AWS4${secret}`, day)
  for (const part of ['cn-north-4', 's3', 'aws4_request']) key = hmac(key, part)
  const signature = createHmac('sha256', key).update(toSign).digest('hex')
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${AK}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}` }
}

const v2 = (toSign: string, secret = SK) => createHmac('sha1', secret).update(toSign).digest('base64')

async function get(app: FastifyInstance, url: string, headers: Record<string, string>) {
  const res = await app.inject({ method: 'GET', url, headers })
  return { status: res.statusCode, code: /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1], body: res.body, headers: res.headers }
}

t.test('V4 header signatures: verified, dated by x-amz-date, refused when malformed, stale or wrong', async (t) => {
  const { app } = await startSandbox(t)
  const ok = await get(app, KEY_PATH, v4Headers(KEY_PATH))
  t.equal(ok.status, 200, 'S3 V4, claimed at the root')
  t.match(ok.headers['x-amz-request-id'], /^[0-9A-F]{32}$/, 'answered in the S3 family')
  t.match(await get(app, KEY_PATH, v4Headers(KEY_PATH, { secret: 'wrong' })), { status: 403, code: 'SignatureDoesNotMatch' })
  t.match(await get(app, KEY_PATH, v4Headers(KEY_PATH, { at: Date.now() - 16 * 60_000 })), { status: 403, code: 'RequestTimeTooSkewed' })
  const { 'x-amz-date': _date, ...undated } = v4Headers(KEY_PATH)
  t.match(await get(app, KEY_PATH, undated), { status: 403, code: 'AccessDenied' }, 'no x-amz-date')
  t.match(await get(app, KEY_PATH, { authorization: 'AWS4-HMAC-SHA256 Credential=nonsense, Signature=00' }), { status: 400, code: 'InvalidArgument' })
})

t.test('V2 header signatures: x-obs-date for Date, the Date line empty; Date missing or unreadable; malformed', async (t) => {
  const { app } = await startSandbox(t)
  const now = new Date().toUTCString()
  const withObsDate = { 'x-obs-date': now, authorization: `OBS ${AK}:${v2(`GET\n\n\n\nx-obs-date:${now}\n${KEY_PATH}`)}` }
  const obs = await get(app, KEY_PATH, withObsDate)
  t.equal(obs.status, 200, 'OBS form, dated by x-obs-date')
  t.match(obs.headers['x-obs-request-id'], /^[0-9A-F]{32}$/, 'answered in OBS\'s family')
  t.match(await get(app, KEY_PATH, { authorization: `AWS ${AK}:${v2(`GET\n\n\n\n${KEY_PATH}`)}` }), { status: 403, code: 'AccessDenied' }, 'no date at all')
  t.match(await get(app, KEY_PATH, { date: 'yesterday', authorization: `AWS ${AK}:${v2(`GET\n\n\nyesterday\n${KEY_PATH}`)}` }), { status: 403, code: 'AccessDenied' }, 'a date that is no date')
  t.match(await get(app, `/obs${KEY_PATH}`, { authorization: 'OBS no-colon-here' }), { status: 400, code: 'InvalidArgument' }, 'under /obs, any Authorization is read as OBS\'s')
  const listing = await get(app, '/test-obs?location', { date: now, authorization: `AWS ${AK}:${v2(`GET\n\n\n${now}\n/test-obs?location`)}` })
  t.match(listing.body, /<LocationConstraint>cn-north-4<\/LocationConstraint>/, 'a sub-resource is signed')
  const badEncoding = await get(app, '/test-obs?prefix=%E0%A4%A', { date: now, authorization: `AWS ${AK}:${v2(`GET\n\n\n${now}\n/test-obs`)}` })
  t.equal(badEncoding.status, 200, 'a query value that is not UTF-8 percent-encoding is taken as it came')
  const probe = await app.inject({ method: 'GET', url: '/obs/' })
  t.equal(probe.statusCode, 405, 'the root of OBS serves only the SDKs\' API-version probe')
})

t.test('V4 pre-signed URLs: the life from X-Amz-Date on the sandbox clock; what they must hold', async (t) => {
  const { app, clock } = await startSandbox(t)
  const presign = (expiresIn: string, at = clock.now()) => {
    const date = amzDate(at)
    const scope = `${date.slice(0, 8)}/cn-north-4/s3/aws4_request`
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`${AK}/${scope}`)}&X-Amz-Date=${date}&X-Amz-Expires=${expiresIn}&X-Amz-SignedHeaders=host`
    const canonical = ['GET', KEY_PATH, query, 'host:localhost:80\n', 'host', 'UNSIGNED-PAYLOAD'].join('\n')
    const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
    let key = hmac(`AWS4${SK}`, date.slice(0, 8))
    for (const part of ['cn-north-4', 's3', 'aws4_request']) key = hmac(key, part)
    return `${KEY_PATH}?${query}&X-Amz-Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`
  }
  const url = presign('60')
  t.equal((await get(app, url, { host: 'localhost:80' })).status, 200)
  clock.advance(61_000)
  t.match(await get(app, url, { host: 'localhost:80' }), { status: 403, code: 'AccessDenied' }, 'expired on the sandbox clock')
  t.match(await get(app, presign('soon'), { host: 'localhost:80' }), { status: 400, code: 'InvalidArgument' })
  t.match(await get(app, `${KEY_PATH}?X-Amz-Credential=x`, { host: 'localhost:80' }), { status: 403, code: 'AccessDenied' }, 'the rest of V4 missing')
})

t.test('AK/SK: a signature verified once is remembered, for exactly the request it signed', async (t) => {
  const { app } = await startSandbox(t)
  const path = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr'
  const date = amzDate(Date.now())
  const canonical = ['GET', `${path}/`, '', `x-sdk-date:${date}\n`, 'x-sdk-date', createHash('sha256').update('').digest('hex')].join('\n')
  const toSign = `SDK-HMAC-SHA256\n${date}\n${createHash('sha256').update(canonical).digest('hex')}`
  const headers = { 'x-sdk-date': date, authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=x-sdk-date, Signature=${createHmac('sha256', SK).update(toSign).digest('hex')}` }
  for (const attempt of ['first', 'again']) t.equal((await app.inject({ method: 'GET', url: path, headers })).statusCode, 200, attempt)
  const otherPath = await app.inject({ method: 'GET', url: `${path}/versions/7PoIhUzSk92OglQrTxr`, headers })
  t.equal(otherPath.statusCode, 401, 'the same signature on another path')
  t.match(otherPath.json(), { error_code: 'APIG.0301', error_msg: /verify aksk signature fail/ })
  const token = await app.inject({ method: 'GET', url: path, headers: { ...headers, 'x-security-token': 'swapped-in' } })
  t.equal(token.statusCode, 401, 'a security token added unsigned')
  const hashed = await app.inject({ method: 'GET', url: path, headers: { ...headers, 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' } })
  t.equal(hashed.statusCode, 401, 'a body hash it did not sign')
})

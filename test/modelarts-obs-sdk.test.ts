import { createHmac } from 'node:crypto'
import http from 'node:http'
import { createRequire } from 'node:module'
import type { Readable } from 'node:stream'
import t, { type Test } from 'tap'
import { SandboxClock, start } from '../src/index.js'
import { START } from './helpers/sandbox.js'

/*
 * OBS as its own SDK reaches it: esdk-obs-nodejs given the sandbox as its `server`, over a real socket,
 * unchanged. An IPv4 server makes the SDK address buckets path style (/{bucket}/{key}) and sign S3-style
 * (Authorization: AWS AK:sig, x-amz- headers); a host name makes it virtual-hosted ({bucket}.{server}),
 * probe the server's API version (HEAD /?apiversion) and then sign OBS's way (Authorization: OBS AK:sig,
 * x-obs- headers). Each call with and without a security token; its pre-signed URLs, V2 and V4; and what
 * OBS refuses. Once at the server's root, once at a named sandbox's own port.
 */

const AK = 'RESULTBOXSANDBOXAK01'
const SK = 'resultbox'
const BUCKET = 'test-obs'
const ORIGIN_KEY = 'classify/data/animals/8.jpg'
const PROCESSED_KEY = 'classify/output/7PoIhUzSk92OglQrTxr/Data/8.jpg'

interface CommonMsg { Status: number; Code: string; Message: string; RequestId: string }
interface SdkResult<T = Record<string, any>> { CommonMsg: CommonMsg; InterfaceResult: T }
interface ObsClient {
  util: { signatureContext: { signature: string } | null }
  getObject(param: Record<string, unknown>): Promise<SdkResult>
  getObjectMetadata(param: Record<string, unknown>): Promise<SdkResult>
  listObjects(param: Record<string, unknown>): Promise<SdkResult>
  getBucketMetadata(param: Record<string, unknown>): Promise<SdkResult>
  getBucketLocation(param: Record<string, unknown>): Promise<SdkResult>
  createSignedUrlSync(param: Record<string, unknown>): { SignedUrl: string }
  createV4SignedUrlSync(param: Record<string, unknown>): { SignedUrl: string }
  close(): void
}
const ObsClientClass = createRequire(import.meta.url)('esdk-obs-nodejs') as new (param: Record<string, unknown>) => ObsClient

/** The client, once its asynchronous set-up (not awaited by its constructor) has run. */
async function obsClient(t: Test, options: Record<string, unknown>): Promise<ObsClient> {
  const client = new ObsClientClass({ access_key_id: AK, secret_access_key: SK, max_retry_count: 0, timeout: 10, ...options })
  for (let tries = 0; client.util.signatureContext === null && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 1))
  t.teardown(() => client.close())
  return client
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A server (or a named sandbox at its own port) with a frozen clock at START: what the SDK is pointed at. */
async function target(t: Test, via: 'root' | 'sandbox') {
  const server = await start({ clock: new SandboxClock({ start: START, frozen: true }), logLevel: 'silent' })
  t.teardown(() => server.close())
  if (via === 'root') return { url: server.url, port: Number(new URL(server.url).port) }
  const created = await fetch(`${server.url}/_resultbox/sandboxes/obs-sdk`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ port: 0, clock: { start: new Date(START).toISOString(), frozen: true } }) })
  const body = await created.json() as { port?: number }
  t.equal(created.status, 201, 'a sandbox with a port of its own')
  return { url: `http://127.0.0.1:${body.port}`, port: body.port as number }
}

for (const via of ['root', 'sandbox'] as const) {
  t.test(`esdk-obs-nodejs against the sandbox (${via})`, async (t) => {
    const { url, port } = await target(t, via)
    for (const token of [undefined, 'temporary-token/+='] as const) {
      const label = token === undefined ? 'long-term keys' : 'temporary keys with a security token'
      await t.test(`path style, AWS signatures: ${label}`, async (t) => {
        const obs = await obsClient(t, { server: url, ...(token === undefined ? {} : { security_token: token }) })
        t.equal(obs.util.signatureContext?.signature, 'v2', 'an IPv4 server: path style, S3-style signatures')
        const object = await obs.getObject({ Bucket: BUCKET, Key: ORIGIN_KEY, SaveAsStream: true })
        t.equal(object.CommonMsg.Status, 200)
        t.match(object.CommonMsg.RequestId, /^[0-9A-F]{32}$/, 'x-amz-request-id, read as the request id')
        const bytes = await bytesOf(object.InterfaceResult.Content as Readable)
        t.same([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG')
        t.equal(Number(object.InterfaceResult.ContentLength), bytes.length)
        t.equal(object.InterfaceResult.ContentType, 'image/jpeg')
        const signed = await fetch(obs.createSignedUrlSync({ Method: 'GET', Bucket: BUCKET, Key: ORIGIN_KEY, Expires: 300 }).SignedUrl)
        t.equal(signed.status, 200, 'its pre-signed URL')
        t.same(Buffer.from(await signed.arrayBuffer()), bytes, 'the same bytes')
        const ranged = await obs.getObject({ Bucket: BUCKET, Key: ORIGIN_KEY, Range: 'bytes=0-9', SaveAsStream: true })
        t.equal(ranged.CommonMsg.Status, 206)
        t.same(await bytesOf(ranged.InterfaceResult.Content as Readable), bytes.subarray(0, 10))
        const head = await obs.getObjectMetadata({ Bucket: BUCKET, Key: ORIGIN_KEY })
        t.match(head.InterfaceResult, { ContentLength: String(bytes.length), ContentType: 'image/jpeg', ETag: object.InterfaceResult.ETag, StorageClass: 'STANDARD' })
        const listed = await obs.listObjects({ Bucket: BUCKET, Prefix: 'classify/data/animals/', MaxKeys: 3 })
        t.equal(listed.CommonMsg.Status, 200)
        const keys = (listed.InterfaceResult.Contents as Array<{ Key: string; Size: string; ETag: string }>).map((entry) => entry.Key)
        t.equal(keys.length, 3)
        t.strictSame(keys, [...keys].sort(), 'in key order')
        t.equal(listed.InterfaceResult.IsTruncated, 'true')
        const next = await obs.listObjects({ Bucket: BUCKET, Prefix: 'classify/data/animals/', Marker: listed.InterfaceResult.NextMarker, MaxKeys: 1000 })
        const rest = (next.InterfaceResult.Contents as Array<{ Key: string }>).map((entry) => entry.Key)
        t.ok(rest.every((key) => key > (keys[2] as string)), 'the next page starts after the marker')
        t.equal(next.InterfaceResult.IsTruncated, 'false')
        const eight = [...listed.InterfaceResult.Contents, ...next.InterfaceResult.Contents].find((entry: { Key: string }) => entry.Key === ORIGIN_KEY)
        t.match(eight, { Size: String(bytes.length), ETag: object.InterfaceResult.ETag }, 'a listed object\'s size and ETag are its download\'s')
        const folders = await obs.listObjects({ Bucket: BUCKET, Prefix: 'classify/', Delimiter: '/' })
        t.strictSame((folders.InterfaceResult.CommonPrefixes as Array<{ Prefix: string }>).map((common) => common.Prefix), ['classify/data/', 'classify/output/'])
        t.strictSame(folders.InterfaceResult.Contents, [], 'no keys directly under classify/')
        const bucket = await obs.getBucketMetadata({ Bucket: BUCKET })
        t.equal(bucket.CommonMsg.Status, 200)
        t.equal(bucket.InterfaceResult.Location, 'cn-north-4')
        t.equal((await obs.getBucketLocation({ Bucket: BUCKET })).InterfaceResult.Location, 'cn-north-4')
      })
    }

    await t.test('virtual-hosted, OBS signatures after the SDK\'s API-version probe', async (t) => {
      // Any {bucket}.obs.sandbox.test resolves to the sandbox: what DNS would do for OBS's own domain.
      const agent = new http.Agent({ lookup: (_host, options, done) => (options.all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)) })
      t.teardown(() => agent.destroy())
      const obs = await obsClient(t, { server: `http://obs.sandbox.test:${port}`, http_agent: agent, security_token: 'temporary-token' })
      const object = await obs.getObject({ Bucket: BUCKET, Key: PROCESSED_KEY, SaveAsStream: true })
      t.equal(object.CommonMsg.Status, 200)
      t.equal(obs.util.signatureContext?.signature, 'obs', 'the probe answered x-obs-api: 3.0: OBS signatures')
      t.match(object.CommonMsg.RequestId, /^[0-9A-F]{32}$/, 'x-obs-request-id')
      t.same([...(await bytesOf(object.InterfaceResult.Content as Readable)).subarray(0, 3)], [0xff, 0xd8, 0xff])
      t.equal((await obs.getBucketLocation({ Bucket: BUCKET })).InterfaceResult.Location, 'cn-north-4', 'OBS\'s <Location>')
      t.equal((await obs.listObjects({ Bucket: BUCKET, Prefix: 'classify/output/', MaxKeys: 2 })).InterfaceResult.Contents.length, 2)
      t.equal((await obs.getBucketMetadata({ Bucket: BUCKET })).InterfaceResult.Location, 'cn-north-4', 'x-obs-bucket-location')
      const signedUrl = obs.createSignedUrlSync({ Method: 'GET', Bucket: BUCKET, Key: PROCESSED_KEY, Expires: 60 }).SignedUrl
      t.match(signedUrl, new RegExp(`^http://${BUCKET}\\.obs\\.sandbox\\.test:${port}/classify/.*AccessKeyId=.*x-obs-security-token=`))
      const status = await new Promise<number | undefined>((resolve, reject) => {
        http.get(signedUrl, { agent }, (response) => {
          response.resume()
          resolve(response.statusCode)
        }).on('error', reject)
      })
      t.equal(status, 200, 'an OBS pre-signed URL at the bucket\'s host, with its security token signed')
    })

    await t.test('V4 pre-signed URLs (createV4SignedUrlSync)', async (t) => {
      const obs = await obsClient(t, { server: url, region: 'cn-north-4', security_token: 'temporary-token' })
      const v4 = obs.createV4SignedUrlSync({ Method: 'GET', Bucket: BUCKET, Key: ORIGIN_KEY, Expires: 120 }).SignedUrl
      t.match(v4, /X-Amz-Algorithm=AWS4-HMAC-SHA256/)
      t.equal((await fetch(v4)).status, 200)
      const tampered = await fetch(v4.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=' + '0'.repeat(64)))
      t.equal(tampered.status, 403)
      t.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/)
    })

    await t.test('what OBS refuses: a wrong SK, a stale date, an unknown key or bucket', async (t) => {
      const wrong = await obsClient(t, { server: url, secret_access_key: 'not-the-secret' })
      t.match((await wrong.getObject({ Bucket: BUCKET, Key: ORIGIN_KEY })).CommonMsg, { Status: 403, Code: 'SignatureDoesNotMatch' })
      t.match((await wrong.getObjectMetadata({ Bucket: BUCKET, Key: ORIGIN_KEY })).CommonMsg, { Status: 403, Code: 'SignatureDoesNotMatch' }, 'a HEAD: the code from x-amz-error-code')
      const stranger = await obsClient(t, { server: url, access_key_id: 'NOSUCHKEY0000000' })
      t.match((await stranger.getObject({ Bucket: BUCKET, Key: ORIGIN_KEY })).CommonMsg, { Status: 403, Code: 'InvalidAccessKeyId' })
      const obs = await obsClient(t, { server: url })
      t.match((await obs.getObject({ Bucket: BUCKET, Key: 'classify/nothing-here.jpg' })).CommonMsg, { Status: 404, Code: 'NoSuchKey' })
      t.match((await obs.getObject({ Bucket: 'no-such-bucket', Key: ORIGIN_KEY })).CommonMsg, { Status: 404, Code: 'NoSuchBucket' })
      t.match((await obs.listObjects({ Bucket: 'no-such-bucket' })).CommonMsg, { Status: 404, Code: 'NoSuchBucket' })
      // The SDK always dates a request now: a stale one is signed here, as OBS's V2 header signature is computed.
      const date = new Date(Date.now() - 20 * 60_000).toUTCString()
      const signature = createHmac('sha1', SK).update(`GET\n\n\n${date}\n/${BUCKET}/${ORIGIN_KEY}`).digest('base64')
      const stale = await fetch(`${url}/${BUCKET}/${ORIGIN_KEY}`, { headers: { date, authorization: `AWS ${AK}:${signature}` } })
      t.equal(stale.status, 403)
      t.match(await stale.text(), /<Code>RequestTimeTooSkewed<\/Code>.*<MaxAllowedSkewMilliseconds>900000<\/MaxAllowedSkewMilliseconds>/)
      const fresh = createHmac('sha1', SK).update(`GET\n\n\n${new Date().toUTCString()}\n/${BUCKET}/${ORIGIN_KEY}`).digest('base64')
      t.equal((await fetch(`${url}/${BUCKET}/${ORIGIN_KEY}`, { headers: { date: new Date().toUTCString(), authorization: `AWS ${AK}:${fresh}` } })).status, 200, 'the same request, dated now')
      const prpm = await fetch(`${url}/${BUCKET}/${ORIGIN_KEY}`)
      t.equal(prpm.headers.get('content-type'), 'application/json', 'unsigned, the same path is PrCore\'s, as ever')
    })
  })
}

import { createHash, createHmac } from 'node:crypto'
import type { ModelArtsAccessKey, ObsEndpoint } from '../config.js'
import { VendorError } from '../errors.js'
import { randomHex } from '../random-hex.js'

/*
 * OBS pre-signed GET URLs (V2 query-string authentication), as the results'
 * signed_*_source fields carry them and as the sandbox's own OBS endpoint
 * checks them: Signature = base64(HMAC-SHA1(SK, StringToSign)) with
 * StringToSign = GET\n\n\n{Expires}\n/{bucket}/{key}[?x-obs-security-token={token}],
 * the security token signed as a sub-resource, as Huawei's OBS SDKs sign it.
 */

/** Where the sandbox serves objects: path style, /obs/{bucket}/{key}, beside the APIs at the same origin. */
export const OBS_PREFIX = '/obs'

export interface ObjectAddress {
  bucket: string
  key: string
}

/** s3://bucket/key or obs://bucket/key. */
export function parseObjectAddress(source: string): ObjectAddress | null {
  const match = /^(?:s3|obs):\/\/([^/]+)\/(.+)$/.exec(source)
  return match ? { bucket: match[1] as string, key: match[2] as string } : null
}

/** A key as OBS writes it in a URL and in the canonical resource: each segment encoded, `/` kept. */
const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')

/** A temporary-credential token shaped like IAM's (it starts with the region, as theirs do). */
export function securityTokenFor(region: string, projectId: string): string {
  const digest = createHash('sha256').update(`${region}/${projectId}`).digest()
  return Buffer.concat([Buffer.from([0x81, 0x0a]), Buffer.from(region), digest, digest]).toString('base64')
}

export function obsStringToSign(address: ObjectAddress, expires: number, securityToken: string | null): string {
  const resource = `/${address.bucket}/${encodeKey(address.key)}`
  return `GET\n\n\n${expires}\n${resource}${securityToken === null ? '' : `?x-obs-security-token=${securityToken}`}`
}

export function obsSignature(secretAccessKey: string, toSign: string): string {
  return createHmac('sha1', secretAccessKey).update(toSign).digest('base64')
}

/** What signs a page's URLs: the key pair, the temporary token, when they expire, and where they point. */
export interface UrlSigning {
  key: Pick<ModelArtsAccessKey, 'accessKeyId' | 'secretAccessKey'>
  securityToken: string
  /** Unix seconds, on the sandbox clock. */
  expires: number
  /** The URL an object's key is appended to: https://{bucket}.obs… for the vendor's, else a base of our own. */
  base: (address: ObjectAddress) => string
}

/**
 * Where signed URLs point: the vendor's OBS host; the sandbox's own /obs at
 * the origin the client reached the sandbox by (so a client behind Docker's
 * port mapping downloads through the same mapping); or a configured base.
 */
export function obsBase(endpoint: ObsEndpoint, region: string, origin: string): UrlSigning['base'] {
  switch (endpoint.kind) {
    case 'vendor':
      return ({ bucket }) => `https://${bucket}.obs.${region}.myhuaweicloud.com:443`
    case 'sandbox':
      return ({ bucket }) => `${origin}${OBS_PREFIX}/${encodeURIComponent(bucket)}`
    case 'url':
      return ({ bucket }) => `${endpoint.base}/${encodeURIComponent(bucket)}`
  }
}

/** Signs `source` for download until `expires`; '' for a sample with no object (a deleted one's new source). */
export function signObjectUrl(source: string, signing: UrlSigning): string {
  const address = parseObjectAddress(source)
  if (!address) return ''
  const signature = obsSignature(signing.key.secretAccessKey, obsStringToSign(address, signing.expires, signing.securityToken))
  return (
    `${signing.base(address)}/${encodeKey(address.key)}` +
    `?AccessKeyId=${encodeURIComponent(signing.key.accessKeyId)}&Expires=${signing.expires}` +
    `&x-obs-security-token=${encodeURIComponent(signing.securityToken)}&Signature=${encodeURIComponent(signature)}`
  )
}

/** The headers every OBS answer carries: its request id (32 upper-case hex) and its troubleshooting id. */
export function obsHeaders(): { server: string; 'x-obs-request-id': string; 'x-obs-id-2': string } {
  return {
    server: 'OBS',
    'x-obs-request-id': randomHex(16).toUpperCase(),
    'x-obs-id-2': Buffer.from(randomHex(24), 'hex').toString('base64'),
  }
}

/**
 * The same ids in the family a request was signed in: OBS answers an S3-style (AWS) request with x-amz-request-id
 * and x-amz-id-2, where the SDKs in that mode read them.
 */
export function obsHeadersFor(family: 'obs' | 'amz'): Record<string, string> {
  const headers = obsHeaders()
  if (family === 'obs') return headers
  return { server: headers.server, 'x-amz-request-id': headers['x-obs-request-id'], 'x-amz-id-2': headers['x-obs-id-2'] }
}

/** A header value of printable ASCII (what Node sends in a header): anything else becomes "?". */
const asciiHeader = (text: string) => text.replace(/[^\x20-\x7e]/g, '?')

export const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`)

/**
 * OBS's error: an XML body with its code, message, request id and host id, and what the code adds. The ids
 * are the answer's headers' (fresh for each answer; the document's examples give their own).
 */
export function obsError(
  statusCode: number,
  code: string,
  message: string,
  extra: Record<string, string | number> = {},
  ids: Pick<ReturnType<typeof obsHeaders>, 'x-obs-request-id' | 'x-obs-id-2'> = obsHeaders(),
): VendorError {
  // A HEAD's answer has no body: the code and message ride in headers too, in both families, as the SDKs read them there.
  const headers = {
    ...obsHeaders(),
    ...ids,
    'content-type': 'application/xml',
    'x-obs-error-code': code,
    'x-amz-error-code': code,
    'x-obs-error-message': asciiHeader(message),
    'x-amz-error-message': asciiHeader(message),
  }
  const elements = Object.entries({ Code: code, Message: message, ...extra, RequestId: headers['x-obs-request-id'], HostId: headers['x-obs-id-2'] })
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('')
  return new VendorError(statusCode, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Error>${elements}</Error>`, headers)
}

export const ObsErrors = {
  accessDenied: (message = 'Access Denied') => obsError(403, 'AccessDenied', message),
  expired: (expires: number, now: number) =>
    obsError(403, 'AccessDenied', 'Request has expired', { Expires: new Date(expires * 1000).toISOString(), ServerTime: new Date(now).toISOString() }),
  invalidAccessKeyId: (accessKeyId: string) =>
    obsError(403, 'InvalidAccessKeyId', 'The access key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId }),
  signatureDoesNotMatch: (toSign: string, provided: string, accessKeyId: string) =>
    obsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      AWSAccessKeyId: accessKeyId,
      StringToSign: toSign,
      SignatureProvided: provided,
    }),
  noSuchKey: (address: ObjectAddress) => obsError(404, 'NoSuchKey', 'The specified key does not exist.', { Resource: `/${address.bucket}/${address.key}` }),
  noSuchBucket: (bucket: string) => obsError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket }),
  invalidRange: (size: number) => obsError(416, 'InvalidRange', 'The requested range cannot be satisfied.', { ActualObjectSize: size }),
  methodNotAllowed: () => obsError(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.'),
  internal: () => obsError(500, 'InternalError', 'We encountered an internal error. Please try again.'),
  badRequest: (message: string) => obsError(400, 'InvalidArgument', message),
}

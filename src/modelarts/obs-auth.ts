import { createHash, createHmac } from 'node:crypto'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { ModelArtsAccessKey } from '../config.js'
import { sameSecret } from '../secrets.js'
// V4's dates are X-Sdk-Date's form, and its encoding the gateway signer's (RFC 3986).
import { decode, encodeRfc3986, parseSdkDate } from './apig.js'
import { OBS_PREFIX, ObsErrors, obsError, obsSignature } from './obs.js'

/*
 * OBS's authentication, as its SDKs (esdk-obs-nodejs, esdk-obs-python) and S3 clients send it:
 *   header  Authorization: OBS AK:sig (x-obs- headers) or AWS AK:sig (x-amz- headers), HMAC-SHA1 over
 *           Method \n Content-MD5 \n Content-Type \n Date \n CanonicalizedHeaders CanonicalizedResource;
 *           Authorization: AWS4-HMAC-SHA256 Credential=AK/date/region/s3/aws4_request, SignedHeaders, Signature
 *   query   AccessKeyId (OBS) or AWSAccessKeyId (S3) + Expires + Signature, the same string with Expires for Date;
 *           X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature (V4)
 * A security token (x-obs-security-token, x-amz-security-token) is part of what is signed, as a header or as
 * a query parameter. The canonicalized resource is /{bucket}/{key} as the request line carries the key
 * (percent-encoded as sent), then the sub-resources the SDKs sign, sorted, with their decoded values.
 */

/** The query parameters OBS signs as sub-resources (lower case), as esdk-obs-nodejs lists them. */
const SUB_RESOURCES = new Set([
  'acl', 'backtosource', 'policy', 'torrent', 'logging', 'location', 'storageinfo', 'quota', 'storageclass', 'storagepolicy',
  'requestpayment', 'versions', 'versioning', 'versionid', 'uploads', 'uploadid', 'partnumber', 'website', 'notification',
  'replication', 'lifecycle', 'deletebucket', 'delete', 'cors', 'restore', 'tagging', 'append', 'position',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'x-image-process', 'x-oss-process',
  'x-image-save-object', 'x-image-save-bucket', 'encryption', 'directcoldaccess', 'rename', 'name',
  'metadata', 'modify', 'attname', 'truncate', 'x-obs-security-token', 'inventory', 'object-lock', 'retention',
  'length', 'publicaccessblock', 'bucketstatus', 'policystatus', 'customdomain', 'mirrorbacktosource', 'obscompresspolicy',
])

/** OBS allows this much between a request's date and its own (real) clock. */
export const OBS_SKEW_MS = 15 * 60 * 1000

export type Family = 'obs' | 'amz'
const PREFIX: Record<Family, string> = { obs: 'x-obs-', amz: 'x-amz-' }

/** Whether a request carries OBS's credentials: a header signature, or a pre-signed query. */
export function carriesObsCredentials(request: IncomingMessage): boolean {
  const authorization = request.headers.authorization
  if (authorization !== undefined) return /^(OBS|AWS) [^\s:]+:/.test(authorization) || authorization.startsWith('AWS4-HMAC-SHA256 ')
  // Plain substring tests first: every request without an Authorization header comes through here.
  const url = request.url ?? ''
  return (url.includes('AccessKeyId=') || url.includes('X-Amz-Credential=')) && /[?&](AccessKeyId|AWSAccessKeyId|X-Amz-Credential)=/.test(url)
}

/**
 * The URL an OBS request is routed as, when it is one: OBS's credentials (or the SDKs' unsigned signature
 * probe, HEAD /?apiversion), and not already under /obs. Path style (/{bucket}/{key}) unless the Host's first
 * label names a bucket the store has (virtual-hosted: {bucket}.{server}, the key the whole path).
 */
export function obsUrlOf(request: IncomingMessage, isBucket: (bucket: string) => boolean): string | undefined {
  const url = request.url ?? '/'
  if (url.startsWith(`${OBS_PREFIX}/`) || url === OBS_PREFIX) return undefined
  const probe = request.method === 'HEAD' && /^\/\?apiversion(=[^&]*)?$/.test(url)
  if (!probe && !carriesObsCredentials(request)) return undefined
  const bucket = virtualHostBucket(request.headers.host, isBucket)
  return bucket === undefined ? `${OBS_PREFIX}${url}` : `${OBS_PREFIX}/${bucket}${url === '/' || url.startsWith('/?') ? url.slice(1) : url}`
}

function virtualHostBucket(host: string | undefined, isBucket: (bucket: string) => boolean): string | undefined {
  if (host === undefined) return undefined
  const name = host.replace(/:\d+$/, '')
  const dot = name.indexOf('.')
  if (dot <= 0 || /^[\d.]+$/.test(name) || name.startsWith('[')) return undefined
  const label = name.slice(0, dot)
  return isBucket(label) ? label : undefined
}

/** What a request is checked against: its method, headers, the path as the client signed it, and its query. */
export interface ObsRequest {
  method: string
  headers: IncomingHttpHeaders
  /** /{bucket}/{key} with the key percent-encoded as it was sent (/{bucket} for a bucket). */
  resourcePath: string
  /** The query as sent, undecoded. */
  query: string
  /** Host as sent, for V4. */
  host: string
  /** The path the client sent on the request line, for V4's canonical URI. */
  sentPath: string
}

export type ObsKey = Pick<ModelArtsAccessKey, 'accessKeyId' | 'secretAccessKey'>

export interface ObsAuthOptions {
  keys: readonly ObsKey[]
  /** Sandbox ms: a pre-signed URL's Expires is on the sandbox clock, as the results' URLs are. */
  now: number
  /** Real ms: a header signature's date is the client's wall clock. */
  realNow: number
}

/** Who signed, and in which family: OBS answers in the headers of that family (x-obs- or x-amz-). */
export interface ObsCaller {
  accessKeyId: string
  family: Family
}

const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value)

function pairsOf(query: string): Array<[string, string, string]> {
  if (query === '') return []
  return query.split('&').filter((part) => part !== '').map((part) => {
    const equals = part.indexOf('=')
    const rawKey = equals === -1 ? part : part.slice(0, equals)
    const rawValue = equals === -1 ? '' : part.slice(equals + 1)
    return [part, decode(rawKey), decode(rawValue.replace(/\+/g, '%20'))]
  })
}


/** The canonicalized resource: the path as signed, then the signed query parameters, sorted, with decoded values. */
function canonicalResource(path: string, query: string, alsoSigned: (key: string) => boolean): string {
  const signed = pairsOf(query)
    .filter(([, key]) => SUB_RESOURCES.has(key.toLowerCase()) || alsoSigned(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, key, value]) => (value === '' ? key : `${key}=${value}`))
  return signed.length === 0 ? path : `${path}?${signed.join('&')}`
}

/** The x-obs- (or x-amz-) headers, lower case, sorted, name:value\n each. */
function canonicalHeaders(headers: IncomingHttpHeaders, family: Family): string {
  const prefix = PREFIX[family]
  return Object.keys(headers)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => {
      const value = firstHeader(headers[name]) ?? ''
      return `${name}:${name.startsWith(`${prefix}meta-`) ? value.trim() : value}\n`
    })
    .join('')
}

export function obsStringToSignOf(request: Pick<ObsRequest, 'method' | 'headers' | 'resourcePath' | 'query'>, family: Family, dateOrExpires: string, queryAlsoSigned = false): string {
  const prefix = PREFIX[family]
  return [
    request.method,
    firstHeader(request.headers['content-md5']) ?? '',
    firstHeader(request.headers['content-type']) ?? '',
    dateOrExpires,
    `${canonicalHeaders(request.headers, family)}${canonicalResource(request.resourcePath, request.query, (key) => queryAlsoSigned && key.toLowerCase().startsWith(prefix))}`,
  ].join('\n')
}

const keyOf = (keys: readonly ObsKey[], accessKeyId: string) => {
  const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId)
  if (key === undefined) throw ObsErrors.invalidAccessKeyId(accessKeyId)
  return key
}

/**
 * Checks a request as OBS does, by whichever of its schemes it carries, and answers who signed it. Throws OBS's
 * refusal: AccessDenied (no credentials, an expired URL), InvalidAccessKeyId, RequestTimeTooSkewed,
 * SignatureDoesNotMatch, InvalidArgument (malformed).
 */
export function authenticateObs(request: ObsRequest, options: ObsAuthOptions): ObsCaller {
  const authorization = firstHeader(request.headers.authorization)
  if (authorization !== undefined) {
    if (authorization.startsWith('AWS4-HMAC-SHA256 ')) return checkV4Header(request, authorization, options)
    const match = /^(OBS|AWS) ([^\s:]+):(\S+)$/.exec(authorization)
    if (!match) throw ObsErrors.badRequest('Authorization must be OBS <AK>:<signature>, AWS <AK>:<signature> or AWS4-HMAC-SHA256 Credential=...')
    return checkHeaderSignature(request, match[1] === 'OBS' ? 'obs' : 'amz', match[2] as string, match[3] as string, options)
  }
  const query = new URLSearchParams(request.query)
  if (query.has('X-Amz-Credential')) return checkV4Query(request, query, options)
  return checkQuerySignature(request, query, options)
}

function checkHeaderSignature(request: ObsRequest, family: Family, accessKeyId: string, provided: string, options: ObsAuthOptions): ObsCaller {
  const key = keyOf(options.keys, accessKeyId)
  // With x-obs-date (x-amz-date) the date is that header's, signed among the others, and the Date line is empty.
  const ownDate = firstHeader(request.headers[`${PREFIX[family]}date`])
  const dateText = ownDate ?? firstHeader(request.headers.date)
  if (dateText === undefined) throw obsError(403, 'AccessDenied', 'Request is missing a valid Date header or x-obs-date header.')
  const signedAt = parseObsDate(dateText)
  if (signedAt === null) throw obsError(403, 'AccessDenied', `Invalid date: ${dateText}`)
  if (Math.abs(options.realNow - signedAt) > OBS_SKEW_MS) throw tooSkewed(dateText, options.realNow)
  const toSign = obsStringToSignOf(request, family, ownDate === undefined ? dateText : '')
  if (!sameSecret(provided, obsSignature(key.secretAccessKey, toSign))) throw ObsErrors.signatureDoesNotMatch(toSign, provided, accessKeyId)
  return { accessKeyId, family }
}

function checkQuerySignature(request: ObsRequest, query: URLSearchParams, options: ObsAuthOptions): ObsCaller {
  const obsKey = query.get('AccessKeyId')
  const accessKeyId = obsKey ?? query.get('AWSAccessKeyId')
  const family: Family = obsKey === null ? 'amz' : 'obs'
  const expiresText = query.get('Expires')
  const signature = query.get('Signature')
  // A private bucket's object without a signature: OBS does not say which part is missing.
  if (accessKeyId === null || expiresText === null || signature === null) throw ObsErrors.accessDenied()
  if (!/^\d{1,12}$/.test(expiresText)) throw ObsErrors.badRequest('Expires must be a Unix time in seconds')
  const key = keyOf(options.keys, accessKeyId)
  const expires = Number(expiresText)
  if (expires * 1000 < options.now) throw ObsErrors.expired(expires, options.now)
  // The query's own parameters are not signed; a security token (x-obs- or x-amz-) is.
  const unsigned = new Set(['AccessKeyId', 'AWSAccessKeyId', 'Expires', 'Signature'])
  const signedQuery = request.query.split('&').filter((part) => !unsigned.has(decode(part.split('=')[0] as string))).join('&')
  const toSign = obsStringToSignOf({ ...request, query: signedQuery }, family, expiresText, true)
  if (!sameSecret(signature, obsSignature(key.secretAccessKey, toSign))) throw ObsErrors.signatureDoesNotMatch(toSign, signature, accessKeyId)
  return { accessKeyId, family }
}

const V4_CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]*)\/([^/]+)\/aws4_request$/

function checkV4Header(request: ObsRequest, authorization: string, options: ObsAuthOptions): ObsCaller {
  const fields = Object.fromEntries(
    authorization.slice('AWS4-HMAC-SHA256 '.length).split(',').map((part) => {
      const equals = part.indexOf('=')
      return [part.slice(0, equals).trim(), part.slice(equals + 1).trim()]
    }),
  ) as Record<string, string | undefined>
  const credential = V4_CREDENTIAL.exec(fields.Credential ?? '')
  if (!credential || fields.SignedHeaders === undefined || fields.Signature === undefined) throw ObsErrors.badRequest('Authorization must be AWS4-HMAC-SHA256 Credential=<AK>/<date>/<region>/s3/aws4_request, SignedHeaders=<names>, Signature=<hex>')
  const amzDate = firstHeader(request.headers['x-amz-date']) ?? ''
  const signedAt = parseSdkDate(amzDate)
  if (signedAt === null) throw obsError(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header')
  if (Math.abs(options.realNow - signedAt) > OBS_SKEW_MS) throw tooSkewed(amzDate, options.realNow)
  const payload = firstHeader(request.headers['x-amz-content-sha256']) ?? 'UNSIGNED-PAYLOAD'
  return checkV4(request, { credential, signedHeaders: fields.SignedHeaders, signature: fields.Signature, amzDate, payload, query: request.query }, options)
}

function checkV4Query(request: ObsRequest, query: URLSearchParams, options: ObsAuthOptions): ObsCaller {
  const credential = V4_CREDENTIAL.exec(query.get('X-Amz-Credential') ?? '')
  const amzDate = query.get('X-Amz-Date') ?? ''
  const expiresIn = query.get('X-Amz-Expires') ?? ''
  const signedHeaders = query.get('X-Amz-SignedHeaders')
  const signature = query.get('X-Amz-Signature')
  if (!credential || signedHeaders === null || signature === null || query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') throw ObsErrors.accessDenied()
  const signedAt = parseSdkDate(amzDate)
  if (signedAt === null || !/^\d{1,9}$/.test(expiresIn)) throw ObsErrors.badRequest('X-Amz-Date must be YYYYMMDDTHHMMSSZ and X-Amz-Expires seconds')
  // A V4 URL's life runs from the date it was signed at, as the sandbox clock counts (the results' URLs do too).
  const expires = Math.floor(signedAt / 1000) + Number(expiresIn)
  if (expires * 1000 < options.now) throw ObsErrors.expired(expires, options.now)
  const withoutSignature = request.query.split('&').filter((part) => !part.startsWith('X-Amz-Signature=')).join('&')
  return checkV4(request, { credential, signedHeaders, signature, amzDate, payload: 'UNSIGNED-PAYLOAD', query: withoutSignature }, options)
}

interface V4Parts {
  credential: RegExpExecArray
  signedHeaders: string
  signature: string
  amzDate: string
  payload: string
  query: string
}

function checkV4(request: ObsRequest, parts: V4Parts, options: ObsAuthOptions): ObsCaller {
  const [, accessKeyId, day, region, service] = parts.credential as unknown as [string, string, string, string, string]
  const key = keyOf(options.keys, accessKeyId)
  const names = parts.signedHeaders.split(';')
  const headerValue = (name: string) => (name === 'host' ? request.host : firstHeader(request.headers[name]) ?? '')
  const canonicalQuery = pairsOf(parts.query)
    .map(([, name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  const canonical = [
    request.method,
    request.sentPath,
    canonicalQuery,
    names.map((name) => `${name}:${headerValue(name)}\n`).join(''),
    parts.signedHeaders,
    parts.payload,
  ].join('\n')
  const scope = `${day}/${region}/${service}/aws4_request`
  const toSign = `AWS4-HMAC-SHA256\n${parts.amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
  let signingKey: Buffer = createHmac('sha256', `AWS4${key.secretAccessKey}`).update(day).digest()
  for (const part of [region, service, 'aws4_request']) signingKey = createHmac('sha256', signingKey).update(part).digest()
  const expected = createHmac('sha256', signingKey).update(toSign).digest('hex')
  if (!sameSecret(parts.signature, expected)) throw ObsErrors.signatureDoesNotMatch(toSign, parts.signature, accessKeyId)
  return { accessKeyId, family: 'amz' }
}


/** An RFC 1123 date (Date: Sun, 06 Dec 2026 08:39:00 GMT), or ISO 8601 basic (x-obs-date may be either). */
function parseObsDate(text: string): number | null {
  const v4 = parseSdkDate(text)
  if (v4 !== null) return v4
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}


function tooSkewed(requestTime: string, realNow: number) {
  return obsError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
    MaxAllowedSkewMilliseconds: OBS_SKEW_MS,
    RequestTime: requestTime,
    ServerTime: new Date(realNow).toISOString(),
  })
}


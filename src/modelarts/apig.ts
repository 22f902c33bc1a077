import { createHash, createHmac } from 'node:crypto'

/*
 * Huawei API Gateway's AK/SK check (SDK-HMAC-SHA256), as the SDKs and the
 * APIG signer compute it:
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HexSHA256(body)
 *   StringToSign     = SDK-HMAC-SHA256 \n X-Sdk-Date \n HexSHA256(CanonicalRequest)
 *   Signature        = hex(HMAC-SHA256(SK, StringToSign))
 * The SDKs sign different sets of headers, so the set is read from the
 * Authorization header; X-Sdk-Date must be among them.
 */

export const ALGORITHM = 'SDK-HMAC-SHA256'
const EMPTY_BODY_SHA256 = createHash('sha256').update('').digest('hex')

/** The gateway allows this much between X-Sdk-Date and its own (real) clock. */
export const SIGNATURE_SKEW_MS = 15 * 60 * 1000

export interface SignatureHeader {
  accessKeyId: string
  signedHeaders: string[]
  signature: string
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`; null when it is not that scheme or not well formed. */
export function parseSignatureHeader(authorization: string): SignatureHeader | null {
  const match = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(authorization)
  if (!match) return null
  return { accessKeyId: match[1] as string, signedHeaders: (match[2] as string).split(';'), signature: (match[3] as string).toLowerCase() }
}

/** RFC 3986 percent-encoding, as the signers apply it: A-Z a-z 0-9 - . _ ~ kept, all else %XX in upper case. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** Percent-decoding that takes what does not decode as it came. */
export function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The path decoded, each segment encoded again, with a trailing slash as the signers add one. */
export function canonicalUri(path: string): string {
  const encoded = path.split('/').map((segment) => encodeRfc3986(decode(segment))).join('/')
  return encoded.endsWith('/') ? encoded : `${encoded}/`
}

/** The query decoded and encoded again, pairs sorted by key then value, `k=v` joined by `&`. */
export function canonicalQuery(query: string): string {
  if (query === '') return ''
  const pairs = query.split('&').filter((part) => part !== '').map((part) => {
    const equals = part.indexOf('=')
    const [key, value] = equals === -1 ? [part, ''] : [part.slice(0, equals), part.slice(equals + 1)]
    return [encodeRfc3986(decode(key.replace(/\+/g, ' '))), encodeRfc3986(decode(value.replace(/\+/g, ' ')))] as const
  })
  pairs.sort(([aKey, aValue], [bKey, bValue]) => (aKey < bKey ? -1 : aKey > bKey ? 1 : aValue < bValue ? -1 : aValue > bValue ? 1 : 0))
  return pairs.map(([key, value]) => `${key}=${value}`).join('&')
}

export interface SignedRequest {
  method: string
  /** Path and query as sent. */
  url: string
  headers: Record<string, string | string[] | undefined>
  /** The body's hex SHA-256; default: the empty body's, or X-Sdk-Content-Sha256 when sent. */
  bodySha256?: string
}

export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const question = request.url.indexOf('?')
  const path = question === -1 ? request.url : request.url.slice(0, question)
  const query = question === -1 ? '' : request.url.slice(question + 1)
  const headerValue = (name: string) => {
    const value = request.headers[name]
    return (Array.isArray(value) ? value.join(',') : value ?? '').trim()
  }
  const contentSha = headerValue('x-sdk-content-sha256')
  return [
    request.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    signedHeaders.map((name) => `${name}:${headerValue(name)}\n`).join(''),
    signedHeaders.join(';'),
    contentSha !== '' ? contentSha : request.bodySha256 ?? EMPTY_BODY_SHA256,
  ].join('\n')
}

export function stringToSign(canonical: string, sdkDate: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`
}

export function signatureOf(secretAccessKey: string, toSign: string): string {
  return createHmac('sha256', secretAccessKey).update(toSign).digest('hex')
}

/** X-Sdk-Date, YYYYMMDDTHHMMSSZ, as ms; null when malformed. */
export function parseSdkDate(text: string): number | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (!match) return null
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[]
  const ms = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second)
  const back = new Date(ms)
  // 20191332T… is no date, though Date.UTC would roll it over into one.
  if (back.getUTCMonth() !== (month as number) - 1 || back.getUTCDate() !== day || (hour as number) > 23 || (minute as number) > 59 || (second as number) > 59) return null
  return ms
}

export function formatSdkDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

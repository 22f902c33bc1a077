import { createHash } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { onRequestHookHandler } from 'fastify'
import type { SandboxClock } from '../clock.js'
import type { ModelArtsAccessKey, ModelArtsToken } from '../config.js'
import { sentUrlOf } from '../request-base.js'
import { sameSecret } from '../secrets.js'
import { SIGNATURE_SKEW_MS, canonicalRequest, formatSdkDate, parseSdkDate, parseSignatureHeader, signatureOf, stringToSign } from './apig.js'
import { ModelArtsErrors } from './errors.js'
import type { ModelArtsStore } from './store.js'

export const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex')

const firstValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/**
 * Signed requests already verified, by their Authorization header (the key, the signed header names and the
 * signature, an HMAC of everything else the signature covers) with the rest of what it covers as it arrived:
 * the method, the URL and each signed header's value. The same bytes verify the same way, so a client repeating
 * a request within the second it signed it in (the SDKs date each request to the second) costs the parsing,
 * two hashes and an HMAC once, not each time; its date is still held to the 15 minutes on every request.
 * Bounded: emptied when it holds 4,096 entries.
 */
interface VerifiedEntry {
  method: string
  url: string
  /** Each signed header's value as it came, then X-Sdk-Content-Sha256's (it stands in for the body's hash, signed or not). */
  values: (string | undefined)[]
  signedHeaders: readonly string[]
  signedAt: number
  /** The projects the key covers, as signedBy answers them. */
  projects: (string | null)[]
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value)

class VerifiedSignatures {
  private readonly entries = new Map<string, VerifiedEntry>()

  /** What else the signature covers, as this request carries it: compared piece by piece, never joined on a hit. */
  static valuesOf(signedHeaders: readonly string[], headers: IncomingHttpHeaders): (string | undefined)[] {
    return [...signedHeaders.map((name) => headerValue(headers[name])), headerValue(headers['x-sdk-content-sha256'])]
  }

  /** The entry for this Authorization header, if this request carries everything else it covered, as it was. */
  get(authorization: string, method: string, url: string, headers: IncomingHttpHeaders): VerifiedEntry | undefined {
    const entry = this.entries.get(authorization)
    if (entry === undefined || entry.method !== method || entry.url !== url) return undefined
    const { signedHeaders, values } = entry
    for (let at = 0; at < signedHeaders.length; at++) {
      if (headerValue(headers[signedHeaders[at] as string]) !== values[at]) return undefined
    }
    return headerValue(headers['x-sdk-content-sha256']) === values[signedHeaders.length] ? entry : undefined
  }

  add(authorization: string, entry: VerifiedEntry): void {
    if (this.entries.size >= 4096) this.entries.clear()
    this.entries.set(authorization, entry)
  }
}

export interface AuthOptions {
  tokens: readonly ModelArtsToken[]
  accessKeys: readonly ModelArtsAccessKey[]
  store: ModelArtsStore
  /** The sandbox clock: IAM tokens expire on it. */
  clock: SandboxClock
  /** Real time, which X-Sdk-Date is held to (a test that moves the sandbox clock keeps signing). */
  realNow?: () => number
}

/** What the gateway checks of a request: its credentials, and the project its URL names. */
export interface CredentialedRequest {
  method: string
  /** Path and query as the client sent and signed them: a named sandbox's prefix included. */
  sentUrl: string
  headers: IncomingHttpHeaders
  /** The URL's project_id; undefined for a path that names none. */
  projectId: string | undefined
  /** The gateway's id for the request, which its refusals carry. */
  requestId: string
}

export interface ModelArtsAuth {
  /** The routes' onRequest hook: a refusal is thrown, in the gateway's or ModelArts' envelope. */
  readonly hook: onRequestHookHandler
  /** Whether a request would pass the hook (the replay lane's question: a refusal is always the route's to give). */
  admits(request: CredentialedRequest): boolean
}

/**
 * How ModelArts' gateway admits a request: an AK/SK signature (what Huawei's
 * SDKs send: Authorization: SDK-HMAC-SHA256 …, X-Sdk-Date, X-Project-Id), or
 * an X-Auth-Token (a configured one, or one IAM issued). Either may be scoped
 * to one project; a URL of another project is refused with ModelArts.0210.
 */
export function modelartsAuth({ tokens, accessKeys, store, clock, realNow = Date.now }: AuthOptions): ModelArtsAuth {
  const verified = new VerifiedSignatures()
  const scopes = new Map<string, (string | null)[]>()
  for (const { token, projectId } of tokens) scopes.set(token, [...(scopes.get(token) ?? []), projectId])
  const keys = new Map(accessKeys.map((key) => [key.accessKeyId, key]))

  /** The projects a credential covers (null: all), or throws the gateway's or ModelArts' refusal. */
  const signedBy = (request: CredentialedRequest, authorization: string): (string | null)[] => {
    const refuse = (detail: string) => ModelArtsErrors.signatureRefused(detail, request.requestId)
    const url = request.sentUrl
    const known = verified.get(authorization, request.method, url, request.headers)
    if (
      known !== undefined && Math.abs(realNow() - known.signedAt) <= SIGNATURE_SKEW_MS &&
      (request.headers['x-security-token'] === undefined || known.signedHeaders.includes('x-security-token'))
    ) return known.projects
    const header = parseSignatureHeader(authorization)
    if (header === null) throw refuse('verify aksk signature fail, the Authorization header is not SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…')
    const key = keys.get(header.accessKeyId)
    if (key === undefined) throw refuse(`Get secretKey failed,ak:${header.accessKeyId},err:ak not exist`)
    const sdkDate = firstValue(request.headers['x-sdk-date']) ?? ''
    const signedAt = parseSdkDate(sdkDate)
    if (signedAt === null) throw refuse(`verify aksk signature fail, x-sdk-date ${JSON.stringify(sdkDate)} is not YYYYMMDDTHHMMSSZ`)
    if (!header.signedHeaders.includes('x-sdk-date')) throw refuse('verify aksk signature fail, x-sdk-date is not a signed header')
    // A temporary key's token is part of what the key proves: sent unsigned, it could have been swapped.
    if (request.headers['x-security-token'] !== undefined && !header.signedHeaders.includes('x-security-token')) {
      throw refuse('verify aksk signature fail, x-security-token is not a signed header')
    }
    const now = realNow()
    if (Math.abs(now - signedAt) > SIGNATURE_SKEW_MS) {
      throw refuse(`calc aksk signature fail:signature expired, signature time:${sdkDate},server time:${formatSdkDate(now)}`)
    }
    // Over the path as the client sent and signed it: a named sandbox's prefix included.
    const canonical = canonicalRequest({ method: request.method, url, headers: request.headers }, header.signedHeaders)
    if (!sameSecret(header.signature, signatureOf(key.secretAccessKey, stringToSign(canonical, sdkDate)))) {
      // As the gateway prints it for app auth: the canonical request it computed, newlines as |.
      throw refuse(`verify aksk signature fail, canonicalRequest:${canonical.replace(/\n/g, '|')}`)
    }
    verified.add(authorization, { method: request.method, url, values: VerifiedSignatures.valuesOf(header.signedHeaders, request.headers), signedHeaders: header.signedHeaders, signedAt, projects: [key.projectId] })
    return [key.projectId]
  }

  const tokenOf = (token: string): (string | null)[] => {
    const configured = scopes.get(token)
    if (configured) return configured
    const issued = store.iamToken(tokenSha256(token))
    if (issued === undefined) throw ModelArtsErrors.invalidToken()
    if (issued.expires_at <= clock.now()) throw ModelArtsErrors.tokenExpired()
    // A domain-scoped token names no project: no project's API takes it.
    return [issued.project_id ?? '']
  }

  /** Throws the refusal a request earns, if any. */
  const check = (request: CredentialedRequest): void => {
    const authorization = firstValue(request.headers.authorization)
    let projects: (string | null)[]
    if (authorization !== undefined && /^SDK-HMAC-SHA256\b/i.test(authorization)) projects = signedBy(request, authorization)
    else {
      const token = firstValue(request.headers['x-auth-token'])
      if (token === undefined || token === '') throw ModelArtsErrors.tokenMissing(request.requestId)
      projects = tokenOf(token)
    }
    const { projectId } = request
    // The SDK's X-Project-Id names the project the credentials act for; it must be the URL's.
    const actingFor = firstValue(request.headers['x-project-id'])
    if (actingFor !== undefined && projectId !== undefined && actingFor !== projectId) throw ModelArtsErrors.projectForbidden()
    if (!projects.includes(null) && (projectId === undefined || !projects.includes(projectId))) throw ModelArtsErrors.projectForbidden()
  }

  return {
    hook: (request, _reply, done) => {
      check({
        method: request.method,
        sentUrl: sentUrlOf(request),
        headers: request.headers,
        projectId: (request.params as { project_id?: string }).project_id,
        requestId: request.modelartsRequestId,
      })
      done()
    },
    admits: (request) => {
      try {
        check(request)
        return true
      } catch {
        return false
      }
    },
  }
}

/**
 * Drive the sandbox through Huawei's own client code, so a test checks
 * Huawei's signing rather than our reading of it:
 *
 * - sdkRequest / sdkSignedHeaders: @huaweicloud/huaweicloud-sdk-core
 *   (BasicCredentials + ClientBuilder + HcClient, AK/SK "SDK-HMAC-SHA256").
 * - iamPasswordToken: @huaweicloud/huaweicloud-sdk-iam, POST /v3/auth/tokens.
 * - obsSignedUrl: esdk-obs-nodejs createSignedUrlSync (V2 query-string auth).
 *
 * What the SDKs do, as read in node_modules and seen on the wire:
 * - Plain http is fine: the endpoint is an axios baseURL, nothing insists on
 *   https. axios runs with proxy: false, so HTTP(S)_PROXY is ignored.
 * - No retry with one endpoint (the SDK only retries on a second, backup one).
 *   axios follows redirects (up to 5, re-sending the old signature) and has
 *   no timeout.
 * - X-Sdk-Date is moment().utcOffset(0) as YYYYMMDDTHHmmss + "Z"; the
 *   canonical URI always gets a trailing "/".
 * - Every header in the request when the signer runs is signed (X-Project-Id,
 *   X-Security-Token, content-type, host, X-Sdk-Date and any header a caller
 *   passes); User-Agent, Accept, Accept-Encoding, Connection and
 *   Content-Length are added later and are not.
 * - Errors: HcClient turns a non-2xx answer into a ClientRequestException
 *   (4xx), ServerResponseException (5xx) or ServiceResponseException (other)
 *   holding only httpStatusCode, errorCode (body error.code ?? error_code),
 *   errorMsg (error.message ?? error_msg ?? axios' "Request failed with status
 *   code N"), requestId (the X-Request-Id header) and
 *   encodedAuthorizationMessage: the body and headers are dropped. So we
 *   observe the raw answer with a last axios transformResponse step.
 */
import { createRequire } from 'node:module'
import { stringify } from 'node:querystring'
import { BasicCredentials, GlobalCredentials } from '@huaweicloud/huaweicloud-sdk-core'
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js'
import type { HcClient, HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js'
import type { UserOptions } from '@huaweicloud/huaweicloud-sdk-core/UserOptions.js'
import type { BaseCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BaseCredentials.js'
import { ServiceResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServiceResponseException.js'
import { Logger4jInstance } from '@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger.js'
// The package's main entry cannot load in 3.1.172: v5/public-api.js requires
// "./GlobalCredentials,BasicCredentials" (MODULE_NOT_FOUND). v3 alone is fine.
import {
  AuthScope, AuthScopeDomain, AuthScopeProject, IamClient, KeystoneCreateUserTokenByPasswordRequest,
  KeystoneCreateUserTokenByPasswordRequestBody, PwdAuth, PwdIdentity, PwdPassword, PwdPasswordUser, PwdPasswordUserDomain,
} from '@huaweicloud/huaweicloud-sdk-iam/v3/public-api.js'

// sdk-core logs through log4js' default category to stdout (level ERROR: every
// non-2xx answer prints "Some error found: ..."; DEBUG=DEBUG turns on debug
// lines too), which would land in the TAP stream. Its dateFile appender is
// configured but unused, so no log file is written. Turn the category off.
Logger4jInstance.level = 'off'

// Without a custom User-Agent, ClientBuilder.build() reads or creates
// ~/.huaweicloud/application_id to put "app/<uuid>" in it. With one it sends
// "huaweicloud-usdk-nodejs/3.0; resultbox-test" and touches no file.
const USER_AGENT = 'resultbox-test'

/** The axios config the SDK takes in UserOptions, and the pieces of it we use. */
type AxiosConfig = NonNullable<UserOptions['axiosRequestConfig']>
type Transformers = NonNullable<AxiosConfig['transformResponse']>
type Transformer = Exclude<Transformers, readonly unknown[]>
type Adapter = Extract<NonNullable<AxiosConfig['adapter']>, (...args: never[]) => unknown>

// The SDK's own axios (resolved from sdk-core), for its default response
// transform: JSON.parse if it parses, else the text.
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@huaweicloud/huaweicloud-sdk-core'))
const sdkAxios = sdkRequire('axios') as { defaults: { transformResponse?: Transformers } }
const defaultTransforms = ([] as Transformer[]).concat(sdkAxios.defaults.transformResponse ?? [])

export type Headers = Record<string, string>

/** An answer as it came off the wire, whatever the SDK made of it. */
interface Seen {
  status: number
  headers: Headers
  body: unknown
}

/** What the SDK handed its caller. */
export type SdkOutcome =
  /** sendRequest resolved: the JSON object (or {} for any other body) with httpStatusCode added, plus any responseHeaders copied in. */
  | { outcome: 'returned', value: Record<string, unknown> }
  /** sendRequest threw one of the ServiceResponseException family. */
  | {
    // errorCode is typed string by the SDK but is whatever the body held (IAM's error.code is a number).
    outcome: 'threw', name: string, httpStatusCode?: number | string, errorCode?: string | number, errorMsg?: string,
    requestId?: string, encodedAuthorizationMessage?: string
  }

export interface SdkResult extends Seen {
  sdk: SdkOutcome
}

function flatHeaders(headers: object): Headers {
  const json = 'toJSON' in headers && typeof headers.toJSON === 'function' ? headers.toJSON() as object : headers
  const out: Headers = {}
  for (const [name, value] of Object.entries(json)) {
    if (value !== undefined && value !== null && value !== false) out[name] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/**
 * UserOptions for one client: our User-Agent, and a last transformResponse
 * step (after axios' own) that records status, headers and the parsed body.
 * axios runs transformResponse on error answers too, before HcClient throws.
 */
function observing(extra: AxiosConfig = {}) {
  const seen: { last?: Seen } = {}
  const record: Transformer = function (data, headers, status) {
    // A copy: HcClient then adds httpStatusCode (and responseHeaders) to this very object.
    seen.last = { status: status ?? 0, headers: flatHeaders(headers), body: structuredClone(data) as unknown }
    return data
  }
  const options: UserOptions = {
    customUserAgent: USER_AGENT,
    axiosRequestConfig: { ...extra, transformResponse: [...defaultTransforms, record] },
  }
  return { options, seen }
}

/** Run an SDK call; resolve with what was seen for any answer, throw only if none came. */
async function settle(call: () => Promise<Record<string, unknown>>, seen: { last?: Seen }): Promise<SdkResult> {
  let sdk: SdkOutcome
  try {
    sdk = { outcome: 'returned', value: await call() }
  } catch (error) {
    if (!(error instanceof ServiceResponseException) || seen.last === undefined) throw error
    const { name, httpStatusCode, errorCode, errorMsg, requestId, encodedAuthorizationMessage } = error
    sdk = { outcome: 'threw', name, httpStatusCode, errorCode, errorMsg, requestId, encodedAuthorizationMessage }
  }
  if (seen.last === undefined) throw new Error('the SDK answered without a response being seen')
  return { ...seen.last, sdk }
}

export interface SdkRequestOptions {
  /** e.g. http://127.0.0.1:41234 (no path). */
  endpoint: string
  ak: string
  sk: string
  /** Fills {project_id} in path (URI-encoded) and adds X-Project-Id. */
  projectId?: string
  /** Temporary keys: sent, and signed, as X-Security-Token. */
  securityToken?: string
  method: 'GET' | 'HEAD' | 'POST' | 'DELETE'
  /**
   * May hold {project_id}. Without projectId it (like any other {name}) stays
   * literal: axios sends %7B..%7D, and the signer, which re-encodes the
   * url.parse()d path, signs %257B..%257D. Same for any pre-encoded segment.
   */
  path: string
  query?: Record<string, string | number>
  /**
   * Extra headers; all are signed. A content-type here becomes the generated
   * client's contentType (else application/json; a non-JSON one makes the SDK
   * add X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD). X-Sdk-Date (any case) forces
   * the signing date (parsed by moment, e.g. 20191115T033655Z); host (any
   * case) forces the signed Host.
   */
  headers?: Headers
  /** A JSON body (POST); the signer hashes JSON.stringify of it, as axios sends it. */
  body?: Record<string, unknown>
}

function credentials(o: { ak: string, sk: string, projectId?: string, securityToken?: string }): BasicCredentials {
  const credential = new BasicCredentials().withAk(o.ak).withSk(o.sk)
  if (o.projectId !== undefined) credential.withProjectId(o.projectId)
  // BaseCredentials.withSecurityToken: addAuthHeaders then sets X-Security-Token.
  if (o.securityToken !== undefined) credential.withSecurityToken(o.securityToken)
  return credential
}

/**
 * The options object a generated service client's ParamCreater builds (cf.
 * IamClient.keystoneShowProject: url template, contentType, empty
 * pathParams, headers) for HcClient.sendRequest. HcClient drops a
 * "Content-Type" header and sends contentType as content-type instead, and
 * the signer only honours the exact spellings "X-Sdk-Date" and "host"
 * (another spelling would be signed twice, once with the SDK's own value),
 * hence the renaming.
 */
function requestOptions(o: SdkRequestOptions): HttpRequestOptions {
  const headers: Headers = {}
  let contentType = 'application/json'
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    const lower = name.toLowerCase()
    if (lower === 'content-type') contentType = value
    else headers[lower === 'x-sdk-date' ? 'X-Sdk-Date' : lower === 'host' ? 'host' : name] = value
  }
  return {
    method: o.method,
    url: o.path,
    contentType,
    queryParams: { ...o.query },
    pathParams: {},
    headers,
    ...(o.body === undefined ? {} : { data: o.body }),
  }
}

function client(endpoint: string, credential: BaseCredentials, options: UserOptions): HcClient {
  // A generated client is `new ClientBuilder(hc => new XClient(hc))`; with no
  // ModelArts SDK on npm our "client" is the HcClient itself.
  return new ClientBuilder((hc: HcClient) => hc).withCredential(credential).withEndpoint(endpoint).withOptions(options).build()
}

/**
 * One request through sdk-core. Resolves with the answer for any status
 * (status, lower-case headers, body parsed as JSON else text, '' if empty)
 * plus what the SDK returned or threw; rejects only when no answer came
 * (e.g. ECONNREFUSED: a ServiceResponseException without httpStatusCode).
 */
export async function sdkRequest(o: SdkRequestOptions): Promise<SdkResult> {
  const { options, seen } = observing()
  const hc = client(o.endpoint, credentials(o), options)
  return settle(() => hc.sendRequest<Record<string, unknown> & { httpStatusCode?: number }>(requestOptions(o)), seen)
}

export interface SignedRequest {
  method: string
  /** Endpoint + path + query exactly as axios would request it. */
  url: string
  /** Every header the SDK hands axios, in its spelling (Node adds Host from "host", Connection, Accept-Encoding, Content-Length). */
  headers: Headers
  /** The SignedHeaders list from the Authorization header. */
  signedHeaders: string[]
  /** The JSON text axios would send, if any. */
  body?: string
}

/**
 * The request sdkRequest would send, built and signed by the same SDK code
 * but handed to a stub axios adapter instead of the network. The endpoint
 * need not listen. Use it to send the request yourself with one header
 * changed.
 */
export async function sdkSignedHeaders(o: SdkRequestOptions): Promise<SignedRequest> {
  let captured: SignedRequest | undefined
  const adapter: Adapter = async (config) => {
    const headers = flatHeaders(config.headers)
    const query = stringify(config.params as Record<string, string>) // the SDK's paramsSerializer is querystring.stringify
    const signed = /SignedHeaders=([^,]*)/.exec(headers.Authorization ?? '')?.[1]
    captured = {
      method: (config.method ?? 'get').toUpperCase(),
      url: `${(config.baseURL ?? '').replace(/\/+$/, '')}${config.url ?? ''}${query ? `?${query}` : ''}`,
      headers,
      signedHeaders: signed === undefined ? [] : signed.split(';'),
      ...(typeof config.data === 'string' ? { body: config.data } : {}),
    }
    return { data: '', status: 200, statusText: 'OK', headers: {}, config, request: {} }
  }
  const { options } = observing({ adapter })
  await client(o.endpoint, credentials(o), options).sendRequest(requestOptions(o))
  if (captured === undefined) throw new Error('the SDK did not reach its HTTP adapter')
  return captured
}

export interface IamPasswordTokenOptions {
  endpoint: string
  user: string
  password: string
  domainName: string
  /** Project scope by id or name; with neither, the token is scoped to the domain (by name). */
  projectId?: string
  projectName?: string
}

export interface IamTokenResult extends SdkResult {
  /** X-Subject-Token as the SDK surfaces it: copied into the returned object under 'X-Subject-Token'. */
  token?: string
}

// IamClient's builder takes any credential (its default credentialType list is
// only used in an error message), but HcClient always signs: without an AK and
// SK, BaseCredentials.validateCredentials throws before sending. So the token
// request goes out AK/SK-signed with these dummy keys.
const IAM_DUMMY_AK = 'RESULTBOXDUMMYAK0000'
const IAM_DUMMY_SK = 'resultbox-dummy-sk-not-used-by-password-auth'

/** POST /v3/auth/tokens through IamClient.keystoneCreateUserTokenByPassword. */
export async function iamPasswordToken(o: IamPasswordTokenOptions): Promise<IamTokenResult> {
  const scope = new AuthScope()
  if (o.projectId !== undefined || o.projectName !== undefined) {
    const project = new AuthScopeProject()
    if (o.projectId !== undefined) project.withId(o.projectId)
    if (o.projectName !== undefined) project.withName(o.projectName)
    scope.withProject(project)
  } else {
    scope.withDomain(new AuthScopeDomain().withName(o.domainName))
  }
  const user = new PwdPasswordUser().withDomain(new PwdPasswordUserDomain().withName(o.domainName)).withName(o.user).withPassword(o.password)
  const request = new KeystoneCreateUserTokenByPasswordRequest().withBody(
    new KeystoneCreateUserTokenByPasswordRequestBody().withAuth(
      new PwdAuth().withIdentity(new PwdIdentity().withMethods(['password']).withPassword(new PwdPassword().withUser(user))).withScope(scope)))

  const { options, seen } = observing()
  const iam = IamClient.newBuilder()
    .withCredential(new GlobalCredentials().withAk(IAM_DUMMY_AK).withSk(IAM_DUMMY_SK))
    .withEndpoint(o.endpoint)
    .withOptions(options)
    .build()
  // The method sets options.responseHeaders = ['X-Subject-Token']; the HTTP
  // client copies that header into the (truthy, object) body it returns. The
  // result is the plain JSON object, not a Response instance, so the
  // xSubjectToken getter is absent: read the 'X-Subject-Token' key.
  const result = await settle(async () => ({ ...await iam.keystoneCreateUserTokenByPassword(request) }), seen)
  const token = result.sdk.outcome === 'returned' ? result.sdk.value['X-Subject-Token'] : undefined
  return typeof token === 'string' ? { ...result, token } : result
}

/** The slice of esdk-obs-nodejs' ObsClient we use (the package ships no types). */
interface ObsClient {
  util: { signatureContext: unknown }
  createSignedUrlSync(param: { Method?: string, Bucket?: string, Key?: string, Expires?: number }): {
    SignedUrl: string
    ActualSignedRequestHeaders: Headers
  }
}
type ObsClientConstructor = new (param: {
  access_key_id: string, secret_access_key: string, security_token?: string, server: string
}) => ObsClient
const ObsClientClass = createRequire(import.meta.url)('esdk-obs-nodejs') as ObsClientConstructor

export interface ObsSignedUrlOptions {
  ak: string
  sk: string
  securityToken?: string
  bucket: string
  key: string
  /** Seconds from now (real Date.now()). 0 or less: the SDK silently uses 300. */
  expires: number
  /** Default https://obs.cn-north-4.myhuaweicloud.com. An IPv4 address forces path style and AWS-style "v2" names. */
  server?: string
}

/**
 * A GET URL signed by ObsClient.createSignedUrlSync (V2 query-string auth:
 * base64 HMAC-SHA1 over "GET\n\n\n{Expires}\n/{bucket}/{encoded key}" and,
 * with a token, "?x-obs-security-token={token}"). For a host name it is
 * virtual-host style: https://{bucket}.{server}:443/{key}?AccessKeyId=..
 * &Expires=..[&x-obs-security-token=..]&Signature=..
 *
 * Async because ObsClient's constructor finishes its set-up (server,
 * signature type, port) after an await: called in the same tick,
 * createSignedUrlSync throws on a null signatureContext.
 */
export async function obsSignedUrl(o: ObsSignedUrlOptions): Promise<{ url: string, query: URLSearchParams }> {
  const obs = new ObsClientClass({
    access_key_id: o.ak,
    secret_access_key: o.sk,
    server: o.server ?? 'https://obs.cn-north-4.myhuaweicloud.com',
    ...(o.securityToken === undefined ? {} : { security_token: o.securityToken }),
  })
  await new Promise((resolve) => setImmediate(resolve))
  if (obs.util.signatureContext === null) throw new Error('ObsClient did not finish initialising')
  const { SignedUrl } = obs.createSignedUrlSync({ Method: 'GET', Bucket: o.bucket, Key: o.key, Expires: o.expires })
  return { url: SignedUrl, query: new URL(SignedUrl).searchParams }
}

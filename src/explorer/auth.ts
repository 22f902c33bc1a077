import { randomBytes } from 'node:crypto'
import { parseCookie } from 'cookie'
import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import type { SandboxClock } from '../clock.js'
import { explorerError } from './errors.js'
import type { ExplorerStore } from './store.js'

/**
 * The explorer_token the workflow API expects: from the cookie, as the
 * vendor's curl sends it, or from a header of that name, as its parameter
 * table lists it. The configured tokens never expire; a token issued by
 * POST /connect lives until its expiry on the sandbox clock. A missing,
 * unknown or expired token is a login-session error.
 */
/**
 * The explorer_token a request carries: its cookie, else a header of that name. Read here, not by a cookie
 * plugin's hooks on every request: this is the one cookie the API reads.
 */
export function explorerTokenOf(request: FastifyRequest): string | undefined {
  const fromHeader = request.headers.explorer_token
  const cookie = request.headers.cookie
  return (cookie ? parseCookie(cookie).explorer_token : undefined) ?? (Array.isArray(fromHeader) ? fromHeader[0] : fromHeader)
}

export function explorerTokenAuth(tokens: readonly string[], store: ExplorerStore, clock: SandboxClock): onRequestHookHandler {
  const accepted = new Set(tokens)
  return (request, _reply, done) => {
    const token = explorerTokenOf(request)
    if (token === undefined || token === '') throw explorerError('ErrSession', 'explorer_token is missing')
    if (accepted.has(token)) return done()
    const expiresAt = store.tokenExpiry(token)
    if (expiresAt === undefined || expiresAt <= clock.now()) throw explorerError('ErrSession', 'explorer_token is invalid or expired')
    done()
  }
}

/**
 * The password an account logs in with: the one nGQL gave it (ALTER USER through the console), else the
 * configured one (RESULTBOX_EXPLORER_ACCOUNTS); undefined for an account the sandbox does not have.
 */
export function accountPasswords(accounts: readonly { account: string; password: string }[], store: ExplorerStore) {
  const configured = new Map(accounts.map(({ account, password }) => [account, password]))
  return (account: string): string | undefined => store.passwordOf(account) ?? configured.get(account)
}

export interface Credentials {
  account: string
  password: string
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * The account in `Authorization: Bearer <base64>`: base64 of `account:password`
 * (older Explorer releases) or of `["account","password"]` (newer ones).
 * Any account with a password is let in: the sandbox has no graph to ask.
 */
export function connectCredentials(authorization: string | undefined): Credentials {
  const match = /^Bearer +(\S+)$/i.exec(authorization ?? '')
  if (!match) throw explorerError('ErrUnauthorized', 'Authorization must be Bearer <base64 of account and password>')
  const encoded = match[1] as string
  if (!BASE64.test(encoded)) throw explorerError('ErrUnauthorized', 'credentials are not base64')
  const text = Buffer.from(encoded, 'base64').toString('utf8')
  const credentials = text.startsWith('[') ? fromJson(text) : fromPair(text)
  if (!credentials) throw explorerError('ErrUnauthorized', 'credentials must be account:password or ["account","password"]')
  if (credentials.account === '' || credentials.password === '') throw explorerError('ErrUnauthorized', 'account and password must not be empty')
  return credentials
}

function fromPair(text: string): Credentials | undefined {
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { account: text.slice(0, colon), password: text.slice(colon + 1) }
}

function fromJson(text: string): Credentials | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((part) => typeof part === 'string')) return undefined
  return { account: value[0] as string, password: value[1] as string }
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/**
 * A new session token, shaped as the vendor's are (a JWT: the docs show
 * `eyJhbxxx`); the signature part is random, so every token is new. Nothing
 * reads the claims back: the store is what knows a token.
 */
export function issueToken(account: string, now: number, ttlSeconds: number): string {
  const issuedAt = Math.floor(now / 1000)
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const claims = base64url(JSON.stringify({ account, iat: issuedAt, exp: issuedAt + ttlSeconds }))
  return `${header}.${claims}.${randomBytes(32).toString('base64url')}`
}

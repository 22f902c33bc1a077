import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

/*
 * The independent contract check: resultbox runs as users run it (`node
 * dist/main.js`), Stoplight Prism stands in front of it as a validation proxy
 * reading the document resultbox serves, and a scripted client tours every
 * operation through the proxy. Nothing here imports resultbox's own code: what
 * is checked is what goes over the wire.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const MAIN = path.join(repoRoot, 'dist', 'resultbox.mjs')
// prism-cli's own bin, run with this node: a signal reaches prism itself, not a wrapper script.
const PRISM = path.join(repoRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js')

interface Teardown {
  teardown(fn: () => unknown): void
}

export interface Service {
  url: string
  /** The last 64 KiB the process wrote, for a failure's diagnostics. */
  output(): string
  stop(): Promise<void>
}

/**
 * Starts `node <args>`, killed at the test's teardown whatever happened, and
 * on this process's exit if the teardown never runs (a tap timeout).
 */
function launch(t: Teardown, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: string) => { output = (output + chunk).slice(-65_536) }
  child.stdout.setEncoding('utf8').on('data', keep)
  child.stderr.setEncoding('utf8').on('data', keep)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const killNow = () => { child.kill('SIGKILL') }
  process.once('exit', killNow)
  const stop = async () => {
    process.off('exit', killNow)
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(killNow, 3_000)
    await exited
    clearTimeout(timer)
  }
  t.teardown(stop)
  return { child, exited, output: () => output, stop }
}

/** Polls until `ready` says yes, failing early when the process has exited. */
async function waitFor(what: string, launched: ReturnType<typeof launch>, ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let gone = false
  void launched.exited.then(() => { gone = true })
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${what} exited before it was ready:\n${launched.output()}`)
    if (await ready().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${what} not ready in ${timeoutMs} ms:\n${launched.output()}`)
}

/** A port free on loopback right now (prism takes a port, not 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** resultbox on a port of its choosing, an in-memory store and the given settings; resolves once /ready answers 200. */
export async function startResultbox(t: Teardown, env: Record<string, string>): Promise<Service> {
  const launched = launch(t, [MAIN], { PORT: '0', HOST: '127.0.0.1', ...env })
  let url = ''
  await waitFor('resultbox', launched, async () => {
    url ||= /^resultbox listening at (http:\/\/\S+)$/m.exec(launched.output())?.[1] ?? ''
    return url !== '' && (await send(`${url}/_resultbox/ready`)).status === 200
  })
  return { url, output: launched.output, stop: launched.stop }
}

/**
 * `prism proxy <document> <upstream>` or `prism mock <document>`, on a free
 * loopback port; resolves once it answers. Another process may take the port
 * between freePort() and prism's listen: then prism exits, and a new port is tried.
 */
export async function startPrism(t: Teardown, mode: 'proxy' | 'mock', documentPath: string, upstream?: string): Promise<Service> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    // Without --errors (see the test's comment on why) and with request validation on: every request is forwarded
    // and both kinds of violation come back in the sl-violations header. CORS headers would only add noise.
    const args = [PRISM, mode, documentPath, ...(upstream ? [upstream] : []), '--port', String(port), '--host', '127.0.0.1', '--cors=false', '-v', 'warn']
    const launched = launch(t, args, {})
    try {
      await waitFor(`prism ${mode}`, launched, async () => (await send(`${url}/_resultbox/health`)).status === 200)
      return { url, output: launched.output, stop: launched.stop }
    } catch (error) {
      await launched.stop()
      if (attempt === 3 || !/EADDRINUSE/.test(launched.output())) throw error
    }
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** What runs while a streamed answer is open: it can read what has arrived so far, and must make the stream end. */
export type WhileOpen = (received: () => string) => Promise<unknown>

/**
 * One HTTP exchange, on a fresh connection, bytes as given. `whileOpen`, if given, runs once the
 * answer's headers have arrived and before its body is complete (what ends a stream: its stop).
 */
export function send(
  url: string, options: { method?: Method; headers?: Record<string, string>; body?: string | Buffer; whileOpen?: WhileOpen } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body)
    const headers = { ...options.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) }
    const request = http.request(url, { method: options.method ?? 'GET', headers, agent: false, timeout: 15_000 }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      const ended = new Promise<void>((done) => response.on('end', done))
      response.on('error', reject)
      Promise.all([ended, options.whileOpen?.(() => Buffer.concat(chunks).toString('utf8'))])
        .then(() => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }), reject)
    })
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} in 15 s`)))
    request.on('error', reject)
    request.end(body)
  })
}

/** A violation as prism reports it in sl-violations: where (request… or response…), how bad, what. */
export interface Violation {
  location: string[]
  severity: string
  code?: string | number
  message: string
}

/** The sl-violations header; prism cuts it short past 8 KiB ("Too many violations! …"), which is kept as one unplaced violation. */
export function parseViolations(header: string | string[] | undefined): Violation[] {
  if (header === undefined) return []
  const text = Array.isArray(header) ? header.join(',') : header
  try {
    return JSON.parse(text) as Violation[]
  } catch {
    return [{ location: ['unparsed'], severity: 'Error', message: text }]
  }
}

export const isResponseViolation = (violation: Violation) => violation.location[0] !== 'request'

interface DocumentOperation {
  operationId: string
  method: Method
  template: string
  pattern: RegExp
  tag: string
  statuses: string[]
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses?: Record<string, { content?: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }> }>>
}

/** The document's operations, found by method and concrete path as a router would. */
export class OperationIndex {
  readonly operations: DocumentOperation[] = []

  constructor(readonly document: OpenApiDocument) {
    for (const [template, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const source = template.split(/\{[^}]+\}/).map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')
        this.operations.push({
          operationId: operation.operationId ?? `${method} ${template}`,
          method: method.toUpperCase() as Method,
          template,
          pattern: new RegExp(`^${source}$`),
          tag: operation.tags?.[0] ?? '',
          statuses: Object.keys(operation.responses ?? {}),
        })
      }
    }
  }

  find(method: Method, url: string): DocumentOperation | undefined {
    const pathname = url.split('?')[0] as string
    // A literal path wins over a template that also matches it, as in any router.
    const matching = this.operations.filter((operation) => operation.method === method && operation.pattern.test(pathname))
    return matching.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0))[0]
  }
}

interface PrismDiagnostic {
  path?: Array<string | number>
  code?: string | number
  message: string
  severity: number
}

type Either<L, R> = { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R }

interface PrismHttp {
  getHttpOperationsFromSpec(document: string): Promise<Array<{ method: string; path: string }>>
}

interface PrismValidator {
  validateOutput(input: { resource: unknown; element: { statusCode: number; headers: Record<string, string>; body: unknown } }): Either<PrismDiagnostic[], unknown>
}

const SEVERITY = ['Error', 'Warning', 'Information', 'Hint']

/**
 * Prism's own response validator (the function its proxy calls), for the few
 * answers that cannot pass through the proxy. Loaded from the copy prism-cli uses.
 */
export async function prismValidator(documentPath: string) {
  const fromCli = createRequire(path.join(path.dirname(PRISM), 'index.js'))
  const prismHttp = fromCli('@stoplight/prism-http') as PrismHttp
  const { validateOutput } = createRequire(fromCli.resolve('@stoplight/prism-http'))('./validator/index.js') as PrismValidator
  const resources = await prismHttp.getHttpOperationsFromSpec(documentPath)
  return (operation: { method: Method; template: string }, reply: { status: number; headers: IncomingHttpHeaders; body: unknown }): Violation[] => {
    const resource = resources.find((candidate) => candidate.method === operation.method.toLowerCase() && candidate.path === operation.template)
    if (!resource) throw new Error(`prism knows no ${operation.method} ${operation.template}`)
    const headers = Object.fromEntries(Object.entries(reply.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]))
    const result = validateOutput({ resource, element: { statusCode: reply.status, headers, body: reply.body } })
    if (result._tag === 'Right') return []
    return result.left.map((diagnostic) => ({
      location: ['response', ...(diagnostic.path ?? []).map(String)],
      severity: SEVERITY[diagnostic.severity] ?? String(diagnostic.severity),
      ...(diagnostic.code === undefined ? {} : { code: diagnostic.code }),
      message: diagnostic.message,
    }))
  }
}

/** A body as the proxy hands it to its validator: parsed when it is JSON. */
export function bodyOf(reply: Reply): unknown {
  const text = reply.body.toString('utf8')
  if (/^application\/(.+\+)?json\b/.test(String(reply.headers['content-type'] ?? '')) && text !== '') return JSON.parse(text)
  return text
}

export interface Step {
  method: Method
  /** Path and query, as the client sends them. */
  path: string
  headers?: Record<string, string>
  /**
   * A JSON body, sent as JSON.stringify writes it: prism re-serialises a JSON body
   * and forwards it with the client's content-length, so only compact JSON survives.
   */
  json?: unknown
  /** A body as it stands; give its content-type in headers. */
  body?: string
  /** The status resultbox must answer. */
  status: number
  /** Why this request breaks the document on purpose: prism's request violations are expected, not a failure. */
  invalid?: string
  /**
   * Why this request bypasses the proxy: prism's server parses a JSON body before
   * forwarding it and answers a syntax error itself (400 invalid_json), so such a
   * body never reaches resultbox through it. The answer is checked with prism's
   * own validator instead.
   */
  direct?: string
}

export interface Answer {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json<T = any>(): T
  violations: Violation[]
}

export interface Visit {
  operationId: string
  tag: string
  status: number
  method: Method
  path: string
  via: 'proxy' | 'direct'
  violations: Violation[]
}

/** A violation the lead knows of and will fix: reported, not failing, until it is removed from the list. */
export interface Allowance {
  operationId: string
  status?: number
  location: 'request' | 'response'
  message: RegExp
  why: string
}

export function allowanceFor(allowances: Allowance[], operationId: string, status: number, violation: Violation): Allowance | undefined {
  const location = isResponseViolation(violation) ? 'response' : 'request'
  return allowances.find((candidate) =>
    candidate.operationId === operationId && candidate.location === location &&
    (candidate.status === undefined || candidate.status === status) && candidate.message.test(violation.message))
}

/**
 * The client that tours the API through the proxy. Each step asserts its
 * status, that the answer is resultbox's (not one prism made up), that it has
 * no response violation, and, unless the step is invalid on purpose, no
 * request violation either: the document must accept what a real client sends.
 */
export class Tour {
  readonly visits: Visit[] = []
  readonly allowed: Array<{ allowance: Allowance; visit: Visit; violation: Violation }> = []

  constructor(
    readonly t: Test,
    private readonly proxyUrl: string,
    private readonly upstreamUrl: string,
    readonly index: OperationIndex,
    private readonly validate: Awaited<ReturnType<typeof prismValidator>>,
    private readonly allowances: Allowance[] = [],
  ) {}

  /**
   * Sends one step. `whileOpen` is for an answer that is a stream (Server-Sent Events): it runs once
   * the headers have arrived and must make the stream end. Such a step goes around the proxy, which
   * would hold the whole answer until its end.
   */
  async send(step: Step, whileOpen?: WhileOpen): Promise<Answer> {
    const { t } = this
    const operation = this.index.find(step.method, step.path)
    if (!operation) throw new Error(`the document has no operation for ${step.method} ${step.path}`)
    if (whileOpen && !step.direct) throw new Error(`${operation.operationId}: a stream is read around the proxy (say why in direct)`)
    const name = `${operation.operationId} ${step.method} ${step.path} → ${step.status}`
    const headers = { ...(step.json === undefined ? {} : { 'content-type': 'application/json' }), ...step.headers }
    const body = step.json === undefined ? step.body : JSON.stringify(step.json)
    const via = step.direct ? 'direct' : 'proxy'
    const reply = await send(`${via === 'direct' ? this.upstreamUrl : this.proxyUrl}${step.path}`, { method: step.method, headers, body, ...(whileOpen ? { whileOpen } : {}) })
    const text = reply.body.toString('utf8')

    let violations: Violation[]
    if (via === 'proxy') {
      violations = parseViolations(reply.headers['sl-violations'])
      // Prism's own errors (an upstream it cannot reach, a body it cannot forward) come as problem+json.
      t.notMatch(String(reply.headers['content-type']), /^application\/problem\+json/, `${name}: answered by resultbox, not by prism: ${text.slice(0, 300)}`)
    } else {
      violations = this.validate(operation, { status: reply.status, headers: reply.headers, body: bodyOf(reply) })
    }
    const visit: Visit = { operationId: operation.operationId, tag: operation.tag, status: reply.status, method: step.method, path: step.path, via, violations }
    this.visits.push(visit)

    t.equal(reply.status, step.status, `${name}: status (${text.slice(0, 200)})`)
    const failing = violations.filter((violation) => {
      if (!isResponseViolation(violation) && step.invalid) return false
      const allowance = allowanceFor(this.allowances, operation.operationId, reply.status, violation)
      if (allowance) this.allowed.push({ allowance, visit, violation })
      return !allowance
    })
    t.strictSame(failing, [], `${name}: no violation${step.invalid ? ' in the response' : ''}`)

    return {
      status: reply.status,
      headers: reply.headers,
      text,
      json: () => JSON.parse(text),
      violations,
    }
  }

  /** Every (operationId, status) the document lists, and which of them the tour reached (with other tours' visits, of sandboxes set otherwise). */
  coverage(others: readonly Tour[] = []) {
    const visits = [...this.visits, ...others.flatMap((other) => other.visits)]
    const documented = this.index.operations.flatMap((operation) => operation.statuses.map((status) => `${operation.operationId} ${status}`))
    const reached = new Set(visits.map((visit) => `${visit.operationId} ${visit.status}`))
    return {
      documented,
      reached: [...reached],
      unreached: documented.filter((pair) => !reached.has(pair)),
      undocumented: [...reached].filter((pair) => !documented.includes(pair)),
      operationsUnvisited: this.index.operations.map((operation) => operation.operationId).filter((id) => !visits.some((visit) => visit.operationId === id)),
    }
  }
}

/** The document resultbox serves, saved for prism (which wants a file, and watches it). */
export async function saveDocument(t: Teardown, url: string): Promise<{ documentPath: string; document: OpenApiDocument }> {
  const reply = await send(`${url}/_resultbox/openapi.json`)
  if (reply.status !== 200) throw new Error(`GET /_resultbox/openapi.json: ${reply.status} ${reply.body.toString('utf8')}`)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resultbox-prism-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const documentPath = path.join(dir, 'openapi.json')
  fs.writeFileSync(documentPath, reply.body)
  return { documentPath, document: JSON.parse(reply.body.toString('utf8')) as OpenApiDocument }
}

export type Part = { name: string; value: string } | { name: string; filename: string; content: string }

/** A multipart/form-data body written by hand, text only: prism's server reads a non-JSON body as UTF-8 text before forwarding it. */
export function form(parts: Part[]): { body: string; headers: Record<string, string> } {
  const boundary = '----resultboxTour7MA4YWxkTrZu0gW'
  const body = parts.map((part) => 'filename' in part
    ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/csv\r\n\r\n${part.content}\r\n`
    : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`).join('') + `--${boundary}--\r\n`
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { SandboxClock } from '../clock.js'
import { ConfigError, loadConfig, type Config, type SettingName } from '../config.js'
import { ControlError } from '../control/schemas.js'
import { collectGarbage } from '../memory.js'
import { SANDBOXES_PREFIX, sandboxTarget } from './paths.js'
import { WORLD_SETTINGS, bodyNameOf, type SandboxBody } from './schemas.js'

/** How long a drop waits for a sandbox's requests in flight to end before its store closes under them. */
export const DROP_DRAIN_MS = 5000

/** What the registry asks of the composition root: a whole world, built as buildApp builds the server's. */
export type WorldBuilder = (world: {
  name: string
  basePath: string
  config: Config
  clock: SandboxClock
  /** Resolves once no request of this world is in flight; its store closes after it. */
  drained: () => Promise<void>
  /** Told of each request its own port receives (the prefix's are counted by the dispatcher). */
  arrived: (response: ServerResponse) => void
}) => Promise<FastifyInstance>

/**
 * One named sandbox: a world of its own (store, clock, timed work, faults, journal, sessions, streams), built
 * by buildApp, reached under `/sandboxes/{name}` on the server's port and, when asked, on a port of its own.
 * It counts its requests, and when it was last used, in real time: what expires an unused sandbox is the
 * time a CI run takes, not its sandbox clock.
 */
export class NamedSandbox {
  requests = 0
  lastUsedAt: number
  port: number | null = null
  private inFlight = 0
  private waiters: Array<() => void> = []

  constructor(
    readonly name: string,
    readonly app: FastifyInstance,
    readonly fixtures: 'default' | 'none',
    /** What the body set, by the body's names. */
    readonly settings: Readonly<Record<string, unknown>>,
    readonly createdAt: number,
    private readonly realNow: () => number,
  ) {
    this.lastUsedAt = createdAt
  }

  get basePath(): string {
    return `${SANDBOXES_PREFIX}/${this.name}`
  }

  /** A request that came under the prefix, `url` already the sandbox's own path: to its world's handler. */
  serve(request: IncomingMessage, response: ServerResponse): void {
    this.arrived(response)
    this.app.resultbox.answer(request, response)
  }

  /**
   * Counted for every request, by the prefix or the port, until its answer has gone (or its client has).
   * `on`, not `once`: a response closes once, and a shared listener allocates nothing per request.
   */
  arrived(response: ServerResponse): void {
    this.requests += 1
    this.inFlight += 1
    response.on('close', this.left)
  }

  /**
   * Its last use is when its last request in flight ended: while one is in flight it is busy, never idle. The
   * time is read only then (a clock read per answer showed in profiles of this machine's VM).
   */
  private readonly left = () => {
    this.inFlight -= 1
    if (this.inFlight !== 0) return
    this.lastUsedAt = this.realNow()
    if (this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake()
  }

  /** Whether it is serving now: an open stream is use, however long ago it began. */
  get busy(): boolean {
    return this.inFlight > 0
  }

  /** Resolves once nothing is in flight, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      timer.unref()
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}

export interface SandboxRegistryOptions {
  /** The server's configuration: a sandbox's is the same but for its body, its store (memory) and its fixtures. */
  config: Config
  build: WorldBuilder
  log: FastifyBaseLogger
  /** Real time, for creation, last use and idle expiry; injectable for tests. */
  realNow?: () => number
}

/**
 * The named sandboxes of one server, by name: each created by PUT /_resultbox/sandboxes/{name}, dropped by
 * DELETE or when unused for RESULTBOX_SANDBOX_IDLE_SECONDS of real time. LocalStack keeps a store per
 * account and region; here each name has a whole world, its own clock included.
 */
export class SandboxRegistry {
  private readonly sandboxes = new Map<string, NamedSandbox>()
  /** Those being built: a second PUT of the same name waits for the first rather than build twice. */
  private readonly pending = new Map<string, Promise<NamedSandbox>>()
  private readonly realNow: () => number
  private sweeper: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly options: SandboxRegistryOptions) {
    this.realNow = options.realNow ?? Date.now
  }

  get max(): number {
    return this.options.config.sandboxes.max
  }

  get(name: string): NamedSandbox | undefined {
    return this.sandboxes.get(name)
  }

  /** By name. */
  list(): NamedSandbox[] {
    return [...this.sandboxes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** The real time an unused sandbox is dropped at; null when sandboxes never expire. */
  expiresAt(sandbox: NamedSandbox): number | null {
    const { idleSeconds } = this.options.config.sandboxes
    return idleSeconds === 0 ? null : sandbox.lastUsedAt + idleSeconds * 1000
  }

  /**
   * The server port's request handler: a request under `/sandboxes/{name}` for a sandbox that exists goes to
   * it, with the prefix taken off its `url`; anything else to the server's own world, whose `/sandboxes`
   * routes answer for a name that names none.
   */
  dispatcher(own: (request: IncomingMessage, response: ServerResponse) => void): (request: IncomingMessage, response: ServerResponse) => void {
    return (request, response) => {
      const target = sandboxTarget(request.url ?? '/')
      const sandbox = target === null ? undefined : this.sandboxes.get(target.name)
      if (sandbox === undefined || target === null) return own(request, response)
      // Only the URL changes: the sandbox tells a prefixed request by the port it came in on (request-base.ts).
      request.url = target.rest
      sandbox.serve(request, response)
    }
  }

  /** The sandbox of that name, made from `body` unless it exists (then `body` is not read). */
  async create(name: string, body: SandboxBody): Promise<{ sandbox: NamedSandbox; created: boolean }> {
    // One being made of that name is given back once made; if its making failed, this body makes it anew.
    const existing = this.sandboxes.get(name) ?? (await this.pending.get(name)?.catch(() => undefined))
    if (existing !== undefined && this.sandboxes.get(name) === existing) return { sandbox: existing, created: false }
    if (this.closed) throw new ControlError(503, 'closing', 'the server is closing')
    if (this.sandboxes.size + this.pending.size >= this.max) {
      throw new ControlError(429, 'too_many_sandboxes', `${this.sandboxes.size + this.pending.size} sandboxes exist, the most RESULTBOX_SANDBOXES_MAX allows (${this.max}); DELETE /_resultbox/sandboxes/{name} drops one, and one unused for RESULTBOX_SANDBOX_IDLE_SECONDS goes by itself`)
    }
    const config = this.worldConfig(body)
    const port = body.port ?? null
    this.checkPort(port)
    const building = this.build(name, config, body, port)
    this.pending.set(name, building)
    try {
      const sandbox = await building
      this.sandboxes.set(name, sandbox)
      this.ensureSweeping()
      this.options.log.info({ sandbox: name, port: sandbox.port }, 'sandbox created')
      return { sandbox, created: true }
    } finally {
      this.pending.delete(name)
    }
  }

  /** Drops it: no new request reaches it, its streams end, its port closes, its store goes. False: none of that name. */
  async drop(name: string): Promise<boolean> {
    const sandbox = this.sandboxes.get(name)
    if (sandbox === undefined) return false
    this.sandboxes.delete(name)
    await sandbox.app.close()
    this.options.log.info({ sandbox: name, requests: sandbox.requests }, 'sandbox dropped')
    collectGarbage()
    return true
  }

  /** Drops those unused for the idle time: none while a request (an SSE stream) is in flight. */
  async sweep(): Promise<string[]> {
    const now = this.realNow()
    const expired = [...this.sandboxes.values()].filter((sandbox) => {
      const at = this.expiresAt(sandbox)
      return at !== null && at <= now && !sandbox.busy
    })
    await Promise.all(expired.map((sandbox) => this.drop(sandbox.name)))
    return expired.map((sandbox) => sandbox.name)
  }

  /** The server is closing: every sandbox goes with it. */
  async closeAll(): Promise<void> {
    this.closed = true
    if (this.sweeper !== null) clearInterval(this.sweeper)
    this.sweeper = null
    await Promise.allSettled([...this.pending.values()])
    await Promise.all([...this.sandboxes.keys()].map((name) => this.drop(name)))
  }

  private ensureSweeping(): void {
    const { idleSeconds } = this.options.config.sandboxes
    if (this.sweeper !== null || idleSeconds === 0) return
    // Real time, a look at most every minute; unref'd, so a sandbox never holds the process open.
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) => this.options.log.error({ err: error }, 'dropping idle sandboxes failed'))
    }, Math.min(60_000, Math.max(250, (idleSeconds * 1000) / 4)))
    this.sweeper.unref()
  }

  /** The server's settings as given, then the body's; its store in memory and its own fixtures. */
  private worldConfig(body: SandboxBody): Config {
    const server = this.options.config
    const environment: Record<string, string> = { ...server.given }
    for (const name of WORLD_SETTINGS) {
      const value = body.settings?.[bodyNameOf(name)]
      if (value !== undefined) environment[name] = String(value)
    }
    Object.assign(environment, {
      RESULTBOX_DB: ':memory:',
      RESULTBOX_FIXTURES: server.fixturesDir,
      RESULTBOX_FIXTURE_SCALE: body.fixtures ?? 'default',
      RESULTBOX_CLOCK_START: '',
    })
    try {
      return loadConfig(environment)
    } catch (error) {
      // The schema let it through, the parser did not (a rule across values): name the body's field.
      if (error instanceof ConfigError) {
        const field = `/settings/${bodyNameOf(error.variable as SettingName)}`
        throw new ControlError(400, 'invalid_request', `body${field} ${error.message}`, field)
      }
      throw error
    }
  }

  private checkPort(port: number | null): void {
    const range = this.options.config.sandboxes.ports
    if (port === null || port === 0 || range === null) return
    if (port < range.from || port > range.to) {
      throw new ControlError(400, 'invalid_request', `body/port ${port} is outside RESULTBOX_SANDBOX_PORTS (${range.from}-${range.to})`, '/port')
    }
  }

  private async build(name: string, config: Config, body: SandboxBody, port: number | null): Promise<NamedSandbox> {
    const start = body.clock?.start === undefined ? this.realNow() : Date.parse(body.clock.start)
    const clock = new SandboxClock({ start, speed: body.clock?.speed ?? this.options.config.clock.speed, frozen: body.clock?.frozen ?? false })
    const settings = Object.fromEntries(Object.entries(body.settings ?? {}).filter(([, value]) => value !== undefined))
    let sandbox: NamedSandbox | undefined
    const app = await this.options.build({
      name,
      basePath: `${SANDBOXES_PREFIX}/${name}`,
      config,
      clock,
      drained: () => sandbox?.drained(DROP_DRAIN_MS) ?? Promise.resolve(),
      arrived: (response) => sandbox?.arrived(response),
    })
    sandbox = new NamedSandbox(name, app, body.fixtures ?? 'default', settings, this.realNow(), this.realNow)
    try {
      await app.ready()
      if (port !== null) {
        sandbox.port = await this.listen(app, port)
        app.resultbox.reached.ownPort = sandbox.port
      }
    } catch (error) {
      await app.close()
      throw error
    }
    return sandbox
  }

  /** Listens on `port`, or for 0 on a free one (the first free of the range, when one is set). */
  private async listen(app: FastifyInstance, port: number): Promise<number> {
    const { host, sandboxes: { ports: range } } = this.options.config
    const taken = new Set([...this.sandboxes.values()].map((sandbox) => sandbox.port))
    const candidates = port !== 0 ? [port] : range === null ? [0] : Array.from({ length: range.to - range.from + 1 }, (_, index) => range.from + index).filter((candidate) => !taken.has(candidate))
    for (const candidate of candidates) {
      try {
        await app.listen({ port: candidate, host })
        const address = app.server.address()
        return typeof address === 'object' && address !== null ? address.port : candidate
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (error as NodeJS.ErrnoException).code !== 'EACCES') throw error
        if (port !== 0) throw new ControlError(409, 'port_taken', `port ${port} is taken (${(error as NodeJS.ErrnoException).code})`, '/port')
      }
    }
    throw new ControlError(409, 'no_free_port', `no port of RESULTBOX_SANDBOX_PORTS (${range?.from}-${range?.to}) is free`, '/port')
  }
}

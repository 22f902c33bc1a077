import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'

type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>
type Bindings = Parameters<ChildLoggerFactory>[1]
type ChildLoggerOptions = Parameters<ChildLoggerFactory>[2]

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'
type Log = (...args: unknown[]) => void

/** What pino adds to Fastify's logger type: whether a level would be written. */
interface LevelAware {
  isLevelEnabled(level: string): boolean
}

const levelAware = (logger: FastifyBaseLogger): logger is FastifyBaseLogger & LevelAware =>
  typeof (logger as Partial<LevelAware>).isLevelEnabled === 'function'

/**
 * A request's logger that makes its pino child (the one carrying `reqId`) only once the request logs at a
 * level that is written. Fastify makes a child for every request; at `warn` (the embedded sandbox's level,
 * and what the benchmark runs) almost no request logs anything, and making children was about a tenth of
 * answering a cached result. Until then, the level and whether to write are the parent's.
 */
class RequestLogger {
  #child: FastifyBaseLogger | undefined

  constructor(
    private readonly parent: FastifyBaseLogger & LevelAware,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private made(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options)
    return this.#child
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level
  }

  set level(level: string) {
    this.made().level = level
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.made().child(bindings, options)
  }

  private write(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return
    ;(this.made()[level] as Log)(...args)
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args)
  }

  error(...args: unknown[]): void {
    this.write('error', args)
  }

  warn(...args: unknown[]): void {
    this.write('warn', args)
  }

  info(...args: unknown[]): void {
    this.write('info', args)
  }

  debug(...args: unknown[]): void {
    this.write('debug', args)
  }

  trace(...args: unknown[]): void {
    this.write('trace', args)
  }

  silent(): void {}
}

/**
 * Fastify's `childLoggerFactory`: a request logger that is made when first written to. A route's own log
 * options (its level or serializers, which Fastify passes here) or a logger that cannot say which levels it
 * writes get the child at once, as Fastify's default factory makes it.
 */
export function requestLoggerFactory(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  if (Object.keys(options).length > 0 || !levelAware(logger)) return logger.child(bindings, options)
  return new RequestLogger(logger, bindings, options) as unknown as FastifyBaseLogger
}

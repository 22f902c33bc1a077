import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Where resultbox is installed: default fixtures and migrations ship beside dist/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

const TokenList = (description: string) =>
  Type.String({ pattern: '^[^,\\s]+(,[^,\\s]+)*$', default: 'resultbox', description })

/**
 * Every setting, as the environment spells it. The README's configuration
 * table mirrors this schema; the defaults are what `npm start` runs with.
 */
export const EnvironmentSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  RESULTBOX_DB: Type.String({ minLength: 1, default: 'data/resultbox.sqlite' }),
  RESULTBOX_FIXTURES: Type.String({ minLength: 1, default: path.join(packageRoot, 'fixtures') }),
  RESULTBOX_CLOCK_SPEED: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, default: 1 }),
  RESULTBOX_CLOCK_START: Type.String({ default: '' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  RESULTBOX_PRPM_TOKENS: TokenList('accepted PrPM Bearer tokens'),
  RESULTBOX_PRPM_ONE_SHOT_READ: Type.Boolean({ default: true }),
  RESULTBOX_PRPM_RESULT_TTL_SECONDS: Type.Integer({ minimum: 0, default: 1800 }),
  RESULTBOX_EXPLORER_TOKENS: TokenList('accepted explorer_token values'),
  RESULTBOX_MODELARTS_TOKENS: Type.String({
    pattern: '^[^,\\s=]+(=[^,\\s=]+)?(,[^,\\s=]+(=[^,\\s=]+)?)*$',
    default: 'resultbox',
  }),
  RESULTBOX_MODELARTS_REGION: Type.String({ pattern: '^[a-z0-9-]+$', default: 'cn-north-4' }),
  RESULTBOX_MODELARTS_URL_TTL_SECONDS: Type.Integer({ minimum: 1, default: 3600 }),
})

export interface ModelArtsToken {
  token: string
  /** The one project the token is scoped to, as an IAM project token is; null covers every project. */
  projectId: string | null
}

export interface Config {
  port: number
  host: string
  dbPath: string
  fixturesDir: string
  clock: { speed: number; start: number | null }
  logLevel: string
  prpm: { tokens: string[]; oneShotRead: boolean; resultTtlSeconds: number }
  explorer: { tokens: string[] }
  modelarts: { tokens: ModelArtsToken[]; region: string; signedUrlTtlSeconds: number }
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`)
    this.name = 'ConfigError'
  }
}

type Environment = Static<typeof EnvironmentSchema>

/** Reads the settings from an environment-like record; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const given: Record<string, string> = {}
  for (const name of Object.keys(EnvironmentSchema.properties)) {
    const raw = env[name]
    if (raw !== undefined && raw !== '') given[name] = raw.trim()
  }
  const invalid = (variable: string, detail: string) =>
    new ConfigError(variable, `${JSON.stringify(given[variable] ?? null)} is not valid (${detail})`)
  // TypeBox's conversion would quietly truncate "80.5" to 80: integers must be written as integers.
  for (const [name, schema] of Object.entries(EnvironmentSchema.properties)) {
    const raw = given[name]
    if (raw !== undefined && schema.type === 'integer' && !/^[+-]?\d+$/.test(raw)) throw invalid(name, 'expected integer')
  }
  const converted = Value.Convert(EnvironmentSchema, Value.Default(EnvironmentSchema, { ...given }))
  const first = Value.Errors(EnvironmentSchema, converted).First()
  if (first) throw invalid(first.path.replace(/^\//, ''), first.message.toLowerCase())
  const values = converted as Environment

  let clockStart: number | null = null
  if (values.RESULTBOX_CLOCK_START !== '') {
    clockStart = Date.parse(values.RESULTBOX_CLOCK_START)
    if (Number.isNaN(clockStart)) {
      throw new ConfigError('RESULTBOX_CLOCK_START', `${JSON.stringify(values.RESULTBOX_CLOCK_START)} is not an ISO 8601 date-time`)
    }
  }

  return {
    port: values.PORT,
    host: values.HOST,
    dbPath: values.RESULTBOX_DB,
    fixturesDir: values.RESULTBOX_FIXTURES,
    clock: { speed: values.RESULTBOX_CLOCK_SPEED, start: clockStart },
    logLevel: values.LOG_LEVEL,
    prpm: {
      tokens: values.RESULTBOX_PRPM_TOKENS.split(','),
      oneShotRead: values.RESULTBOX_PRPM_ONE_SHOT_READ,
      resultTtlSeconds: values.RESULTBOX_PRPM_RESULT_TTL_SECONDS,
    },
    explorer: { tokens: values.RESULTBOX_EXPLORER_TOKENS.split(',') },
    modelarts: {
      tokens: values.RESULTBOX_MODELARTS_TOKENS.split(',').map((entry) => {
        const [token = '', projectId] = entry.split('=')
        return { token, projectId: projectId ?? null }
      }),
      region: values.RESULTBOX_MODELARTS_REGION,
      signedUrlTtlSeconds: values.RESULTBOX_MODELARTS_URL_TTL_SECONDS,
    },
  }
}

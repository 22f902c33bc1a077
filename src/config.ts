import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Where resultbox is installed: default fixtures and migrations ship beside dist/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** resultbox's own version, from its package.json. */
export function version(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
  return manifest.version
}

const TokenList = (description: string) =>
  Type.String({ pattern: '^[^,\\s]+(,[^,\\s]+)*$', default: 'resultbox', description })

/**
 * Every setting, as the environment spells it: the command line's flags, the
 * programmatic API's options and the README's table all come from this one
 * schema; the defaults are what `npm start` runs with.
 */
export const EnvironmentSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port; 0 picks a free one' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address to listen on (0.0.0.0 in a container)' }),
  RESULTBOX_DB: Type.String({
    minLength: 1,
    default: 'data/resultbox.sqlite',
    description: 'the SQLite store file (its folder is created), or :memory:',
  }),
  RESULTBOX_FIXTURES: Type.String({
    minLength: 1,
    default: path.join(packageRoot, 'fixtures'),
    description: 'folder of prpm.json, explorer.json and modelarts.json that seed a new store',
  }),
  RESULTBOX_FIXTURE_SCALE: Type.Union([Type.Literal('default'), Type.Literal('large'), Type.Literal('none')], {
    default: 'default',
    description: 'large: a new store, and a reset, also get the generated large set (PrPM BPIC2012, Explorer job 2012001, ModelArts BenchVersion100k); none: they get nothing',
  }),
  RESULTBOX_CLOCK_SPEED: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1_000_000,
    default: 1,
    description: 'sandbox seconds per real second',
  }),
  RESULTBOX_CLOCK_START: Type.String({ default: '', description: 'ISO 8601 time the sandbox clock starts at; unset: now, or where a restarted store left it' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info', description: 'pino log level' },
  ),
  RESULTBOX_PRPM_TOKENS: TokenList('comma-separated Bearer tokens PrPM accepts'),
  RESULTBOX_PRPM_ONE_SHOT_READ: Type.Boolean({ default: true, description: 'delete a complete result once read, as PrCore does' }),
  RESULTBOX_PRPM_RESULT_TTL_SECONDS: Type.Integer({
    minimum: 0,
    default: 1800,
    description: 'drop a result this long after upload (0: never)',
  }),
  RESULTBOX_PRPM_PREPROCESSING_SECONDS: Type.Number({
    minimum: 0,
    maximum: 86_400,
    default: 35,
    description: 'sandbox seconds a new project spends in PREPROCESSING (BPIC 2012 on the real service: about 35)',
  }),
  RESULTBOX_PRPM_TRAINING_SECONDS: Type.Number({
    minimum: 0,
    maximum: 86_400,
    default: 7,
    description: 'sandbox seconds a new project spends in TRAINING (BPIC 2012 on the real service: about 7)',
  }),
  RESULTBOX_PRPM_PRESCRIPTION_SECONDS: Type.Number({
    minimum: 0,
    maximum: 86_400,
    default: 1,
    description: 'sandbox seconds from a streamed event to its plugins\' prescriptions (a frozen clock holds them)',
  }),
  RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS: Type.Number({
    minimum: 0.001,
    maximum: 86_400,
    default: 5,
    description: 'sandbox seconds between the simulator\'s events (PrCore\'s SIMULATION_INTERVAL; its example.env: 5)',
  }),
  RESULTBOX_PRPM_STREAM_POLL_MS: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1000,
    description: 'real milliseconds between an SSE reader\'s looks at its stream (PrCore: 1 s); pings every 15 of them',
  }),
  RESULTBOX_PRPM_REUPLOAD_ANSWER: Type.Union([Type.Literal('faithful'), Type.Literal('intended')], {
    default: 'faithful',
    description: 'PUT /event_log/{id}/upload answers as PrCore does (faithful: 400 after taking effect) or as it means to (intended: 200)',
  }),
  RESULTBOX_EXPLORER_TOKENS: TokenList('comma-separated explorer_token values Explorer accepts'),
  RESULTBOX_EXPLORER_ACCOUNTS: Type.String({
    pattern: '^[^,\\s:]+:[^,\\s]+(,[^,\\s:]+:[^,\\s]+)*$',
    default: 'root:nebula',
    description: 'comma-separated account:password pairs POST /api-nebula/db/connect and /api-open/v1/connect accept (NebulaGraph\'s default: root:nebula)',
  }),
  RESULTBOX_MODELARTS_TOKENS: Type.String({
    pattern: '^[^,\\s=]+(=[^,\\s=]+)?(,[^,\\s=]+(=[^,\\s=]+)?)*$',
    default: 'resultbox',
    description: 'comma-separated X-Auth-Token values; token=project_id scopes one to a project',
  }),
  RESULTBOX_MODELARTS_ACCESS_KEYS: Type.String({
    pattern: '^[^,\\s:=]+:[^,\\s=]+(=[^,\\s=]+)?(,[^,\\s:=]+:[^,\\s=]+(=[^,\\s=]+)?)*$',
    default: 'RESULTBOXSANDBOXAK01:resultbox',
    description: 'comma-separated AK:SK pairs whose SDK-HMAC-SHA256 signatures ModelArts accepts; AK:SK=project_id scopes one to a project; the first also signs OBS URLs',
  }),
  RESULTBOX_MODELARTS_IAM_USERS: Type.String({
    pattern: '^[^,\\s:]+:[^,\\s]+(,[^,\\s:]+:[^,\\s]+)*$',
    default: 'resultbox:resultbox',
    description: 'comma-separated user:password pairs POST /v3/auth/tokens accepts (any domain name)',
  }),
  RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 31_536_000,
    default: 86_400,
    description: 'an IAM token from POST /v3/auth/tokens lives this long on the sandbox clock (IAM: 24 hours)',
  }),
  RESULTBOX_MODELARTS_OBS_ENDPOINT: Type.String({
    pattern: '^(sandbox|vendor|https?://[^\\s?#]+[^/\\s?#])$',
    default: 'sandbox',
    description: 'where signed URLs point: sandbox (its own /obs, at the origin the client used), vendor (https://{bucket}.obs.{region}.myhuaweicloud.com), or a base URL (then /{bucket}/{key})',
  }),
  RESULTBOX_MODELARTS_REGION: Type.String({ pattern: '^[a-z0-9-]+$', default: 'cn-north-4', description: 'region in signed OBS URLs' }),
  RESULTBOX_MODELARTS_URL_TTL_SECONDS: Type.Integer({
    minimum: 1,
    default: 3600,
    description: 'signed URLs expire this long after the sandbox now',
  }),
  RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 1,
    default: 259200,
    description: 'a token from POST /api-open/v1/connect lives this long on the sandbox clock (the vendor: 3 days)',
  }),
  RESULTBOX_UPLOAD_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 2 ** 40,
    default: 104857600,
    description: 'largest uploaded file (and its decompressed content) PrPM accepts, in bytes; also the most of a body read and discarded after an early answer',
  }),
  RESULTBOX_BODY_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 2 ** 30,
    default: 1048576,
    description: 'largest JSON body a vendor route or the control API accepts, in bytes (scenarios have their own cap)',
  }),
  RESULTBOX_SCENARIO_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 2 ** 30,
    default: 33554432,
    description: 'largest scenario body (POST /_resultbox/scenarios/{vendor}) accepted, in bytes',
  }),
  RESULTBOX_HEADER_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 2 ** 24,
    default: 65536,
    description: 'largest request head (request line and headers) accepted, in bytes; room for a large IAM X-Auth-Token',
  }),
  RESULTBOX_CONTROL: Type.Boolean({
    default: true,
    description: 'serve the control API under /_resultbox (health and ready answer either way)',
  }),
  RESULTBOX_CONTROL_TOKEN: Type.String({
    pattern: '^[^\\s]*$',
    default: '',
    description: 'when set, the control API wants Authorization: Bearer <token> (health and ready do not)',
  }),
  RESULTBOX_JOURNAL_SIZE: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    default: 1000,
    description: 'requests kept in the journal at /_resultbox/requests, newest first (0: none)',
  }),
  RESULTBOX_SANDBOXES_MAX: Type.Integer({
    minimum: 0,
    maximum: 4096,
    default: 64,
    description: 'named sandboxes (PUT /_resultbox/sandboxes/{name}) that may exist at once; 0: none',
  }),
  RESULTBOX_SANDBOX_IDLE_SECONDS: Type.Integer({
    minimum: 0,
    maximum: 31_536_000,
    default: 1800,
    description: 'a named sandbox no request has used for this many real seconds is dropped (0: never)',
  }),
  RESULTBOX_SANDBOX_PORTS: Type.String({
    pattern: '^(\\d{1,5}-\\d{1,5})?$',
    default: '',
    description: 'the ports named sandboxes may listen on, e.g. 8100-8199 (the range a container publishes); unset: any, "port": 0 takes a free one',
  }),
  RESULTBOX_VALIDATE_RESPONSES: Type.Boolean({
    default: false,
    description: 'check every response against the OpenAPI document; one that breaks it is logged and answered 500 (for development)',
  }),
})

/** The settings once parsed, as the schema types them. */
export type Environment = Static<typeof EnvironmentSchema>
export type SettingName = keyof Environment

/** Which fixtures seed a store: the fixture files alone, or with the generated large set too. */
export type FixtureScale = Environment['RESULTBOX_FIXTURE_SCALE']

/** The variables as a process or a caller gives them: strings, any of them missing. */
export type EnvironmentVariables = Record<string, string | undefined>

export const SETTING_NAMES = Object.keys(EnvironmentSchema.properties) as SettingName[]

/** PORT → port, RESULTBOX_CLOCK_SPEED → clock-speed: the command-line flag of a setting. */
export function flagOf(name: SettingName): string {
  return name.replace(/^RESULTBOX_/, '').toLowerCase().replaceAll('_', '-')
}

type Unprefixed<K extends string> = K extends `RESULTBOX_${infer Rest}` ? Rest : K
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S
/** RESULTBOX_CLOCK_SPEED → clockSpeed: the programmatic API's name of a setting. */
export type OptionName<K extends SettingName = SettingName> = CamelCase<Lowercase<Unprefixed<K>>>
export type Settings = { [K in SettingName as OptionName<K>]?: Environment[K] }

export function optionOf(name: SettingName): string {
  return flagOf(name).replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase())
}

export interface ModelArtsAccessKey {
  accessKeyId: string
  secretAccessKey: string
  /** The one project the key may call, as a key of an IAM user limited to one project; null covers every project. */
  projectId: string | null
}

/** Where signed OBS URLs point. */
export type ObsEndpoint = { kind: 'sandbox' } | { kind: 'vendor' } | { kind: 'url'; base: string }

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
  fixtureScale: FixtureScale
  clock: { speed: number; start: number | null }
  logLevel: string
  prpm: {
    tokens: string[]
    oneShotRead: boolean
    resultTtlSeconds: number
    preprocessingMs: number
    trainingMs: number
    prescriptionMs: number
    simulationIntervalMs: number
    streamPollMs: number
    reuploadAnswer: 'faithful' | 'intended'
  }
  explorer: { tokens: string[]; accounts: Array<{ account: string; password: string }>; tokenTtlSeconds: number }
  modelarts: {
    tokens: ModelArtsToken[]
    accessKeys: ModelArtsAccessKey[]
    iamUsers: Array<{ name: string; password: string }>
    tokenTtlSeconds: number
    obsEndpoint: ObsEndpoint
    region: string
    signedUrlTtlSeconds: number
  }
  /** Largest uploaded file, in bytes. */
  uploadMaxBytes: number
  /** Caps on what a request may carry, in bytes; each refusal is in the vendor's envelope. */
  limits: { bodyMaxBytes: number; scenarioMaxBytes: number; headerMaxBytes: number }
  control: { enabled: boolean; token: string | null }
  journalSize: number
  /** Named sandboxes: how many at once, when an unused one is dropped (real seconds, 0: never), the ports they may take (null: any). */
  sandboxes: { max: number; idleSeconds: number; ports: { from: number; to: number } | null }
  /**
   * The settings as given (environment variables, strings), so that a named sandbox is configured as the
   * server is, but for what its body changes.
   */
  given: Readonly<Record<string, string>>
  /** Check each response against the OpenAPI document before it leaves. */
  validateResponses: boolean
}

export class ConfigError extends Error {
  constructor(readonly variable: string, detail: string) {
    super(`${variable}: ${detail}`)
    this.name = 'ConfigError'
  }
}

/** Reads the settings from an environment-like record; throws ConfigError naming the first bad variable. */
export function loadConfig(env: EnvironmentVariables = process.env): Config {
  const given: Record<string, string> = {}
  for (const name of SETTING_NAMES) {
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

  let sandboxPorts: Config['sandboxes']['ports'] = null
  if (values.RESULTBOX_SANDBOX_PORTS !== '') {
    const [from = 0, to = 0] = values.RESULTBOX_SANDBOX_PORTS.split('-').map(Number)
    if (from < 1 || to > 65535 || from > to) {
      throw new ConfigError('RESULTBOX_SANDBOX_PORTS', `${JSON.stringify(values.RESULTBOX_SANDBOX_PORTS)} is not a range of ports (want from-to, 1 to 65535, from not above to)`)
    }
    sandboxPorts = { from, to }
  }

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
    fixtureScale: values.RESULTBOX_FIXTURE_SCALE,
    clock: { speed: values.RESULTBOX_CLOCK_SPEED, start: clockStart },
    logLevel: values.LOG_LEVEL,
    prpm: {
      tokens: values.RESULTBOX_PRPM_TOKENS.split(','),
      oneShotRead: values.RESULTBOX_PRPM_ONE_SHOT_READ,
      resultTtlSeconds: values.RESULTBOX_PRPM_RESULT_TTL_SECONDS,
      preprocessingMs: Math.round(values.RESULTBOX_PRPM_PREPROCESSING_SECONDS * 1000),
      trainingMs: Math.round(values.RESULTBOX_PRPM_TRAINING_SECONDS * 1000),
      prescriptionMs: Math.round(values.RESULTBOX_PRPM_PRESCRIPTION_SECONDS * 1000),
      simulationIntervalMs: Math.max(1, Math.round(values.RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS * 1000)),
      streamPollMs: values.RESULTBOX_PRPM_STREAM_POLL_MS,
      reuploadAnswer: values.RESULTBOX_PRPM_REUPLOAD_ANSWER,
    },
    explorer: {
      tokens: values.RESULTBOX_EXPLORER_TOKENS.split(','),
      accounts: values.RESULTBOX_EXPLORER_ACCOUNTS.split(',').map((entry) => {
        const colon = entry.indexOf(':')
        return { account: entry.slice(0, colon), password: entry.slice(colon + 1) }
      }),
      tokenTtlSeconds: values.RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS,
    },
    modelarts: {
      tokens: values.RESULTBOX_MODELARTS_TOKENS.split(',').map((entry) => {
        const [token = '', projectId] = entry.split('=')
        return { token, projectId: projectId ?? null }
      }),
      accessKeys: values.RESULTBOX_MODELARTS_ACCESS_KEYS.split(',').map((entry) => {
        const [pair = '', projectId] = entry.split('=')
        const colon = pair.indexOf(':')
        return { accessKeyId: pair.slice(0, colon), secretAccessKey: pair.slice(colon + 1), projectId: projectId ?? null }
      }),
      iamUsers: values.RESULTBOX_MODELARTS_IAM_USERS.split(',').map((entry) => {
        const colon = entry.indexOf(':')
        return { name: entry.slice(0, colon), password: entry.slice(colon + 1) }
      }),
      tokenTtlSeconds: values.RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS,
      obsEndpoint: values.RESULTBOX_MODELARTS_OBS_ENDPOINT === 'sandbox' || values.RESULTBOX_MODELARTS_OBS_ENDPOINT === 'vendor'
        ? { kind: values.RESULTBOX_MODELARTS_OBS_ENDPOINT }
        : { kind: 'url', base: values.RESULTBOX_MODELARTS_OBS_ENDPOINT },
      region: values.RESULTBOX_MODELARTS_REGION,
      signedUrlTtlSeconds: values.RESULTBOX_MODELARTS_URL_TTL_SECONDS,
    },
    uploadMaxBytes: values.RESULTBOX_UPLOAD_MAX_BYTES,
    limits: {
      bodyMaxBytes: values.RESULTBOX_BODY_MAX_BYTES,
      scenarioMaxBytes: values.RESULTBOX_SCENARIO_MAX_BYTES,
      headerMaxBytes: values.RESULTBOX_HEADER_MAX_BYTES,
    },
    control: { enabled: values.RESULTBOX_CONTROL, token: values.RESULTBOX_CONTROL_TOKEN === '' ? null : values.RESULTBOX_CONTROL_TOKEN },
    journalSize: values.RESULTBOX_JOURNAL_SIZE,
    sandboxes: { max: values.RESULTBOX_SANDBOXES_MAX, idleSeconds: values.RESULTBOX_SANDBOX_IDLE_SECONDS, ports: sandboxPorts },
    given,
    validateResponses: values.RESULTBOX_VALIDATE_RESPONSES,
  }
}

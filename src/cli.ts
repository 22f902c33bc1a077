import { parseArgs } from 'node:util'
import { EnvironmentSchema, SETTING_NAMES, flagOf, version, type EnvironmentVariables } from './config.js'
import { flagsToEnvironment } from './settings.js'

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string }
  | { kind: 'serve'; env: EnvironmentVariables }
  /** Start once on an in-memory store and a free port, write the start-up code cache, exit. */
  | { kind: 'write-code-cache'; env: EnvironmentVariables }

export class UsageError extends Error {
  override name = 'UsageError'
}

export function helpText(): string {
  const rows = SETTING_NAMES.map((name) => {
    const schema = EnvironmentSchema.properties[name] as { description?: string; default?: unknown }
    const fallback = schema.default === '' ? 'unset' : String(schema.default)
    return [`  --${flagOf(name)} <value>`, name, `${schema.description ?? ''} (default: ${fallback})`]
  })
  const width = (column: number) => Math.max(...rows.map((row) => (row[column] as string).length))
  const lines = rows.map(([flag, env, text]) => `${flag?.padEnd(width(0))}  ${env?.padEnd(width(1))}  ${text}`)
  return [
    `resultbox ${version()}: a local sandbox for the PrPM, NebulaGraph Explorer and ModelArts result APIs`,
    '',
    'Usage: resultbox [options]',
    '',
    'Every option is also an environment variable (second column); an option wins over its variable.',
    '',
    ...lines,
    '  -h, --help'.padEnd(width(0) + width(1) + 4) + 'print this help',
    '  -v, --version'.padEnd(width(0) + width(1) + 4) + 'print the version',
    '  --write-code-cache'.padEnd(width(0) + width(1) + 4) +
      'start once (in memory, on a free port), write the start-up code cache to NODE_COMPILE_CACHE, and exit',
    '',
  ].join('\n')
}

/** Reads the command line; flags become environment variables over `env`. */
export function parseCommandLine(argv: string[], env: EnvironmentVariables): Command {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    'write-code-cache': { type: 'boolean' },
  }
  for (const name of SETTING_NAMES) options[flagOf(name)] = { type: 'string' }
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see resultbox --help)`)
  }
  if (values.help) return { kind: 'help', text: helpText() }
  if (values.version) return { kind: 'version', text: `${version()}\n` }
  const { 'write-code-cache': writeCodeCache, ...settings } = values
  if (writeCodeCache) {
    // Never the configured store or port: this start only compiles, and may run where /data is not mounted.
    return { kind: 'write-code-cache', env: { LOG_LEVEL: 'warn', ...flagsToEnvironment(settings, env), RESULTBOX_DB: ':memory:', PORT: '0', HOST: '127.0.0.1' } }
  }
  return { kind: 'serve', env: flagsToEnvironment(settings, env) }
}

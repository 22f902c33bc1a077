import { CloneType, Type, type Static, type TSchema } from '@sinclair/typebox'
import { EnvironmentSchema, type SettingName } from '../config.js'
import { Nullable } from '../schemas.js'
import { ClockBody } from '../control/schemas.js'
import { SANDBOX_NAME_PATTERN } from './paths.js'

/**
 * The settings a test varies from one world to the next: each vendor's tokens, keys, accounts and lifetimes,
 * PrPM's one-shot read and timings, and the journal's size. What belongs to the server (its port, store,
 * limits, the control API's token, the sandboxes' own settings) is the server's, for every world alike.
 */
export const WORLD_SETTINGS = (Object.keys(EnvironmentSchema.properties) as SettingName[]).filter((name) =>
  /^RESULTBOX_(PRPM|EXPLORER|MODELARTS)_/.test(name) || name === 'RESULTBOX_JOURNAL_SIZE')

/** RESULTBOX_PRPM_ONE_SHOT_READ → prpm_one_shot_read: a setting's name in a sandbox's body. */
export const bodyNameOf = (name: SettingName) => name.replace(/^RESULTBOX_/, '').toLowerCase()

/** A setting's schema as the environment's, without its default: a setting the body leaves out is the server's. */
function settingSchema(name: SettingName): TSchema {
  const schema = CloneType(EnvironmentSchema.properties[name]) as TSchema & { default?: unknown; description?: string }
  delete schema.default
  schema.description = `${name}: ${schema.description ?? ''}`
  return Type.Optional(schema)
}

export const SandboxSettings = Type.Object(
  Object.fromEntries(WORLD_SETTINGS.map((name) => [bodyNameOf(name), settingSchema(name)])),
  { additionalProperties: false, description: 'settings of the configuration table, named without RESULTBOX_ in lower case, typed as JSON; each one left out is the server\'s' },
)

export const SandboxName = Type.String({ pattern: SANDBOX_NAME_PATTERN, description: '1 to 63 of a-z, 0-9 and -, not starting with -' })

export const SandboxParams = Type.Object({ name: SandboxName })

export const SandboxBody = Type.Object(
  {
    fixtures: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('none')], { description: 'default: the fixtures the server seeds from (RESULTBOX_FIXTURES); none: an empty store (and a reset empties it)' })),
    clock: Type.Optional(Type.Object(
      {
        start: Type.Optional(Type.String({ format: 'date-time', description: 'where its clock starts; default: real time now' })),
        speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'sandbox ms per real ms; default: the server\'s RESULTBOX_CLOCK_SPEED' })),
        frozen: Type.Optional(Type.Boolean({ description: 'default: false' })),
      },
      { additionalProperties: false },
    )),
    settings: Type.Optional(SandboxSettings),
    port: Type.Optional(Type.Union(
      [Type.Integer({ minimum: 0, maximum: 65535 }), Type.Null()],
      { description: 'a port of its own too: 0 for a free one (from RESULTBOX_SANDBOX_PORTS when set), or this one; null, the default: none, the prefix only' },
    )),
  },
  // No body at all is the defaults: `curl -X PUT …/sandboxes/w1` makes one.
  { additionalProperties: false, default: {} },
)
export type SandboxBody = Static<typeof SandboxBody>

export const SandboxView = Type.Object({
  name: Type.String(),
  url: Type.String({ description: 'its base URL under the server\'s port, at the origin this request used: a vendor\'s path follows it' }),
  base_path: Type.String({ description: '/sandboxes/{name}' }),
  port: Nullable(Type.Integer({ description: 'its own port, when it has one' })),
  port_url: Nullable(Type.String({ description: 'its base URL at its own port (scheme and host as this request used them), for clients that keep only scheme and host' })),
  fixtures: Type.Union([Type.Literal('default'), Type.Literal('none')]),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'what its body set; every other setting is the server\'s' }),
  clock: ClockBody,
  created_at: Type.String({ description: 'real time, ISO 8601' }),
  last_used_at: Type.String({ description: 'real time its last request ended (or its creation), ISO 8601' }),
  requests: Type.Integer({ description: 'requests it has received, prefix and port together' }),
  idle_expires_at: Nullable(Type.String({ description: 'real time it is dropped at unless used again (RESULTBOX_SANDBOX_IDLE_SECONDS); null: never' })),
})
export type SandboxView = Static<typeof SandboxView>

export const SandboxList = Type.Object({
  total: Type.Integer(),
  max: Type.Integer({ description: 'RESULTBOX_SANDBOXES_MAX' }),
  sandboxes: Type.Array(SandboxView, { description: 'by name' }),
})

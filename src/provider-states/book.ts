import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { Value, type ValueError } from '@sinclair/typebox/value'
import type { SandboxClock } from '../clock.js'
import type { CompiledSchemas } from '../compilers.js'
import { ControlError } from '../control/schemas.js'
import type { Db } from '../database.js'
import type { Scheduler } from '../scheduler.js'
import { ScenarioError, type VendorSimulation } from '../simulation.js'
import type { CatalogueEntry } from './schemas.js'
import { providerState, type AppliedState, type ProviderState } from './types.js'

/** The generic state: any scenario body, for any vendor. */
export const SCENARIO_STATE = 'scenario'

/** Setups remembered for their teardown; a verifier that never tears down (the Rust CLI's default) is forgotten oldest first. */
const REMEMBERED_SETUPS = 1000

/** How a state's name is matched: case and runs of white space do not count. */
const keyOf = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase()

export interface ProviderStateBookOptions {
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
  simulations: Readonly<Record<string, VendorSimulation>>
  compiled: CompiledSchemas
}

/** A param's type as the catalogue shows it: "integer", "string", "array of string", "one of a, b". */
function typeOf(schema: TSchema): string {
  if (Array.isArray(schema.anyOf)) return `one of ${(schema.anyOf as TSchema[]).map((option) => JSON.stringify(option.const ?? option.type)).join(', ')}`
  if (schema.type === 'array') return `array of ${typeOf(schema.items as TSchema)}`
  return String(schema.type ?? 'any')
}

/** A schema as JSON Schema: TypeBox's symbols dropped. */
const plain = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema))

/**
 * One world's provider states: the vendors' catalogues and the generic `scenario` state, each setup made in
 * one transaction on the world's clock, and remembered so that the teardown of the same state and params
 * takes it away again. Pact's verifiers call it before and after each interaction
 * (POST /_resultbox/provider-states), so it belongs to the world whose store it changes.
 */
export class ProviderStateBook {
  private readonly states = new Map<string, { vendor: string | null; state: ProviderState }>()
  private readonly applied: { key: string; undo: () => void }[] = []

  constructor(private readonly options: ProviderStateBookOptions) {
    for (const [vendor, simulation] of Object.entries(options.simulations)) {
      for (const state of simulation.providerStates ?? []) this.add(vendor, state)
    }
    this.add(null, this.scenarioState())
  }

  private add(vendor: string | null, state: ProviderState): void {
    const key = keyOf(state.name)
    if (this.states.has(key)) throw new Error(`two provider states are named "${state.name}"`)
    this.states.set(key, { vendor, state })
  }

  /** Every state, by vendor then as declared, with its params and the values it answers: GET /_resultbox/provider-states. */
  catalogue(): CatalogueEntry[] {
    return [...this.states.values()].map(({ vendor, state }) => ({
      name: state.name,
      vendor,
      description: state.description,
      params: Object.entries(state.params.properties).map(([name, schema]) => ({
        name,
        type: typeOf(schema),
        required: state.params.required?.includes(name) ?? false,
        ...(schema.default === undefined ? {} : { default: schema.default }),
        ...(schema.description === undefined ? {} : { description: schema.description as string }),
        schema: plain(schema),
      })),
      returns: Object.entries(state.returns).map(([name, description]) => ({ name, description })),
    }))
  }

  /** The state of that name, or the 400 a verifier prints: the names it could have meant. */
  private find(name: string): ProviderState {
    const found = this.states.get(keyOf(name))
    if (found) return found.state
    const known = [...this.states.values()].map(({ state }) => `"${state.name}"`).join(', ')
    throw new ControlError(400, 'unknown_state', `no provider state "${name}"; the states are ${known} (GET /_resultbox/provider-states describes them)`, '/state')
  }

  /**
   * The params checked against the state's schema: converted from text first when they came as a query
   * string (`--state-change-as-query`), defaults filled in. A bad one is a 400 naming it.
   */
  private paramsOf(state: ProviderState, params: Record<string, unknown>, fromQuery: boolean): Record<string, unknown> {
    const check = this.options.compiled.of('typebox provider state', state.params, () => TypeCompiler.Compile(state.params)) as TypeCheck<TObject>
    const given = fromQuery ? Value.Convert(state.params, fromText(state.params, params)) : params
    const value = Value.Default(state.params, Value.Clone(given)) as Record<string, unknown>
    if (check.Check(value)) return value
    // A check that failed has a first error; its path is a JSON pointer into the params.
    const first = check.Errors(value).First() as ValueError
    const at = first.path
    const name = at.split('/')[1] as string
    const names = Object.keys(state.params.properties)
    const why = first.message === 'Unexpected property'
      ? `is not a param of "${state.name}"; ${names.length === 0 ? 'it takes none' : `its params are ${names.join(', ')}`}`
      : `${first.message}${first.value === undefined ? '' : ` (got ${JSON.stringify(first.value)})`}`
    throw new ControlError(400, 'invalid_param', `param ${name}${at.slice(name.length + 1)} ${why}`, `/params${at}`)
  }

  /** Builds the state in one transaction and remembers its undoing; answers the values Pact injects. */
  async setup(name: string, params: Record<string, unknown>, fromQuery = false): Promise<Record<string, unknown>> {
    const state = this.find(name)
    const checked = this.paramsOf(state, params, fromQuery)
    // A scenario's body came as text too: typed by that vendor's schema.
    if (fromQuery && state.name === SCENARIO_STATE) Object.assign(checked, this.scenarioBodyFromText(checked))
    const { db, clock, scheduler } = this.options
    const prepared = await state.prepare?.(checked)
    let applied: AppliedState
    try {
      applied = db.transaction(() => state.setup(checked, clock.now(), prepared)).immediate()
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error
      const code = error.statusCode === 409 ? 'conflict' : error.statusCode === 404 ? 'not_found' : 'invalid_param'
      throw new ControlError(error.statusCode, code, error.message, `/params${error.field}`)
    }
    // What fell due at once (a plugin finishing now, a task of no length) has run before the interaction's request.
    scheduler.catchUp()
    this.applied.push({ key: `${keyOf(state.name)}\n${JSON.stringify(checked)}`, undo: applied.undo })
    if (this.applied.length > REMEMBERED_SETUPS) this.applied.shift()
    return applied.values
  }

  /** Undoes the latest setup of this state with these params; none (never set up, or undone already) is nothing to do. */
  teardown(name: string, params: Record<string, unknown>, fromQuery = false): { undone: boolean } {
    const state = this.find(name)
    const key = `${keyOf(state.name)}\n${JSON.stringify(this.paramsOf(state, params, fromQuery))}`
    const index = this.applied.findLastIndex((entry) => entry.key === key)
    if (index === -1) return { undone: false }
    const [entry] = this.applied.splice(index, 1)
    this.options.db.transaction(() => entry?.undo()).immediate()
    return { undone: true }
  }

  /** Forgets every setup: a reset has put the store back, and nothing of them is left to undo. */
  forget(): void {
    this.applied.length = 0
  }

  private scenarioBodyFromText({ vendor, ...body }: Record<string, unknown>): Record<string, unknown> {
    const schema = (this.options.simulations[vendor as string] as VendorSimulation).scenario.body as TObject
    return Value.Convert(schema, fromText(schema, body)) as Record<string, unknown>
  }

  /** `scenario`: params are `vendor` and that vendor's scenario body, as POST /_resultbox/scenarios/{vendor} takes it. */
  private scenarioState(): ProviderState {
    const { simulations } = this.options
    const vendors = Object.keys(simulations)
    return providerState({
      name: SCENARIO_STATE,
      description: 'Any scenario, as POST /_resultbox/scenarios/{vendor} makes it: the params are "vendor" and the scenario\'s body; the values are its answer.',
      params: Type.Object({
        vendor: Type.Union(vendors.map((vendor) => Type.Literal(vendor)), { description: 'whose scenario' }),
      }, { additionalProperties: true, description: 'and the fields of that vendor\'s scenario body' }),
      returns: { '(its answer)': 'every field of the scenario\'s 201 answer: ids, the paths to read them (…_url), due times' },
      prepare: async (params) => {
        const { vendor, ...body } = params
        const { scenario } = simulations[vendor] as VendorSimulation
        const check = this.options.compiled.of('typebox provider state', scenario.body, () => TypeCompiler.Compile(scenario.body))
        const value = Value.Default(scenario.body, Value.Clone(body))
        if (!check.Check(value)) {
          const first = check.Errors(value).First() as ValueError
          throw new ControlError(400, 'invalid_param', `param ${first.path.slice(1)} ${first.message} (the ${vendor} scenario body)`, `/params${first.path}`)
        }
        return { body: value, prepared: await scenario.prepare?.(value) }
      },
      setup: (params, now, ready) => {
        const { scenario } = simulations[params.vendor] as VendorSimulation
        const { body, prepared } = ready as { body: unknown; prepared: unknown }
        const created = scenario.create(body, now, prepared)
        return { values: created as Record<string, unknown>, undo: () => scenario.undo?.(body, created) }
      },
    })
  }
}

/** A query string's params: text, with arrays given as comma-separated lists or repeated keys and objects as JSON. */
function fromText(schema: TObject, params: Record<string, unknown>): Record<string, unknown> {
  const converted: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(params)) {
    const type = (schema.properties[name] as TSchema | undefined)?.type
    if (type === 'array' && typeof value === 'string') converted[name] = value.startsWith('[') ? parsedOr(value) : value === '' ? [] : value.split(',')
    else if (type === 'object' && typeof value === 'string') converted[name] = parsedOr(value)
    else converted[name] = value
  }
  return converted
}

function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

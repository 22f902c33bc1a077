import { setTimeout as sleep } from 'node:timers/promises'
import { Type, type Static, type TSchema, type TString } from '@sinclair/typebox'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { VendorError, type VendorErrorMapping } from './errors.js'

const Latency = Type.Union(
  [
    Type.Object({ fixed_ms: Type.Integer({ minimum: 0, maximum: 600_000 }) }, { additionalProperties: false }),
    Type.Object(
      { min_ms: Type.Integer({ minimum: 0, maximum: 600_000 }), max_ms: Type.Integer({ minimum: 0, maximum: 600_000 }) },
      { additionalProperties: false },
    ),
  ],
  { description: 'real milliseconds added before the answer: fixed, or drawn uniformly from [min_ms, max_ms]' },
)

const InjectedError = Type.Object(
  {
    status: Type.Integer({ minimum: 400, maximum: 599, description: 'HTTP status to answer with' }),
    body: Type.Optional(Type.Unknown({ description: "the body to send; default: the vendor's own envelope for that status" })),
    headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), Type.String())),
    probability: Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'chance each matching request fails' }),
  },
  { additionalProperties: false },
)

function faultRule<Vendor extends TSchema>(vendor: Vendor) {
  return Type.Object(
    {
      vendor,
      operation: Type.Optional(
        Type.String({ minLength: 1, description: "the route's operationId (e.g. getResult); absent: every request to the vendor" }),
      ),
      latency: Type.Optional(Latency),
      error: Type.Optional(InjectedError),
    },
    { additionalProperties: false },
  )
}

/**
 * The control API's fault schemas, for the vendors a sandbox serves: `vendor`
 * is the schema of their names, so a rule for no vendor is refused as invalid.
 */
export function faultSchemas<Vendor extends TSchema>(vendor: Vendor) {
  const FaultRule = faultRule(vendor)
  const FaultSet = Type.Object(
    {
      seed: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, default: 1, description: 'seeds the draws: the same seed and requests give the same faults' }),
      rules: Type.Array(FaultRule, { maxItems: 1000, description: 'the first rule that matches a request applies' }),
    },
    { additionalProperties: false },
  )
  const FaultState = Type.Object({
    seed: Type.Integer(),
    rules: Type.Array(
      Type.Object({ ...FaultRule.properties, matched: Type.Integer(), injected: Type.Integer() }),
      { description: 'each rule with how many requests it matched and how many it failed' },
    ),
  })
  return { FaultSet, FaultState }
}

type FaultSchemas = ReturnType<typeof faultSchemas<TString>>
export type FaultSet = Static<FaultSchemas['FaultSet']>
export type FaultState = Static<FaultSchemas['FaultState']>

/** What a fault did to one request, for the journal. */
export interface AppliedFault {
  rule: number
  latency_ms: number
  injected_status: number | null
}

/**
 * Latency and error injection per vendor operation, reproducible: every draw
 * comes from one generator seeded by the fault set, in request order, so the
 * same seed and the same requests give the same sequence of faults.
 */
export class Faults {
  private set: FaultSet = { seed: 1, rules: [] }
  private counters: { matched: number; injected: number }[] = []
  private random = xoroshiro128plus(1)

  replace(set: FaultSet): void {
    this.set = set
    this.counters = set.rules.map(() => ({ matched: 0, injected: 0 }))
    this.random = xoroshiro128plus(set.seed)
  }

  clear(): void {
    this.replace({ seed: 1, rules: [] })
  }

  state(): FaultState {
    return {
      seed: this.set.seed,
      rules: this.set.rules.map((rule, index) => ({ ...rule, ...(this.counters[index] ?? { matched: 0, injected: 0 }) })),
    }
  }

  get active(): boolean {
    return this.set.rules.length > 0
  }

  /**
   * Delays and/or fails a request of `vendor` to `operation` (undefined for a
   * path the vendor does not serve) by the first rule that matches it.
   */
  /** `drawn` hears what was drawn before any latency is waited out: a client may leave during it. */
  async apply(vendor: string, operation: string | undefined, mapping: VendorErrorMapping, drawn?: (fault: AppliedFault) => void): Promise<AppliedFault | null> {
    const index = this.set.rules.findIndex((rule) => rule.vendor === vendor && (rule.operation === undefined || rule.operation === operation))
    const rule = this.set.rules[index]
    const counter = this.counters[index]
    if (!rule || !counter) return null
    counter.matched += 1
    let latency = 0
    if (rule.latency) {
      latency = 'fixed_ms' in rule.latency
        ? rule.latency.fixed_ms
        : Math.round(rule.latency.min_ms + this.draw() * (Math.max(rule.latency.max_ms, rule.latency.min_ms) - rule.latency.min_ms))
    }
    const fails = rule.error !== undefined && this.draw() < rule.error.probability
    drawn?.({ rule: index, latency_ms: latency, injected_status: fails && rule.error ? rule.error.status : null })
    if (latency > 0) await sleep(latency)
    if (!fails || !rule.error) return { rule: index, latency_ms: latency, injected_status: null }
    counter.injected += 1
    const { status, body, headers = {} } = rule.error
    throw new InjectedFault(mapping.injected(status, body), headers, { rule: index, latency_ms: latency, injected_status: status })
  }

  private draw(): number {
    return uniformFloat64(this.random)
  }
}

/** An injected failure on its way to the vendor's error handler. */
export class InjectedFault extends VendorError {
  constructor(error: VendorError, headers: Record<string, string>, readonly applied: AppliedFault) {
    super(error.statusCode, error.body, { ...error.headers, ...headers })
    this.name = 'InjectedFault'
  }
}

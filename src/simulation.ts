import { Type, type Static, type TSchema } from '@sinclair/typebox'

export const VENDORS = ['prpm', 'explorer', 'modelarts'] as const
export type Vendor = (typeof VENDORS)[number]

/** A vendor's name, as the control API, fault rules and the journal spell it. */
export const VendorName = Type.Union(VENDORS.map((vendor) => Type.Literal(vendor)))

/**
 * What the control API asks of each vendor folder: put its part of the store
 * back to the fixtures, and create a scenario (work in progress on the clock)
 * from a JSON body. Each vendor owns its schema; the control API only routes.
 */
export interface VendorSimulation<Body extends TSchema = TSchema, Created extends TSchema = TSchema> {
  readonly vendor: Vendor
  /**
   * Deletes every row this vendor keeps and seeds its fixture again, as if
   * seeded at `now`. The caller runs it inside a transaction.
   */
  reset(now: number): void
  readonly scenario: {
    /** The body of POST /_resultbox/scenarios/{vendor}. */
    body: Body
    /** Its 201 answer: what was created, and where a client reads it. */
    created: Created
    /** What create() may refuse beyond a 400, so the OpenAPI document lists exactly these: 404 (what it builds on is missing), 409 (an id is taken). */
    refusals: readonly (404 | 409)[]
    /** Creates the scenario, all or nothing; throws ScenarioError when the body is valid but cannot be carried out. */
    create(body: Static<Body>, now: number): Static<Created>
  }
}

/** A scenario body that passed its schema but cannot be carried out (an id already taken, a missing reference). */
export class ScenarioError extends Error {
  constructor(
    /** 409 for a conflict with what the store holds, 400 for a body that contradicts itself. */
    readonly statusCode: 400 | 404 | 409,
    /** JSON pointer into the body, e.g. /tasks/0/id. */
    readonly field: string,
    message: string,
  ) {
    super(message)
    this.name = 'ScenarioError'
  }
}

import { Type, type Static, type TSchema } from '@sinclair/typebox'
import type { ProviderState } from './provider-states/types.js'
import { Nullable } from './schemas.js'

/**
 * What the control API asks of each vendor folder: put its part of the store
 * back to the fixtures, and create a scenario (work in progress on the clock)
 * from a JSON body. Each vendor owns its schema; the control API only routes.
 */
export interface VendorSimulation<Body extends TSchema = TSchema, Created extends TSchema = TSchema, Overview extends TSchema = TSchema> {
  /**
   * Deletes every row this vendor keeps: its fixtures and whatever clients and scenarios made. A reset is
   * this, then the vendor's seeding as the configuration asks (seeding.ts), in one transaction the caller runs.
   */
  clear(): void
  readonly scenario: {
    /** The body of POST /_resultbox/scenarios/{vendor}. */
    body: Body
    /** Its 201 answer: what was created, and where a client reads it. */
    created: Created
    /** What create() may refuse beyond a 400, so the OpenAPI document lists exactly these: 404 (what it builds on is missing), 409 (an id is taken). */
    refusals: readonly (404 | 409)[]
    /**
     * Optional: what create() needs that takes I/O to read (a stored file parsed), read before create()'s
     * transaction, which cannot wait for it; create() gets its value. It writes nothing, and refuses nothing
     * that create() would not refuse itself.
     */
    prepare?(body: Static<Body>): Promise<unknown>
    /** Creates the scenario, all or nothing; throws ScenarioError when the body is valid but cannot be carried out. */
    create(body: Static<Body>, now: number, prepared?: unknown): Static<Created>
    /**
     * Deletes what create() made from this body (a new project, job, task or workflow, or only the result or
     * version added to one that was there), inside the caller's transaction: a provider state's teardown.
     * Optional: without it, the teardown of a `scenario` state leaves what it made.
     */
    undo?(body: Static<Body>, created: Static<Created>): void
  }
  /** The named states a Pact verifier can ask this vendor for (POST /_resultbox/provider-states); optional. */
  readonly providerStates?: readonly ProviderState[]
  /** Its part of GET /_resultbox/state, which the status page shows. */
  readonly overview: {
    schema: Overview
    /**
     * The vendor's work as the store holds it, newest first, at most
     * OVERVIEW_LIMIT items with the total: statuses, counts and times already
     * stored, never result rows or samples (a large fixture has a million).
     * The caller runs what fell due first, so the store is the clock's now.
     */
    read(): Static<Overview>
  }
}

/** Items per vendor in GET /_resultbox/state: enough for any test run, bounded for a store that has grown. */
export const OVERVIEW_LIMIT = 200

/** How far one piece of work has come, in the vendor's own unit (plugins, tasks, status steps). */
export const Progress = Type.Object({
  done: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
})

/** The next thing due on the sandbox clock for one piece of work; null when nothing is. */
export const NextStep = Nullable(Type.Object({
  what: Type.String({ description: 'what happens, e.g. "plugin-knn-next-activity finishes"' }),
  at: Type.String({ description: 'when, on the sandbox clock (ISO 8601)' }),
}))

export const isoTime = (ms: number) => new Date(ms).toISOString()
export const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

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

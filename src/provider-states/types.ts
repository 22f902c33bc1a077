import type { Static, TObject } from '@sinclair/typebox'

/** What a provider state's setup made: the values Pact injects into the interaction, and how to take it away. */
export interface AppliedState {
  /** By name, as `fromProviderState('/project/${project_id}/…')` reads them: ids, keys, tokens, vendor paths. */
  values: Record<string, unknown>
  /** Deletes what the setup wrote; runs inside a transaction, and is a no-op for what the interaction has deleted itself. */
  undo(): void
}

/**
 * One named state a Pact consumer can ask for ("a trained project with a complete result"), declared in
 * its vendor's folder. Its params are a TypeBox object whose every field has a default or is optional, so
 * that a pact naming only the state gets a sensible world.
 */
export interface ProviderState<Params extends TObject = TObject> {
  /** In the plain words a consumer writes; matched without regard to case or repeated spaces. */
  readonly name: string
  readonly description: string
  readonly params: Params
  /** The values setup answers, by name, each with what it is. */
  readonly returns: Readonly<Record<string, string>>
  /** Optional: what setup needs that takes I/O (a stored file parsed), read before setup's transaction. */
  prepare?(params: Static<Params>): Promise<unknown>
  /**
   * Builds the state at `now` on the sandbox clock, inside an immediate transaction; throws ScenarioError when
   * it cannot. Its params come checked against `params`, every default filled in.
   */
  setup(params: Static<Params>, now: number, prepared: unknown): AppliedState
}

/** A state with its params' type inferred from its schema, as a ProviderState of any params for the catalogue. */
export const providerState = <Params extends TObject>(state: ProviderState<Params>): ProviderState => state as unknown as ProviderState

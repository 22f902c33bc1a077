import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { providerState, type AppliedState, type ProviderState } from '../provider-states/types.js'
import { tokenSha256 } from './auth.js'
import { newIamToken } from './iam.js'
import { Id } from './schemas.js'
import { DEFAULT_PROJECT_ID, type modelartsSimulation } from './simulation.js'
import { ModelArtsStore } from './store.js'

/** Sandbox time a version of a "still running" or "initializing" state stays so: longer than any verification. */
const PENDING_MS = 3_600_000

export interface ModelArtsStateOptions {
  db: Db
  /** The IAM user a state's token is issued to (the first configured), and how long it lives on the sandbox clock. */
  user: string
  tokenTtlSeconds: number
}

type Simulation = ReturnType<typeof modelartsSimulation>

const ProjectId = Type.String({ pattern: Id.pattern, default: DEFAULT_PROJECT_ID, description: 'the project in the URL (default: the fixture\'s)' })

/**
 * ModelArts' provider states. Each issues an IAM token scoped to the project, as POST /v3/auth/tokens
 * does, and answers it: a pact sends `X-Auth-Token: fromProviderState('${token}', …)`, which never goes
 * stale as a recorded AK/SK signature does (docs/contract.md has the other way through, signing again).
 */
export function modelartsProviderStates(simulation: Simulation, { db, user, tokenTtlSeconds }: ModelArtsStateOptions): readonly ProviderState[] {
  const store = new ModelArtsStore(db)
  const { scenario } = simulation
  type Body = Parameters<typeof scenario.create>[0]

  const iamToken = (projectId: string, issuedAt: number, expiresAt: number): AppliedState => {
    const token = newIamToken()
    const sha = tokenSha256(token)
    store.insertIamToken({ token_sha256: sha, user_name: user, domain_name: user, project_id: projectId, issued_at: issuedAt, expires_at: expiresAt })
    return { values: { token, project_id: projectId }, undo: () => store.deleteIamToken(sha) }
  }
  const version = (body: Body, now: number): AppliedState => {
    const created = scenario.create(body, now)
    const login = iamToken(created.project_id, now, now + tokenTtlSeconds * 1000)
    return {
      values: {
        ...login.values,
        task_id: created.task_id,
        version_id: created.version_id,
        task_path: created.task_url,
        version_path: created.version_url,
        results_path: created.results_url,
        sample_count: created.sample_count,
      },
      undo: () => {
        scenario.undo(body, created)
        login.undo()
      },
    }
  }
  const tokenValues = { token: 'an IAM token for X-Auth-Token, scoped to the project', project_id: 'the project (32 hex digits)' }
  const versionValues = {
    ...tokenValues,
    task_id: 'the processor task (19 letters and digits)',
    version_id: 'its version',
    task_path: '/v2/{project_id}/processor-tasks/{task_id}',
    version_path: '/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}',
    results_path: '/v2/{project_id}/processor-tasks/{task_id}/versions/{version_id}/results',
    sample_count: 'samples its results list',
  }
  const projectParam = { project_id: Type.Optional(ProjectId) }

  return [
    providerState({
      name: 'a completed version with samples',
      description: 'A processor task whose version has completed (status 2): results lists its samples, 60 % retained, 20 % modified, 10 % deleted, 10 % added, named 1.jpg, 2.jpg, … in that order.',
      params: Type.Object({
        samples: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 10, description: 'how many samples its results list' })),
        ...projectParam,
      }, { additionalProperties: false }),
      returns: versionValues,
      setup: (params, now) => {
        const total = params.samples as number
        const modified = Math.floor(total / 5)
        const deleted = Math.floor(total / 10)
        const added = Math.floor(total / 10)
        return version({
          project_id: params.project_id, starts_after_ms: 0, runs_for_ms: 0,
          sample_counts: { retained: total - modified - deleted - added, modified, deleted, added },
        }, now)
      },
    }),
    providerState({
      name: 'a task still running',
      description: 'A processor task whose version is running (status 1) for an hour of sandbox time: results answers 403 ModelArts.4613 until it completes.',
      params: Type.Object(projectParam, { additionalProperties: false }),
      returns: versionValues,
      setup: (params, now) => version({ project_id: params.project_id, starts_after_ms: 0, runs_for_ms: PENDING_MS }, now),
    }),
    providerState({
      name: 'a version still initializing',
      description: 'A processor task whose version is initializing (status 0) for an hour of sandbox time: results answers 403 ModelArts.4850.',
      params: Type.Object(projectParam, { additionalProperties: false }),
      returns: versionValues,
      setup: (params, now) => version({ project_id: params.project_id, starts_after_ms: PENDING_MS }, now),
    }),
    providerState({
      name: 'a failed version',
      description: 'A processor task whose version failed (status 3): results answers 500 ModelArts.4614.',
      params: Type.Object(projectParam, { additionalProperties: false }),
      returns: versionValues,
      setup: (params, now) => version({ project_id: params.project_id, starts_after_ms: 0, runs_for_ms: 0, outcome: 'failed' }, now),
    }),
    providerState({
      name: 'a valid token',
      description: 'An IAM token for the project, as POST /v3/auth/tokens issues one: it lives RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS on the sandbox clock.',
      params: Type.Object(projectParam, { additionalProperties: false }),
      returns: tokenValues,
      setup: (params, now) => iamToken(params.project_id as string, now, now + tokenTtlSeconds * 1000),
    }),
    providerState({
      name: 'an expired token',
      description: 'An IAM token that expired a second ago on the sandbox clock: every ModelArts API answers 401 ModelArts.0202.',
      params: Type.Object(projectParam, { additionalProperties: false }),
      returns: tokenValues,
      setup: (params, now) => iamToken(params.project_id as string, now - tokenTtlSeconds * 1000 - 1000, now - 1000),
    }),
  ]
}

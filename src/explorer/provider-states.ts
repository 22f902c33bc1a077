import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { providerState, type AppliedState, type ProviderState } from '../provider-states/types.js'
import { DEFAULT_ROW_COUNT } from './algorithms.js'
import { issueToken } from './auth.js'
import type { explorerSimulation } from './simulation.js'
import { ExplorerStore } from './store.js'

/** Sandbox time a task of a "running" state runs for: longer than any verification. */
const RUNNING_MS = 3_600_000

export interface ExplorerStateOptions {
  db: Db
  /** The account a state's session is issued to (the first configured), and how long it lives on the sandbox clock. */
  account: string
  tokenTtlSeconds: number
}

type Simulation = ReturnType<typeof explorerSimulation>

const RowCount = Type.Integer({ minimum: 0, maximum: 100_000, default: DEFAULT_ROW_COUNT, description: 'rows the task\'s result has' })

/**
 * Explorer's provider states. Every one opens a session as POST /api-open/v1/connect does and answers its
 * explorer_token, so that a pact sends `Cookie: fromProviderState('explorer_token=${explorer_token}', …)`
 * rather than a token that expired when the pact was recorded.
 */
export function explorerProviderStates(simulation: Simulation, { db, account, tokenTtlSeconds }: ExplorerStateOptions): readonly ProviderState[] {
  const store = new ExplorerStore(db)
  const { scenario } = simulation
  type Body = Parameters<typeof scenario.create>[0]
  type Created = ReturnType<typeof scenario.create>
  type JobCreated = Extract<Created, { job_id: number }>

  const session = (now: number): AppliedState => {
    const token = issueToken(account, now, tokenTtlSeconds)
    store.insertToken(token, account, now + tokenTtlSeconds * 1000)
    return { values: { explorer_token: token, cookie: `explorer_token=${token}` }, undo: () => store.deleteToken(token) }
  }
  /** A job made by the scenario, with a session beside it; `task` picks the task whose id the state names. */
  const job = (body: Body, now: number): AppliedState => {
    // A body of tasks makes a job, never a workflow.
    const created = scenario.create(body, now) as JobCreated
    const chosen = created.tasks[0] as JobCreated['tasks'][number]
    const login = session(now)
    return {
      values: {
        job_id: created.job_id,
        task_id: chosen.id,
        job_path: created.job_url,
        sample_result_path: chosen.sample_result_url,
        ...login.values,
      },
      undo: () => {
        scenario.undo(body, created)
        login.undo()
      },
    }
  }
  const sessionValues = {
    explorer_token: 'a session token, as POST /api-open/v1/connect sets it',
    cookie: 'explorer_token=<token>, for a Cookie header',
  }
  const jobValues = {
    job_id: 'the job (integer)',
    task_id: 'its task',
    job_path: '/api-open/v1/jobs/{job_id}',
    sample_result_path: '/api-open/v1/jobs/{job_id}/tasks/{task_id}/sample_result',
    ...sessionValues,
  }

  return [
    providerState({
      name: 'an Explorer session',
      description: 'A login session, as POST /api-open/v1/connect opens one; it lives RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS on the sandbox clock.',
      params: Type.Object({}, { additionalProperties: false }),
      returns: sessionValues,
      setup: (_params, now) => session(now),
    }),
    providerState({
      name: 'a finished job with a PageRank task',
      description: 'A job that has run one PageRank task to success: the job and task are status 2, sample_result gives its rows (VID, VALUE).',
      params: Type.Object({ row_count: Type.Optional(RowCount) }, { additionalProperties: false }),
      returns: jobValues,
      setup: (params, now) => job({ tasks: [{ name: 'PageRank', starts_after_ms: 0, runs_for_ms: 0, row_count: params.row_count }] }, now),
    }),
    providerState({
      name: 'a running job',
      description: 'A job whose PageRank task is running (status 1) for an hour of sandbox time: sample_result gives no items yet.',
      params: Type.Object({ row_count: Type.Optional(RowCount) }, { additionalProperties: false }),
      returns: jobValues,
      setup: (params, now) => job({ tasks: [{ name: 'PageRank', starts_after_ms: 0, runs_for_ms: RUNNING_MS, row_count: params.row_count }] }, now),
    }),
    providerState({
      name: 'a failed task',
      description: 'A job whose first task (PageRank) failed: it and the job are status 3, the WCC task after it never ran (status 4, interrupted).',
      params: Type.Object({}, { additionalProperties: false }),
      returns: { ...jobValues, task_id: 'the failed task', interrupted_task_id: 'the task after it, interrupted' },
      setup: (_params, now) => {
        const applied = job({ tasks: [{ name: 'PageRank', starts_after_ms: 0, runs_for_ms: 0, outcome: 'failed' }, { name: 'WCC' }] }, now)
        return { ...applied, values: { ...applied.values, interrupted_task_id: 'analytics_wcc_2' } }
      },
    }),
    providerState({
      name: 'a workflow with a required parameter',
      description: 'A workflow whose BFS task declares a required input parameter: POST its jobs without it is 50004002, with it makes a job.',
      params: Type.Object({
        param: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$', default: 'root', description: 'the parameter\'s name' })),
      }, { additionalProperties: false }),
      returns: {
        workflow_id: 'the workflow (digits)',
        task_id: 'its task that needs the parameter',
        param: 'the parameter\'s name',
        jobs_path: '/api-open/v1/workflows/{workflow_id}/jobs',
        ...sessionValues,
      },
      setup: (params, now) => {
        const param = params.param as string
        const body: Body = { workflow: { name: 'workflow_bfs', tasks: [{ name: 'BFS', params: { [param]: { required: true } } }] } }
        // A body with a workflow makes the workflow alone.
        const created = scenario.create(body, now) as Extract<Created, { jobs_url: string }>
        const login = session(now)
        return {
          values: { workflow_id: created.workflow_id, task_id: (created.tasks[0] as { id: string }).id, param, jobs_path: created.jobs_url, ...login.values },
          undo: () => {
            scenario.undo(body, created)
            login.undo()
          },
        }
      },
    }),
  ]
}

import { PrpmErrors } from './errors.js'
import type { ResultBody } from './schemas.js'
import type { PrpmStore } from './store.js'

export interface ResultRules {
  /** Delete a complete result once it has been read, as PrCore does. */
  oneShotRead: boolean
  /** Drop any result this long after its upload; 0 keeps results forever. */
  resultTtlSeconds: number
}

/** The rules as configured (RESULTBOX_PRPM_ONE_SHOT_READ, RESULTBOX_PRPM_RESULT_TTL_SECONDS). */
export const resultRules = ({ oneShotRead, resultTtlSeconds }: ResultRules): ResultRules => ({ oneShotRead, resultTtlSeconds })

// Until training has finished PrCore cannot know which plugins will answer.
/** A project in one of these has no plugins to answer with yet: its results read as processing. */
export const TRAINING_STATUSES: ReadonlySet<string> = new Set(['WAITING', 'PREPROCESSING', 'TRAINING'])

export function isExpired(createdAt: number, now: number, rules: ResultRules): boolean {
  return rules.resultTtlSeconds > 0 && createdAt + rules.resultTtlSeconds * 1000 <= now
}

/**
 * GET /project/{project_id}/result/{result_key}, in PrCore's order of checks:
 * the project, its status, then the result (of this project, still alive).
 */
export function readResult(store: PrpmStore, projectId: number, resultKey: string, now: number, rules: ResultRules): ResultBody {
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (project.status === 'ERROR') throw PrpmErrors.projectInError()
  const result = store.result(resultKey)
  if (!result || result.project_id !== projectId || isExpired(result.created_at, now, rules)) {
    throw PrpmErrors.resultNotFound()
  }

  const plugins = store.plugins(resultKey)
  const finished = plugins
    .filter((plugin) => plugin.finish_seq !== null)
    .sort((a, b) => (a.finish_seq as number) - (b.finish_seq as number))
    .map((plugin) => plugin.plugin_key)
  const training = TRAINING_STATUSES.has(project.status)

  if (training || finished.length < plugins.length) {
    return {
      message: 'Ongoing dataset result is still processing',
      project_status: project.status,
      expected_plugins: training ? [] : plugins.map((plugin) => plugin.plugin_key),
      finished_plugins: finished,
      cases_count: null,
      columns: null,
      columns_definition: null,
      case_attributes: null,
      cases: null,
    }
  }

  const cases: NonNullable<ResultBody['cases']> = {}
  for (const item of store.cases(resultKey)) {
    cases[item.case_id] = { prescriptions: item.prescriptions, events: item.events }
  }
  const body: ResultBody = {
    message: 'Ongoing dataset result retrieved successfully',
    project_status: project.status,
    expected_plugins: plugins.map((plugin) => plugin.plugin_key),
    finished_plugins: finished,
    cases_count: result.cases_count,
    columns: JSON.parse(result.columns) as string[],
    columns_definition: JSON.parse(result.columns_definition) as NonNullable<ResultBody['columns_definition']>,
    case_attributes: JSON.parse(result.case_attributes) as string[],
    cases,
  }
  if (rules.oneShotRead) store.deleteResult(resultKey)
  return body
}

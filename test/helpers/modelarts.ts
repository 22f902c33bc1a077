import type { FastifyInstance } from 'fastify'
import { CREDENTIALS, get } from './sandbox.js'

/** The fixture's project, tasks and versions. */
export const PROJECT = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
export const ANIMALS = 'SNEJua7qdZZN8GvkcEr'
export const FLOWERS = 'kQ3vT8xNwP5rYb2LmZc'

export const taskUrl = (task: string, project = PROJECT) => `/v2/${project}/processor-tasks/${task}`
export const versionUrl = (task: string, version: string, project = PROJECT) => `${taskUrl(task, project)}/versions/${version}`
export const resultsUrl = (task: string, version: string, project = PROJECT) => `${versionUrl(task, version, project)}/results`

/** A GET as a ModelArts client sends it (X-Auth-Token: resultbox unless told otherwise). */
export function maGet(app: FastifyInstance, url: string, headers: Record<string, string> = CREDENTIALS.modelarts) {
  return get(app, url, headers)
}

/** POST /_resultbox/scenarios/modelarts. */
export function postScenario(app: FastifyInstance, body: unknown) {
  return app.inject({ method: 'POST', url: '/_resultbox/scenarios/modelarts', payload: body as object })
}

/** The fields of DescProcessorTaskVersion, in the vendor's order (counts only once completed). */
export const VERSION_KEYS = [
  'task_version_id', 'task_id', 'version_name', 'description', 'status', 'create_time', 'update_time',
  'inputs', 'work_path', 'template', 'duration_seconds',
]
export const COUNT_KEYS = ['origin_sample_count', 'add_sample_count', 'modified_sample_count', 'unmodified_sample_count', 'deleted_sample_count']
export const TASK_KEYS = [
  'task_id', 'name', 'description', 'data_source', 'inputs', 'work_path', 'template', 'status', 'duration_seconds', 'create_time',
  'version_count', 'is_current', 'workspace_id', 'version_id', 'version_name',
]
/** How many of TASK_KEYS every task has: the rest (and error_msg, before them) only a task with a version. */
export const TASK_KEYS_ALWAYS = 13

/** A template as the vendor answers it: its id, name and the operator it runs. */
export function templateOf(id: string, name: string, operator: string) {
  return {
    id,
    name,
    operator_params: [{ id, name: operator, advanced_params_switch: false, params: { task_type: 'image_classification', dataset_type: 'manifest', source_service: 'select' } }],
  }
}

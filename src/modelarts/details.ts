import { TEMPLATES, TEMPLATE_OPERATORS, VERSION_STATUS, type TaskBody, type VersionBody } from './schemas.js'
import type { ModelArtsStore, TaskRow, VersionRow } from './store.js'

/** The task's OBS input folder, as ProcessorDataSource. */
const inputsOf = (task: TaskRow) => [{ type: 'OBS' as const, source: task.input_path }]
const templateOf = (task: TaskRow) => ({
  id: task.template_id,
  name: TEMPLATES[task.template_id],
  operator_params: [{
    id: task.template_id,
    name: TEMPLATE_OPERATORS[task.template_id],
    advanced_params_switch: false,
    params: { task_type: 'image_classification', dataset_type: 'manifest', source_service: 'select' },
  }],
})

/** Seconds spent running: none before it starts, growing while it runs, fixed once it ends. */
export function durationSeconds(version: VersionRow, now: number): number {
  if (version.started_at === null) return 0
  return Math.max(0, Math.floor(((version.ended_at ?? now) - version.started_at) / 1000))
}

/**
 * DescProcessorTaskVersion. Key order follows the vendor's example; the
 * sample counts appear once the version has completed, as in its examples
 * (an initialized version's example has none, a completed one's has all five).
 */
export function versionBody(store: ModelArtsStore, task: TaskRow, version: VersionRow, now: number): VersionBody {
  const body: VersionBody = {
    task_version_id: version.version_id,
    task_id: task.task_id,
    version_name: version.version_name,
    description: version.description,
    status: version.status,
    create_time: version.create_time,
    update_time: version.update_time,
    inputs: inputsOf(task),
    work_path: { type: 'OBS', path: task.work_path, output_path: `${task.work_path}${version.version_id}/` },
    template: templateOf(task),
    duration_seconds: durationSeconds(version, now),
  }
  if (version.status !== VERSION_STATUS.completed) return body
  const [retained, modified, deleted, added] = store.propertyCounts(version.version_id)
  // Everything but the added samples was there before processing.
  return {
    ...body,
    origin_sample_count: retained + modified + deleted,
    add_sample_count: added,
    modified_sample_count: modified,
    unmodified_sample_count: retained,
    deleted_sample_count: deleted,
  }
}

/**
 * DescribeProcessorTask: the task, with the status and duration of its latest
 * version; a task with no version yet reads as initialized and names none.
 */
export function taskBody(task: TaskRow, latest: VersionRow | undefined, versionCount: number, now: number): TaskBody {
  const body: TaskBody = {
    task_id: task.task_id,
    name: task.name,
    description: task.description,
    // The vendor's examples give the input twice: as data_source and in inputs.
    data_source: { type: 'OBS', source: task.input_path },
    inputs: inputsOf(task),
    work_path: { type: 'OBS', path: task.work_path },
    template: templateOf(task),
    status: latest?.status ?? VERSION_STATUS.initialized,
    duration_seconds: latest ? durationSeconds(latest, now) : 0,
    create_time: task.create_time,
    version_count: versionCount,
    is_current: true,
    workspace_id: '0',
  }
  if (!latest) return body
  return {
    ...body,
    ...(latest.status === VERSION_STATUS.failed ? { error_msg: 'Task failed' } : {}),
    version_id: latest.version_id,
    version_name: latest.version_name,
  }
}

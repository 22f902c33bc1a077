import { TypeCompiler } from '@sinclair/typebox/compiler'
import { explorerError } from './errors.js'
import { JobFilter, type JobDetail, type JobInput, type JobItem } from './schemas.js'
import type { ExplorerStore, JobRow, NewJob, TaskRow } from './store.js'
import { JOB_PREPARING_MS, TASK_RUNNING_MS, planJob } from './timeline.js'

/** The vendor's server runs in China Standard Time: task times read "…+08:00", job names carry local time. */
const OFFSET_MINUTES = 8 * 60
const OFFSET = '+08:00'
/** Go's zero time.Time, as the vendor's Go server writes a time that has not happened. */
const ZERO_TIME = '0001-01-01T00:00:00Z'

/** "2022-07-12T10:33:35+08:00": seconds, local time with its offset, as the vendor writes task times. */
export function taskTime(ms: number | null): string {
  if (ms === null) return ZERO_TIME
  return `${new Date(ms + OFFSET_MINUTES * 60_000).toISOString().slice(0, 19)}${OFFSET}`
}

/** The vendor names a job after its workflow and local creation time: workflow_xkkjf_20220712103332. */
export function jobName(workflowName: string, createdAt: number): string {
  const local = new Date(createdAt + OFFSET_MINUTES * 60_000).toISOString()
  return `${workflowName}_${local.slice(0, 19).replace(/\D/g, '')}`
}

export function toJobItem(job: JobRow): JobItem {
  return {
    id: job.id,
    name: job.name,
    workflowId: job.workflow_id,
    workflowName: job.workflow_name,
    status: job.status,
    runBeginTime: job.run_begin_time ?? 0,
    runEndTime: job.run_end_time ?? 0,
    createTime: job.create_time,
  }
}

export function toJobDetail(job: JobRow, tasks: TaskRow[]): JobDetail {
  const { runBeginTime, runEndTime, createTime, ...head } = toJobItem(job)
  return {
    ...head,
    tasks: tasks.map((task) => ({
      id: task.id,
      name: task.name,
      runBeginTime: taskTime(task.run_begin_time),
      runEndTime: taskTime(task.run_end_time),
      status: task.status,
    })),
    runBeginTime,
    runEndTime,
    createTime,
  }
}

// Compiled on the first filtered list rather than at start-up.
let checkFilter: ReturnType<typeof TypeCompiler.Compile<typeof JobFilter>> | undefined

/** The `filter` query parameter: JSON of the filter fields; absent or empty means no filter. */
export function parseFilter(text: string | undefined): JobFilter {
  if (text === undefined || text === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw explorerError('ErrParam', 'filter must be URL-encoded JSON')
  }
  checkFilter ??= TypeCompiler.Compile(JobFilter)
  const first = checkFilter.Errors(value).First()
  if (first) throw explorerError('ErrParam', `filter${first.path === '' ? '' : first.path.replace(/^\//, '.')} ${first.message.toLowerCase()}`)
  return value as JobFilter
}

/**
 * A job instantiated from a stored workflow. Input for a task the workflow
 * does not have is refused (ErrParam); a missing required parameter answers
 * 50004002 ErrInternalController, as the vendor's QA suite observed.
 */
export function jobFromWorkflow(store: ExplorerStore, workflowId: string, input: JobInput, now: number): NewJob {
  const values = Object.values(input).flatMap((params) => Object.values(params))
  if (!values.every((value) => typeof value === 'string' || typeof value === 'number')) {
    throw explorerError('ErrParam', 'input must map task ids to objects of string or number parameters')
  }
  const workflow = store.workflow(workflowId)
  // The vendor answers a missing row with a database error, as it does for an unknown job.
  if (!workflow) throw explorerError('ErrInternalDatabase', `workflow ${workflowId} not found`)
  const tasks = store.workflowTasks(workflowId)
  const known = new Set(tasks.map((task) => task.id))
  const stranger = Object.keys(input).find((taskId) => !known.has(taskId))
  if (stranger !== undefined) throw explorerError('ErrParam', `input names task ${stranger}, which workflow ${workflowId} does not have`)
  for (const task of tasks) {
    const missing = task.params.find((param) => input[task.id]?.[param] === undefined)
    if (missing !== undefined) throw explorerError('ErrInternalController', `task ${task.id} needs input parameter ${missing}`)
  }
  const timeline = planJob(
    now,
    tasks.map((task, index) => ({
      id: task.id,
      startsAfterMs: index === 0 ? JOB_PREPARING_MS : 0,
      runsForMs: task.runs_for_ms ?? TASK_RUNNING_MS,
      outcome: task.outcome,
    })),
  )
  return {
    id: store.nextJobId(),
    name: jobName(workflow.name, now),
    workflow_id: workflow.id,
    workflow_name: workflow.name,
    create_time: now,
    input,
    tasks: tasks.map((task) => ({ id: task.id, name: task.name, columns: task.columns, row_count: task.rows === null ? task.row_count : null, rows: task.rows ?? [] })),
    steps: timeline.steps,
  }
}

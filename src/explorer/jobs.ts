import type { Static, TObject } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { DEFAULT_ROW_COUNT } from './algorithms.js'
import { defaultRowCount, fillSpec, missingNeed } from './dag.js'
import { computationFor } from './graph.js'
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

/**
 * A `filter` query parameter's parser: JSON of the schema's fields; absent or empty means no filter. The
 * schema is compiled on the first filtered list rather than at start-up.
 */
export function filterParser<T extends TObject>(schema: T): (text: string | undefined) => Static<T> {
  let check: TypeCheck<T> | undefined
  return (text) => {
    if (text === undefined || text === '') return {} as Static<T>
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw explorerError('ErrParam', 'filter must be URL-encoded JSON')
    }
    check ??= TypeCompiler.Compile(schema)
    const first = check.Errors(value).First()
    if (first) throw explorerError('ErrParam', `filter${first.path === '' ? '' : first.path.replace(/^\//, '.')} ${first.message.toLowerCase()}`)
    return value as Static<T>
  }
}

/** The `filter` of the job lists. */
export const parseFilter: (text: string | undefined) => JobFilter = filterParser(JobFilter)

/** What a placeholder an upstream task feeds holds when a job is created: a value that comes as the job runs. */
const FED_LATER = '<upstream>'

/**
 * A job instantiated from a stored workflow. Input for a task the workflow does not have is refused
 * (ErrParam); a missing required parameter, or an algorithm's parameter left empty (an SSSP's root, a
 * query's nGQL), answers 50004002 ErrInternalController, as the vendor's QA suite observed. A parameter
 * an upstream task feeds need not be given: the task fails as it runs if the upstream gives it no rows,
 * and the job ends failed (the suite's component_deps). A task's rows are the ones a test attached to it
 * by workflow name and task id, else its own.
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
  if (tasks.length === 0) throw explorerError('ErrInternalController', `workflow ${workflowId} has no tasks to run: its schema is not a DAG of tasks`)
  for (const task of tasks) {
    const missing = task.params.find((param) => input[task.id]?.[param] === undefined)
    if (missing !== undefined) throw explorerError('ErrInternalController', `task ${task.id} needs input parameter ${missing}`)
  }
  const rowsGiven = new Map<string, number>()
  const planned = tasks.map((task) => {
    let rowCount = task.row_count
    let outcome = task.outcome
    let spec: Record<string, string> = {}
    if (task.dag !== null) {
      const { dag } = task
      const given = input[task.id]
      spec = fillSpec(dag, given, FED_LATER)
      const empty = missingNeed(dag.algorithm, spec)
      if (empty !== undefined) throw explorerError('ErrInternalController', `task ${task.id} needs a value for ${empty}`)
      rowCount = defaultRowCount(dag.algorithm, spec)
      const starved = (dag.dependence && (dag.reads.length === 0 || dag.reads.some((upstream) => rowsGiven.get(upstream) === 0)))
        || dag.fed.some((param) => given?.[param.name] === undefined && rowsGiven.get(param.from) === 0)
      if (starved) outcome = 'failed'
    }
    const attached = store.taskResult(workflow.name, task.id)
    const rows = attached === undefined ? task.rows : 'rows' in attached ? attached.rows : null
    if (attached !== undefined && 'row_count' in attached) rowCount = attached.row_count
    rowsGiven.set(task.id, outcome === 'failed' ? 0 : (rows?.length ?? rowCount))
    // No rows or count of the test's own (a drawn task's count is the default; a DAG's comes from its spec), nor a
    // graph from upstream: the rows are the algorithm's on the sample graph, with the task's parameters.
    const ownCount = task.dag === null ? rowCount !== DEFAULT_ROW_COUNT : attached !== undefined
    const computation = rows === null && !ownCount && !task.dag?.dependence
      ? computationFor(task.dag?.algorithm ?? task.name, task.dag === null ? input[task.id] ?? {} : spec, task.columns.length)
      : undefined
    // On the graph of the space its datasource reads, when a test gave that space one.
    const compute = computation && task.dag?.space ? { ...computation, space: task.dag.space } : computation
    return { task, rows, rowCount, outcome, compute }
  })
  const timeline = planJob(
    now,
    planned.map(({ task, outcome }, index) => ({
      id: task.id,
      startsAfterMs: index === 0 ? JOB_PREPARING_MS : 0,
      runsForMs: task.runs_for_ms ?? TASK_RUNNING_MS,
      outcome,
    })),
  )
  return {
    id: store.nextJobId(),
    name: jobName(workflow.name, now),
    workflow_id: workflow.id,
    workflow_name: workflow.name,
    create_time: now,
    input,
    ...(workflow.schema === null ? {} : { schema: workflow.schema }),
    tasks: planned.map(({ task, rows, rowCount, compute }) => ({
      id: task.id, name: task.name, columns: task.columns, row_count: rows === null ? rowCount : null, rows: rows ?? [], ...(compute ? { compute } : {}),
    })),
    steps: timeline.steps,
  }
}

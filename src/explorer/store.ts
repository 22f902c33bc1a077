import { randomInt } from 'node:crypto'
import { statementsOnDemand, type Db } from '../database.js'
import { generateRows } from './algorithms.js'
import { tasksOfDag, type DagTaskPlan } from './dag.js'
import { COMPUTE_BUDGET, computationCost, computedRows, graphFixtureOf, sizeOf, type GraphComputation, type GraphEdge, type GraphFixture, type GraphSource, type StoredGraph } from './graph.js'
import type { Fixture, FixtureWorkflow, JobFilter } from './schemas.js'
import type { Step } from './timeline.js'

export interface TaskRow {
  job_id: number
  id: string
  name: string
  status: number
  run_begin_time: number | null
  run_end_time: number | null
}

export interface JobRow {
  id: number
  name: string
  workflow_id: string
  workflow_name: string
  status: number
  create_time: number
  run_begin_time: number | null
  run_end_time: number | null
  /** The analytics controller's id for it (the console's ctlJobId). */
  ctl_job_id: number
}

export interface WorkflowRow {
  id: string
  name: string
  /** The DAG the console saved (null: a workflow of the fixture or the control API). */
  schema: string | null
}

/** A workflow as the web console shows it: its DAG verbatim ('' for one it did not make). */
export interface FlowRow {
  id: string
  name: string
  schema: string
  create_time: number
  update_time: number
}

/** One entry of a flow's history: the DAG a job of it ran with. */
export interface FlowVersionRow {
  id: number
  workflow_id: string
  schema: string
  job_id: number | null
  create_time: number
}

/** Rows a test attached to a task by workflow name and task id: exactly these, or this many generated. */
export type TaskResult = { rows: string[][] } | { row_count: number }

export interface WorkflowTaskRow {
  id: string
  name: string
  columns: string[]
  row_count: number
  params: string[]
  /** How long a job's run of it takes (null: the default), and how it ends. */
  runs_for_ms: number | null
  outcome: 'success' | 'failed'
  /** Its exact rows, when the workflow gives them; null: row_count rows are generated. */
  rows: string[][] | null
  /** How it reads its input, for a task of a console DAG; null for the others. */
  dag: DagTaskPlan | null
}

/** A job about to be created (from a workflow or a scenario), with the steps it will take. */
export interface NewJob {
  id: number
  name: string
  workflow_id: string
  workflow_name: string
  create_time: number
  input: unknown
  /** The flow's DAG as the job runs it, kept in the flow's history (a workflow of the console's only). */
  schema?: string
  tasks: { id: string; name: string; columns: string[]; row_count: number | null; rows: string[][]; compute?: GraphComputation }[]
  steps: Step[]
}

export interface JobQuery extends JobFilter {
  workflowId?: string
  limit: number
  offset: number
}

interface StepRow {
  job_id: number
  seq: number
  due_at: number
  task_id: string | null
  status: number
}

type FixtureJob = Fixture['jobs'][number]

/** Escapes LIKE's wildcards, so a name filter matches its characters literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`

const JOB_COLUMNS = 'id, name, workflow_id, workflow_name, status, create_time, run_begin_time, run_end_time, ctl_job_id'
const JOB_FILTER = `(@workflow IS NULL OR workflow_id = @workflow)
  AND (@status IS NULL OR status = @status)
  AND (@name IS NULL OR name LIKE @name ESCAPE '\\')
  AND (@from IS NULL OR create_time >= @from)
  AND (@to IS NULL OR create_time <= @to)`

/** Rows one INSERT stores when many are stored at once: about half the time of as many single-row statements. */
const ROW_BATCH = 64
/** Rows a stored block joins (explorer_task_row_blocks; migration 008 uses the same number). */
export const ROW_BLOCK = 4096

/** Every query the Explorer API makes, as prepared statements. */
export class ExplorerStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = statementsOnDemand({
      jobExists: () => db.prepare<[number], { id: number }>('SELECT id FROM explorer_jobs WHERE id = ?'),
      job: () => db.prepare<[number], JobRow>(`SELECT ${JOB_COLUMNS} FROM explorer_jobs WHERE id = ?`),
      jobTasks: () => db.prepare<[number], TaskRow>(
        'SELECT job_id, id, name, status, run_begin_time, run_end_time FROM explorer_tasks WHERE job_id = ? ORDER BY position, rowid',
      ),
      task: () => db.prepare<[number, string], TaskRow>(
        'SELECT job_id, id, name, status, run_begin_time, run_end_time FROM explorer_tasks WHERE job_id = ? AND id = ?',
      ),
      cellsFrom: () => db.prepare<[number, string, number, number], string>(
        'SELECT cells FROM explorer_task_rows WHERE job_id = ? AND task_id = ? AND ordinal >= ? AND ordinal < ? ORDER BY ordinal',
      ).pluck(),
      nextJobId: () => db.prepare<[], number>('SELECT COALESCE(MAX(id), 0) + 1 FROM explorer_jobs').pluck(),
      countJobs: () => db.prepare<[Record<string, unknown>], number>(`SELECT COUNT(*) FROM explorer_jobs WHERE ${JOB_FILTER}`).pluck(),
      jobsDesc: () => db.prepare<[Record<string, unknown>], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM explorer_jobs WHERE ${JOB_FILTER} ORDER BY create_time DESC, id DESC LIMIT @limit OFFSET @offset`,
      ),
      jobsAsc: () => db.prepare<[Record<string, unknown>], JobRow>(
        `SELECT ${JOB_COLUMNS} FROM explorer_jobs WHERE ${JOB_FILTER} ORDER BY create_time, id LIMIT @limit OFFSET @offset`,
      ),
      insertJob: () => db.prepare(
        `INSERT INTO explorer_jobs (id, name, workflow_id, workflow_name, status, create_time, run_begin_time, run_end_time, input, ctl_job_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(ctl_job_id), 0) + 1 FROM explorer_jobs))`,
      ),
      jobInput: () => db.prepare<[number], string>('SELECT input FROM explorer_jobs WHERE id = ?').pluck(),
      jobByCtl: () => db.prepare<[number], JobRow>(`SELECT ${JOB_COLUMNS} FROM explorer_jobs WHERE ctl_job_id = ?`),
      insertTask: () => db.prepare(
        `INSERT INTO explorer_tasks (job_id, id, name, status, columns, position, run_begin_time, run_end_time, row_count, compute)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertRow: () => db.prepare('INSERT INTO explorer_task_rows (job_id, task_id, ordinal, cells) VALUES (?, ?, ?, ?)'),
      insertRowBatch: () => db.prepare(`INSERT INTO explorer_task_rows (job_id, task_id, ordinal, cells) VALUES ${Array(ROW_BATCH).fill('(?, ?, ?, ?)').join(', ')}`),
      insertRowBlock: () => db.prepare('INSERT INTO explorer_task_row_blocks (job_id, task_id, block, cells) VALUES (?, ?, ?, ?)'),
      rowBlock: () => db.prepare<[number, string, number], string>(
        'SELECT cells FROM explorer_task_row_blocks WHERE job_id = ? AND task_id = ? AND block = ?',
      ).pluck(),
      workflow: () => db.prepare<[string], WorkflowRow>('SELECT id, name, schema FROM explorer_workflows WHERE id = ?'),
      workflowTasks: () => db.prepare<[string], { id: string; name: string; columns: string; row_count: number; params: string; runs_for_ms: number | null; outcome: 'success' | 'failed'; rows: string | null; dag: string | null }>(
        'SELECT id, name, columns, row_count, params, runs_for_ms, outcome, rows, dag FROM explorer_workflow_tasks WHERE workflow_id = ? ORDER BY position',
      ),
      flow: () => db.prepare<[string], FlowRow>("SELECT id, name, COALESCE(schema, '') AS schema, create_time, update_time FROM explorer_workflows WHERE id = ?"),
      countFlows: () => db.prepare<[{ name: string | null }], number>("SELECT COUNT(*) FROM explorer_workflows WHERE (@name IS NULL OR name LIKE @name ESCAPE '\\')").pluck(),
      flows: () => db.prepare<[{ name: string | null; limit: number; offset: number }], FlowRow>(
        `SELECT id, name, COALESCE(schema, '') AS schema, create_time, update_time FROM explorer_workflows
         WHERE (@name IS NULL OR name LIKE @name ESCAPE '\\') ORDER BY create_time DESC, rowid DESC LIMIT @limit OFFSET @offset`,
      ),
      insertFlow: () => db.prepare<[string, string, string, number, number]>(
        'INSERT INTO explorer_workflows (id, name, schema, create_time, update_time) VALUES (?, ?, ?, ?, ?)',
      ),
      updateFlow: () => db.prepare<[string, string, number, string]>('UPDATE explorer_workflows SET name = ?, schema = ?, update_time = ? WHERE id = ?'),
      setFlowSchema: () => db.prepare<[string, number, string]>('UPDATE explorer_workflows SET schema = ?, update_time = ? WHERE id = ?'),
      deleteWorkflowTasks: () => db.prepare<[string]>('DELETE FROM explorer_workflow_tasks WHERE workflow_id = ?'),
      insertDagTask: () => db.prepare(
        `INSERT INTO explorer_workflow_tasks (workflow_id, id, position, name, columns, row_count, params, dag)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      versionIdTaken: () => db.prepare<[number], number>('SELECT 1 FROM explorer_workflow_versions WHERE id = ?').pluck(),
      insertVersion: () => db.prepare<[number, string, string, number | null, number]>(
        'INSERT INTO explorer_workflow_versions (id, workflow_id, schema, job_id, create_time) VALUES (?, ?, ?, ?, ?)',
      ),
      countVersions: () => db.prepare<[string], number>('SELECT COUNT(*) FROM explorer_workflow_versions WHERE workflow_id = ?').pluck(),
      versions: () => db.prepare<[string, number, number], FlowVersionRow>(
        'SELECT id, workflow_id, schema, job_id, create_time FROM explorer_workflow_versions WHERE workflow_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?',
      ),
      version: () => db.prepare<[string, number], FlowVersionRow>(
        'SELECT id, workflow_id, schema, job_id, create_time FROM explorer_workflow_versions WHERE workflow_id = ? AND id = ?',
      ),
      taskResult: () => db.prepare<[string, string], { rows: string | null; row_count: number | null }>(
        'SELECT rows, row_count FROM explorer_task_results WHERE workflow_name = ? AND task_id = ?',
      ),
      setTaskResult: () => db.prepare<[string, string, string | null, number | null]>(
        `INSERT INTO explorer_task_results (workflow_name, task_id, rows, row_count) VALUES (?, ?, ?, ?)
         ON CONFLICT (workflow_name, task_id) DO UPDATE SET rows = excluded.rows, row_count = excluded.row_count`,
      ),
      deleteTaskResult: () => db.prepare<[string, string]>('DELETE FROM explorer_task_results WHERE workflow_name = ? AND task_id = ?'),
      deleteTaskResults: () => db.prepare('DELETE FROM explorer_task_results'),
      insertVertex: () => db.prepare<[string, string, string, string]>('INSERT INTO explorer_graph_vertices (space, vid, tag, props) VALUES (?, ?, ?, ?)'),
      insertEdge: () => db.prepare<[string, string, string, string, number, string]>(
        'INSERT INTO explorer_graph_edges (space, type, src, dst, rank, props) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      graphVertices: () => db.prepare<[string], string>('SELECT vid FROM explorer_graph_vertices WHERE space = ? ORDER BY rowid').pluck(),
      graphEdges: () => db.prepare<[string], GraphEdge>('SELECT type, src, dst, rank FROM explorer_graph_edges WHERE space = ? ORDER BY rowid'),
      graphVertexRows: () => db.prepare<[string], { vid: string; tag: string; props: string }>('SELECT vid, tag, props FROM explorer_graph_vertices WHERE space = ? ORDER BY rowid'),
      graphEdgeRows: () => db.prepare<[string], GraphEdge & { props: string }>('SELECT type, src, dst, rank, props FROM explorer_graph_edges WHERE space = ? ORDER BY rowid'),
      graphHas: () => db.prepare<[string, string], number>(
        'SELECT EXISTS (SELECT 1 FROM explorer_graph_vertices WHERE space = ?) OR EXISTS (SELECT 1 FROM explorer_graph_generated WHERE space = ?)',
      ).pluck(),
      deleteSpaceVertices: () => db.prepare<[string]>('DELETE FROM explorer_graph_vertices WHERE space = ?'),
      deleteSpaceEdges: () => db.prepare<[string]>('DELETE FROM explorer_graph_edges WHERE space = ?'),
      deleteSpaceGenerated: () => db.prepare<[string]>('DELETE FROM explorer_graph_generated WHERE space = ?'),
      deleteGraph: () => db.prepare('DELETE FROM explorer_graph_vertices'),
      deleteGraphEdges: () => db.prepare('DELETE FROM explorer_graph_edges'),
      generatedGraph: () => db.prepare<[string], { size: number; edgesPerVertex: number; seed: number }>(
        'SELECT size, edges_per_vertex AS edgesPerVertex, seed FROM explorer_graph_generated WHERE space = ?',
      ),
      insertGeneratedGraph: () => db.prepare<[string, number, number, number]>('INSERT INTO explorer_graph_generated (space, size, edges_per_vertex, seed) VALUES (?, ?, ?, ?)'),
      deleteGeneratedGraph: () => db.prepare('DELETE FROM explorer_graph_generated'),
      insertWorkflow: () => db.prepare('INSERT INTO explorer_workflows (id, name, create_time, update_time) VALUES (?, ?, ?, ?)'),
      nextWorkflowId: () => db.prepare<[], number>("SELECT COALESCE(MAX(CAST(id AS INTEGER)), 0) + 1 FROM explorer_workflows WHERE id NOT GLOB '*[^0-9]*'").pluck(),
      insertWorkflowTask: () => db.prepare(
        `INSERT INTO explorer_workflow_tasks (workflow_id, id, position, name, columns, row_count, params, runs_for_ms, outcome, rows)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertStep: () => db.prepare('INSERT INTO explorer_job_steps (job_id, seq, due_at, task_id, status) VALUES (?, ?, ?, ?, ?)'),
      nextStepDue: () => db.prepare<[], number | null>('SELECT MIN(due_at) FROM explorer_job_steps').pluck(),
      firstDueStep: () => db.prepare<[number], StepRow>(
        'SELECT job_id, seq, due_at, task_id, status FROM explorer_job_steps WHERE due_at <= ? ORDER BY due_at, job_id, seq LIMIT 1',
      ),
      deleteStep: () => db.prepare<[number, number]>('DELETE FROM explorer_job_steps WHERE job_id = ? AND seq = ?'),
      deleteJobSteps: () => db.prepare<[number]>('DELETE FROM explorer_job_steps WHERE job_id = ?'),
      setJobStatus: () => db.prepare(
        `UPDATE explorer_jobs SET status = @status,
           run_begin_time = CASE WHEN @status = 1 THEN COALESCE(run_begin_time, @at) ELSE run_begin_time END,
           run_end_time = CASE WHEN @status IN (2, 3, 4) THEN @at ELSE run_end_time END
         WHERE id = @job`,
      ),
      setTaskStatus: () => db.prepare(
        `UPDATE explorer_tasks SET status = @status,
           run_begin_time = CASE WHEN @status = 1 THEN COALESCE(run_begin_time, @at) ELSE run_begin_time END,
           run_end_time = CASE WHEN @status IN (2, 3, 4) THEN @at ELSE run_end_time END
         WHERE job_id = @job AND id = @task`,
      ),
      // A task that never began has no end either.
      interruptTasks: () => db.prepare(
        `UPDATE explorer_tasks SET status = 4, run_end_time = CASE WHEN run_begin_time IS NULL THEN NULL ELSE @at END
         WHERE job_id = @job AND status IN (0, 1, 5)`,
      ),
      stopJob: () => db.prepare<[number]>('UPDATE explorer_jobs SET status = 5 WHERE id = ?'),
      stopRunningTasks: () => db.prepare<[number]>('UPDATE explorer_tasks SET status = 5 WHERE job_id = ? AND status = 1'),
      taskPlan: () => db.prepare<[number, string], { name: string; columns: string; row_count: number | null; compute: string | null }>(
        'SELECT name, columns, row_count, compute FROM explorer_tasks WHERE job_id = ? AND id = ?',
      ),
      insertToken: () => db.prepare<[string, string, number]>('INSERT INTO explorer_tokens (token, account, expires_at) VALUES (?, ?, ?)'),
      tokenExpiry: () => db.prepare<[string], number>('SELECT expires_at FROM explorer_tokens WHERE token = ?').pluck(),
      deleteTokensExpiredBy: () => db.prepare<[number]>('DELETE FROM explorer_tokens WHERE expires_at <= ?'),
      deleteToken: () => db.prepare<[string]>('DELETE FROM explorer_tokens WHERE token = ?'),
      // Tasks, rows and steps hang off jobs, workflow tasks off workflows, by cascading foreign keys.
      deleteJobs: () => db.prepare('DELETE FROM explorer_jobs'),
      deleteWorkflows: () => db.prepare('DELETE FROM explorer_workflows'),
      deleteTokens: () => db.prepare('DELETE FROM explorer_tokens'),
      workflowIdTaken: () => db.prepare<[string], number>('SELECT 1 FROM explorer_workflows WHERE id = ?').pluck(),
      password: () => db.prepare<[string], string>('SELECT password FROM explorer_passwords WHERE account = ?').pluck(),
      setPassword: () => db.prepare<[string, string]>(
        'INSERT INTO explorer_passwords (account, password) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET password = excluded.password',
      ),
      deletePasswords: () => db.prepare('DELETE FROM explorer_passwords'),
      deleteJob: () => db.prepare<[number]>('DELETE FROM explorer_jobs WHERE id = ?'),
      deleteWorkflow: () => db.prepare<[string]>('DELETE FROM explorer_workflows WHERE id = ?'),
      deleteJobsOfWorkflow: () => db.prepare<[string]>('DELETE FROM explorer_jobs WHERE workflow_id = ?'),
    })
  }

  jobExists(jobId: number): boolean {
    return Number.isSafeInteger(jobId) && this.statements.jobExists.get(jobId) !== undefined
  }

  job(jobId: number): JobRow | undefined {
    return Number.isSafeInteger(jobId) ? this.statements.job.get(jobId) : undefined
  }

  jobTasks(jobId: number): TaskRow[] {
    return this.statements.jobTasks.all(jobId)
  }

  task(jobId: number, taskId: string): TaskRow | undefined {
    return this.statements.task.get(jobId, taskId)
  }

  /**
   * The cells (stored JSON, one string a row) of up to `count` rows of a task's result from its row `from`,
   * in result order. Every writer numbers a task's rows 0, 1, 2, … by position, so a chunk is a key range:
   * read by key, a chunk deep in a million rows costs what the first does, and only the cells cross into
   * JavaScript (reading [ordinal, cells] pairs took twice as long for a million rows).
   */
  cellsFrom(jobId: number, taskId: string, from: number, count: number): string[] {
    return this.statements.cellsFrom.all(jobId, taskId, from, from + count)
  }

  /** Rows ROW_BLOCK × block to ROW_BLOCK × block + ROW_BLOCK − 1, their cells joined by commas; undefined unless all are stored. */
  rowBlock(jobId: number, taskId: string, block: number): string | undefined {
    return this.statements.rowBlock.get(jobId, taskId, block)
  }

  nextJobId(): number {
    return this.statements.nextJobId.get() as number
  }

  /** One page of the jobs a filter matches, and how many match in all. */
  jobs(query: JobQuery): { items: JobRow[]; total: number } {
    const parameters = {
      workflow: query.workflowId ?? null,
      status: query.status ?? null,
      name: query.name === undefined ? null : likePattern(query.name),
      from: query.fromCreateTime ?? null,
      to: query.toCreateTime ?? null,
    }
    const total = this.statements.countJobs.get(parameters) as number
    // A page past the end is empty; skipping the query keeps a huge offset away from SQLite.
    if (query.offset >= total) return { items: [], total }
    const statement = query.orderByCreateTime === 'asc' ? this.statements.jobsAsc : this.statements.jobsDesc
    return { items: statement.all({ ...parameters, limit: query.limit, offset: query.offset }), total }
  }

  workflow(workflowId: string): WorkflowRow | undefined {
    return this.statements.workflow.get(workflowId)
  }

  /** One more than the highest workflow id, as a new workflow's. */
  nextWorkflowId(): string {
    return String(this.statements.nextWorkflowId.get() as number)
  }

  workflowTasks(workflowId: string): WorkflowTaskRow[] {
    return this.statements.workflowTasks.all(workflowId).map((row) => ({
      ...row,
      columns: JSON.parse(row.columns) as string[],
      params: JSON.parse(row.params) as string[],
      rows: row.rows === null ? null : (JSON.parse(row.rows) as string[][]),
      dag: row.dag === null ? null : (JSON.parse(row.dag) as DagTaskPlan),
    }))
  }

  /** The input a job (one the store has) was given, as given. */
  jobInput(jobId: number): Record<string, unknown> {
    return JSON.parse(this.statements.jobInput.get(jobId) as string) as Record<string, unknown>
  }

  /** The job the analytics controller knows by this id. */
  jobByCtl(ctlJobId: number): JobRow | undefined {
    return Number.isSafeInteger(ctlJobId) ? this.statements.jobByCtl.get(ctlJobId) : undefined
  }

  flow(flowId: string): FlowRow | undefined {
    return this.statements.flow.get(flowId)
  }

  /** One page of the workflows, newest first (the order they were made in, when made in the same ms). */
  flows(query: { name?: string; limit: number; offset: number }): { items: FlowRow[]; total: number } {
    const name = query.name === undefined || query.name === '' ? null : likePattern(query.name)
    const total = this.statements.countFlows.get({ name }) as number
    if (query.offset >= total) return { items: [], total }
    return { items: this.statements.flows.all({ name, limit: query.limit, offset: query.offset }), total }
  }

  /** A new console workflow, with a fresh 10-digit id as the console's are; its tasks come from its DAG. */
  createFlow(name: string, schema: string, now: number): string {
    return this.db.transaction(() => {
      const id = freshId((candidate) => this.statements.workflowIdTaken.get(String(candidate)) !== undefined)
      this.statements.insertFlow.run(String(id), name, schema, now, now)
      this.replaceDagTasks(String(id), schema)
      return String(id)
    })()
  }

  /** Saves a workflow's name and DAG: its tasks become the DAG's (none, for a schema that is not one). */
  updateFlow(flowId: string, name: string, schema: string, now: number): void {
    this.db.transaction(() => {
      this.statements.updateFlow.run(name, schema, now, flowId)
      this.replaceDagTasks(flowId, schema)
    })()
  }

  /** Puts a version's DAG back as the workflow's. */
  restoreFlow(flowId: string, schema: string, now: number): void {
    this.db.transaction(() => {
      this.statements.setFlowSchema.run(schema, now, flowId)
      this.replaceDagTasks(flowId, schema)
    })()
  }

  private replaceDagTasks(flowId: string, schema: string): void {
    this.statements.deleteWorkflowTasks.run(flowId)
    tasksOfDag(schema).forEach((task, position) => {
      this.statements.insertDagTask.run(
        flowId, task.id, position, task.name, JSON.stringify(task.columns), 0, JSON.stringify(task.params), JSON.stringify(task.dag),
      )
    })
  }

  /** A workflow deleted through the console: its tasks and history go, the jobs it ran stay listed. */
  deleteFlow(flowId: string): void {
    this.statements.deleteWorkflow.run(flowId)
  }

  /** A flow's history, newest first. */
  flowVersions(flowId: string, limit: number, offset: number): { items: FlowVersionRow[]; total: number } {
    return { items: this.statements.versions.all(flowId, limit, offset), total: this.statements.countVersions.get(flowId) as number }
  }

  flowVersion(flowId: string, versionId: number): FlowVersionRow | undefined {
    return Number.isSafeInteger(versionId) ? this.statements.version.get(flowId, versionId) : undefined
  }

  taskResult(workflowName: string, taskId: string): TaskResult | undefined {
    const row = this.statements.taskResult.get(workflowName, taskId)
    if (row === undefined) return undefined
    return row.rows === null ? { row_count: row.row_count as number } : { rows: JSON.parse(row.rows) as string[][] }
  }

  setTaskResult(workflowName: string, taskId: string, result: TaskResult): void {
    this.statements.setTaskResult.run(workflowName, taskId, 'rows' in result ? JSON.stringify(result.rows) : null, 'rows' in result ? null : result.row_count)
  }

  deleteTaskResult(workflowName: string, taskId: string): void {
    this.statements.deleteTaskResult.run(workflowName, taskId)
  }

  /** Stores a fixture job with its tasks and their rows, all or nothing. */
  insertJob(job: FixtureJob): void {
    this.db.transaction(() => {
      const { statements } = this
      statements.insertJob.run(
        job.id, job.name, job.workflow_id, job.workflow_name, job.status, job.create_time,
        job.run_begin_time ?? null, job.run_end_time ?? null, JSON.stringify(job.input ?? {}),
      )
      job.tasks.forEach((task, position) => {
        statements.insertTask.run(
          job.id, task.id, task.name, task.status, JSON.stringify(task.columns), position,
          task.run_begin_time ?? null, task.run_end_time ?? null, null, null,
        )
        this.insertRows(job.id, task.id, task.rows)
      })
    })()
  }

  /**
   * Stores the result rows of a task that has none yet, as they come (a generator can feed millions),
   * numbered 0, 1, 2, … in that order, and each full block of ROW_BLOCK of them joined.
   */
  insertRows(jobId: number, taskId: string, rows: Iterable<string[]>): void {
    let ordinal = 0
    let batch: (number | string)[] = []
    let block: string[] = []
    for (const row of rows) {
      const cells = JSON.stringify(row)
      batch.push(jobId, taskId, ordinal++, cells)
      block.push(cells)
      if (batch.length === ROW_BATCH * 4) {
        this.statements.insertRowBatch.run(batch)
        batch = []
      }
      if (block.length === ROW_BLOCK) {
        this.statements.insertRowBlock.run(jobId, taskId, ordinal / ROW_BLOCK - 1, block.join(','))
        block = []
      }
    }
    for (let at = 0; at < batch.length; at += 4) this.statements.insertRow.run(batch.slice(at, at + 4))
  }

  insertWorkflow(
    workflow: Omit<FixtureWorkflow, 'tasks'> & { tasks: Array<FixtureWorkflow['tasks'][number] & { runs_for_ms?: number; outcome?: 'success' | 'failed'; rows?: string[][] }> },
    columnsOf: (task: FixtureWorkflow['tasks'][number]) => string[],
    defaultRowCount: number,
    createdAt = 0,
  ): void {
    this.db.transaction(() => {
      this.statements.insertWorkflow.run(workflow.id, workflow.name, createdAt, createdAt)
      workflow.tasks.forEach((task, position) => {
        this.statements.insertWorkflowTask.run(
          workflow.id, task.id, position, task.name, JSON.stringify(columnsOf(task)),
          task.rows?.length ?? task.row_count ?? defaultRowCount, JSON.stringify(task.params ?? []),
          task.runs_for_ms ?? null, task.outcome ?? 'success', task.rows === undefined ? null : JSON.stringify(task.rows),
        )
      })
    })()
  }

  /** Stores a new job, preparing, with its tasks, any rows given, and the steps it will take. */
  insertNewJob(job: NewJob): void {
    this.db.transaction(() => {
      const { statements } = this
      statements.insertJob.run(job.id, job.name, job.workflow_id, job.workflow_name, 0, job.create_time, null, null, JSON.stringify(job.input))
      job.tasks.forEach((task, position) => {
        statements.insertTask.run(
          job.id, task.id, task.name, 0, JSON.stringify(task.columns), position, null, null, task.row_count,
          task.compute === undefined ? null : JSON.stringify(task.compute),
        )
        this.insertRows(job.id, task.id, task.rows)
      })
      job.steps.forEach((step, seq) => statements.insertStep.run(job.id, seq, step.dueAt, step.taskId, step.status))
      if (job.schema !== undefined) {
        const versionId = freshId((candidate) => statements.versionIdTaken.get(candidate) !== undefined)
        statements.insertVersion.run(versionId, job.workflow_id, job.schema, job.id, job.create_time)
      }
    })()
  }

  nextStepDue(): number | null {
    return this.statements.nextStepDue.get() ?? null
  }

  /** Applies every step due by `now`, in due order, each with its effects, and forgets it. */
  applyDueSteps(now: number): void {
    this.db.transaction(() => {
      for (let step = this.statements.firstDueStep.get(now); step; step = this.statements.firstDueStep.get(now)) {
        this.applyStep(step)
        this.statements.deleteStep.run(step.job_id, step.seq)
      }
    })()
  }

  private applyStep({ job_id: job, task_id: task, status, due_at: at }: StepRow): void {
    if (task === null) {
      this.statements.setJobStatus.run({ job, status, at })
      // A job that has ended leaves nothing running: what had not finished is interrupted.
      if (status >= 2) this.statements.interruptTasks.run({ job, at })
      return
    }
    this.statements.setTaskStatus.run({ job, task, status, at })
    const plan = this.statements.taskPlan.get(job, task)
    // Computed on the sample graph when the task says how and the store has one; else drawn, as before.
    const computation = status === 2 && plan?.compute != null ? (JSON.parse(plan.compute) as GraphComputation) : null
    const graph = computation === null ? null : this.graphSource(computation.space ?? '')
    const size = graph === null ? null : sizeOf(graph)
    // Within the budget only: all-pairs work on a generated million-vertex graph would hold the server for hours.
    if (plan && graph !== null && size !== null && size.vertices > 0 && computationCost(computation as GraphComputation, size.vertices, size.edges) <= COMPUTE_BUDGET) {
      this.insertRows(job, task, computedRows(computation as GraphComputation, graph))
    } else if (status === 2 && plan && plan.row_count !== null) {
      const columns = JSON.parse(plan.columns) as string[]
      this.insertRows(job, task, generateRows(job, task, plan.name, columns, plan.row_count))
    }
  }

  /** Cancels a job: stopping now (with its running tasks), interrupted at the step given; its other steps are dropped. */
  cancelJob(jobId: number, interrupt: Step): void {
    this.db.transaction(() => {
      this.statements.deleteJobSteps.run(jobId)
      this.statements.stopJob.run(jobId)
      this.statements.stopRunningTasks.run(jobId)
      this.statements.insertStep.run(jobId, 0, interrupt.dueAt, interrupt.taskId, interrupt.status)
    })()
  }

  insertToken(token: string, account: string, expiresAt: number): void {
    this.statements.insertToken.run(token, account, expiresAt)
  }

  /** When an issued token expires; undefined for a token never issued (or forgotten). */
  tokenExpiry(token: string): number | undefined {
    return this.statements.tokenExpiry.get(token) as number | undefined
  }

  /** Logs a session out: the token is refused from now on. */
  deleteToken(token: string): void {
    this.statements.deleteToken.run(token)
  }

  deleteTokensExpiredBy(now: number): void {
    this.statements.deleteTokensExpiredBy.run(now)
  }

  /** A job with its tasks, rows and steps. */
  deleteJob(jobId: number): void {
    this.statements.deleteJob.run(jobId)
  }

  /** A workflow with its tasks, and every job made from it. */
  deleteWorkflow(workflowId: string): void {
    this.statements.deleteJobsOfWorkflow.run(workflowId)
    this.statements.deleteWorkflow.run(workflowId)
  }

  /** The password nGQL gave an account, if any: it holds in place of the configured one. */
  passwordOf(account: string): string | undefined {
    return this.statements.password.get(account)
  }

  setPassword(account: string, password: string): void {
    this.statements.setPassword.run(account, password)
  }

  /**
   * Stores a space's graph in the order given: the space '' is the sample graph, which a space with none of its own
   * reads.
   */
  insertGraph(graph: GraphFixture, space = ''): void {
    this.db.transaction(() => {
      for (const vertex of graph.vertices) this.statements.insertVertex.run(space, vertex.vid, vertex.tag, JSON.stringify(vertex.props))
      for (const edge of graph.edges) this.statements.insertEdge.run(space, edge.type, edge.src, edge.dst, edge.rank, JSON.stringify(edge.props))
    })()
  }

  /** The graph a space's tasks computed from now on run on, in place of the one it had (listed or generated): all or nothing. */
  replaceGraph(graph: StoredGraph, space = ''): void {
    this.db.transaction(() => {
      this.deleteGraph(space)
      if ('generated' in graph) this.statements.insertGeneratedGraph.run(space, graph.generated.size, graph.generated.edgesPerVertex, graph.generated.seed)
      else this.insertGraph(graph, space)
    })()
  }

  /** Drops a space's own graph: it reads the sample graph again (the space '' then has none). */
  deleteGraph(space: string): void {
    this.statements.deleteSpaceEdges.run(space)
    this.statements.deleteSpaceVertices.run(space)
    this.statements.deleteSpaceGenerated.run(space)
  }

  /** A space's listed graph: its vertex ids and edges, in the order they were written (none when generated or absent). */
  graph(space = ''): { vertices: string[]; edges: GraphEdge[] } {
    return { vertices: this.statements.graphVertices.all(space) as string[], edges: this.statements.graphEdges.all(space) }
  }

  /** A space's own graph, properties and all, or its generated graph's numbers, or null: what replaceGraph takes back. */
  graphSnapshot(space = ''): StoredGraph | null {
    if (!this.statements.graphHas.get(space, space)) return null
    const generated = this.statements.generatedGraph.get(space)
    if (generated !== undefined) return { generated }
    const vertices = this.statements.graphVertexRows.all(space).map((row) => ({ vid: row.vid, tag: row.tag, props: JSON.parse(row.props) as GraphFixture['vertices'][number]['props'] }))
    const edges = this.statements.graphEdgeRows.all(space).map((row) => ({ ...row, props: JSON.parse(row.props) as GraphFixture['edges'][number]['props'] }))
    return graphFixtureOf(space || 'sample', vertices, edges)
  }

  /** What a task reading `space` computes on: that space's own graph, generated or listed, else the sample graph (space ''). */
  graphSource(space = ''): GraphSource {
    const read = space !== '' && this.statements.graphHas.get(space, space) ? space : ''
    const generated = this.statements.generatedGraph.get(read)
    return generated === undefined ? this.graph(read) : { generated }
  }

  /** Empties every Explorer table, for a reset. */
  deleteAll(): void {
    this.statements.deleteJobs.run()
    this.statements.deleteWorkflows.run()
    this.statements.deleteTokens.run()
    this.statements.deletePasswords.run()
    this.statements.deleteTaskResults.run()
    this.statements.deleteGraphEdges.run()
    this.statements.deleteGraph.run()
    this.statements.deleteGeneratedGraph.run()
  }
}

/** A 10-digit id, as the console gives workflows and their versions, that `taken` does not hold. */
function freshId(taken: (id: number) => boolean): number {
  for (;;) {
    const id = randomInt(1_000_000_000, 4_294_967_296)
    if (!taken(id)) return id
  }
}

import { Type, type Static } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { Nullable } from '../schemas.js'
import { NextStep, OVERVIEW_LIMIT, Progress, ScenarioError, isoOrNull, isoTime, type VendorSimulation } from '../simulation.js'
import { DEFAULT_ROW_COUNT, columnsOf } from './algorithms.js'
import { EXPLORER_PREFIX } from './routes.js'
import { GraphProps, GraphVid, computationFor, graphFixtureOf, type StoredGraph } from './graph.js'
import { jobName } from './jobs.js'
import { FAILED, INTERRUPTED, Row, STATUS_NAMES, SUCCESS, Status, TASK_ID_PATTERN, TaskOutcome, WORKFLOW_ID_PATTERN } from './schemas.js'
import { ExplorerStore, type WorkflowTaskRow } from './store.js'
import { JOB_PREPARING_MS, TASK_RUNNING_MS, planJob, type Outcome } from './timeline.js'

export interface ExplorerSimulationOptions {
  db: Db
}

const MAX_DELAY_MS = 30 * 24 * 3600 * 1000

const ScenarioTask = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: TASK_ID_PATTERN, description: 'the task id; default analytics_<algorithm>_<n> (n counts from 1), a component id' })),
    name: Type.Optional(Type.String({ minLength: 1, default: 'PageRank', description: 'the algorithm, e.g. PageRank, Jaccard, BFS, WCC' })),
    columns: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 16, description: "the result's columns; default: the algorithm's (PageRank: VID, VALUE)" }),
    ),
    rows: Type.Optional(Type.Array(Row, { maxItems: 100_000, description: 'the exact result rows (strings); default: generated from the job and task ids' })),
    row_count: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 100_000, description: `how many rows to generate (not with rows); default ${DEFAULT_ROW_COUNT}` }),
    ),
    starts_after_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_DELAY_MS,
        description: `sandbox ms after the previous task ended (the first task: after the job was created) before it runs; default ${JOB_PREPARING_MS} for the first, 0 after`,
      }),
    ),
    runs_for_ms: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_DELAY_MS, default: TASK_RUNNING_MS, description: 'sandbox ms the task runs' }),
    ),
    outcome: Type.Optional(
      Type.Union(TaskOutcome.anyOf, {
        default: 'success',
        description: 'how the task ends; a failed task fails the job, and the tasks after it never run (they end interrupted)',
      }),
    ),
  },
  { additionalProperties: false },
)

const WorkflowTask = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: TASK_ID_PATTERN, description: 'the task id; default query_<n> for Query, else analytics_<algorithm>_<n> (n: its place from 1), as the console numbers them' })),
    name: Type.Optional(Type.String({ minLength: 1, default: 'PageRank', description: 'the algorithm (PageRank, BFS, APSP, …), or Query for an nGQL task' })),
    params: Type.Optional(Type.Record(
      Type.String({ minLength: 1, maxLength: 64 }),
      Type.Object({ required: Type.Optional(Type.Boolean({ default: true, description: 'a job must give it (default true): a missing one is 50004002' })) }, { additionalProperties: false }),
      { description: 'the input parameters the task declares, as ${name} placeholders in the console, e.g. {"root": {"required": true}}' },
    )),
    columns: ScenarioTask.properties.columns,
    rows: ScenarioTask.properties.rows,
    row_count: ScenarioTask.properties.row_count,
    runs_for_ms: ScenarioTask.properties.runs_for_ms,
    outcome: ScenarioTask.properties.outcome,
  },
  { additionalProperties: false },
)

const WorkflowScenario = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: WORKFLOW_ID_PATTERN, description: 'the workflow id (digits); default: one more than the highest' })),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    tasks: Type.Array(WorkflowTask, { minItems: 1, maxItems: 100, description: 'run in this order by every job made from the workflow' }),
  },
  { additionalProperties: false, description: 'a workflow of the test\'s own: jobs come from POST /api-open/v1/workflows/{id}/jobs' },
)

const TaskResultScenario = Type.Object(
  {
    workflow_name: Type.String({ minLength: 1, maxLength: 512, description: 'the workflow\'s name, as the console or the control API made it (or will)' }),
    task_id: Type.String({ pattern: TASK_ID_PATTERN, description: 'the task id in its DAG, e.g. query_5' }),
    rows: ScenarioTask.properties.rows,
    row_count: ScenarioTask.properties.row_count,
  },
  {
    additionalProperties: false,
    description: 'rows (or a row count) every job made from now on gives this task of a workflow: what an nGQL query matches, the size of a real graph\'s APSP',
  },
)


/** The most edges a generated graph may have (64 MB as typed arrays while a task computes on it). */
const MAX_GENERATED_EDGES = 8_000_000

const GraphScenario = Type.Object(
  {
    space: Type.Optional(Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'the NebulaGraph space whose tasks read it (a console DAG\'s datasource names one); default: the sample graph\'s place, which every space without its own reads',
    })),
    vertices: Type.Optional(Type.Array(
      Type.Union([GraphVid, Type.Object({ vid: GraphVid, tag: Type.Optional(Type.String({ minLength: 1, default: 'player' })), props: Type.Optional(GraphProps) }, { additionalProperties: false })]),
      { maxItems: 100_000, description: 'its vertices in order (the order labels and ties follow): ids, or {vid, tag, props}' },
    )),
    edges: Type.Optional(Type.Array(
      Type.Object({
        src: GraphVid,
        dst: GraphVid,
        type: Type.Optional(Type.String({ minLength: 1, default: 'follow', description: 'the edge type a DAG\'s nebula_input_edges picks; default follow' })),
        rank: Type.Optional(Type.Integer({ description: 'default: how many edges of the same type, src and dst come before it (parallel edges 0, 1, …)' })),
        props: Type.Optional(GraphProps),
      }, { additionalProperties: false }),
      { maxItems: 500_000, description: 'its directed edges in order; parallel edges and self-loops are kept' },
    )),
    generated: Type.Optional(Type.Object(
      {
        vertices: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'how many: player100, player101, …' }),
        edges_per_vertex: Type.Optional(Type.Integer({ minimum: 0, maximum: 16, default: 3, description: 'each vertex points to this many others, drawn towards the first vertices' })),
        seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_295, default: 1, description: 'the same seed and sizes give the same graph' })),
      },
      { additionalProperties: false, description: 'a graph drawn for large tests instead of a list (not with vertices or edges)' },
    )),
  },
  {
    additionalProperties: false,
    description: 'the graph the tasks computed from now on run on (those reading its space, or all), in place of the one before (a reset brings the sample back)',
  },
)

const ScenarioBody = Type.Object(
  {
    graph: Type.Optional(GraphScenario),
    workflow: Type.Optional(WorkflowScenario),
    task_result: Type.Optional(TaskResultScenario),
    job_id: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'default: one more than the highest job id' })),
    name: Type.Optional(Type.String({ minLength: 1, description: 'default: <workflow_name>_<local creation time>, as the vendor names jobs' })),
    workflow_id: Type.Optional(
      Type.String({
        pattern: WORKFLOW_ID_PATTERN,
        description: 'the workflow the job belongs to (digits); default "1". A workflow of the fixture also gives the default name and tasks',
      }),
    ),
    workflow_name: Type.Optional(Type.String({ minLength: 1, description: 'default: the workflow\'s name, or "workflow_scenario"' })),
    tasks: Type.Optional(
      Type.Array(ScenarioTask, { minItems: 1, maxItems: 100, description: "the job's tasks, run in this order; default: the workflow's, or one PageRank task" }),
    ),
  },
  { additionalProperties: false },
)

const ScenarioCreated = Type.Object({
  job_id: Type.Integer(),
  name: Type.String(),
  workflow_id: Type.String(),
  workflow_name: Type.String(),
  job_url: Type.String({ description: 'GET it with the explorer_token cookie to follow the job' }),
  status: Type.Integer({ minimum: 0, maximum: 5, description: 'the status the job will end in: 2 success, 3 failed' }),
  ends_at: Type.String({ description: 'when the job ends, on the sandbox clock (ISO 8601)' }),
  tasks: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      columns: Type.Array(Type.String()),
      row_count: Type.Integer({ description: 'rows its result will have' }),
      outcome: Type.Union([Type.Literal('success'), Type.Literal('failed'), Type.Literal('interrupted')]),
      begins_at: Type.Union([Type.String(), Type.Null()], { description: 'when it starts running (ISO 8601); null: never' }),
      ends_at: Type.Union([Type.String(), Type.Null()], { description: 'when it ends (ISO 8601); null: never runs' }),
      sample_result_url: Type.String(),
    }),
  ),
  sample_result_urls: Type.Array(Type.String(), { description: "each task's sample_result, in task order" }),
})

const WorkflowCreated = Type.Object({
  workflow_id: Type.String(),
  workflow_name: Type.String(),
  jobs_url: Type.String({ description: 'POST it (with the explorer_token cookie and {"input": {...}}) to run the workflow; GET it to list its jobs' }),
  tasks: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    columns: Type.Array(Type.String()),
    row_count: Type.Integer({ description: 'rows a successful run gives' }),
    required_params: Type.Array(Type.String(), { description: 'what a job\'s input must give this task' }),
    runs_for_ms: Type.Integer(),
    outcome: TaskOutcome,
  })),
})

const TaskResultAttached = Type.Object({
  workflow_name: Type.String(),
  task_id: Type.String(),
  row_count: Type.Integer({ description: 'rows the task gives in the jobs made from now on' }),
  rows_given: Type.Boolean({ description: 'true: exactly the rows given; false: row_count rows generated' }),
})

const GraphReplaced = Type.Object({
  graph: Type.Object({
    space: Type.Union([Type.String(), Type.Null()], { description: 'the space it is for; null: the sample graph\'s place' }),
    vertices: Type.Integer(),
    edges: Type.Integer(),
    edge_types: Type.Array(Type.String(), { description: 'the types a DAG\'s nebula_input_edges can pick; a generated graph\'s one kind is read whatever it names' }),
    generated: Type.Boolean(),
  }),
})

const JobOrWorkflowCreated = Type.Union([ScenarioCreated, WorkflowCreated, TaskResultAttached, GraphReplaced], {
  description: 'the job made; with "workflow", the workflow; with "task_result", the rows attached; with "graph", the graph tasks now compute on',
})

const DEFAULT_WORKFLOW = { id: '1', name: 'workflow_scenario' }

/** A scenario's graph, checked: every vertex once, every edge between two of them, ranks told apart. */
function graphOf(given: Static<typeof GraphScenario>): StoredGraph {
  if (given.generated !== undefined) {
    const extra = (['vertices', 'edges'] as const).find((field) => given[field] !== undefined)
    if (extra !== undefined) throw new ScenarioError(400, `/graph/${extra}`, 'a generated graph is drawn, not listed: give generated, or vertices and edges')
    const { vertices, edges_per_vertex: edgesPerVertex = 3, seed = 1 } = given.generated
    if (vertices * edgesPerVertex > MAX_GENERATED_EDGES) throw new ScenarioError(400, '/graph/generated', `at most ${MAX_GENERATED_EDGES} edges`)
    return { generated: { size: vertices, edgesPerVertex, seed } }
  }
  if (given.vertices === undefined) throw new ScenarioError(400, '/graph', 'give vertices (and edges), or generated')
  const vertices = given.vertices.map((vertex) => (typeof vertex === 'string' ? { vid: vertex, tag: 'player', props: {} } : { vid: vertex.vid, tag: vertex.tag ?? 'player', props: vertex.props ?? {} }))
  const seen = new Set<string>()
  vertices.forEach((vertex, index) => {
    if (seen.has(vertex.vid)) throw new ScenarioError(400, `/graph/vertices/${index}`, `vertex ${vertex.vid} is listed twice`)
    seen.add(vertex.vid)
  })
  const ranks = new Map<string, Set<number>>()
  const edges = (given.edges ?? []).map((edge, index) => {
    for (const end of ['src', 'dst'] as const) {
      if (!seen.has(edge[end])) throw new ScenarioError(400, `/graph/edges/${index}/${end}`, `no vertex ${edge[end]} is listed`)
    }
    const type = edge.type ?? 'follow'
    const key = `${type}\n${edge.src}\n${edge.dst}`
    const taken = ranks.get(key) ?? new Set<number>()
    const rank = edge.rank ?? taken.size
    if (taken.has(rank)) throw new ScenarioError(400, `/graph/edges/${index}/rank`, `a ${type} edge ${edge.src}→${edge.dst} of rank ${rank} is listed already`)
    taken.add(rank)
    ranks.set(key, taken)
    return { type, src: edge.src, dst: edge.dst, rank, props: edge.props ?? {} }
  })
  return graphFixtureOf('scenario', vertices, edges)
}

/** The job fields a scenario of a workflow does not take: it makes no job. */
const JOB_FIELDS = ['job_id', 'name', 'workflow_id', 'workflow_name', 'tasks'] as const

const StatusName = Type.Union(STATUS_NAMES.map((name) => Type.Literal(name)))
const statusName = (status: number) => STATUS_NAMES[status] ?? 'preparing'
/** Success, failed and interrupted: a task or job in one of these moves no more. */
const ENDED = new Set([SUCCESS, FAILED, INTERRUPTED])

const TaskOverview = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'the algorithm' }),
  status: Status,
  status_name: StatusName,
  run_begin_time: Nullable(Type.String({ description: 'ISO 8601; null until it runs' })),
  run_end_time: Nullable(Type.String({ description: 'ISO 8601; null until it ends' })),
  sample_result_url: Type.String(),
})

const JobOverview = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  workflow_id: Type.String(),
  workflow_name: Type.String(),
  status: Status,
  status_name: StatusName,
  progress: Type.Object(Progress.properties, { description: 'tasks ended (success, failed or interrupted) of all its tasks' }),
  next: NextStep,
  create_time: Type.String({ description: 'ISO 8601' }),
  run_begin_time: Nullable(Type.String()),
  run_end_time: Nullable(Type.String()),
  job_url: Type.String({ description: 'GET it with the explorer_token cookie' }),
  tasks: Type.Array(TaskOverview, { description: 'in run order' }),
})

const ExplorerOverview = Type.Object({
  total: Type.Integer({ description: 'jobs in the store' }),
  jobs: Type.Array(JobOverview, { description: `newest first (by create time), at most ${OVERVIEW_LIMIT}` }),
  workflows: Type.Array(Type.Object({
    id: Type.String(),
    name: Type.String(),
    tasks: Type.Array(Type.String(), { description: 'its task ids, in run order' }),
    jobs_url: Type.String({ description: 'POST it to run the workflow, GET it for its jobs' }),
  }), { description: `the workflows jobs can be made from (the fixture's and the scenarios'), by id, at most ${OVERVIEW_LIMIT}` }),
})

type ScenarioTask = (typeof ScenarioTask)['static']

/**
 * A scenario task's result columns (given, or the algorithm's), checked with its rows: rows or row_count,
 * not both, and every row as wide as the columns. `at` is the task's JSON pointer in the body.
 */
function resultColumns(task: Pick<ScenarioTask, 'columns' | 'rows' | 'row_count'>, name: string, at: string): string[] {
  const columns = task.columns ?? columnsOf(name)
  if (!columns) throw new ScenarioError(400, `${at}/columns`, `no columns are known for ${name}: give columns`)
  if (task.rows && task.row_count !== undefined) throw new ScenarioError(400, `${at}/row_count`, 'give rows or row_count, not both')
  task.rows?.forEach((row, rowIndex) => {
    if (row.length !== columns.length) throw new ScenarioError(400, `${at}/rows/${rowIndex}`, `has ${row.length} cells for ${columns.length} columns`)
  })
  return columns
}

/** A workflow task as a scenario task, so a scenario on a fixture workflow runs its tasks by default. */
const fromWorkflow = (task: WorkflowTaskRow): ScenarioTask => ({ id: task.id, name: task.name, columns: task.columns, row_count: task.row_count })

/** Explorer's part of the control API: reset to the fixture, and scenarios. */
export function explorerSimulation({ db }: ExplorerSimulationOptions) {
  const store = new ExplorerStore(db)
  /** The graph each graph scenario replaced, by its answer: what undoing it (a provider state's teardown) puts back. */
  const replacedGraphs = new WeakMap<object, { space: string; graph: StoredGraph | null }>()
  // The store's own queries cover jobs and tasks; the step still to come is the overview's alone.
  const nextStep = db.prepare<[number], { due_at: number; task_id: string | null; status: number }>(
    'SELECT due_at, task_id, status FROM explorer_job_steps WHERE job_id = ? ORDER BY due_at, seq LIMIT 1',
  )
  const workflowList = db.prepare<[number], { id: string; name: string }>('SELECT id, name FROM explorer_workflows ORDER BY LENGTH(id), id LIMIT ?')
  /** A workflow with its tasks' params, rows and outcomes, for jobs created through the vendor route. */
  const createWorkflow = (workflow: Static<typeof WorkflowScenario>, now: number) => {
    const workflowId = workflow.id ?? store.nextWorkflowId()
    if (store.workflow(workflowId)) throw new ScenarioError(409, '/workflow/id', `workflow ${workflowId} already exists`)
    const seen = new Set<string>()
    const tasks = workflow.tasks.map((task, index) => {
      const at = `/workflow/tasks/${index}`
      const name = task.name ?? 'PageRank'
      const id = task.id ?? (name.toLowerCase() === 'query' ? `query_${index + 1}` : `analytics_${name.toLowerCase().replace(/[^a-z0-9]/g, '')}_${index + 1}`)
      if (seen.has(id)) throw new ScenarioError(400, `${at}/id`, `task ${id} is listed twice`)
      seen.add(id)
      const columns = resultColumns(task, name, at)
      const required = Object.entries(task.params ?? {}).filter(([, param]) => param.required ?? true).map(([param]) => param)
      return {
        id,
        name,
        columns,
        params: required,
        ...(task.rows === undefined ? { row_count: task.row_count ?? DEFAULT_ROW_COUNT } : { rows: task.rows }),
        runs_for_ms: task.runs_for_ms ?? TASK_RUNNING_MS,
        outcome: (task.outcome ?? 'success') as Outcome,
      }
    })
    store.insertWorkflow({ id: workflowId, name: workflow.name, tasks }, (task) => task.columns ?? [], DEFAULT_ROW_COUNT, now)
    return {
      workflow_id: workflowId,
      workflow_name: workflow.name,
      jobs_url: `${EXPLORER_PREFIX}/workflows/${workflowId}/jobs`,
      tasks: tasks.map((task) => ({
        id: task.id,
        name: task.name,
        columns: task.columns,
        row_count: 'rows' in task ? task.rows.length : task.row_count,
        required_params: task.params,
        runs_for_ms: task.runs_for_ms,
        outcome: task.outcome,
      })),
    }
  }
  /** Rows for a task of a workflow by name: the jobs made from now on give them. */
  const attachTaskResult = (attached: Static<typeof TaskResultScenario>) => {
    if (attached.rows && attached.row_count !== undefined) throw new ScenarioError(400, '/task_result/row_count', 'give rows or row_count, not both')
    if (attached.rows === undefined && attached.row_count === undefined) throw new ScenarioError(400, '/task_result', 'give rows or row_count')
    const width = attached.rows?.[0]?.length
    const ragged = attached.rows?.findIndex((row) => row.length !== width) ?? -1
    if (ragged >= 0) throw new ScenarioError(400, `/task_result/rows/${ragged}`, `has ${attached.rows?.[ragged]?.length} cells where row 0 has ${width}`)
    store.setTaskResult(attached.workflow_name, attached.task_id, attached.rows ? { rows: attached.rows } : { row_count: attached.row_count as number })
    return {
      workflow_name: attached.workflow_name,
      task_id: attached.task_id,
      row_count: attached.rows?.length ?? (attached.row_count as number),
      rows_given: attached.rows !== undefined,
    }
  }
  return {
    clear() {
      store.deleteAll()
    },
    scenario: {
      body: ScenarioBody,
      created: JobOrWorkflowCreated,
      refusals: [409],
      /** A job (preparing now) whose tasks run, succeed or fail at the times the body gives. */
      create(body, now) {
        if (body.graph !== undefined) {
          const extra = (['workflow', 'task_result', ...JOB_FIELDS] as const).find((field) => body[field] !== undefined)
          if (extra !== undefined) throw new ScenarioError(400, `/${extra}`, 'a scenario with "graph" replaces the graph, nothing else: give other fields in a scenario of their own')
          const graph = graphOf(body.graph)
          const space = body.graph.space ?? ''
          const replaced = { space, graph: store.graphSnapshot(space) }
          store.replaceGraph(graph, space)
          const created = 'generated' in graph
            ? { graph: { space: space || null, vertices: graph.generated.size, edges: graph.generated.size * graph.generated.edgesPerVertex, edge_types: ['follow'], generated: true } }
            : { graph: { space: space || null, vertices: graph.vertices.length, edges: graph.edges.length, edge_types: Object.keys(graph.edge_types), generated: false } }
          replacedGraphs.set(created, replaced)
          return created
        }
        if (body.task_result !== undefined) {
          const extra = ['workflow', ...JOB_FIELDS].find((field) => body[field as keyof typeof body] !== undefined)
          if (extra !== undefined) throw new ScenarioError(400, `/${extra}`, 'a scenario with "task_result" attaches rows, nothing else: give other fields in a scenario of their own')
          return attachTaskResult(body.task_result)
        }
        if (body.workflow !== undefined) {
          const extra = JOB_FIELDS.find((field) => body[field] !== undefined)
          if (extra !== undefined) throw new ScenarioError(400, `/${extra}`, 'a scenario with "workflow" makes a workflow, not a job: give job fields in a scenario of their own')
          return createWorkflow(body.workflow, now)
        }
        const jobId = body.job_id ?? store.nextJobId()
        if (store.jobExists(jobId)) throw new ScenarioError(409, '/job_id', `job ${jobId} already exists`)
        const workflowId = body.workflow_id ?? DEFAULT_WORKFLOW.id
        const workflow = store.workflow(workflowId)
        const workflowName = body.workflow_name ?? workflow?.name ?? DEFAULT_WORKFLOW.name
        const given = body.tasks ?? (workflow ? store.workflowTasks(workflowId).map(fromWorkflow) : [{}])
        const seen = new Set<string>()
        const tasks = given.map((task, index) => {
          const at = `/tasks/${index}`
          const name = task.name ?? 'PageRank'
          const id = task.id ?? `analytics_${name.toLowerCase().replace(/[^a-z0-9]/g, '')}_${index + 1}`
          if (seen.has(id)) throw new ScenarioError(400, `${at}/id`, `task ${id} is listed twice`)
          seen.add(id)
          const columns = resultColumns(task, name, at)
          // A task of no rows or count of the test's own is computed on the sample graph, as a job's is.
          const compute = task.rows === undefined && task.row_count === undefined ? computationFor(name, {}, columns.length) : undefined
          return {
            id,
            name,
            columns,
            ...(compute ? { compute } : {}),
            rows: task.rows ?? [],
            row_count: task.rows ? null : (task.row_count ?? DEFAULT_ROW_COUNT),
            startsAfterMs: task.starts_after_ms ?? (index === 0 ? JOB_PREPARING_MS : 0),
            runsForMs: task.runs_for_ms ?? TASK_RUNNING_MS,
            outcome: (task.outcome ?? 'success') as Outcome,
          }
        })
        const timeline = planJob(now, tasks)
        const name = body.name ?? jobName(workflowName, now)
        store.insertNewJob({
          id: jobId,
          name,
          workflow_id: workflowId,
          workflow_name: workflowName,
          create_time: now,
          input: {},
          tasks,
          steps: timeline.steps,
        })
        const jobUrl = `${EXPLORER_PREFIX}/jobs/${jobId}`
        const created = tasks.map((task, index) => {
          const times = timeline.tasks[index]
          return {
            id: task.id,
            name: task.name,
            columns: task.columns,
            row_count: task.row_count ?? task.rows.length,
            outcome: times?.beginsAt == null ? ('interrupted' as const) : task.outcome,
            begins_at: isoOrNull(times?.beginsAt ?? null),
            ends_at: isoOrNull(times?.endsAt ?? null),
            sample_result_url: `${jobUrl}/tasks/${task.id}/sample_result`,
          }
        })
        return {
          job_id: jobId,
          name,
          workflow_id: workflowId,
          workflow_name: workflowName,
          job_url: jobUrl,
          status: timeline.status,
          ends_at: isoTime(timeline.endsAt),
          tasks: created,
          sample_result_urls: created.map((task) => task.sample_result_url),
        }
      },
      undo(_body, created) {
        if ('graph' in created) {
          const replaced = replacedGraphs.get(created)
          if (replaced?.graph === null) store.deleteGraph(replaced.space)
          else if (replaced !== undefined) store.replaceGraph(replaced.graph, replaced.space)
        } else if ('job_id' in created) store.deleteJob(created.job_id)
        else if ('workflow_id' in created) store.deleteWorkflow(created.workflow_id)
        else store.deleteTaskResult(created.workflow_name, created.task_id)
      },
    },
    overview: {
      schema: ExplorerOverview,
      // Tasks are read without their rows: a job of the large set has a task of a million.
      read() {
        const { items, total } = store.jobs({ limit: OVERVIEW_LIMIT, offset: 0 })
        const jobs = items.map((job) => {
          const jobUrl = `${EXPLORER_PREFIX}/jobs/${job.id}`
          const tasks = store.jobTasks(job.id)
          const step = nextStep.get(job.id)
          return {
            id: job.id,
            name: job.name,
            workflow_id: job.workflow_id,
            workflow_name: job.workflow_name,
            status: job.status,
            status_name: statusName(job.status),
            progress: { done: tasks.filter((task) => ENDED.has(task.status)).length, total: tasks.length },
            next: step === undefined ? null : { what: `${step.task_id === null ? 'job' : `task ${step.task_id}`} ${statusName(step.status)}`, at: isoTime(step.due_at) },
            create_time: isoTime(job.create_time),
            run_begin_time: isoOrNull(job.run_begin_time),
            run_end_time: isoOrNull(job.run_end_time),
            job_url: jobUrl,
            tasks: tasks.map((task) => ({
              id: task.id,
              name: task.name,
              status: task.status,
              status_name: statusName(task.status),
              run_begin_time: isoOrNull(task.run_begin_time),
              run_end_time: isoOrNull(task.run_end_time),
              sample_result_url: `${jobUrl}/tasks/${task.id}/sample_result`,
            })),
          }
        })
        const workflows = workflowList.all(OVERVIEW_LIMIT).map((workflow) => ({
          id: workflow.id,
          name: workflow.name,
          tasks: store.workflowTasks(workflow.id).map((task) => task.id),
          jobs_url: `${EXPLORER_PREFIX}/workflows/${workflow.id}/jobs`,
        }))
        return { total, jobs, workflows }
      },
    },
  } satisfies Omit<VendorSimulation<typeof ScenarioBody, typeof JobOrWorkflowCreated, typeof ExplorerOverview>, 'providerStates'>
}

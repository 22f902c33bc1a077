import { refusalBody } from '../errors.js'
import type { OperationExamples } from '../schemas.js'
import { DEFAULT_ROW_COUNT, columnsOf } from './algorithms.js'
import { connectCredentials } from './auth.js'
import { ExecRefusals, execAnswer } from './console.js'
import { explorerError, explorerErrorMapping } from './errors.js'
import { loadExplorerFixture } from './fixtures.js'
import { ENDED_BADLY, JOB_ENDED, UNFINISHED, ok, unknownJob } from './answers.js'
import { filterParser, jobFromWorkflow, parseFilter, toJobDetail, toJobItem } from './jobs.js'
import { ListJobsQuery, STATUS_NAMES, SUCCESS, type Fixture } from './schemas.js'
import { ControllerRefusals, RESULT_PATH_RULE, consoleJob, unknownFlow } from './console-analytics.js'
import { FlowFilter, FlowListQuery } from './console-schemas.js'
import type { ExplorerStore, JobRow, TaskRow } from './store.js'

/** The rows a sample_result example asks for: a few, to keep the document small. */
export const EXPLORER_EXAMPLE_LIMIT = 3

type FixtureJob = Fixture['jobs'][number]

/** A fixture job as the store gives it back once seeded: the controller counts the fixture's jobs from 1. */
const jobRow = (job: FixtureJob, fixture: Fixture): JobRow => ({
  id: job.id, name: job.name, workflow_id: job.workflow_id, workflow_name: job.workflow_name, status: job.status,
  create_time: job.create_time, run_begin_time: job.run_begin_time ?? null, run_end_time: job.run_end_time ?? null,
  ctl_job_id: fixture.jobs.indexOf(job) + 1,
})

const taskRows = (job: FixtureJob): TaskRow[] => job.tasks.map((task) => ({
  job_id: job.id, id: task.id, name: task.name, status: task.status,
  run_begin_time: task.run_begin_time ?? null, run_end_time: task.run_end_time ?? null,
}))

/** The fixture's workflows as seedExplorer stores them: what jobFromWorkflow reads, and the id a new job gets. */
function workflowStore(fixture: Fixture): ExplorerStore {
  const workflows = fixture.workflows ?? []
  const store: Pick<ExplorerStore, 'workflow' | 'workflowTasks' | 'nextJobId' | 'taskResult'> = {
    workflow: (workflowId) => {
      const workflow = workflows.find((candidate) => candidate.id === workflowId)
      return workflow && { id: workflow.id, name: workflow.name, schema: null }
    },
    workflowTasks: (workflowId) =>
      (workflows.find((candidate) => candidate.id === workflowId)?.tasks ?? []).map((task) => ({
        id: task.id, name: task.name, columns: task.columns ?? columnsOf(task.name) ?? [], row_count: task.row_count ?? DEFAULT_ROW_COUNT,
        params: task.params ?? [], runs_for_ms: null, outcome: 'success' as const, rows: null, dag: null,
      })),
    nextJobId: () => Math.max(0, ...fixture.jobs.map((job) => job.id)) + 1,
    taskResult: () => undefined,
  }
  return store as ExplorerStore
}

/** Drops the statuses a fixture gave no example for. */
function withoutEmpty(examples: OperationExamples): OperationExamples {
  return Object.fromEntries(Object.entries(examples).map(([operationId, byStatus]) => [
    operationId,
    Object.fromEntries(Object.entries(byStatus).filter(([, named]) => Object.keys(named).length > 0)),
  ]))
}

/** The first of 0, 1, 2, … that `taken` does not hold. */
function unused(taken: Set<string>): string {
  let id = 0
  while (taken.has(String(id))) id++
  return String(id)
}

const capitalized = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`

/** A page of jobs as GET /jobs answers it by default: newest first. */
function firstPage(jobs: FixtureJob[], fixture: Fixture) {
  const pageSize = ListJobsQuery.properties.pageSize.default as number
  const items = [...jobs].sort((a, b) => b.create_time - a.create_time || b.id - a.id).slice(0, pageSize).map((job) => toJobItem(jobRow(job, fixture)))
  return ok({ items, total: jobs.length, Page: 1, PageSize: pageSize })
}

/**
 * Every Explorer operation's examples, from the fixture's jobs and workflows
 * through the vendor's own builders (toJobItem, toJobDetail, jobFromWorkflow)
 * and error envelope. Nothing here depends on the clock: job times are the
 * fixture's own, and a new job's answer is only its id.
 */
export function explorerExamples(fixturesDir: string): OperationExamples {
  const fixture = loadExplorerFixture(fixturesDir)
  const store = workflowStore(fixture)
  const workflows = fixture.workflows ?? []
  const unknownJobId = Number(unused(new Set(fixture.jobs.map((job) => String(job.id)))))
  const unknownWorkflowId = unused(new Set(workflows.map((workflow) => workflow.id)))
  const createdAt = Math.max(0, ...fixture.jobs.map((job) => job.create_time))

  const invalid = (part: string, parameter: string) => explorerErrorMapping.invalidRequest({ part, parameter }).body
  const auth = {
    tokenMissing: explorerError('ErrSession', 'explorer_token is missing').body,
    tokenInvalid: explorerError('ErrSession', 'explorer_token is invalid or expired').body,
  }
  const internal = { internal: explorerErrorMapping.internal().body }
  const jobNotFound = unknownJob(unknownJobId).body

  // One job of each status the fixture has, and what cancelling an ended one says.
  const jobs: Record<string, unknown> = {}
  const cancelRefusals: Record<string, unknown> = {}
  for (const job of fixture.jobs) {
    const name = STATUS_NAMES[job.status] as string
    if (name in jobs) continue
    jobs[name] = ok(toJobDetail(jobRow(job, fixture), taskRows(job)))
    const ended = JOB_ENDED[job.status]
    if (ended) cancelRefusals[`job${capitalized(name)}`] = explorerError('ErrBadRequest', ended).body
  }

  // A task with rows, a few of them; and what asking an unfinished or failed task says.
  const tasks = fixture.jobs.flatMap((job) => job.tasks)
  const sampled = tasks.find((task) => task.status === SUCCESS && task.rows.length > 0)
  const unfinishedTasks: Record<string, unknown> = {}
  const failedTasks: Record<string, unknown> = {}
  for (const task of tasks) {
    const name = `task${capitalized(STATUS_NAMES[task.status] as string)}`
    const unfinished = UNFINISHED[task.status]
    if (unfinished && !(name in unfinishedTasks)) unfinishedTasks[name] = explorerError('ErrBadRequest', unfinished).body
    const endedBadly = ENDED_BADLY[task.status]
    if (endedBadly && !(name in failedTasks)) failedTasks[name] = explorerError('ErrInternalServer', endedBadly).body
  }

  // A workflow that runs without input, and one that needs some.
  const runnable = workflows.find((workflow) => workflow.tasks.every((task) => (task.params ?? []).length === 0))
  const needsInput = workflows.find((workflow) => workflow.tasks.some((task) => (task.params ?? []).length > 0))
  const withJobs = workflows.find((workflow) => fixture.jobs.some((job) => job.workflow_id === workflow.id))

  // The workflow API's login and the console's take the same request and give the same answers.
  const login = {
    200: { connected: ok({ success: true }) },
    400: { bodyMissing: invalid('body', ''), portInvalid: invalid('body', 'port'), wrongPassword: explorerError('ErrBadRequest', 'the account or password is wrong').body },
    401: { credentialsMissing: refusalBody(() => connectCredentials(undefined)) },
    500: internal,
  }
  return withoutEmpty({
    connect: login,
    consoleConnect: login,
    consoleDisconnect: {
      200: { disconnected: ok({ success: true }) },
      401: auth,
      500: internal,
    },
    consoleExec: {
      200: { passwordChanged: execAnswer() },
      400: {
        notRunnable: ExecRefusals.notRunnable().body,
        userNotExisted: ExecRefusals.userNotExisted().body,
        invalidPassword: ExecRefusals.invalidPassword().body,
        bodyInvalid: ExecRefusals.bodyInvalid().body,
      },
      401: auth,
      500: internal,
    },
    createJob: {
      200: runnable ? { created: ok({ id: jobFromWorkflow(store, runnable.id, {}, createdAt).id }) } : {},
      400: runnable ? { unknownTask: refusalBody(() => jobFromWorkflow(store, runnable.id, { no_such_task: {} }, createdAt)) } : {},
      401: auth,
      500: {
        workflowNotFound: refusalBody(() => jobFromWorkflow(store, unknownWorkflowId, {}, createdAt)),
        ...(needsInput ? { inputMissing: refusalBody(() => jobFromWorkflow(store, needsInput.id, {}, createdAt)) } : {}),
      },
    },
    listJobs: {
      200: { firstPage: firstPage(fixture.jobs, fixture) },
      400: { filterInvalid: refusalBody(() => parseFilter('{')), pageSizeInvalid: invalid('querystring', 'pageSize') },
      401: auth,
      500: internal,
    },
    listWorkflowJobs: {
      200: withJobs ? { firstPage: firstPage(fixture.jobs.filter((job) => job.workflow_id === withJobs.id), fixture) } : {},
      400: { workflowIdInvalid: invalid('params', 'workflow_id'), filterInvalid: refusalBody(() => parseFilter('{')) },
      401: auth,
      500: internal,
    },
    getJob: {
      200: jobs,
      400: { jobIdInvalid: invalid('params', 'job_id') },
      401: auth,
      500: { jobNotFound },
    },
    cancelJob: {
      200: { cancelled: ok({ success: true }) },
      400: { jobIdInvalid: invalid('params', 'job_id'), ...cancelRefusals },
      401: auth,
      500: { jobNotFound },
    },
    sampleResult: {
      200: sampled ? { firstRows: ok({ items: sampled.rows.slice(0, EXPLORER_EXAMPLE_LIMIT) }) } : {},
      400: { ...unfinishedTasks, limitInvalid: invalid('querystring', 'limit') },
      401: auth,
      500: { ...failedTasks, jobNotFound },
    },
    ...consoleExamples({ fixture, store, auth, internal, invalid, jobNotFound, runnable, needsInput, sampled, createdAt }),
  })
}

interface ConsoleExampleParts {
  fixture: Fixture
  store: ExplorerStore
  auth: Record<string, unknown>
  internal: Record<string, unknown>
  invalid: (part: string, parameter: string) => unknown
  jobNotFound: unknown
  runnable: NonNullable<Fixture['workflows']>[number] | undefined
  needsInput: NonNullable<Fixture['workflows']>[number] | undefined
  sampled: Fixture['jobs'][number]['tasks'][number] | undefined
  createdAt: number
}

/** A DAG as the console saves it: one PageRank task reading the basketballplayer space. */
const EXAMPLE_DAG = JSON.stringify({
  datasources: [{ type: 'hdfs', name: 'test', spec: { user: 'root', url: 'hdfs://192.168.8.168:9000/ll_test' } }],
  tasks: [{
    id: 'analytics_pagerank_1', name: 'PageRank', clusterSize: 1, type: 'analytics_pagerank',
    spec: { iterations: '10', is_directed: 'true', eps: '0.0001', damping: '0.85', vtype: 'string', processes: 1, threads: 3, nebula_input_edges: 'follow,serve', nebula_input_edges_props: ',' },
    graph: { x: 120, y: 80, groupName: 'nodeImportance', input: [{ name: 'src', dataType: 'string' }, { name: 'dst', dataType: 'string' }], output: [{ name: 'vid', dataType: 'string' }, { name: 'value', dataType: 'string' }] },
    datasink: { type: 'hdfs', spec: { url: '${test}/analytics/${job_id}/tasks/${task_id}/', hdfsName: 'test', hdfsPath: '/analytics/${job_id}/tasks/${task_id}/', user: 'root' } },
    datasource: { type: 'nebula', spec: { type: 'nebula', space: 'demo_basketballplayer', graphd: '192.168.8.131:9669', user: 'root' } },
  }],
  deps: [],
})
const EXAMPLE_FLOW_ID = '1791614173'

/** The web console's workflows and jobs (/api-analytics): the fixture's workflows and jobs as the console shows them. */
function consoleExamples({ fixture, store, auth, internal, invalid, jobNotFound, runnable, needsInput, sampled, createdAt }: ConsoleExampleParts): OperationExamples {
  const pageSize = FlowListQuery.properties.pageSize.default as number
  const workflows = fixture.workflows ?? []
  const done = ok({ success: true as const })
  const flowNotFound = unknownFlow(EXAMPLE_FLOW_ID).body
  const flowIdInvalid = invalid('params', 'flow_id')
  const summary = (workflow: { id: string; name: string }) => ({ id: workflow.id, name: workflow.name, createTime: 0, updateTime: 0 })
  const job = fixture.jobs.find((candidate) => candidate.status === SUCCESS)
  const succeeded = job && toJobDetail(jobRow(job, fixture), taskRows(job))
  return {
    consoleCreateFlow: {
      200: { created: ok({ id: EXAMPLE_FLOW_ID }) },
      400: { nameMissing: invalid('body', 'name') },
      401: auth,
      500: internal,
    },
    consoleListFlows: {
      200: { firstPage: ok({ items: [...workflows].reverse().slice(0, pageSize).map(summary), total: workflows.length, Page: 1, PageSize: pageSize }) },
      400: { filterInvalid: refusalBody(() => filterParser(FlowFilter)('{')), pageSizeInvalid: invalid('querystring', 'pageSize') },
      401: auth,
      500: internal,
    },
    consoleGetFlow: {
      200: { saved: ok({ id: EXAMPLE_FLOW_ID, name: 'PageRank of basketballplayer', createTime: createdAt, updateTime: createdAt, schema: EXAMPLE_DAG }) },
      400: { flowIdInvalid },
      401: auth,
      500: { flowNotFound },
    },
    consoleUpdateFlow: {
      200: { saved: done },
      400: { flowIdInvalid, schemaMissing: invalid('body', 'schema') },
      401: auth,
      500: { flowNotFound },
    },
    consoleDeleteFlow: {
      200: { deleted: done },
      400: { flowIdInvalid },
      401: auth,
      500: internal,
    },
    consoleFlowHistory: {
      200: { history: ok({ items: [{ id: 2183907455, flowId: EXAMPLE_FLOW_ID, jobId: 30001, createTime: createdAt }], total: 1, Page: 1, PageSize: pageSize }) },
      400: { pageSizeInvalid: invalid('querystring', 'pageSize') },
      401: auth,
      500: { flowNotFound },
    },
    consoleRestoreFlow: {
      200: { restored: done },
      400: { historyIdInvalid: invalid('params', 'history_id') },
      401: auth,
      500: { flowNotFound },
    },
    consoleCreateJob: {
      200: runnable ? { created: ok({ id: jobFromWorkflow(store, runnable.id, {}, createdAt).id }) } : {},
      400: { flowIdMissing: explorerError('ErrParam').body },
      401: auth,
      500: {
        workflowNotFound: refusalBody(() => jobFromWorkflow(store, EXAMPLE_FLOW_ID, {}, createdAt)),
        ...(needsInput ? { inputMissing: refusalBody(() => jobFromWorkflow(store, needsInput.id, {}, createdAt)) } : {}),
      },
    },
    consoleGetJob: {
      200: job && succeeded ? { succeeded: ok(consoleJob(succeeded, jobRow(job, fixture).ctl_job_id, job.input ?? {})) } : {},
      400: { jobIdInvalid: invalid('params', 'job_id') },
      401: auth,
      500: { jobNotFound },
    },
    consoleJobResult: {
      200: sampled ? { firstRows: ok({ items: sampled.rows.slice(0, EXPLORER_EXAMPLE_LIMIT) }) } : {},
      400: { hdfsPathInvalid: explorerError('ErrParam', RESULT_PATH_RULE).body },
      401: auth,
      500: { noResult: explorerError('ErrInternalDatabase', 'no result at hdfs://192.168.8.168:9000/ll_test/analytics/999/tasks/query_1/').body },
    },
    consoleController: {
      200: { cancelled: ok({}) },
      400: { pathMissing: invalid('body', 'path') },
      401: auth,
      500: {
        jobNotFound: ControllerRefusals.noSuchJob('999').body,
        passwordUndecryptable: ControllerRefusals.passwordUndecryptable().body,
        notServed: ControllerRefusals.notServed('GET', '/config/analytics/cluster').body,
      },
    },
  }
}

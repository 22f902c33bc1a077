import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { VendorContext } from '../vendor-module.js'
import { ok, unknownJob, JOB_ENDED } from './answers.js'
import { explorerTokenAuth } from './auth.js'
import {
  ConsoleJobBody,
  ConsoleJobCreatedBody,
  ConsoleJobParams,
  ConsoleJobRequest,
  ControllerBody,
  ControllerRequest,
  CreateFlowRequest,
  Done,
  FlowBody,
  FlowCreatedBody,
  FlowFilter,
  FlowHistoryBody,
  FlowHistoryQuery,
  FlowListBody,
  FlowListQuery,
  FlowParams,
  FlowVersionParams,
  JobResultBody,
  JobResultRequest,
  UpdateFlowRequest,
} from './console-schemas.js'
import { explorerError } from './errors.js'
import { filterParser, jobFromWorkflow, toJobDetail } from './jobs.js'
import { sampleResultBody } from './sample-result.js'
import { ErrorBody, PREPARING, RUNNING, SUCCESS, type JobDetail } from './schemas.js'
import { ExplorerStore, type FlowRow } from './store.js'
import { interruptStep } from './timeline.js'

/** Where the console's workflows and jobs are served. */
export const ANALYTICS_PREFIX = '/api-analytics'
/** Rows POST /jobs/result gives at most: the console's preview of a result file. */
export const JOB_RESULT_LIMIT = 1000

const parseFlowFilter = filterParser(FlowFilter)
const refusals = { 400: ErrorBody, 401: ErrorBody, 500: ErrorBody }

/** A workflow the console asked for and the store does not have: a database error, as for an unknown job. */
export const unknownFlow = (flowId: string) => explorerError('ErrInternalDatabase', `flow ${flowId} not found`)

/** A job as the console shows it: the workflow API's fields, flowId and flowName for workflowId and workflowName, ctlJobId, input. */
export function consoleJob({ workflowId, workflowName, ...detail }: JobDetail, ctlJobId: number, input: Record<string, unknown>) {
  return { ...detail, flowId: workflowId, flowName: workflowName, ctlJobId, input }
}

const flowSummary = (flow: FlowRow) => ({ id: flow.id, name: flow.name, createTime: flow.create_time, updateTime: flow.update_time })

/** The folder a task's results are written to: …/analytics/<ctlJobId>/tasks/<task id>/, on any HDFS. */
const RESULT_FOLDER = /\/analytics\/(\d{1,15})\/tasks\/([A-Za-z0-9_-]{1,64})\/?$/
export const RESULT_PATH_RULE = 'params.hdfsPath must end in /analytics/<ctlJobId>/tasks/<task id>/'

/** What the analytics controller answers through the console when it cannot: 50004002, as the QA suite saw. */
export const ControllerRefusals = {
  noSuchJob: (ctlJobId: string) => explorerError('ErrInternalController', `the controller has no job ${ctlJobId}`),
  jobEnded: (ended: string) => explorerError('ErrInternalController', ended),
  passwordUndecryptable: () => explorerError('ErrInternalController', 'decrypt password failed'),
  requestDataInvalid: () => explorerError('ErrInternalController', 'requestData must be a JSON string of {"graphdIp", "userName", "password"}'),
  notServed: (method: string, path: string) => explorerError('ErrInternalController', `the controller serves no ${method} ${path}`),
}

/**
 * The web console's workflows and jobs, as its JavaScript and the vendor's QA suite call them: workflows made
 * and saved with the DAG it draws (their tasks, params and dependencies come from it), their history (the DAG
 * each job ran), jobs run and read by the console (with the controller's ctlJobId), a task's result read by its
 * HDFS folder, and the analytics controller's cancel. Workflows and jobs are the workflow API's own.
 */
export function addAnalyticsRoutes(scope: FastifyInstance, { config: { explorer: config }, db, clock, scheduler }: VendorContext): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>()
  const store = new ExplorerStore(db)
  const authenticate = explorerTokenAuth(config.tokens, store, clock)
  const flowOf = (flowId: string) => {
    const flow = store.flow(flowId)
    if (!flow) throw unknownFlow(flowId)
    return flow
  }

  app.post('/api-analytics/flows', {
    onRequest: authenticate,
    schema: { operationId: 'consoleCreateFlow', summary: 'Make a workflow as the console does: a name, and the DAG (often empty at first, saved by PUT)', body: CreateFlowRequest, response: { 200: FlowCreatedBody, ...refusals } },
  }, async (request) => ok({ id: store.createFlow(request.body.name, request.body.schema ?? '', clock.now()) }))

  app.get('/api-analytics/flows', {
    onRequest: authenticate,
    schema: { operationId: 'consoleListFlows', summary: 'List the workflows, newest first', querystring: FlowListQuery, response: { 200: FlowListBody, ...refusals } },
  }, async (request) => {
    const { page, pageSize } = request.query
    const filter = parseFlowFilter(request.query.filter)
    const { items, total } = store.flows({ name: filter.name, limit: pageSize, offset: (page - 1) * pageSize })
    return ok({ items: items.map(flowSummary), total, Page: page, PageSize: pageSize })
  })

  app.get('/api-analytics/flows/:flow_id', {
    onRequest: authenticate,
    schema: { operationId: 'consoleGetFlow', summary: 'A workflow with its DAG, as it was saved', params: FlowParams, response: { 200: FlowBody, ...refusals } },
  }, async (request) => {
    const flow = flowOf(request.params.flow_id)
    return ok({ ...flowSummary(flow), schema: flow.schema })
  })

  app.put('/api-analytics/flows/:flow_id', {
    onRequest: authenticate,
    schema: { operationId: 'consoleUpdateFlow', summary: 'Save a workflow\'s DAG: its tasks become the DAG\'s, for the jobs made from now on', params: FlowParams, body: UpdateFlowRequest, response: { 200: Done, ...refusals } },
  }, async (request) => {
    const flow = flowOf(request.params.flow_id)
    store.updateFlow(flow.id, request.body.name ?? flow.name, request.body.schema, clock.now())
    return ok({ success: true as const })
  })

  app.delete('/api-analytics/flows/:flow_id', {
    onRequest: authenticate,
    schema: { operationId: 'consoleDeleteFlow', summary: 'Delete a workflow (its jobs stay listed); deleting one that is not there succeeds too', params: FlowParams, response: { 200: Done, ...refusals } },
  }, async (request) => {
    store.deleteFlow(request.params.flow_id)
    return ok({ success: true as const })
  })

  app.get('/api-analytics/flows/:flow_id/history', {
    onRequest: authenticate,
    schema: { operationId: 'consoleFlowHistory', summary: 'A workflow\'s history: the DAG of each job it ran, newest first', params: FlowParams, querystring: FlowHistoryQuery, response: { 200: FlowHistoryBody, ...refusals } },
  }, async (request) => {
    const flow = flowOf(request.params.flow_id)
    const { page, pageSize } = request.query
    const { items, total } = store.flowVersions(flow.id, pageSize, (page - 1) * pageSize)
    return ok({
      items: items.map((version) => ({ id: version.id, flowId: version.workflow_id, jobId: version.job_id, createTime: version.create_time })),
      total,
      Page: page,
      PageSize: pageSize,
    })
  })

  app.post('/api-analytics/flows/:flow_id/history/:history_id/restore', {
    onRequest: authenticate,
    schema: {
      operationId: 'consoleRestoreFlow',
      summary: 'Put a version\'s DAG back as the workflow\'s; a version it does not have leaves it an empty DAG, as the vendor\'s QA suite saw',
      params: FlowVersionParams,
      response: { 200: Done, ...refusals },
    },
  }, async (request) => {
    const flow = flowOf(request.params.flow_id)
    store.restoreFlow(flow.id, store.flowVersion(flow.id, request.params.history_id)?.schema ?? '', clock.now())
    return ok({ success: true as const })
  })

  app.post('/api-analytics/jobs', {
    onRequest: authenticate,
    schema: { operationId: 'consoleCreateJob', summary: 'Run a workflow as the console does; the job is the workflow API\'s, and its DAG joins the workflow\'s history', body: ConsoleJobRequest, response: { 200: ConsoleJobCreatedBody, ...refusals } },
  }, async (request) => {
    // The suite's body without flowId wants exactly "ErrParam", no detail.
    if (request.body.flowId === undefined) throw explorerError('ErrParam')
    scheduler.catchUp()
    const job = jobFromWorkflow(store, String(request.body.flowId), request.body.input ?? {}, clock.now())
    store.insertNewJob(job)
    scheduler.catchUp()
    return ok({ id: job.id })
  })

  app.get('/api-analytics/jobs/:job_id', {
    onRequest: authenticate,
    schema: { operationId: 'consoleGetJob', summary: 'A job as the console shows it: its status, its tasks, and the controller\'s ctlJobId', params: ConsoleJobParams, response: { 200: ConsoleJobBody, ...refusals } },
  }, async (request) => {
    scheduler.catchUp()
    const jobId = request.params.job_id
    const job = store.job(jobId)
    if (!job) throw unknownJob(jobId)
    return ok(consoleJob(toJobDetail(job, store.jobTasks(jobId)), job.ctl_job_id, store.jobInput(jobId)))
  })

  app.post('/api-analytics/jobs/result', {
    onRequest: authenticate,
    schema: {
      operationId: 'consoleJobResult',
      summary: `A task's result as the console reads it from its HDFS folder (the path decides which task): up to ${JOB_RESULT_LIMIT} rows, none until it has succeeded`,
      body: JobResultRequest,
      response: { 200: JobResultBody, ...refusals },
    },
  }, async (request, reply) => {
    const { hdfsPath } = request.body.params
    const folder = RESULT_FOLDER.exec(hdfsPath)
    if (!folder) throw explorerError('ErrParam', RESULT_PATH_RULE)
    scheduler.catchUp()
    const job = store.jobByCtl(Number(folder[1]))
    const task = job && store.task(job.id, folder[2] as string)
    if (!job || !task) throw explorerError('ErrInternalDatabase', `no result at ${hdfsPath}`)
    // The folder is there from the job's start; its files only once the task has succeeded.
    if (task.status !== SUCCESS) return ok({ items: [] })
    return reply.type('application/json').send(sampleResultBody(store, job.id, task.id, JOB_RESULT_LIMIT) as never)
  })

  app.post('/api-analytics/controller', {
    onRequest: authenticate,
    schema: {
      operationId: 'consoleController',
      summary: 'Ask the analytics controller through the console: POST /job/<ctlJobId>/cancel (the job reads interrupted at once), POST /config/graphd/pwd',
      body: ControllerRequest,
      response: { 200: ControllerBody, ...refusals },
    },
  }, async (request) => {
    const { method, path, requestData } = request.body
    const cancel = /^\/job\/(\d+)\/cancel$/.exec(path)
    if (method.toUpperCase() === 'POST' && cancel) {
      scheduler.catchUp()
      const job = store.jobByCtl(Number(cancel[1]))
      if (!job) throw ControllerRefusals.noSuchJob(cancel[1] as string)
      const ended = JOB_ENDED[job.status]
      if (ended) throw ControllerRefusals.jobEnded(ended)
      if (job.status === PREPARING || job.status === RUNNING) {
        store.cancelJob(job.id, interruptStep(clock.now()))
        scheduler.catchUp()
      }
      return ok({})
    }
    if (method.toUpperCase() === 'POST' && path === '/config/graphd/pwd') {
      graphdPassword(requestData)
      return ok({})
    }
    throw ControllerRefusals.notServed(method, path)
  })
}

/**
 * The graph's password as the console hands it to the controller: {"graphdIp", "userName", "password"} in
 * requestData, the password RSA-encrypted and base64-encoded. The sandbox has no key to decrypt it, so it
 * checks what it can: a ciphertext of an RSA key's size (128, 256 or 512 bytes) in strict base64; anything
 * else is what the controller says of a password it cannot decrypt (50004002, as the QA suite saw).
 */
function graphdPassword(requestData: string | undefined): void {
  let data: unknown
  try {
    data = JSON.parse(requestData ?? '')
  } catch {
    throw ControllerRefusals.requestDataInvalid()
  }
  const password = (data as { password?: unknown } | null)?.password
  const bytes = typeof password === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(password) && password.length % 4 === 0 ? Buffer.from(password, 'base64').length : 0
  if (![128, 256, 512].includes(bytes)) throw ControllerRefusals.passwordUndecryptable()
}

import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { SandboxClock } from '../clock.js'
import type { Config } from '../config.js'
import { useVendorErrors } from '../errors.js'
import { useBareJsonContentType } from '../content-type.js'
import { cookiePathOf } from '../request-base.js'
import { accountPasswords, connectCredentials, explorerTokenAuth, issueToken } from './auth.js'
import { ENDED_BADLY, JOB_ENDED, UNFINISHED, ok, unknownJob } from './answers.js'
import { explorerError, explorerErrorMapping, traceparent } from './errors.js'
import { jobFromWorkflow, parseFilter, toJobDetail, toJobItem } from './jobs.js'
import {
  ConnectBody,
  CreateJobBody,
  CreateJobRequest,
  ErrorBody,
  JobDetailBody,
  JobListBody,
  JobParams,
  ListJobsQuery,
  PREPARING,
  RUNNING,
  SampleResultBody,
  SampleResultParams,
  SampleResultQuery,
  SuccessBody,
  SUCCESS,
  WorkflowParams,
  CreateJobParams,
} from './schemas.js'
import { AnswerCache } from '../answer-cache.js'
import { sampleResultBody } from './sample-result.js'
import { ExplorerStore } from './store.js'
import { interruptStep } from './timeline.js'
import type { VendorContext } from '../vendor-module.js'

/** Where the vendor serves its open APIs, and the workflow API among them. */
export const EXPLORER_ROOT = '/api-open'
export const EXPLORER_PREFIX = `${EXPLORER_ROOT}/v1`

/**
 * What every scope of Explorer's has: its envelope (unknown paths included, unless `notFound` is false: a
 * scope with no prefix of its own cannot have one), JSON without a charset, a traceparent on every answer,
 * and a JSON parser that takes an empty body.
 */
export function explorerScope(app: FastifyInstance, { notFound = true } = {}): void {
  useVendorErrors(app, explorerErrorMapping, { notFound })
  useBareJsonContentType(app)
  // The vendor's responses carry a W3C trace context header, as the seed shows; set on arrival, so every answer has it.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('traceparent', traceparent())
    done()
  })
  // The body of POST .../jobs is optional, yet clients send the JSON content type with no body.
  const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'ignore')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined)
    return parseJson(request, body as string, done)
  })
  // The vendor's cancel curl sends this content type (with no body); nothing here reads a form.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, _body, done) => done(null, undefined))
}

interface ConnectServices {
  config: Config['explorer']
  store: ExplorerStore
  clock: SandboxClock
}

/**
 * A login route: the workflow API's POST /connect and the console's POST /api-nebula/db/connect take the
 * same request and give the same answer. The credentials' form is checked first (401), then the body (400
 * 40004001, as the vendor's QA suite saw for an empty address), then the password (400 40004000).
 */
export function addConnect(app: FastifyInstance, route: { url?: string; operationId: string; summary: string }, { config, store, clock }: ConnectServices): void {
  const passwordOf = accountPasswords(config.accounts, store)
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    route.url ?? '/connect',
    {
      onRequest: async (request) => {
        connectCredentials(request.headers.authorization)
      },
      schema: {
        operationId: route.operationId,
        summary: route.summary,
        body: ConnectBody,
        response: { 200: SuccessBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    async (request, reply) => {
      // Fastify validates no body that is absent; the vendor needs one.
      if ((request.body as ConnectBody | undefined) === undefined) throw explorerError('ErrParam', 'body must be a JSON object')
      const { account, password } = connectCredentials(request.headers.authorization)
      // The password is the graph user's; the sandbox's accounts stand in for the graph's users.
      if (passwordOf(account) !== password) throw explorerError('ErrBadRequest', 'the account or password is wrong')
      const now = clock.now()
      store.deleteTokensExpiredBy(now)
      const token = issueToken(account, now, config.tokenTtlSeconds)
      store.insertToken(token, account, now + config.tokenTtlSeconds * 1000)
      // Written by hand: the vendor's attribute order, which cookie serializers do not keep. The path is the
      // vendor's root, or a named sandbox's, so that one cookie jar can hold a session in each sandbox.
      reply.header('set-cookie', `explorer_token=${token}; Path=${cookiePathOf(request)}; Max-Age=${config.tokenTtlSeconds}; HttpOnly`)
      return ok({ success: true as const })
    },
  )
}

/** NebulaGraph Explorer's workflow API, under /api-open/v1 as the vendor serves it. */
export const explorerApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config: { explorer: config }, db, clock, scheduler }) => {
  const store = new ExplorerStore(db)
  explorerScope(app)
  const authenticate = explorerTokenAuth(config.tokens, store, clock)
  const answers = new AnswerCache(db)

  addConnect(app, { operationId: 'connect', summary: 'Get an explorer_token (as a cookie) for the workflow API' }, { config, store, clock })

  app.post(
    '/workflows/:workflow_id/jobs',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'createJob',
        summary: 'Add a new job: run a workflow',
        params: CreateJobParams,
        body: CreateJobRequest,
        bodyOptional: true,
        response: { 200: CreateJobBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    async (request) => {
      scheduler.catchUp()
      const job = jobFromWorkflow(store, request.params.workflow_id, request.body?.input ?? {}, clock.now())
      store.insertNewJob(job)
      scheduler.catchUp()
      return ok({ id: job.id })
    },
  )

  const listSchema = {
    querystring: ListJobsQuery,
    response: { 200: JobListBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
  }

  const listJobs = (query: { filter?: string; page: number; pageSize: number }, workflowId?: string) => {
    const filter = parseFilter(query.filter)
    scheduler.catchUp()
    const { items, total } = store.jobs({ ...filter, workflowId, limit: query.pageSize, offset: (query.page - 1) * query.pageSize })
    return ok({ items: items.map(toJobItem), total, Page: query.page, PageSize: query.pageSize })
  }

  app.get(
    '/jobs',
    {
      onRequest: authenticate,
      schema: { operationId: 'listJobs', summary: 'Get a list of all jobs', ...listSchema },
    },
    async (request) => listJobs(request.query),
  )

  app.get(
    '/workflows/:workflow_id/jobs',
    {
      onRequest: authenticate,
      schema: { operationId: 'listWorkflowJobs', summary: 'Get a list of jobs for a specified workflow', params: WorkflowParams, ...listSchema },
    },
    async (request) => listJobs(request.query, request.params.workflow_id),
  )

  app.get(
    '/jobs/:job_id',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getJob',
        summary: 'Query details for a specified job',
        params: JobParams,
        response: { 200: JobDetailBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    async (request) => {
      scheduler.catchUp()
      const jobId = request.params.job_id
      const job = store.job(jobId)
      if (!job) throw unknownJob(jobId)
      return ok(toJobDetail(job, store.jobTasks(jobId)))
    },
  )

  app.put(
    '/jobs/:job_id/cancel',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'cancelJob',
        summary: 'Cancel a running job',
        params: JobParams,
        response: { 200: SuccessBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    async (request) => {
      scheduler.catchUp()
      const jobId = request.params.job_id
      const job = store.job(jobId)
      if (!job) throw unknownJob(jobId)
      const ended = JOB_ENDED[job.status]
      if (ended) throw explorerError('ErrBadRequest', ended)
      // Cancelling a job that is already stopping changes nothing, and succeeds.
      if (job.status === PREPARING || job.status === RUNNING) {
        store.cancelJob(jobId, interruptStep(clock.now()))
        scheduler.catchUp()
      }
      return ok({ success: true as const })
    },
  )

  app.get(
    '/jobs/:job_id/tasks/:task_id/sample_result',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'sampleResult',
        summary: 'Get the result data of a specified task',
        params: SampleResultParams,
        querystring: SampleResultQuery,
        response: { 200: SampleResultBody, 400: ErrorBody, 401: ErrorBody, 500: ErrorBody },
      },
    },
    // Not async: the answer is at hand, and a promise per request was a tenth of what a cached answer allocates.
    (request, reply) => {
      const revision = scheduler.catchUp()
      const { job_id: jobId, task_id: taskId } = request.params
      const cacheKey = `${jobId}/${taskId}/${request.query.limit}`
      const cached = answers.get(cacheKey, clock.now(), revision)
      if (cached !== undefined) {
        reply.type('application/json').send(cached.bytes as never)
        return
      }
      if (!store.jobExists(jobId)) throw unknownJob(jobId)
      const task = store.task(jobId, taskId)
      if (!task) throw explorerError('ErrInternalDatabase', `task ${taskId} not found in job ${jobId}`)
      if (task.status !== SUCCESS) {
        const unfinished = UNFINISHED[task.status]
        if (unfinished) throw explorerError('ErrBadRequest', unfinished)
        throw explorerError('ErrInternalServer', ENDED_BADLY[task.status] ?? 'task has no result')
      }
      // Already JSON (a string, or a stream for a large limit): sent as it is. A finished task's rows never
      // change: an answer small enough to hold is kept until the next write to the store.
      const body = sampleResultBody(store, jobId, taskId, request.query.limit)
      reply.type('application/json').send((typeof body === 'string' ? answers.put(cacheKey, body, null).bytes : body) as never)
    },
  )
}


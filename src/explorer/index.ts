import { randomBytes } from 'node:crypto'
import fastifyCookie from '@fastify/cookie'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import { useVendorErrors } from '../errors.js'
import { useBareJsonContentType } from '../content-type.js'
import { explorerTokenAuth } from './auth.js'
import { explorerError, explorerErrorMapping } from './errors.js'
import { ErrorBody, SampleResultBody, SampleResultParams, SampleResultQuery, TASK_SUCCESS } from './schemas.js'
import { ExplorerStore } from './store.js'
import type { Db } from '../database.js'
import type { SandboxClock } from '../clock.js'
import type { Scheduler } from '../scheduler.js'

export { loadExplorerFixture, seedExplorer } from './fixtures.js'

/** Where the vendor serves the workflow API. */
export const EXPLORER_PREFIX = '/api-open/v1'

export interface ExplorerOptions {
  config: Config['explorer']
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
}

const UNFINISHED: Record<number, string> = { 0: 'task is preparing', 1: 'task is running', 5: 'task is stopping' }
const ENDED_BADLY: Record<number, string> = { 3: 'task failed', 4: 'task was interrupted' }

/** NebulaGraph Explorer's workflow API, under /api-open/v1 as the vendor serves it. */
export const explorerApi: FastifyPluginAsyncTypebox<ExplorerOptions> = async (app, { config, db }) => {
  const store = new ExplorerStore(db)
  await app.register(fastifyCookie)
  useVendorErrors(app, explorerErrorMapping)
  useBareJsonContentType(app)
  // The vendor's responses carry a W3C trace context header, as the seed shows.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('traceparent', `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`)
  })
  const authenticate = explorerTokenAuth(config.tokens)

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
    async (request) => {
      const { job_id: jobId, task_id: taskId } = request.params
      // Observed on the real service: an unknown job is a database error, not ErrNotFound.
      if (!store.jobExists(jobId)) throw explorerError('ErrInternalDatabase', `job ${jobId} not found`)
      const task = store.task(jobId, taskId)
      if (!task) throw explorerError('ErrInternalDatabase', `task ${taskId} not found in job ${jobId}`)
      if (task.status !== TASK_SUCCESS) {
        const unfinished = UNFINISHED[task.status]
        if (unfinished) throw explorerError('ErrBadRequest', unfinished)
        throw explorerError('ErrInternalServer', ENDED_BADLY[task.status] ?? 'task has no result')
      }
      return { code: 0 as const, data: { items: store.rows(jobId, taskId, request.query.limit) }, message: 'Success' as const }
    },
  )
}

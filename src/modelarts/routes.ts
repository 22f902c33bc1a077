import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AnswerCache } from '../answer-cache.js'
import { baseUrlAt, basePathAt, baseUrlOf } from '../request-base.js'
import { useVendorErrors } from '../errors.js'
import { modelartsAuth } from './auth.js'
import { ModelArtsErrors, modelartsErrorMapping, newRequestId } from './errors.js'
import { taskBody, versionBody } from './details.js'
import {
  AuthErrorBody, ErrorBody, ResultsBody, ResultsParams, ResultsQuery, TaskBody, TaskParams, VERSION_STATUS, VersionBody,
  VersionParams,
} from './schemas.js'
import { obsBase, securityTokenFor, signObjectUrl } from './obs.js'
import { ModelArtsStore } from './store.js'

import type { VendorContext } from '../vendor-module.js'
import type { ModelArtsAccessKey } from '../config.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The id Huawei's gateway gives each request (X-Request-Id, and request_id in its errors). */
    modelartsRequestId: string
  }
}

/** The results page's Content-Type, as Fastify writes JSON. */
const RESULTS_TYPE = 'application/json; charset=utf-8'

/** Where the vendor serves the data processing API. */
export const MODELARTS_PREFIX = '/v2'

/** ModelArts data processing ("old version" API), under /v2 as the vendor serves it. */
export const modelartsApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config: { modelarts: config }, db, clock, scheduler, replays }) => {
  const store = new ModelArtsStore(db)
  app.decorateRequest('modelartsRequestId', '')
  app.addHook('onRequest', (request, reply, done) => {
    request.modelartsRequestId = newRequestId()
    reply.header('x-request-id', request.modelartsRequestId)
    done()
  })
  useVendorErrors(app, modelartsErrorMapping)
  const auth = modelartsAuth({ tokens: config.tokens, accessKeys: config.accessKeys, store, clock })
  const authenticate = auth.hook
  const [signingKey] = config.accessKeys as [ModelArtsAccessKey]
  const pages = new AnswerCache(db)

  /** The project's task, or 4612 (a task of another project is not found either). */
  const findTask = (projectId: string, taskId: string) => {
    const task = store.task(taskId)
    if (!task || task.project_id !== projectId) throw ModelArtsErrors.taskNotFound()
    return task
  }
  /** The task's version, or 4851 (a version of another task is not found either). */
  const findVersion = (taskId: string, versionId: string) => {
    const version = store.version(versionId)
    if (!version || version.task_id !== taskId) throw ModelArtsErrors.versionNotFound()
    return version
  }
  // The gateway answers 401 (no token), and 404 only for a path no API serves; ModelArts 400, 401, 403, and 500 for a failure or an injected fault.
  const detailErrors = { 400: ErrorBody, 401: AuthErrorBody, 403: ErrorBody, 500: ErrorBody }

  app.get(
    '/:project_id/processor-tasks/:task_id',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getProcessorTask',
        summary: 'Query the details of a processing task (its latest version\'s status and duration)',
        params: TaskParams,
        response: { 200: TaskBody, ...detailErrors },
      },
    },
    async (request) => {
      scheduler.catchUp()
      const task = findTask(request.params.project_id, request.params.task_id)
      return taskBody(task, store.latestVersion(task.task_id), store.versionCount(task.task_id), clock.now())
    },
  )

  app.get(
    '/:project_id/processor-tasks/:task_id/versions/:version_id',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getProcessorTaskVersion',
        summary: 'Query the details of a data processing task version: status, times, sample counts',
        params: VersionParams,
        response: { 200: VersionBody, ...detailErrors },
      },
    },
    async (request) => {
      scheduler.catchUp()
      const task = findTask(request.params.project_id, request.params.task_id)
      const version = findVersion(task.task_id, request.params.version_id)
      return versionBody(store, task, version, clock.now())
    },
  )

  app.get(
    '/:project_id/processor-tasks/:task_id/versions/:version_id/results',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getVersionResults',
        summary: 'Query the result of a data processing task version',
        params: ResultsParams,
        querystring: ResultsQuery,
        response: {
          200: ResultsBody,
          400: ErrorBody,
          401: AuthErrorBody,
          403: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    // Not async: the answer is at hand, and a promise per request was a tenth of what a cached answer allocates.
    (request, reply) => {
      const { project_id: projectId, task_id: taskId, version_id: versionId } = request.params
      const { limit, offset, result_property: resultProperty } = request.query
      const revision = scheduler.catchUp()
      const now = clock.now()
      const second = Math.floor(now / 1000)
      const expires = second + config.signedUrlTtlSeconds
      // The sandbox's own OBS is where this client reached us: origin, and a named sandbox's prefix.
      const origin = baseUrlOf(request)
      // The URL names the page (its parameters are the URL's); the answer changes with the origin, with the signed
      // URLs' Expires (whole seconds of the sandbox clock: the entry ends with the second) and with a write to the store.
      const cacheKey = origin + request.url
      const cached = pages.get(cacheKey, now, revision)
      if (cached !== undefined) {
        reply.type(RESULTS_TYPE).send(cached.bytes as never)
        return
      }
      findTask(projectId, taskId)
      const version = findVersion(taskId, versionId)
      if (version.status === VERSION_STATUS.initialized) throw ModelArtsErrors.versionInitializing()
      if (version.status === VERSION_STATUS.failed) throw ModelArtsErrors.versionFailed()
      if (version.status !== VERSION_STATUS.completed) throw ModelArtsErrors.versionNotFinished()

      const count = store.count(versionId, resultProperty)
      // offset is a page index (Huawei's SDK documents it so): page 1 of 50 is records 51..100.
      const start = offset * limit
      const signing = { key: signingKey, securityToken: securityTokenFor(config.region, projectId), expires, base: obsBase(config.obsEndpoint, config.region, origin) }
      const results = store.page(versionId, resultProperty, start, limit).map((sample) => ({
        sample_id: sample.sample_id,
        version_id: versionId,
        origin_source: sample.origin_source,
        new_source: sample.new_source,
        signed_origin_source: signObjectUrl(sample.origin_source, signing),
        signed_new_source: signObjectUrl(sample.new_source, signing),
        result_property: sample.result_property,
        result_description: JSON.parse(sample.result_description) as string[][],
      }))
      const page = { count, results, has_more: start + results.length < count }
      reply.type(RESULTS_TYPE).send(pages.put(cacheKey, String(reply.serialize(page)), (second + 1) * 1000).bytes as never)
    },
  )

  // A page this route has answered, asked for again with credentials that pass, is given again before Fastify
  // routes the request (replay-lane.ts): the cache and the credentials are the route's own, and so is the head.
  const { reached } = app.resultbox
  replays.offer(`${MODELARTS_PREFIX}/`, (request) => {
    const url = request.url as string
    const revision = scheduler.catchUp()
    const cached = pages.get(baseUrlAt(reached, request) + url, clock.now(), revision)
    if (cached === undefined) return undefined
    // The page was answered for this very URL: its first segment is the project_id the route read, unless escaped.
    const projectId = url.slice(MODELARTS_PREFIX.length + 1, url.indexOf('/', MODELARTS_PREFIX.length + 1))
    if (projectId.includes('%')) return undefined
    const requestId = newRequestId()
    const admitted = auth.admits({ method: 'GET', sentUrl: basePathAt(reached, request) + url, headers: request.headers, projectId, requestId })
    if (!admitted) return undefined
    return {
      operation: 'getVersionResults',
      headers: ['x-request-id', requestId, 'content-type', RESULTS_TYPE, 'content-length', String(cached.bytes.length)],
      bytes: cached.bytes,
    }
  })
}

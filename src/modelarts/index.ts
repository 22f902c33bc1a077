import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { SandboxClock } from '../clock.js'
import type { Config } from '../config.js'
import type { Db } from '../database.js'
import type { Scheduler } from '../scheduler.js'
import { useVendorErrors } from '../errors.js'
import { authTokenAuth } from './auth.js'
import { ModelArtsErrors, modelartsErrorMapping, newRequestId } from './errors.js'
import { AuthErrorBody, ErrorBody, GatewayErrorBody, ResultsBody, ResultsParams, ResultsQuery, VERSION_STATUS } from './schemas.js'
import { securityTokenFor, signObjectUrl } from './signing.js'
import { ModelArtsStore } from './store.js'

export { loadModelArtsFixture, seedModelArts } from './fixtures.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The id Huawei's gateway gives each request (X-Request-Id, and request_id in its errors). */
    modelartsRequestId: string
  }
}

/** Where the vendor serves the data processing API. */
export const MODELARTS_PREFIX = '/v2'

export interface ModelArtsOptions {
  config: Config['modelarts']
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
}

/** ModelArts data processing ("old version" API), under /v2 as the vendor serves it. */
export const modelartsApi: FastifyPluginAsyncTypebox<ModelArtsOptions> = async (app, { config, db, clock }) => {
  const store = new ModelArtsStore(db)
  app.decorateRequest('modelartsRequestId', '')
  app.addHook('onRequest', async (request, reply) => {
    request.modelartsRequestId = newRequestId()
    reply.header('x-request-id', request.modelartsRequestId)
  })
  useVendorErrors(app, modelartsErrorMapping)
  const authenticate = authTokenAuth(config.tokens)

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
          404: GatewayErrorBody,
          403: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (request) => {
      const { project_id: projectId, task_id: taskId, version_id: versionId } = request.params
      const { limit, offset, result_property: resultProperty } = request.query
      const task = store.task(taskId)
      if (!task || task.project_id !== projectId) throw ModelArtsErrors.taskNotFound()
      const version = store.version(versionId)
      if (!version || version.task_id !== taskId) throw ModelArtsErrors.versionNotFound()
      if (version.status === VERSION_STATUS.initialized) throw ModelArtsErrors.versionInitializing()
      if (version.status === VERSION_STATUS.failed) throw ModelArtsErrors.versionFailed()
      if (version.status !== VERSION_STATUS.completed) throw ModelArtsErrors.versionNotFinished()

      const count = store.count(versionId, resultProperty)
      // offset is a page index (Huawei's SDK documents it so): page 1 of 50 is records 51..100.
      const start = offset * limit
      const expires = Math.floor(clock.now() / 1000) + config.signedUrlTtlSeconds
      const securityToken = securityTokenFor(config.region, projectId)
      const results = store.page(versionId, resultProperty, start, limit).map((sample) => ({
        sample_id: sample.sample_id,
        version_id: versionId,
        origin_source: sample.origin_source,
        new_source: sample.new_source,
        signed_origin_source: signObjectUrl(sample.origin_source, config.region, expires, securityToken),
        signed_new_source: signObjectUrl(sample.new_source, config.region, expires, securityToken),
        result_property: sample.result_property,
        result_description: JSON.parse(sample.result_description) as string[][],
      }))
      return { count, results, has_more: start + results.length < count }
    },
  )
}

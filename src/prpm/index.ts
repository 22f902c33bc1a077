import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import type { SandboxClock } from '../clock.js'
import type { Db } from '../database.js'
import { useVendorErrors } from '../errors.js'
import { useBareJsonContentType } from '../content-type.js'
import type { Scheduler } from '../scheduler.js'
import { bearerAuth } from './auth.js'
import { prpmErrorMapping } from './errors.js'
import { readResult } from './results.js'
import { prpmRunner } from './runner.js'
import { DetailError, ResultBody, ResultParams, ValidationError } from './schemas.js'
import { PrpmStore } from './store.js'

export { loadPrpmFixture, seedPrpm } from './fixtures.js'

export interface PrpmOptions {
  config: Config['prpm']
  db: Db
  clock: SandboxClock
  scheduler: Scheduler
}

/** PrPM (PrCore) at the root of the URL space, as the vendor serves it. */
export const prpmApi: FastifyPluginAsyncTypebox<PrpmOptions> = async (app, { config, db, clock, scheduler }) => {
  const store = new PrpmStore(db)
  const rules = { oneShotRead: config.oneShotRead, resultTtlSeconds: config.resultTtlSeconds }
  scheduler.register(prpmRunner(store, rules))
  useVendorErrors(app, prpmErrorMapping)
  useBareJsonContentType(app)
  const authenticate = bearerAuth(config.tokens)

  app.get(
    '/project/:project_id/result/:result_key',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getResult',
        summary: 'Get the result of an ongoing dataset',
        params: ResultParams,
        response: { 200: ResultBody, 400: DetailError, 401: DetailError, 404: DetailError, 422: ValidationError },
      },
    },
    async (request) => {
      scheduler.catchUp()
      return readResult(store, request.params.project_id, request.params.result_key, clock.now(), rules)
    },
  )
}

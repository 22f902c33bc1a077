import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Sandbox } from '../sandbox.js'
import { seedVendor } from '../seeding.js'
import type { VendorSimulation } from '../simulation.js'
import type { VendorModule } from '../vendor-module.js'
import { clockBody } from './clock.js'
import { BodyRefusals, ClockBody } from './schemas.js'

/**
 * GET /_resultbox/state: one snapshot of the work in progress (what the
 * status page shows), each vendor's part as its folder describes it.
 * POST /_resultbox/state/reset: every vendor (or one) back to its fixtures, in one transaction.
 */
export const stateRoutes: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  const { db, clock, scheduler, simulations, vendors } = sandbox
  const simulationOf = (name: string) => simulations[name] as VendorSimulation

  const StateBody = Type.Object({
    clock: ClockBody,
    ...Object.fromEntries(vendors.names.map((name) => [name, simulationOf(name).overview.schema])),
  })
  const ResetQuery = Type.Object(
    { vendor: Type.Optional(vendors.nameSchema()) },
    { additionalProperties: false },
  )
  const ResetBody = Type.Object({
    reset: Type.Array(vendors.nameSchema(), { description: 'the vendors put back to their fixtures' }),
    clock: Type.String({ description: 'the sandbox time the fixtures were seeded at again' }),
  })

  app.get(
    '/state',
    {
      schema: {
        operationId: 'getState',
        tags: ['control'],
        summary: 'The clock and every vendor\'s results, jobs and versions with their status and progress, newest first',
        response: { 200: StateBody },
      },
    },
    async () => {
      // As a vendor read does: what fell due by now has run, so the snapshot shows what a client would see.
      scheduler.catchUp()
      const time = clockBody(clock)
      return { clock: time, ...Object.fromEntries(vendors.names.map((name) => [name, simulationOf(name).overview.read()])) }
    },
  )

  app.post(
    '/state/reset',
    {
      schema: {
        operationId: 'resetState',
        tags: ['control'],
        summary: 'Put the store back to the fixtures: what scenarios and clients created is dropped',
        querystring: ResetQuery,
        response: { 200: ResetBody, ...BodyRefusals },
      },
    },
    async (request) => {
      const reset = request.query.vendor === undefined ? [...vendors.names] : [request.query.vendor]
      const now = clock.now()
      db.transaction(() => {
        for (const name of reset) {
          simulationOf(name).clear()
          seedVendor(vendors.byName(name) as VendorModule, db, sandbox.config, now)
        }
      }).immediate()
      // Nothing the provider states made is left to undo, and an undo must not delete what the fixtures brought back.
      sandbox.providerStates.forget()
      // A reset of the large set writes a WAL as large as the store; fold it back rather than keep it until close.
      if (sandbox.config.fixtureScale === 'large') db.pragma('wal_checkpoint(TRUNCATE)')
      scheduler.catchUp()
      return { reset, clock: new Date(now).toISOString() }
    },
  )
}

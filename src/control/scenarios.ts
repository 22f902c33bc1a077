import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Sandbox } from '../sandbox.js'
import type { VendorSimulation } from '../simulation.js'
import { BodyRefusals, ControlErrorBody } from './schemas.js'

/**
 * POST /_resultbox/scenarios/{vendor}: work in progress on the clock, built
 * from a JSON body whose schema each vendor's simulation owns.
 */
export const scenarioRoutes: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  const { db, clock, scheduler, simulations, vendors } = sandbox
  for (const vendor of vendors.names) {
    const { scenario } = simulations[vendor] as VendorSimulation
    app.post(
      `/scenarios/${vendor}`,
      {
        // A scenario may spell out thousands of cases or rows: it has its own cap, larger than other bodies'.
        bodyLimit: sandbox.config.limits.scenarioMaxBytes,
        schema: {
          operationId: `create${vendor[0]?.toUpperCase()}${vendor.slice(1)}Scenario`,
          tags: ['control'],
          summary: `Create ${vendor} work that runs on the sandbox clock`,
          body: scenario.body,
          response: { 201: scenario.created, ...BodyRefusals, ...Object.fromEntries(scenario.refusals.map((status) => [status, ControlErrorBody])) },
        },
      },
      async (request, reply) => {
        const prepared = await scenario.prepare?.(request.body)
        const created = db.transaction(() => scenario.create(request.body, clock.now(), prepared)).immediate()
        scheduler.catchUp()
        return reply.code(201).send(created)
      },
    )
  }
}

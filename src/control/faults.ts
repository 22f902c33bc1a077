import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Sandbox } from '../sandbox.js'
import { faultSchemas } from '../faults.js'
import { BodyRefusals, ControlError, NoContent } from './schemas.js'

/** PUT, GET and DELETE /_resultbox/faults: latency and errors per vendor operation, seeded. */
export const faultRoutes: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  const { faults, vendors } = sandbox
  const { FaultSet, FaultState } = faultSchemas(vendors.nameSchema())

  app.put(
    '/faults',
    {
      schema: {
        operationId: 'putFaults',
        tags: ['control'],
        summary: 'Replace the fault rules (and restart the seeded draws)',
        body: FaultSet,
        response: { 200: FaultState, ...BodyRefusals },
      },
    },
    async (request) => {
      request.body.rules.forEach((rule, index) => {
        if (rule.latency && 'min_ms' in rule.latency && rule.latency.min_ms > rule.latency.max_ms) {
          throw new ControlError(400, 'invalid_request', 'min_ms must not exceed max_ms', `/rules/${index}/latency/max_ms`)
        }
        if (!rule.latency && !rule.error) {
          throw new ControlError(400, 'invalid_request', 'a rule needs latency, error or both', `/rules/${index}`)
        }
      })
      faults.replace(request.body)
      return faults.state()
    },
  )

  app.get('/faults', { schema: { operationId: 'getFaults', tags: ['control'], response: { 200: FaultState } } }, async () => faults.state())

  app.delete('/faults', { schema: { operationId: 'deleteFaults', tags: ['control'], response: { 204: NoContent, ...BodyRefusals } } }, async (_request, reply) => {
    faults.clear()
    return reply.code(204).send(null)
  })
}

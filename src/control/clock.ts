import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Sandbox } from '../sandbox.js'
import type { SandboxClock } from '../clock.js'
import { BodyRefusals, ClockBody, ClockChange, ControlError } from './schemas.js'

export function clockBody(clock: SandboxClock): ClockBody {
  const { now, frozen, speed } = clock.state()
  return { now: new Date(now).toISOString(), now_ms: now, frozen, speed }
}

/** GET and POST /_resultbox/clock: read, set, advance, freeze or speed up the one sandbox clock. */
export const clockRoutes: FastifyPluginAsyncTypebox<{ sandbox: Sandbox }> = async (app, { sandbox }) => {
  const { clock, scheduler } = sandbox

  app.get('/clock', { schema: { operationId: 'getClock', tags: ['control'], response: { 200: ClockBody } } }, async () => clockBody(clock))

  app.post(
    '/clock',
    {
      schema: {
        operationId: 'changeClock',
        tags: ['control'],
        summary: 'Set, advance, freeze or change the speed of the sandbox clock; what became due runs before the answer',
        body: ClockChange,
        response: { 200: ClockBody, ...BodyRefusals },
      },
    },
    async (request) => {
      const change = request.body
      if (change.set !== undefined) {
        const target = Date.parse(change.set)
        // Plugins already finished and tokens already expired cannot be undone: the clock only moves forward.
        if (target < clock.now()) {
          throw new ControlError(400, 'invalid_request', `the sandbox clock never goes back; it is at ${new Date(clock.now()).toISOString()}`, '/set')
        }
        clock.set(target)
      }
      if (change.advance_ms !== undefined) clock.advance(change.advance_ms)
      if (change.speed !== undefined) clock.setSpeed(change.speed)
      if (change.frozen !== undefined) clock.freeze(change.frozen)
      scheduler.catchUp()
      return clockBody(clock)
    },
  )
}

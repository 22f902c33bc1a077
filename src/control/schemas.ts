import { Type, type Static } from '@sinclair/typebox'

/** The control API's own error body: a code, a sentence, and the JSON pointer of the field at fault when there is one. */
export const ControlErrorBody = Type.Object({
  error: Type.String({ description: 'a stable code: invalid_request, invalid_scenario, unauthorized, not_found, conflict, payload_too_large, unsupported_media_type, internal' }),
  message: Type.String(),
  field: Type.Optional(Type.String({ description: 'JSON pointer of the offending field, e.g. /rules/0/error/status' })),
})
export type ControlErrorBody = Static<typeof ControlErrorBody>


/**
 * What Fastify refuses before a POST, PUT or DELETE reaches its handler: a
 * body that is not JSON (400), too large (413), or of another type (415).
 */
/** A DELETE's answer: done, nothing to say. */
export const NoContent = Type.Null({ description: 'done; no body' })

export const BodyRefusals = { 400: ControlErrorBody, 413: ControlErrorBody, 415: ControlErrorBody }

export class ControlError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'ControlError'
  }

  get body(): ControlErrorBody {
    return this.field === undefined ? { error: this.code, message: this.message } : { error: this.code, message: this.message, field: this.field }
  }
}

export const ClockBody = Type.Object({
  now: Type.String({ description: 'sandbox time, ISO 8601' }),
  now_ms: Type.Integer({ description: 'sandbox time, milliseconds since the epoch' }),
  frozen: Type.Boolean(),
  speed: Type.Number({ description: 'sandbox milliseconds per real millisecond' }),
})
export type ClockBody = Static<typeof ClockBody>

export const ClockChange = Type.Object(
  {
    set: Type.Optional(Type.String({ format: 'date-time', description: 'move the clock to this time (never back)' })),
    advance_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_155_760_000_000, description: 'move the clock on by this much' })),
    speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
    frozen: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1, description: 'applied in this order: set, advance_ms, speed, frozen' },
)

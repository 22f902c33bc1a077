import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'

/**
 * `schema` or null, written as a JSON Schema type list (`["array","null"]`)
 * rather than anyOf: fast-json-stringify then serializes without trying each
 * branch, and OpenAPI 3.1 reads it natively.
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] })
}

declare module 'fastify' {
  /** The OpenAPI fields each route declares: the operation's name (fault rules and the journal use it), and its docs. */
  interface FastifySchema {
    operationId?: string
    summary?: string
    description?: string
    tags?: string[]
  }
}

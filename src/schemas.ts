import type {} from '@fastify/swagger'
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
  /**
   * @fastify/swagger declares the OpenAPI fields a route may give (operationId,
   * summary, tags, security); fault rules and the journal also name operations
   * by operationId.
   */
  interface FastifySchema {
    /**
     * The fields of a multipart/form-data body that the handler reads itself:
     * Fastify does not validate it, the OpenAPI document describes it.
     */
    form?: TSchema
    /** The JSON body may be left out (Fastify validates none that is absent); the document says so. */
    bodyOptional?: true
    /**
     * What the document names the route's trailing `*` (several path segments, e.g. an object key), which
     * @fastify/swagger would call `{*}`.
     */
    wildcard?: string
  }
}

/**
 * Example bodies for the OpenAPI document, by operationId, then status code,
 * then the example's name: each from the fixtures or the vendor's own error builders.
 */
export type OperationExamples = Record<string, Record<number, Record<string, unknown>>>

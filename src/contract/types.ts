/*
 * The OpenAPI document's shapes as resultbox builds and reads them (the rest is the specification's). A
 * module of its own, with no imports, so that vendor folders can describe their part of the document
 * without importing the module that assembles it.
 */

export interface OpenApiDocument {
  openapi: string
  info: Record<string, unknown>
  tags?: Array<{ name: string; description?: string }>
  paths: Record<string, Record<string, OpenApiOperation>>
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> }
  [key: string]: unknown
}

export interface OpenApiOperation {
  operationId?: string
  tags?: string[]
  security?: SecurityRequirement[]
  responses?: Record<string, { description?: string; headers?: Record<string, { required?: boolean; schema?: unknown }>; content?: Record<string, OpenApiMedia> }>
  [key: string]: unknown
}

export interface OpenApiMedia {
  schema?: unknown
  example?: unknown
  examples?: Record<string, { summary?: string; value: unknown }>
}

/** One way to authenticate: the security schemes it needs, each with its scopes (none here). */
export type SecurityRequirement = Record<string, string[]>

/** A response header the document describes. */
export interface HeaderObject {
  description: string
  required: boolean
  /** Examples too, so that a mock server (Prism) sends a value its own pattern accepts. */
  schema: { type: 'string'; pattern?: string; const?: string; examples?: string[] }
}

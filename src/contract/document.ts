import { STATUS_CODES } from 'node:http'
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifySchema } from 'fastify'
import type { Config } from '../config.js'
import { ControlErrorBody } from '../control/schemas.js'
import type { OperationExamples } from '../schemas.js'
import { VENDORS } from '../simulation.js'

/** The parts of the document a client team can take alone: one vendor's API, or resultbox's own. */
export const DOCUMENT_PARTS = [...VENDORS, 'control'] as const
export type DocumentPart = (typeof DOCUMENT_PARTS)[number]

/** The OpenAPI document as this module builds and reads it; the rest of its shape is the specification's. */
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
  security?: Array<Record<string, string[]>>
  responses?: Record<string, { description?: string; headers?: Record<string, { required?: boolean; schema?: unknown }>; content?: Record<string, OpenApiMedia> }>
  [key: string]: unknown
}

export interface OpenApiMedia {
  schema?: unknown
  example?: unknown
  examples?: Record<string, { summary?: string; value: unknown }>
}

const TAGS: Record<DocumentPart, string> = {
  prpm: 'PrPM (PrCore): upload an event log, define its columns, create a project, upload an ongoing dataset, read its result',
  explorer: 'NebulaGraph Explorer workflow API (api-open/v1): connect, run workflow jobs, read task sample results',
  modelarts: 'ModelArts data processing (v2): processor tasks, their versions and the versions\' results',
  control: 'resultbox\'s own API: health, state and reset, scenarios, the sandbox clock, faults, the request journal, a status page and this document',
}

/** Each vendor's auth, as its clients send it. */
const SECURITY_SCHEMES = {
  prpmBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'PrCore\'s OAuth2PasswordBearer: `Authorization: Bearer <token>`; resultbox accepts RESULTBOX_PRPM_TOKENS.',
  },
  explorerCredentials: {
    type: 'http',
    scheme: 'bearer',
    description: 'POST /connect only: `Authorization: Bearer <base64 of account:password>` (or of the JSON {"account","password"}).',
  },
  explorerToken: {
    type: 'apiKey',
    in: 'cookie',
    name: 'explorer_token',
    description: 'The cookie POST /connect sets; resultbox also accepts RESULTBOX_EXPLORER_TOKENS.',
  },
  explorerTokenHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'explorer_token',
    description: 'The same token as a header, as the vendor\'s parameter table allows.',
  },
  modelartsToken: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Auth-Token',
    description: 'An IAM token; resultbox accepts RESULTBOX_MODELARTS_TOKENS (optionally scoped to one project).',
  },
  controlToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'RESULTBOX_CONTROL_TOKEN, when set; health, readiness and this document need none.',
  },
} as const

type SecurityScheme = keyof typeof SECURITY_SCHEMES

/** The control API's routes that answer without its token. */
const OPEN_CONTROL_OPERATIONS = new Set(['health', 'ready', 'getOpenapi', 'getOpenapiYaml', 'getStatusPage'])

function securityOf(part: DocumentPart, operationId: string | undefined, controlToken: boolean): Array<Partial<Record<SecurityScheme, []>>> {
  switch (part) {
    case 'prpm':
      return [{ prpmBearer: [] }]
    case 'explorer':
      return operationId === 'connect' ? [{ explorerCredentials: [] }] : [{ explorerToken: [] }, { explorerTokenHeader: [] }]
    case 'modelarts':
      return [{ modelartsToken: [] }]
    case 'control':
      return controlToken && !OPEN_CONTROL_OPERATIONS.has(operationId ?? '') ? [{ controlToken: [] }] : []
  }
}

/**
 * Options for @fastify/swagger: the document is built from the routes' own
 * TypeBox schemas; this adds what a schema cannot say (the vendor as a tag,
 * its auth, a multipart form's fields) and the examples from the fixtures.
 */
export function contractOptions(
  config: Config,
  version: string,
  partOf: (url: string) => DocumentPart,
  examples: () => OperationExamples,
): FastifyDynamicSwaggerOptions {
  const controlToken = config.control.token !== null
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'resultbox',
        version,
        description:
          'A local sandbox of three vendors\' job-result APIs. Each vendor\'s operations carry its tag, its auth and its own error envelope; ' +
          'GET /_resultbox/openapi.json?vendor=prpm|explorer|modelarts|control gives one part alone.',
      },
      tags: DOCUMENT_PARTS.map((name) => ({ name, description: TAGS[name] })),
      components: {
        securitySchemes: Object.fromEntries(
          Object.entries(SECURITY_SCHEMES).filter(([name]) => controlToken || name !== 'controlToken'),
        ) as NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes'],
      },
    },
    transform: ({ schema, url }) => {
      const part = partOf(url)
      const { form, bodyOptional, ...rest } = (schema ?? {}) as FastifySchema
      const security = securityOf(part, rest.operationId, controlToken)
      const described: FastifySchema = { ...rest, tags: rest.tags ?? [part], security }
      // Fastify fills a default before it validates: a client never has to send such a field.
      if (rest.querystring !== undefined) described.querystring = withoutRequiredDefaults(rest.querystring)
      if (rest.body !== undefined) described.body = withoutRequiredDefaults(rest.body)
      if (bodyOptional) Object.assign(described, { [BODY_OPTIONAL]: true })
      // The control token's refusal comes from a hook of the guarded scope, not from any one route.
      if (part === 'control' && security.length > 0) described.response = { ...(rest.response as object), 401: ControlErrorBody }
      // A multipart form is read by the handler, not by Fastify: only the document carries its fields.
      if (form !== undefined) Object.assign(described, { body: form, consumes: ['multipart/form-data'] })
      return { schema: described, url }
    },
    transformObject: (documentObject) => {
      const document = ('openapiObject' in documentObject ? documentObject.openapiObject : documentObject) as unknown as OpenApiDocument
      for (const operation of operations(document)) {
        if (operation[BODY_OPTIONAL] !== true) continue
        delete operation[BODY_OPTIONAL]
        ;(operation.requestBody as { required: boolean }).required = false
      }
      describeResponses(document)
      describeHeaders(document)
      addExamples(document, examples())
      return document as never
    },
  }
}

/** Carries a route's bodyOptional from the per-route transform to the document (@fastify/swagger copies x- keys). */
const BODY_OPTIONAL = 'x-resultbox-body-optional'

/** A copy of a request schema in which no property that has a default is listed as required. */
function withoutRequiredDefaults(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutRequiredDefaults)
  if (schema === null || typeof schema !== 'object') return schema
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === 'default' || key === 'const' || key === 'enum' || key === 'examples' ? value : withoutRequiredDefaults(value)
  }
  const properties = copy.properties as Record<string, { default?: unknown }> | undefined
  if (Array.isArray(copy.required) && properties !== undefined) {
    const required = copy.required.filter((name: string) => properties[name]?.default === undefined)
    if (required.length > 0) copy.required = required
    else delete copy.required
  }
  return copy
}

/** A response whose schema gives no description is named by its status (@fastify/swagger says "Default Response"). */
function describeResponses(document: OpenApiDocument): void {
  for (const operation of operations(document)) {
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      if (response.description === undefined || response.description === 'Default Response') response.description = STATUS_CODES[status] ?? status
    }
  }
}

interface HeaderObject {
  description: string
  required: boolean
  /** Examples too, so that a mock server (Prism) sends a value its own pattern accepts. */
  schema: { type: 'string'; pattern?: string; const?: string; examples?: string[] }
}

/** The headers a vendor's own code sets on every answer, or on some, which a client may read. */
function headersOf(part: DocumentPart, operation: OpenApiOperation, status: string): Record<string, HeaderObject> {
  const { operationId } = operation
  const bearerChallenge = { 'WWW-Authenticate': { description: 'the scheme to authenticate with', required: true, schema: { type: 'string', const: 'Bearer' } } } as const
  switch (part) {
    case 'prpm':
      if (status === '401') return { ...bearerChallenge }
      // resultbox's addition: a complete result kept for re-reading has an ETag, for If-None-Match.
      if (operationId === 'getResult' && operation.responses?.['304'] !== undefined && (status === '200' || status === '304')) {
        return { ETag: { description: 'a complete result\'s ETag, when RESULTBOX_PRPM_ONE_SHOT_READ is false (not PrCore\'s)', required: status === '304', schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]{32}"$', examples: ['"q0wV7m1X3kTtY9fRzP2sLc8bN4hJ6dGe"'] } } }
      }
      return {}
    case 'explorer':
      return {
        traceparent: {
          description: 'W3C trace context, on every answer as the vendor sends it',
          required: true,
          schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-00$', examples: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'] },
        },
        ...(operationId === 'connect' && status === '200'
          ? { 'Set-Cookie': { description: 'explorer_token=<token>; Path=/; Max-Age=<seconds>; HttpOnly', required: true, schema: { type: 'string', pattern: '^explorer_token=[^;]+; Path=/; Max-Age=[0-9]+; HttpOnly$', examples: ['explorer_token=eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl; Path=/; Max-Age=259200; HttpOnly'] } } }
          : {}),
      }
    case 'modelarts':
      return { 'X-Request-Id': { description: 'the request\'s id, which an error body repeats', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$', examples: ['9d0c3b4f1e2a47c6b8a5d7e6f0a1b2c3'] } } }
    case 'control':
      return status === '401' ? { 'WWW-Authenticate': { description: 'the control token\'s scheme', required: true, schema: { type: 'string', const: 'Bearer realm="resultbox"' } } } : {}
  }
}

function describeHeaders(document: OpenApiDocument): void {
  for (const operation of operations(document)) {
    const part = operation.tags?.[0] as DocumentPart
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const headers = headersOf(part, operation, status)
      if (Object.keys(headers).length > 0) response.headers = headers
    }
  }
}

/** Puts each example beside the response schema it illustrates, by operation and status. */
function addExamples(document: OpenApiDocument, examples: OperationExamples): void {
  for (const operation of operations(document)) {
    const byStatus = examples[operation.operationId ?? '']
    if (byStatus === undefined) continue
    for (const [status, named] of Object.entries(byStatus)) {
      const content = operation.responses?.[status]?.content
      if (content === undefined) throw new Error(`example for ${operation.operationId} ${status}: the operation documents no such response`)
      for (const media of Object.values(content)) {
        media.examples = Object.fromEntries(Object.entries(named).map(([name, value]) => [name, { value }]))
      }
    }
  }
}

export function operations(document: OpenApiDocument): OpenApiOperation[] {
  return Object.values(document.paths).flatMap((item) => Object.values(item))
}

/**
 * One part of the document: the operations tagged with it, and only the
 * tags, security schemes and schemas they use.
 */
export function documentPart(document: OpenApiDocument, part: DocumentPart): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {}
  for (const [url, item] of Object.entries(document.paths)) {
    const kept = Object.entries(item).filter(([, operation]) => operation.tags?.includes(part))
    if (kept.length > 0) paths[url] = Object.fromEntries(kept)
  }
  const used = new Set<string>()
  for (const operation of operations({ ...document, paths })) {
    for (const requirement of operation.security ?? []) for (const name of Object.keys(requirement)) used.add(name)
  }
  const text = JSON.stringify(paths)
  const schemas = Object.entries(document.components?.schemas ?? {}).filter(([name]) => text.includes(`"#/components/schemas/${name}"`))
  const securitySchemes = Object.entries(document.components?.securitySchemes ?? {}).filter(([name]) => used.has(name))
  const components: NonNullable<OpenApiDocument['components']> = {}
  if (schemas.length > 0) components.schemas = Object.fromEntries(schemas)
  if (securitySchemes.length > 0) components.securitySchemes = Object.fromEntries(securitySchemes)
  return {
    ...document,
    info: { ...document.info, title: `resultbox: ${part}` },
    tags: document.tags?.filter((tag) => tag.name === part),
    paths,
    components,
  }
}

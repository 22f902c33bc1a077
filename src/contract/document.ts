import { STATUS_CODES } from 'node:http'
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifySchema } from 'fastify'
import type { Config } from '../config.js'
import { ControlErrorBody } from '../control/schemas.js'
import type { OperationExamples } from '../schemas.js'
import type { VendorRegistry } from '../vendors.js'
import type { HeaderObject, OpenApiDocument, OpenApiOperation, SecurityRequirement } from './types.js'

export type { OpenApiDocument, OpenApiMedia, OpenApiOperation } from './types.js'

/** The parts of the document a client team can take alone: one vendor's API (by its name), or resultbox's own. */
export const CONTROL_PART = 'control'

export function documentParts(vendors: VendorRegistry): string[] {
  return [...vendors.names, CONTROL_PART]
}

const CONTROL_DESCRIPTION = 'resultbox\'s own API: health, state and reset, scenarios, the sandbox clock, faults, the request journal, a status page and this document'

const CONTROL_SCHEMES = {
  controlToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'RESULTBOX_CONTROL_TOKEN, when set; health, readiness and this document need none.',
  },
}

/** The control API's routes that answer without its token. */
const OPEN_CONTROL_OPERATIONS = new Set(['health', 'ready', 'getOpenapi', 'getOpenapiYaml', 'getStatusPage'])

function controlSecurity(operationId: string | undefined, controlToken: boolean): SecurityRequirement[] {
  return controlToken && !OPEN_CONTROL_OPERATIONS.has(operationId ?? '') ? [{ controlToken: [] }] : []
}

/** Every vendor's security schemes, and the control API's when it has a token; a name two of them use is a mistake. */
function securitySchemes(vendors: VendorRegistry, controlToken: boolean): Record<string, unknown> {
  const schemes: Record<string, unknown> = {}
  const owners = [...vendors.modules.map((module) => ({ name: module.name, schemes: module.contract.securitySchemes })), { name: CONTROL_PART, schemes: controlToken ? CONTROL_SCHEMES : {} }]
  for (const owner of owners) {
    for (const [name, scheme] of Object.entries(owner.schemes)) {
      if (name in schemes) throw new Error(`security scheme ${name} of ${owner.name}: another vendor has one of that name`)
      schemes[name] = scheme
    }
  }
  return schemes
}

/**
 * Options for @fastify/swagger: the document is built from the routes' own
 * TypeBox schemas; this adds what a schema cannot say (the vendor as a tag,
 * its auth, a multipart form's fields) and the examples from the fixtures.
 */
export function contractOptions(
  config: Config,
  version: string,
  vendors: VendorRegistry,
  examples: () => OperationExamples,
): FastifyDynamicSwaggerOptions {
  const controlToken = config.control.token !== null
  const names = vendors.names.join('|')
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'resultbox',
        version,
        description:
          'A local sandbox of vendors\' job-result APIs. Each vendor\'s operations carry its tag, its auth and its own error envelope; ' +
          `GET /_resultbox/openapi.json?vendor=${names}|${CONTROL_PART} gives one part alone.`,
      },
      tags: [
        ...vendors.modules.map((module) => ({ name: module.name, description: module.description })),
        { name: CONTROL_PART, description: CONTROL_DESCRIPTION },
      ],
      components: {
        securitySchemes: securitySchemes(vendors, controlToken) as NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes'],
      },
    },
    transform: ({ schema, url }) => {
      const vendor = vendors.vendorOf(url)
      const part = vendor?.name ?? CONTROL_PART
      const { form, bodyOptional, wildcard, ...rest } = (schema ?? {}) as FastifySchema
      const security = vendor === null ? controlSecurity(rest.operationId, controlToken) : vendor.contract.security(rest.operationId)
      const described: FastifySchema = { ...rest, tags: rest.tags ?? [part], security }
      // Fastify fills a default before it validates: a client never has to send such a field.
      if (rest.querystring !== undefined) described.querystring = withoutRequiredDefaults(rest.querystring)
      if (rest.body !== undefined) described.body = withoutRequiredDefaults(rest.body)
      if (bodyOptional) Object.assign(described, { [BODY_OPTIONAL]: true })
      // The control token's refusal comes from a hook of the guarded scope, not from any one route.
      if (vendor === null && security.length > 0) described.response = { ...(rest.response as object), 401: ControlErrorBody }
      // A multipart form is read by the handler, not by Fastify: only the document carries its fields.
      if (form !== undefined) Object.assign(described, { body: form, consumes: ['multipart/form-data'] })
      if (wildcard !== undefined && url.endsWith('/*')) {
        const { '*': keySchema, ...named } = (rest.params as { properties: Record<string, unknown> }).properties
        described.params = { ...(rest.params as object), properties: { ...named, [wildcard]: keySchema }, required: [...Object.keys(named), wildcard] }
        return { schema: described, url: `${url.slice(0, -1)}:${wildcard}` }
      }
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
      describeHeaders(document, vendors)
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

const CONTROL_CHALLENGE: Record<string, HeaderObject> = {
  'WWW-Authenticate': { description: 'the control token\'s scheme', required: true, schema: { type: 'string', const: 'Bearer realm="resultbox"' } },
}

/** The headers each answer carries, as its vendor's contract (or the control API) says. */
function describeHeaders(document: OpenApiDocument, vendors: VendorRegistry): void {
  for (const operation of operations(document)) {
    const vendor = vendors.byName(operation.tags?.[0] ?? '')
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const headers = vendor === undefined ? (status === '401' ? CONTROL_CHALLENGE : {}) : vendor.contract.headers(operation, status)
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
export function documentPart(document: OpenApiDocument, part: string): OpenApiDocument {
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

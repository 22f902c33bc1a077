import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ControlError, ControlErrorBody } from '../control/schemas.js'
import { basePathOf } from '../request-base.js'
import { documentPart, type OpenApiDocument } from './document.js'

/** ?vendor=: one of the document's parts (a vendor's name, or control). */
const documentQuery = (parts: readonly string[]) => Type.Object(
  {
    vendor: Type.Optional(
      Type.Union(parts.map((part) => Type.Literal(part)), { description: 'only this vendor\'s operations (or the control API\'s)' }),
    ),
  },
  { additionalProperties: false },
)

const OpenApiJson = Type.Object({ openapi: Type.Literal('3.1.0') }, { additionalProperties: true, description: 'an OpenAPI 3.1 document' })

/**
 * The whole document, or one part, as JSON or YAML text; each made once. Read under a named sandbox's prefix
 * (`basePath`), the document says so as its server, so that a client generated from it, or Swagger UI's
 * "Try it out", calls that sandbox; read straight, it names no server, as the committed copies do.
 */
export function documentTexts(whole: () => OpenApiDocument) {
  const cache = new Map<string, string>()
  return async (part: string | undefined, format: 'json' | 'yaml', basePath = ''): Promise<string> => {
    const key = `${part ?? ''}.${format}.${basePath}`
    let text = cache.get(key)
    if (text === undefined) {
      const chosen = part === undefined ? whole() : documentPart(whole(), part)
      const document = basePath === '' ? chosen : withServer(chosen, basePath)
      // yaml is loaded on first use, to keep it out of start-up.
      text = format === 'json'
        ? `${JSON.stringify(document, null, 2)}\n`
        : (await import('yaml')).stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })
      cache.set(key, text)
    }
    return text
  }
}

/**
 * The contract: the OpenAPI document @fastify/swagger builds from the routes'
 * own schemas, as JSON and YAML, whole or per vendor, and Swagger UI over it.
 * They hold no state and no secret, so they answer without the control token.
 */
export const contractRoutes: FastifyPluginAsyncTypebox<{ parts: readonly string[] }> = async (app, { parts }) => {
  const DocumentQuery = documentQuery(parts)
  const texts = documentTexts(() => app.swagger() as unknown as OpenApiDocument)

  app.get(
    '/openapi.json',
    {
      schema: {
        operationId: 'getOpenapi',
        summary: 'This OpenAPI 3.1 document, whole or one vendor\'s part',
        querystring: DocumentQuery,
        response: { 200: OpenApiJson, 400: ControlErrorBody },
      },
    },
    // Sent as the text made once; Fastify sends a string with a JSON content type as it is.
    async (request, reply) => reply.type('application/json; charset=utf-8').send((await texts(request.query.vendor, 'json', basePathOf(request))) as never),
  )

  app.get(
    '/openapi.yaml',
    {
      schema: {
        operationId: 'getOpenapiYaml',
        summary: 'This OpenAPI 3.1 document as YAML, whole or one vendor\'s part',
        querystring: DocumentQuery,
        response: {
          200: { description: 'an OpenAPI 3.1 document', content: { 'application/yaml': { schema: Type.String() } } },
          400: ControlErrorBody,
        },
      },
    },
    async (request, reply) => reply.type('application/yaml; charset=utf-8').send(await texts(request.query.vendor, 'yaml', basePathOf(request))),
  )

  // Swagger UI (and @fastify/static beneath it) cost a fifth of start-up, for a page only people open: it is
  // built on the first request for it, in an instance of its own, and its answers are passed through.
  // One per path the page is reached under (a named sandbox's prefix or none): its asset links are absolute.
  const docsApps = new Map<string, Promise<FastifyInstance>>()
  const docs = async (request: FastifyRequest, reply: FastifyReply) => {
    const basePath = basePathOf(request)
    let docsApp = docsApps.get(basePath)
    if (docsApp === undefined) {
      docsApp = documentUnder(app, basePath).then((source) => swaggerUiApp(`${basePath}${app.prefix}`, source))
      docsApps.set(basePath, docsApp)
    }
    const answer = await (await docsApp).inject({ method: 'GET', url: request.url.slice(app.prefix.length), headers: request.headers })
    if (answer.statusCode === 404) throw new ControlError(404, 'not_found', `no control endpoint GET ${request.url.split('?')[0]}`)
    return reply.code(answer.statusCode).headers(answer.headers as Record<string, string>).send(answer.rawPayload)
  }
  app.get('/docs', { schema: { hide: true } }, docs)
  app.get('/docs/*', { schema: { hide: true } }, docs)
}

type DocumentSource = FastifyInstance['swagger']

/** The document as Swagger UI reads it under `basePath` (as JSON or YAML, as @fastify/swagger answers). */
async function documentUnder(app: FastifyInstance, basePath: string): Promise<DocumentSource> {
  if (basePath === '') return app.swagger.bind(app) as DocumentSource
  const { stringify } = await import('yaml')
  const document = (options?: { yaml?: boolean }) => {
    const served = withServer(app.swagger() as unknown as OpenApiDocument, basePath)
    return options?.yaml === true ? stringify(served, { aliasDuplicateObjects: false, lineWidth: 0 }) : served
  }
  return document as unknown as DocumentSource
}

/** The document as read under a named sandbox's prefix: its operations' paths are relative to that server. */
function withServer(document: OpenApiDocument, basePath: string): OpenApiDocument {
  return { ...document, servers: [{ url: basePath, description: 'this named sandbox, under the server\'s port' }] }
}

/**
 * Swagger UI over the sandbox's own document: @fastify/swagger-ui wants a
 * @fastify/swagger beside it, so the document is lent to it under that name.
 */
async function swaggerUiApp(indexPrefix: string, document: DocumentSource): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui')
  const ui = Fastify({ logger: false })
  await ui.register(fastifyPlugin(async (scope) => {
    scope.decorate('swagger', document)
  }, { name: '@fastify/swagger' }))
  await ui.register(swaggerUi, {
    routePrefix: '/docs',
    // The page's asset links are absolute: they need the prefix the sandbox serves it under.
    indexPrefix,
    uiConfig: { docExpansion: 'list', deepLinking: true, displayOperationId: true, tryItOutEnabled: true },
    staticCSP: true,
  })
  await ui.ready()
  return ui
}

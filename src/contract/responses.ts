import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import type { OpenApiDocument, OpenApiOperation } from './document.js'

interface DocumentedOperation {
  path: string
  method: string
  responses: NonNullable<OpenApiOperation['responses']>
}

/** A response that is not what the document promises for its operation and status. */
export interface ContractViolation {
  operationId: string
  status: number
  contentType: string
  /** What is wrong, each as `<JSON pointer> <message>`. */
  problems: string[]
}

/** What a response carried, as a client receives it. */
export interface ObservedResponse {
  operationId: string
  status: number
  contentType: string | undefined
  /** The body as sent: text or bytes. */
  body: string | Buffer
  /** The response's headers, names in lower case (as Node keeps them); unchecked when absent. */
  headers?: Record<string, string | string[] | number | undefined>
}

const DOCUMENT_ID = 'resultbox-openapi'

function pointerTo(...parts: string[]): string {
  return parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
}

const mediaType = (contentType: string) => contentType.split(';')[0]?.trim().toLowerCase() ?? ''
const isJson = (type: string) => type === 'application/json' || type.endsWith('+json')

/**
 * Checks responses against an OpenAPI 3.1 document: the status must be one the
 * operation documents (or its default), the content type one it lists, and a
 * JSON body must match that response's schema (JSON Schema 2020-12, which is
 * what 3.1 uses). Each schema is compiled on first use, by reference into the
 * document, so shared components resolve as the document says.
 */
export class ResponseContract {
  private readonly ajv: Ajv2020
  private readonly byOperation = new Map<string, DocumentedOperation>()
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false })
    formats.default(this.ajv)
    this.ajv.addSchema(document as object, DOCUMENT_ID)
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (operation.operationId !== undefined) this.byOperation.set(operation.operationId, { path, method, responses: operation.responses ?? {} })
      }
    }
  }

  /** Whether the document describes this operation at all. */
  describes(operationId: string): boolean {
    return this.byOperation.has(operationId)
  }

  /** The violation, or null when the response is what the document promises. */
  check(response: ObservedResponse): ContractViolation | null {
    const violation = (problems: string[]): ContractViolation => ({
      operationId: response.operationId,
      status: response.status,
      contentType: response.contentType ?? '',
      problems,
    })
    const operation = this.byOperation.get(response.operationId)
    if (operation === undefined) return violation([`operation ${response.operationId} is not in the document`])
    const statusKey = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((key) => operation.responses[key] !== undefined)
    if (statusKey === undefined) {
      return violation([`status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`])
    }
    const headerProblems = response.headers === undefined ? [] : this.headerProblems(operation, statusKey, response.headers)
    if (headerProblems.length > 0) return violation(headerProblems)
    const content = operation.responses[statusKey]?.content
    if (content === undefined) {
      return response.body.length === 0 ? null : violation([`status ${response.status} is documented without a body, yet one was sent`])
    }
    const type = mediaType(response.contentType ?? '')
    const mediaKey = Object.keys(content).find((key) => mediaType(key) === type)
    if (mediaKey === undefined) {
      return violation([`content type ${JSON.stringify(response.contentType ?? null)} is not documented (documented: ${Object.keys(content).join(', ')})`])
    }
    if (!isJson(type) || content[mediaKey]?.schema === undefined) return null
    let body: unknown
    try {
      body = JSON.parse(response.body.toString())
    } catch {
      return violation(['the body is not JSON, yet its content type says it is'])
    }
    const validate = this.validator(operation.path, operation.method, statusKey, mediaKey)
    if (validate(body)) return null
    return violation((validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${paramsText(error.params)}`))
  }

  private headerProblems({ path, method, responses }: DocumentedOperation, status: string, headers: NonNullable<ObservedResponse['headers']>): string[] {
    const documented = responses[status]?.headers ?? {}
    const problems: string[] = []
    for (const [name, header] of Object.entries(documented)) {
      const value = headers[name.toLowerCase()]
      if (value === undefined) {
        if (header.required) problems.push(`header ${name} is missing`)
        continue
      }
      if (header.schema === undefined) continue
      const validate = this.compile(`#/${pointerTo('paths', path, method, 'responses', status, 'headers', name, 'schema')}`)
      for (const one of Array.isArray(value) ? value : [String(value)]) {
        if (!validate(one)) problems.push(`header ${name} ${validate.errors?.[0]?.message ?? 'is invalid'}: ${JSON.stringify(one)}`)
      }
    }
    return problems
  }

  private validator(path: string, method: string, status: string, media: string): ValidateFunction {
    return this.compile(`#/${pointerTo('paths', path, method, 'responses', status, 'content', media, 'schema')}`)
  }

  private compile(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer)
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` })
      this.compiled.set(pointer, validate)
    }
    return validate
  }
}

function paramsText(params: Record<string, unknown>): string {
  const { additionalProperty, allowedValues } = params as { additionalProperty?: string; allowedValues?: unknown }
  if (additionalProperty !== undefined) return ` (${additionalProperty})`
  if (allowedValues !== undefined) return ` (${JSON.stringify(allowedValues)})`
  return ''
}

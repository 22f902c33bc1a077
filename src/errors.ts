import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * An answer in a vendor's own error envelope. Each vendor folder builds these
 * with its codes and bodies; the shared handler only sends them.
 */
export class VendorError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    /** Sent as its bytes with no Content-Type header at all, as some servers' own middleware answers. */
    readonly withoutContentType = false,
  ) {
    super(typeof body === 'string' ? body : JSON.stringify(body))
    this.name = 'VendorError'
  }
}

/** A failed request schema check, as Fastify reports it, reduced to what envelopes need. */
export interface RequestValidationFailure {
  /** 'params' or 'querystring' (or 'body', 'headers'). */
  part: string
  /** The parameter at fault, e.g. 'limit'. */
  parameter: string
}

export interface VendorErrorMapping {
  /** The vendor's answer to a request that failed its route schema. */
  invalidRequest(failure: RequestValidationFailure): VendorError
  /** The vendor's answer to a path it does not serve. */
  notFound(request: FastifyRequest): VendorError
  /**
   * The vendor's answer to a request whose body or headers could not be read
   * (malformed JSON, a body over the cap, an unsupported media type): Fastify's
   * 4xx status and message, in the vendor's envelope.
   */
  clientError(statusCode: number, message: string): VendorError
  /** What a fault rule injects: the rule's body, or the vendor's envelope for the status, with the headers the vendor always sends. */
  injected(statusCode: number, body?: unknown): VendorError
  /** The vendor's answer to anything else that went wrong (an unhandled failure). */
  internal(): VendorError
}

/** The body of the VendorError `work` throws: a vendor's own refusal, for the OpenAPI document's examples. */
export function refusalBody(work: () => unknown): unknown {
  try {
    work()
  } catch (error) {
    if (error instanceof VendorError) return error.body
    throw error
  }
  throw new Error('the example request was not refused')
}

export function sendVendorError(reply: FastifyReply, error: VendorError): FastifyReply {
  if (error.withoutContentType) {
    // Fastify would name a type for any body it sends: the answer is written as it is, past its onSend hooks.
    const body = Buffer.from(typeof error.body === 'string' ? error.body : JSON.stringify(error.body))
    reply.hijack()
    reply.raw.writeHead(error.statusCode, { ...error.headers, 'content-length': body.length })
    reply.raw.end(body)
    return reply
  }
  reply.code(error.statusCode).headers(error.headers)
  // Fastify appends "; charset=utf-8" to a JSON content type it serializes;
  // an error that names its content type is sent as exactly that, as bytes.
  if (error.headers['content-type'] !== undefined && typeof error.body !== 'string') {
    return reply.send(Buffer.from(JSON.stringify(error.body)))
  }
  return reply.send(error.body)
}

function validationFailure(error: FastifyError): RequestValidationFailure {
  const first = error.validation?.[0]
  const fromPath = first?.instancePath.split('/').filter(Boolean)[0]
  const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty
  return { part: error.validationContext ?? 'querystring', parameter: fromPath ?? missing ?? '' }
}

/**
 * Installs a vendor's envelopes on its encapsulated scope: schema failures,
 * unknown paths and unhandled errors all answer as that vendor would.
 */
export function useVendorErrors(scope: FastifyInstance, mapping: VendorErrorMapping, { notFound = true } = {}): void {
  scope.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof VendorError) return sendVendorError(reply, error)
    if (error.validation) return sendVendorError(reply, mapping.invalidRequest(validationFailure(error)))
    if (error.statusCode === 404) return sendVendorError(reply, mapping.notFound(request))
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      request.log.info({ err: error }, 'request refused')
      return sendVendorError(reply, mapping.clientError(status, error.message))
    }
    request.log.error({ err: error }, 'unhandled failure')
    return sendVendorError(reply, mapping.internal())
  })
  if (notFound) scope.setNotFoundHandler((request, reply) => sendVendorError(reply, mapping.notFound(request)))
}

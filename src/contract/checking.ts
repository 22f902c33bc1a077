import type { FastifyInstance } from 'fastify'
import type { OpenApiDocument } from './document.js'
import type { ContractViolation, ResponseContract } from './responses.js'

/** The header a response replaced for breaking the contract carries, so no client mistakes it for the vendor's 500. */
export const VIOLATION_HEADER = 'x-resultbox-contract-violation'

/**
 * Development mode (RESULTBOX_VALIDATE_RESPONSES): every response of a
 * documented operation is checked against the document before it leaves. One
 * that breaks it is logged at error level and answered as a 500 that says
 * what broke, so a drift between code and contract cannot pass unseen. A
 * fault rule's response is the user's own choice and is not checked; neither
 * is a path no route serves, which the document cannot describe.
 */
export function checkResponses(app: FastifyInstance, onViolation: (violation: ContractViolation) => void = () => {}): void {
  let contract: ResponseContract | undefined
  app.addHook('onSend', async (request, reply, payload) => {
    const operationId = request.routeOptions.schema?.operationId
    if (operationId === undefined || request.traffic?.fault) return payload
    if (typeof payload !== 'string' && !Buffer.isBuffer(payload) && payload !== null && payload !== undefined) return payload
    // Loaded on first use: Ajv 2020 and its formats cost start-up time the default mode does not need.
    contract ??= new (await import('./responses.js')).ResponseContract(app.swagger() as unknown as OpenApiDocument)
    if (!contract.describes(operationId)) return payload
    const contentType = reply.getHeader('content-type')
    const violation = contract.check({
      operationId,
      status: reply.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      headers: reply.getHeaders(),
      // Node sends no body with a 204 or 304, whatever Fastify serialized.
      body: reply.statusCode === 204 || reply.statusCode === 304 ? '' : (payload ?? ''),
    })
    if (violation === null) return payload
    request.log.error({ violation }, 'response breaks the OpenAPI document')
    onViolation(violation)
    reply.code(500).header('content-type', 'application/json; charset=utf-8').header(VIOLATION_HEADER, operationId)
    reply.removeHeader('content-length')
    return JSON.stringify({
      error: 'response_contract_violation',
      message: `resultbox's ${violation.status} answer to ${operationId} breaks its OpenAPI document (RESULTBOX_VALIDATE_RESPONSES is on)`,
      violation,
    })
  })
}

import { randomHex } from '../random-hex.js'
import { VendorError, type VendorErrorMapping } from '../errors.js'

/** Explorer's error names and codes (HTTP status × 100000 + 4000 + detail). */
export const ErrorCodes = {
  ErrBadRequest: 40004000,
  ErrParam: 40004001,
  ErrUnauthorized: 40104000,
  ErrSession: 40104001,
  ErrForbidden: 40304000,
  ErrNotFound: 40404000,
  ErrInternalServer: 50004000,
  ErrInternalDatabase: 50004001,
  ErrInternalController: 50004002,
  ErrInternalLicense: 50004003,
  ErrUnknown: 90004000,
} as const

export type ErrorName = keyof typeof ErrorCodes

/** The HTTP status the vendor's framework derives from a code; 900xxxxx answers 500. */
export function statusOf(code: number): number {
  const status = Math.floor(code / 100000)
  return status >= 100 && status < 600 ? status : 500
}

export function explorerError(name: ErrorName, detail?: string): VendorError {
  const code = ErrorCodes[name]
  // The content type is set here too for errors sent before routing (a malformed URL).
  return new VendorError(statusOf(code), { code, message: detail ? `${name}::${detail}` : name }, { 'content-type': 'application/json' })
}

const PARAMETER_RULES: Record<string, string> = {
  limit: 'limit must be a positive integer',
  job_id: 'job_id must be a number',
  task_id: 'task_id must be 1 to 64 letters, digits, _ or -',
  workflow_id: 'workflow_id must be a number',
  page: 'page must be a positive integer',
  pageSize: 'pageSize must be a positive integer',
  filter: 'filter must be URL-encoded JSON',
  address: 'address must be a non-empty string',
  port: 'port must be an integer from 1 to 65535',
  input: 'input must map task ids to objects of string or number parameters',
  flow_id: 'flow_id must be a number',
  history_id: 'history_id must be a number',
  name: 'name must be a non-empty string',
  schema: 'schema must be a string',
  flowId: 'flowId must be a number, or its digits as a string',
  method: 'method must be a non-empty string',
  path: 'path must be a non-empty string',
  params: 'params must be an object with hdfsPath',
  hdfsPath: 'params.hdfsPath must be a non-empty string',
}

/** A W3C trace context header with fresh ids, as every answer of the vendor's carries. */
export function traceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-00`
}

export const explorerErrorMapping: VendorErrorMapping = {
  invalidRequest: ({ part, parameter }) =>
    explorerError('ErrParam', parameter === '' ? `${part} must be a JSON object` : PARAMETER_RULES[parameter] ?? `${parameter} is invalid`),
  notFound: () => explorerError('ErrNotFound', 'no such API'),
  // The vendor's framework answers any body it cannot read as a bad request, whatever Fastify's status.
  clientError: (_statusCode, message) => explorerError('ErrBadRequest', message),
  injected: (statusCode, body) => {
    // The framework's rule: code = status × 100000 + 4000, answered with that status.
    const code = statusCode * 100000 + 4000
    const name = (Object.keys(ErrorCodes) as ErrorName[]).find((candidate) => ErrorCodes[candidate] === code)
    // A fault answers before the plugin's hooks run, yet the vendor's service would still have traced it.
    return new VendorError(statusCode, body ?? { code, message: name ?? `Err${statusCode}` }, { 'content-type': 'application/json', traceparent: traceparent() })
  },
  internal: () => explorerError('ErrInternalServer'),
}

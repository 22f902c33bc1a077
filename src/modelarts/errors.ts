import { VendorError, type VendorErrorMapping } from '../errors.js'
import { randomHex } from '../random-hex.js'

/** The gateway's request id: 32 hex characters. */
export function newRequestId(): string {
  return randomHex(16)
}

const modelArts = (statusCode: number, code: string, message: string) =>
  new VendorError(statusCode, { error_code: `ModelArts.${code}`, error_msg: message })

/** The API gateway's envelope carries the request id the response header also has. */
const gateway = (statusCode: number, code: string, message: string, requestId: string) =>
  new VendorError(statusCode, { error_msg: message, error_code: `APIG.${code}`, request_id: requestId })

export const ModelArtsErrors = {
  tokenMissing: (requestId: string) =>
    gateway(401, '0301', 'Incorrect IAM authentication information: x-auth-token not found', requestId),
  /** The gateway's refusal of an AK/SK signature: an unknown key, a stale date, a signature that does not verify. */
  signatureRefused: (detail: string, requestId: string) => gateway(401, '0301', `Incorrect IAM authentication information: ${detail}`, requestId),
  tokenExpired: () => modelArts(401, '0202', 'The token has expired.'),
  invalidToken: () => modelArts(401, '0203', 'Invalid token.'),
  projectForbidden: () => modelArts(403, '0210', 'The project ID in the URL is not the project of the token.'),
  invalidArgument: (parameter: string, rule: string) => modelArts(400, '0101', `Invalid argument. parameter [${parameter}] ${rule}`),
  taskNotFound: () => modelArts(400, '4612', 'Task not found'),
  versionNotFound: () => modelArts(400, '4851', 'Task version not found'),
  versionInitializing: () => modelArts(403, '4850', 'Process task is initializing, the operation is forbidden'),
  versionNotFinished: () => modelArts(403, '4613', 'Task not finish'),
  versionFailed: () => modelArts(500, '4614', 'Task failed'),
}

const PARAMETER_RULES: Record<string, string> = {
  limit: 'must be an integer from 1 to 100',
  offset: 'must be a page index from 0 to 2147483647',
  result_property: 'must be one of -1, 0, 1, 2, 3',
  process_parameter: 'must be at most 1024 characters',
  project_id: 'must be 1 to 64 letters, digits, _ or -',
  task_id: 'must be 1 to 64 letters, digits, _ or -',
  version_id: 'must be 1 to 64 letters, digits, _ or -',
}

export const modelartsErrorMapping: VendorErrorMapping = {
  invalidRequest: ({ parameter }) => ModelArtsErrors.invalidArgument(parameter, PARAMETER_RULES[parameter] ?? 'is invalid'),
  // An unknown path never reaches ModelArts: the gateway answers it.
  // A malformed URL is refused before the request id hook runs: it gets an id of its own.
  notFound: (request) =>
    gateway(404, '0101', 'The API does not exist or has not been published in the environment', request.modelartsRequestId || newRequestId()),
  clientError: (statusCode, message) =>
    statusCode === 413 ? modelArts(413, '0104', 'Request entity too large.')
      // A request head over the cap, or one sent too slowly, is refused by the gateway before ModelArts reads it.
      : statusCode === 431 || statusCode === 408 ? gateway(statusCode, '0201', message, newRequestId())
        : ModelArtsErrors.invalidArgument('body', message),
  // An injected fault comes before the request id hook: it names the request itself, as the gateway does.
  injected: (statusCode, body) => {
    const error = body !== undefined ? new VendorError(statusCode, body)
      : statusCode === 429 ? modelArts(429, '0011', 'The request is too frequent, try again later.')
        : statusCode >= 500 ? modelArts(statusCode, '0010', 'Internal server error.')
          : modelArts(statusCode, '0101', 'Invalid argument.')
    return new VendorError(error.statusCode, error.body, { 'x-request-id': newRequestId() })
  },
  internal: () => modelArts(500, '0010', 'Internal server error.'),
}

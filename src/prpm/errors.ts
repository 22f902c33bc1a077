import { STATUS_CODES } from 'node:http'
import { VendorError, type VendorErrorMapping } from '../errors.js'

// Set here too (not only by useBareJsonContentType) for errors sent before routing.
const JSON_TYPE = { 'content-type': 'application/json' }

const detail = (statusCode: number, message: string, headers: Record<string, string> = {}) =>
  new VendorError(statusCode, { detail: message }, { ...JSON_TYPE, ...headers })

// OAuth2PasswordBearer answers both 401s with this header.
const bearerChallenge = { 'www-authenticate': 'Bearer' }

/** PrCore's answers, FastAPI's `{"detail": ...}` envelope. */
export const PrpmErrors = {
  notAuthenticated: () => detail(401, 'Not authenticated', bearerChallenge),
  invalidToken: () => detail(401, 'Invalid token', bearerChallenge),
  // 400, not 404: PrCore raises a bad request for an unknown project.
  projectNotFound: () => detail(400, 'Project not found'),
  projectInError: () => detail(400, 'Project is in error status'),
  resultNotFound: () => detail(404, 'Result not found'),
  // FastAPI's words for a form it cannot parse (a broken multipart body).
  unparsableBody: () => detail(400, 'There was an error parsing the body'),
}

/** What pydantic v1 says of a path or query value it cannot parse, by parameter. */
const PARSE_FAILURES: Record<string, { msg: string; type: string }> = {
  project_id: { msg: 'value is not a valid integer', type: 'type_error.integer' },
}

export const prpmErrorMapping: VendorErrorMapping = {
  invalidRequest: ({ part, parameter }) => {
    const failure = PARSE_FAILURES[parameter] ?? { msg: 'value is not a valid value', type: 'value_error' }
    const location = part === 'params' ? 'path' : part === 'querystring' ? 'query' : part
    return new VendorError(422, { detail: [{ loc: [location, parameter], ...failure }] }, JSON_TYPE)
  },
  notFound: () => detail(404, 'Not Found'),
  // Starlette's HTTPException carries the status's reason phrase as detail.
  clientError: (statusCode) => detail(statusCode, STATUS_CODES[statusCode] ?? 'Bad Request'),
  // Uvicorn's own 500 is plain text; any other status as an HTTPException would raise it.
  injected: (statusCode, body) =>
    body !== undefined ? new VendorError(statusCode, body, JSON_TYPE)
      : statusCode === 500 ? prpmErrorMapping.internal() : detail(statusCode, STATUS_CODES[statusCode] ?? 'Error'),
  internal: () => new VendorError(500, 'Internal server error', { 'content-type': 'text/plain; charset=utf-8' }),
}

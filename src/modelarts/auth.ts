import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import type { ModelArtsToken } from '../config.js'
import { ModelArtsErrors } from './errors.js'

/**
 * X-Auth-Token as IAM checks it: the gateway refuses a request without one;
 * ModelArts refuses a token it does not know, and one scoped to a project
 * other than the URL's.
 */
export function authTokenAuth(tokens: readonly ModelArtsToken[]): onRequestHookHandler {
  const scopes = new Map<string, (string | null)[]>()
  for (const { token, projectId } of tokens) scopes.set(token, [...(scopes.get(token) ?? []), projectId])
  return (request: FastifyRequest, _reply, done) => {
    const header = request.headers['x-auth-token']
    const token = Array.isArray(header) ? header[0] : header
    if (token === undefined || token === '') throw ModelArtsErrors.tokenMissing(request.modelartsRequestId)
    const projects = scopes.get(token)
    if (!projects) throw ModelArtsErrors.invalidToken()
    const projectId = (request.params as { project_id?: string }).project_id
    if (!projects.some((scope) => scope === null || scope === projectId)) throw ModelArtsErrors.projectForbidden()
    done()
  }
}

/**
 * For a Pact verification in JavaScript (pact-js 10 and later), which takes `stateHandlers` rather than a
 * state-change URL: handlers that ask a resultbox world to set each state up and tear it down. Nothing here
 * imports the server, so a provider test that only talks to a running resultbox loads nothing else
 * (`import { pactStateHandlers } from 'resultbox/pact'`).
 */

// A type, erased at run time: importing it loads nothing of the server.
import type { ControlErrorBody } from '../control/schemas.js'

/** JSON, as pact-js types what a state handler answers (its AnyJson), so that the handlers are its StateHandlers. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }
type JsonMap = { [key: string]: Json }

/** pact-js's StateFuncWithSetup: what `stateHandlers[name]` may be, and what its setup answers is injected. */
export interface PactStateHandler {
  setup: (params?: unknown) => Promise<JsonMap>
  teardown: (params?: unknown) => Promise<JsonMap>
}

export interface PactStateHandlerOptions {
  /** RESULTBOX_CONTROL_TOKEN, when the server has one. */
  controlToken?: string
  /** What sends the requests; default: the global fetch. */
  fetch?: typeof fetch
}

/**
 * `stateHandlers` for pact-js's Verifier, for the resultbox world at `url`: a named sandbox's URL
 * (`http://host:port/sandboxes/{name}`, what its PUT answers as `url`) or the server's own. Every state name
 * has a handler, so that a state resultbox does not know fails with its answer (the names it knows) rather
 * than pact-js's "no state handler found". A refused change throws with the server's message, which pact-js
 * prints beside the failed interaction.
 */
export function pactStateHandlers(url: string | URL, options: PactStateHandlerOptions = {}): Record<string, PactStateHandler> {
  const endpoint = `${String(url).replace(/\/+$/, '')}/_resultbox/provider-states`
  const send = options.fetch ?? fetch
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (options.controlToken !== undefined) headers.authorization = `Bearer ${options.controlToken}`

  const change = async (state: string, action: 'setup' | 'teardown', params: unknown): Promise<JsonMap> => {
    const response = await send(endpoint, { method: 'POST', headers, body: JSON.stringify({ state, action, params: params ?? {} }) })
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    if (!response.ok) {
      const refusal = (body ?? {}) as Partial<ControlErrorBody>
      throw new Error(`resultbox refused the ${action} of "${state}" (${response.status}): ${refusal.message ?? text}`)
    }
    return (body ?? {}) as JsonMap
  }
  const handlerOf = (state: string): PactStateHandler => ({
    setup: (params) => change(state, 'setup', params),
    teardown: (params) => change(state, 'teardown', params),
  })
  return new Proxy({} as Record<string, PactStateHandler>, {
    get: (_target, state) => (typeof state === 'string' ? handlerOf(state) : undefined),
    has: (_target, state) => typeof state === 'string',
  })
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { BodyRefusals, ControlError, ControlErrorBody } from '../control/schemas.js'
import type { ProviderStateBook } from './book.js'
import { Catalogue } from './schemas.js'

const Action = Type.Union([Type.Literal('setup'), Type.Literal('teardown')], { default: 'setup', description: 'setup builds the state (the default); teardown undoes the latest setup of that state with those params' })

/** What Pact's verifiers post: pact-js, pact-python and the Rust CLI send this body; pact-jvm too, with `params` absent for a v2 pact. */
const StateChange = Type.Object(
  {
    state: Type.Optional(Type.String({ description: 'the provider state\'s name, as the pact gives it (required, here or in the query); "" for an interaction with none' })),
    params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the state\'s params, as the pact gives them' })),
    action: Type.Optional(Action),
  },
  // The Ruby verifier also sends consumer and states: they are read past. No body is the query string's form.
  { additionalProperties: true, default: {} },
)

/** The same fields as a query string (the Rust verifier's --state-change-as-query): every other key is a param. */
const StateChangeQuery = Type.Object(
  {
    state: Type.Optional(Type.String()),
    action: Type.Optional(Type.Union([Type.Literal('setup'), Type.Literal('teardown')])),
  },
  { additionalProperties: Type.String(), description: 'with no body: state, action, and each param as name=value (an array as a comma-separated list)' },
)

const StateValues = Type.Record(Type.String(), Type.Unknown(), {
  description: 'setup: the values the state made (ids, keys, tokens, vendor paths), which Pact injects where the pact says fromProviderState; teardown: {}',
})

/**
 * POST /_resultbox/provider-states, the state-change URL Pact's verifiers call before and after each
 * interaction, and GET for the catalogue. In a named sandbox's world under its prefix, so each
 * verification runs in a world of its own.
 */
export const providerStateRoutes: FastifyPluginAsyncTypebox<{ book: ProviderStateBook }> = async (app, { book }) => {
  app.get(
    '/provider-states',
    {
      schema: {
        operationId: 'listProviderStates',
        tags: ['control'],
        summary: 'The provider states a Pact verifier can ask for: each one\'s name, vendor, params (type, default) and the values it answers',
        response: { 200: Catalogue },
      },
    },
    async () => {
      const states = book.catalogue()
      return { total: states.length, states }
    },
  )

  app.post(
    '/provider-states',
    {
      schema: {
        operationId: 'changeProviderState',
        tags: ['control'],
        summary: 'Set up (or tear down) a provider state, as Pact\'s verifiers ask before (and after) each interaction',
        body: StateChange,
        // The Rust verifier's --state-change-as-query sends none.
        bodyOptional: true,
        querystring: StateChangeQuery,
        response: { 200: StateValues, ...BodyRefusals, 404: ControlErrorBody, 409: ControlErrorBody },
      },
    },
    async (request) => {
      const { body, query } = request
      const { state, action = 'setup', ...queryParams } = query
      // A body that names the state is the body's form; otherwise the query string's.
      const fromQuery = body.state === undefined
      const name = body.state ?? state
      if (name === undefined) throw new ControlError(400, 'invalid_request', 'no state: give a JSON body {"state", "params", "action"} or ?state=…&action=…', '/state')
      const params = fromQuery ? queryParams : (body.params ?? {})
      const wanted = fromQuery ? action : (body.action ?? 'setup')
      // The Rust verifier asks for an unnamed state before an interaction that has none: there is nothing to build.
      if (name.trim() === '') return {}
      if (wanted === 'teardown') {
        book.teardown(name, params, fromQuery)
        return {}
      }
      return book.setup(name, params, fromQuery)
    },
  )
}

import { Type, type Static } from '@sinclair/typebox'

/** One state of GET /_resultbox/provider-states, as the book describes it. */
export const CatalogueEntry = Type.Object({
  name: Type.String(),
  vendor: Type.Union([Type.String(), Type.Null()], { description: 'null: the generic scenario state, for any vendor' }),
  description: Type.String(),
  params: Type.Array(Type.Object({
    name: Type.String(),
    type: Type.String({ description: 'integer, string, array of …, one of …' }),
    required: Type.Boolean(),
    default: Type.Optional(Type.Unknown()),
    description: Type.Optional(Type.String()),
    schema: Type.Unknown({ description: 'its JSON Schema' }),
  })),
  returns: Type.Array(Type.Object({ name: Type.String(), description: Type.String() }), { description: 'the values setup answers' }),
})
export type CatalogueEntry = Static<typeof CatalogueEntry>

export const Catalogue = Type.Object({ total: Type.Integer(), states: Type.Array(CatalogueEntry) })

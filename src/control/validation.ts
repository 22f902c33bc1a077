import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from '@sinclair/typebox'
import { FormatRegistry } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'

/**
 * The control API validates with TypeBox itself rather than Fastify's Ajv:
 * no type coercion of JSON bodies, no silently dropped unknown fields, and
 * defaults filled in, so that a test suite's typo is a 400 naming the field
 * rather than a scenario that quietly differs from what was asked.
 */
export const strictTypeBoxCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema)
  return (input) => {
    // Query strings and path parameters are text: convert them; a JSON body keeps its types. Fastify hands
    // a missing body over as null: a body schema with a default takes that default for it.
    const given = httpPart === 'body' && input === null && schema.default !== undefined ? undefined : input
    const converted = httpPart === 'body' ? given : Value.Convert(schema, given)
    const value = Value.Default(schema, Value.Clone(converted))
    if (check.Check(value)) return { value }
    const first = check.Errors(value).First()
    return { error: [{ instancePath: first?.path ?? '', message: first?.message ?? 'is invalid', keyword: 'typebox', schemaPath: '', params: {} }] }
  }
}

// TypeBox knows no formats until they are registered; date-time is the one the control API uses.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value)))
}

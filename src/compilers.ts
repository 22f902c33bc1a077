import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyServerOptions } from 'fastify'

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/**
 * A validator compiler that compiles each route's schema on its first
 * request instead of at start-up. Compiling every route's validators and
 * serializers was a fifth of resultbox's start-up, for routes a test suite
 * mostly never calls; a route compiles once, on first use, as before.
 */
export function lazyValidatorCompiler<S>(compile: FastifySchemaCompiler<S>): FastifySchemaCompiler<S> {
  return (route) => {
    let validate: Validate | undefined
    const lazily: Validate = (data) => {
      validate ??= compile(route) as Validate
      const result = validate(data)
      // Fastify reads an Ajv validator's failure from its `errors` property.
      lazily.errors = validate.errors
      return result
    }
    return lazily as ReturnType<FastifySchemaCompiler<S>>
  }
}

export function lazySerializerCompiler<S>(compile: FastifySerializerCompiler<S>): FastifySerializerCompiler<S> {
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data) => (serialize ??= compile(route))(data)
  }
}

/** Fastify's own compilers (Ajv, fast-json-stringify), with its own options, made lazy. */
export function lazyCompilers(): CompilersFactory {
  const validators = AjvCompiler()
  const serializers = SerializerSelector()
  const buildValidator = (...pool: Parameters<typeof validators>) => lazyValidatorCompiler(validators(...pool) as FastifySchemaCompiler<unknown>)
  const buildSerializer = (...pool: Parameters<typeof serializers>) => lazySerializerCompiler(serializers(...pool) as FastifySerializerCompiler<unknown>)
  return { buildValidator, buildSerializer } as CompilersFactory
}

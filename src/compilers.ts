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

type ValidatorFactory = ReturnType<typeof AjvCompiler>
type ValidatorPool = Parameters<ValidatorFactory>

/**
 * Fastify's own compilers (Ajv, fast-json-stringify), with its own options,
 * made lazy. Fastify's Ajv coerces types everywhere, which suits paths and
 * query strings (all text); a JSON body is typed already, and a body route
 * for which `coercesBody(url)` is false gets a validator that takes its types
 * as sent (`"port": "9669"` is refused, not read as 9669).
 */
export function lazyCompilers(coercesBody: (url: string) => boolean = () => true): CompilersFactory {
  const validators = AjvCompiler()
  const serializers = SerializerSelector()
  const buildValidator = (externalSchemas: ValidatorPool[0], options: NonNullable<ValidatorPool[1]>) => {
    const coercing = validators(externalSchemas, options) as FastifySchemaCompiler<unknown>
    // Fastify's options are Ajv's (not JTD's): coerceTypes is one of them.
    const asSentOptions = { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as typeof options
    // A second Ajv costs start-up time: it is made when the first such body is validated.
    let asSent: FastifySchemaCompiler<unknown> | undefined
    return lazyValidatorCompiler<unknown>((route) => {
      if (route.httpPart !== 'body' || coercesBody(route.url)) return coercing(route)
      asSent ??= validators(externalSchemas, asSentOptions) as FastifySchemaCompiler<unknown>
      return asSent(route)
    })
  }
  const buildSerializer = (...pool: Parameters<typeof serializers>) => lazySerializerCompiler(serializers(...pool) as FastifySerializerCompiler<unknown>)
  return { buildValidator, buildSerializer } as CompilersFactory
}

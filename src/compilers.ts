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
 * Validators and serializers already compiled, by what they were compiled from: one server's, shared by its
 * own world and its named sandboxes. Each world is a Fastify instance of its own whose routes carry the same
 * schemas; compiling them again for every sandbox cost time, and memory that stayed: fast-json-stringify
 * names each schema it compiles with a process-wide counter, so no two compiled sources are alike and V8's
 * compilation cache kept every one (about 0.1 MB a sandbox, for good). Keyed by the schema's JSON and how
 * it is compiled, so equal schemas share whatever object holds them.
 */
export class CompiledSchemas {
  private readonly compiled = new Map<string, unknown>()

  get size(): number {
    return this.compiled.size
  }

  /** The one compiled from `schema` this way, compiled now if it is the first. */
  of<Compiled>(way: string, schema: unknown, compile: () => Compiled): Compiled {
    const key = `${way}\n${JSON.stringify(schema)}`
    let compiled = this.compiled.get(key) as Compiled | undefined
    if (compiled === undefined) {
      compiled = compile()
      this.compiled.set(key, compiled)
    }
    return compiled
  }
}

/**
 * Fastify's own compilers (Ajv, fast-json-stringify), with its own options,
 * made lazy. Fastify's Ajv coerces types everywhere, which suits paths and
 * query strings (all text); a JSON body is typed already, and a body route
 * for which `coercesBody(url)` is false gets a validator that takes its types
 * as sent (`"port": "9669"` is refused, not read as 9669).
 */
export function lazyCompilers(coercesBody: (url: string) => boolean = () => true, compiled = new CompiledSchemas()): CompilersFactory {
  const validators = AjvCompiler()
  const serializers = SerializerSelector()
  const buildValidator = (externalSchemas: ValidatorPool[0], options: NonNullable<ValidatorPool[1]>) => {
    const coercing = validators(externalSchemas, options) as FastifySchemaCompiler<unknown>
    // Fastify's options are Ajv's (not JTD's): coerceTypes is one of them.
    const asSentOptions = { ...options, customOptions: { ...options.customOptions, coerceTypes: false } } as typeof options
    // A second Ajv costs start-up time: it is made when the first such body is validated.
    let asSent: FastifySchemaCompiler<unknown> | undefined
    return lazyValidatorCompiler<unknown>((route) => {
      if (route.httpPart !== 'body' || coercesBody(route.url)) return compiled.of(`ajv coercing ${route.httpPart}`, route.schema, () => coercing(route))
      return compiled.of(`ajv as sent ${route.httpPart}`, route.schema, () => {
        asSent ??= validators(externalSchemas, asSentOptions) as FastifySchemaCompiler<unknown>
        return asSent(route)
      })
    })
  }
  const buildSerializer = (...pool: Parameters<typeof serializers>) => {
    const serialize = serializers(...pool) as FastifySerializerCompiler<unknown>
    return lazySerializerCompiler<unknown>((route) => compiled.of('fast-json-stringify', route.schema, () => serialize(route)))
  }
  return { buildValidator, buildSerializer } as CompilersFactory
}

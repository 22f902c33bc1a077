import type { FastifyRequest, FastifySchemaValidationError } from 'fastify'
import { VendorError } from '../errors.js'

type Failure = FastifySchemaValidationError & { params: Record<string, unknown> }

// What pydantic v1 says for each JSON Schema keyword that failed, by the expected type.
const BY_TYPE: Record<string, { msg: string; type: string }> = {
  integer: { msg: 'value is not a valid integer', type: 'type_error.integer' },
  number: { msg: 'value is not a valid float', type: 'type_error.float' },
  string: { msg: 'str type expected', type: 'type_error.str' },
  boolean: { msg: 'value could not be parsed to a boolean', type: 'type_error.bool' },
  object: { msg: 'value is not a valid dict', type: 'type_error.dict' },
  array: { msg: 'value is not a valid list', type: 'type_error.list' },
}

const segments = (pointer: string) =>
  pointer.split('/').filter(Boolean).map((part) => {
    const text = part.replaceAll('~1', '/').replaceAll('~0', '~')
    return /^\d+$/.test(text) ? Number(text) : text
  })

/**
 * FastAPI's 422 for a request that failed its schema, as pydantic v1 words it:
 * the full location (`["body","positive_outcome",0,0,"operator"]`), its
 * message and type. Only the first failure is reported (pydantic lists all).
 */
export function pydanticError(errors: readonly FastifySchemaValidationError[], context: string): VendorError {
  const failure = errors[0] as Failure
  const part = context === 'params' ? 'path' : context === 'querystring' ? 'query' : context
  const loc: (string | number)[] = [part, ...segments(failure.instancePath)]
  let body: { msg: string; type: string; ctx?: { limit_value: unknown } }
  if (failure.keyword === 'required') {
    loc.push(String(failure.params.missingProperty))
    body = { msg: 'field required', type: 'value_error.missing' }
  } else if (failure.keyword === 'enum') {
    const permitted = (failure.params.allowedValues as unknown[]).filter((value) => value !== null).map((value) => `'${String(value)}'`)
    body = { msg: `value is not a valid enumeration member; permitted: ${permitted.join(', ')}`, type: 'type_error.enum' }
  } else if (failure.keyword === 'type') {
    const expected = String(failure.params.type).split(',')[0] as string
    body = BY_TYPE[expected] ?? { msg: 'value is not a valid value', type: 'value_error' }
  } else if (failure.keyword === 'minimum' || failure.keyword === 'maximum') {
    const limit = failure.params.limit
    body = failure.keyword === 'minimum'
      ? { msg: `ensure this value is greater than or equal to ${String(limit)}`, type: 'value_error.number.not_ge', ctx: { limit_value: limit } }
      : { msg: `ensure this value is less than or equal to ${String(limit)}`, type: 'value_error.number.not_le', ctx: { limit_value: limit } }
  } else {
    body = { msg: 'value is not a valid value', type: 'value_error' }
  }
  return new VendorError(422, { detail: [{ loc, ...body }] }, { 'content-type': 'application/json' })
}

// V8's JSON.parse messages, as Python's json module words the same faults.
const DECODE_MESSAGES: [RegExp, string][] = [
  [/':' after property name/, "Expecting ':' delimiter"],
  [/property name/, 'Expecting property name enclosed in double quotes'],
  [/',' or '[}\]]'/, "Expecting ',' delimiter"],
  [/non-whitespace character after JSON/, 'Extra data'],
]

/**
 * FastAPI's 422 for a body that is not JSON: pydantic v1's jsondecode error at
 * the character where parsing stopped, with Python's line and column.
 */
export function jsonDecodeError(text: string, error: Error): VendorError {
  const at = /at position (\d+)/.exec(error.message)
  const position = at ? Number(at[1]) : text.length
  const before = text.slice(0, position)
  const line = before.split('\n').length
  const column = position - before.lastIndexOf('\n')
  const wording = DECODE_MESSAGES.find(([pattern]) => pattern.test(error.message))?.[1] ?? 'Expecting value'
  return new VendorError(422, {
    detail: [{ loc: ['body', position], msg: `${wording}: line ${line} column ${column} (char ${position})`, type: 'value_error.jsondecode' }],
  }, { 'content-type': 'application/json' })
}

/** Python's json.dumps escaping (ensure_ascii): every character outside printable ASCII as \\uXXXX. */
export const asciiOnly = (json: string) => json.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)

/**
 * A pydantic ValidationError that escapes a handler: PrCore's middleware answers 400 with the error
 * list as JSON indented by 2 and no Content-Type.
 */
export function escapedValidationError(errors: { loc: (string | number)[]; msg: string; type: string }[]): VendorError {
  return new VendorError(400, asciiOnly(JSON.stringify(errors, null, 2)), {}, true)
}

/** FastAPI's 422 for a route that wants a JSON body and got none. */
export const bodyMissing = () =>
  new VendorError(422, { detail: [{ loc: ['body'], msg: 'field required', type: 'value_error.missing' }] }, { 'content-type': 'application/json' })

/** Routes with attachValidation answer schema failures as pydantic words them; a missing JSON body is "field required". */
export function checkRequest(request: FastifyRequest, options: { body?: boolean } = {}): void {
  const failure = request.validationError as (Error & { validation?: []; validationContext: string }) | undefined
  const missing = options.body === true && request.body === undefined
  if (failure?.validation && !(failure.validationContext === 'body' && (options.body === false || missing))) throw pydanticError(failure.validation, failure.validationContext)
  if (missing) throw bodyMissing()
}


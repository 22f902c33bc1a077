import fs from 'node:fs'
import path from 'node:path'
import type { Static, TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

export class FixtureError extends Error {
  constructor(readonly file: string, readonly field: string, detail: string) {
    super(`${file}: ${field === '' ? '' : `${field}: `}${detail}`)
    this.name = 'FixtureError'
  }
}

/**
 * Reads `dir/fileName` and checks it against the vendor's fixture schema (the
 * same TypeBox shapes the responses use). The first problem stops start-up,
 * naming the file and the JSON pointer of the field.
 */
export function loadFixtureFile<T extends TSchema>(dir: string, fileName: string, schema: T): Static<T> {
  const file = path.join(dir, fileName)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new FixtureError(file, '', `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new FixtureError(file, '', `is not valid JSON (${(error as Error).message})`)
  }
  // Checked by TypeBox's interpreter: compiling a checker first costs more than these files take to check.
  if (Value.Check(schema, data)) return data as Static<T>
  const first = Value.Errors(schema, data).First()
  if (first) throw new FixtureError(file, first.path === '' ? '/' : first.path, first.message)
  return data as Static<T>
}

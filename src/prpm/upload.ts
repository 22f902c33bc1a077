import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { FastifyRequest } from 'fastify'
import type {} from '@fastify/multipart'
import { PrpmErrors } from './errors.js'
import type { EventSink } from './files.js'

export interface UploadedFile {
  /** The name the client gave; PrCore reads the format from its extension. */
  filename: string
  /** Where its bytes were streamed to, inside the request's temporary folder. */
  path: string
}

export interface Form {
  files: Map<string, UploadedFile>
  fields: Map<string, string>
  /** File fields the client sent as plain text: FastAPI refuses them ("Expected UploadFile"). */
  textInFileFields: string[]
}

/**
 * Streams a multipart form's files to a temporary folder (never into memory),
 * runs `use`, and removes the folder whatever happens. Files go to disk first
 * because the separator field may come after them, and a zip needs a file.
 * A body that is not multipart reads as an empty form, as Starlette reads it.
 */
export async function withForm<T>(
  request: FastifyRequest,
  fileFields: readonly string[],
  use: (form: Form, tmpDir: string) => Promise<T>,
): Promise<T> {
  const tmpDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'resultbox-prpm-'))
  try {
    const form: Form = { files: new Map(), fields: new Map(), textInFileFields: [] }
    if (request.isMultipart()) {
      try {
        await readParts(request, fileFields, tmpDir, form)
      } catch (error) {
        // A limit is a 413 of its own; anything else is a body busboy could not parse, which FastAPI answers as a 400.
        if ((error as { statusCode?: number }).statusCode !== undefined) throw error
        request.log.info({ err: error }, 'multipart body unreadable')
        throw PrpmErrors.unparsableBody()
      }
    }
    return await use(form, tmpDir)
  } finally {
    await fs.promises.rm(tmpDir, { recursive: true, force: true })
  }
}

async function readParts(request: FastifyRequest, fileFields: readonly string[], tmpDir: string, form: Form): Promise<void> {
  let count = 0
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!fileFields.includes(part.fieldname)) {
        part.file.resume()
        continue
      }
      const target = path.join(tmpDir, `upload-${count++}`)
      await pipeline(part.file, fs.createWriteStream(target))
      // The last part of a name wins, as Starlette's form.get() picks it.
      form.files.set(part.fieldname, { filename: part.filename, path: target })
    } else if (fileFields.includes(part.fieldname)) {
      form.textInFileFields.push(part.fieldname)
    } else {
      form.fields.set(part.fieldname, String(part.value))
    }
  }
}

/** How many distinct values per column are counted: enough for activities and resources, bounded for ids. */
export const DISTINCT_VALUE_CAP = 1000
const HEAD_ROWS = 5

/** Columns in order of first appearance (a CSV header, or XES attributes as they come). */
class ColumnOrder {
  readonly names: string[] = []
  private readonly index = new Map<string, number>()

  add(name: string): number {
    let position = this.index.get(name)
    if (position === undefined) {
      position = this.names.length
      this.index.set(name, position)
      this.names.push(name)
    }
    return position
  }
}

const widen = (row: (string | null)[], width: number) => {
  while (row.length < width) row.push(null)
  return row
}

/** What PrCore needs of a training log later: columns, size, the first rows, and value counts. */
export class LogSummary implements EventSink {
  private readonly order = new ColumnOrder()
  rowCount = 0
  private readonly head: (string | null)[][] = []
  /** column → value → count, at most DISTINCT_VALUE_CAP values per column. */
  readonly values = new Map<string, Map<string, number>>()

  columns(names: string[]): void {
    for (const name of names) this.order.add(name)
  }

  event(entries: [string, string | null][]): void {
    this.rowCount++
    const row: (string | null)[] = []
    for (const [column, value] of entries) {
      const position = this.order.add(column)
      if (this.head.length < HEAD_ROWS) row[position] = value
      if (value === null) continue
      let counts = this.values.get(column)
      if (!counts) this.values.set(column, (counts = new Map()))
      const seen = counts.get(value)
      if (seen !== undefined) counts.set(value, seen + 1)
      else if (counts.size < DISTINCT_VALUE_CAP) counts.set(value, 1)
    }
    if (this.head.length < HEAD_ROWS) this.head.push(row)
  }

  get columnNames(): string[] {
    return this.order.names
  }

  /** The first events as PrCore's upload answer shows them: strings, "nan" for missing. */
  headRows(): string[][] {
    const width = this.order.names.length
    return this.head.map((row) => Array.from({ length: width }, (_, index) => row[index] ?? 'nan'))
  }
}

/** An ongoing dataset in full: its rows become the result's cases. */
export class Table implements EventSink {
  private readonly order = new ColumnOrder()
  readonly rows: (string | null)[][] = []

  columns(names: string[]): void {
    for (const name of names) this.order.add(name)
  }

  event(entries: [string, string | null][]): void {
    const row: (string | null)[] = []
    for (const [column, value] of entries) row[this.order.add(column)] = value
    this.rows.push(row)
  }

  finish(): { columns: string[]; rows: (string | null)[][] } {
    const width = this.order.names.length
    return { columns: this.order.names, rows: this.rows.map((row) => widen(Array.from(row, (value) => value ?? null), width)) }
  }
}

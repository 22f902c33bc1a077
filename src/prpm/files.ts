import fs from 'node:fs'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type yauzl from 'yauzl'

// The parsers and zlib are loaded by the first upload that needs them, not at start-up: together they were
// about 5 ms of it, and many test runs never upload.
const zlibModule = () => import('node:zlib')
const csvModule = () => import('csv-parse')
const saxesModule = () => import('saxes')
const yauzlModule = () => import('yauzl')

/** A file PrCore refuses, with the `detail` it answers (400). */
export class EventLogFileError extends Error {
  override name = 'EventLogFileError'
}

/** Decompressed content over the upload cap: a zip or gzip bomb is refused like an oversized upload (413). */
export class ContentTooLargeError extends Error {
  override name = 'ContentTooLargeError'
}

// PrCore's messages (core/enums/error.py, core/functions/event_log/file.py).
export const INVALID_LOG = 'No valid event log provided'
const BAD_ZIP = 'ZIP file is corrupted'
const ZIP_NOT_ONE = 'Zip file should contain only one file'
const ZIP_NOT_LOG = 'Zip file should contain only xes or csv file'

/** The extensions PrCore accepts, by the upload's file name (a gzip comes named .zip: PrCore sniffs the bytes). */
export const ALLOWED_EXTENSIONS = ['xes', 'csv', 'zip']

/** PrCore's get_extension: after the last dot, lower case; none without a dot. */
export function extensionOf(fileName: string): string {
  return fileName.includes('.') ? (fileName.split('.').pop() as string).toLowerCase() : ''
}

/** Receives a log's events one by one: `entries` are column → value (null for missing). */
export interface EventSink {
  columns(names: string[]): void
  event(entries: [string, string | null][]): void
}

export interface ReadOptions {
  separator: string
  /** Cap on decompressed bytes. */
  maxBytes: number
  /** A folder for the decompressed entry; the caller removes it. */
  tmpDir: string
}

/** Reads an uploaded log (csv, xes, or a zip/gzip holding one) into `sink`, streaming. */
export async function readEventLog(file: string, extension: string, sink: EventSink, options: ReadOptions): Promise<void> {
  if (extension === 'csv') return readCsv(fs.createReadStream(file), options.separator, sink)
  if (extension === 'xes') return readXes(fs.createReadStream(file), sink)
  const signature = await firstBytes(file, 2)
  let inner: { file: string; extension: string }
  if (signature.equals(Buffer.from([0x50, 0x4b]))) inner = await unzipOne(file, options)
  else if (signature.equals(Buffer.from([0x1f, 0x8b]))) inner = await gunzip(file, options)
  else throw new EventLogFileError(BAD_ZIP)
  return readEventLog(inner.file, inner.extension, sink, options)
}

async function firstBytes(file: string, count: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r')
  try {
    const buffer = Buffer.alloc(count)
    const { bytesRead } = await handle.read(buffer, 0, count, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Counts bytes through a stream and fails once over the cap, so a bomb never fills the disk. */
function capped(maxBytes: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > maxBytes) done(new ContentTooLargeError(`decompressed content over ${maxBytes} bytes`))
      else done(null, chunk)
    },
  })
}

async function gunzip(file: string, options: ReadOptions): Promise<{ file: string; extension: string }> {
  const target = path.join(options.tmpDir, 'gunzipped')
  try {
    const { default: zlib } = await zlibModule()
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), capped(options.maxBytes), fs.createWriteStream(target))
  } catch (error) {
    if (error instanceof ContentTooLargeError) throw error
    throw new EventLogFileError(BAD_ZIP)
  }
  // PrCore names a gzip's content by its first bytes: XML is xes, anything else csv.
  const head = await firstBytes(target, 10)
  return { file: target, extension: head.toString('latin1').startsWith('<?xml') ? 'xes' : 'csv' }
}

// macOS archivers add these beside the real file; PrCore leaves them out.
const isClutter = (name: string) => name.endsWith('/') || name.startsWith('__MACOSX/') || path.posix.basename(name) === '.DS_Store'

async function openZip(file: string): Promise<yauzl.ZipFile> {
  const { default: yauzl } = await yauzlModule()
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip)))
  })
}

async function unzipOne(file: string, options: ReadOptions): Promise<{ file: string; extension: string }> {
  let zip: yauzl.ZipFile
  try {
    zip = await openZip(file)
  } catch {
    throw new EventLogFileError(BAD_ZIP)
  }
  try {
    const entries = await new Promise<yauzl.Entry[]>((resolve, reject) => {
      const found: yauzl.Entry[] = []
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!isClutter(entry.fileName)) found.push(entry)
        zip.readEntry()
      })
      zip.on('end', () => resolve(found))
      zip.on('error', () => reject(new EventLogFileError(BAD_ZIP)))
      zip.readEntry()
    })
    if (entries.length !== 1) throw new EventLogFileError(ZIP_NOT_ONE)
    const entry = entries[0] as yauzl.Entry
    const extension = extensionOf(entry.fileName)
    if (extension !== 'csv' && extension !== 'xes') throw new EventLogFileError(ZIP_NOT_LOG)
    if (entry.uncompressedSize > options.maxBytes) throw new ContentTooLargeError('zip entry over the cap')
    const target = path.join(options.tmpDir, `unzipped.${extension}`)
    const stream = await new Promise<Readable>((resolve, reject) => {
      zip.openReadStream(entry, (error, readable) => (error ? reject(new EventLogFileError(BAD_ZIP)) : resolve(readable)))
    })
    // No byte counter needed here: yauzl fails an entry that inflates past its declared size (validateEntrySizes), checked above.
    try {
      await pipeline(stream, fs.createWriteStream(target))
    } catch {
      throw new EventLogFileError(BAD_ZIP)
    }
    return { file: target, extension }
  } finally {
    zip.close()
  }
}

// pandas.read_csv's default missing-value markers: each reads as NaN ("nan" in results).
const CSV_NA = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA',
  'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
])

/** pandas' header rules: an empty name is `Unnamed: i`, a repeated one gets `.1`, `.2`. */
function pandasHeader(raw: string[]): string[] {
  const seen = new Map<string, number>()
  return raw.map((name, index) => {
    let column = name === '' ? `Unnamed: ${index}` : name
    const count = seen.get(column) ?? 0
    seen.set(column, count + 1)
    if (count > 0) {
      column = `${column}.${count}`
      seen.set(column, 1)
    }
    return column
  })
}

async function readCsv(input: Readable, separator: string, sink: EventSink): Promise<void> {
  let header: string[] | null = null
  const { parse: parseCsv } = await csvModule()
  try {
    const parser = parseCsv({
      delimiter: separator,
      bom: true,
      relax_quotes: true,
      relax_column_count_less: true,
      skip_empty_lines: true,
    })
    input.on('error', (error) => parser.destroy(error))
    for await (const record of input.pipe(parser) as AsyncIterable<string[]>) {
      if (header === null) {
        header = pandasHeader(record)
        sink.columns(header)
        continue
      }
      const columns = header
      // read_csv(dtype=str) then strip(): markers are read before the strip, as pandas does.
      sink.event(columns.map((column, index) => {
        const value = record[index]
        return [column, value === undefined || CSV_NA.has(value) ? null : value.trim()]
      }))
    }
  } catch {
    throw new EventLogFileError(INVALID_LOG)
  }
  if (header === null) throw new EventLogFileError(INVALID_LOG)
}

const XES_VALUE_TYPES = new Set(['string', 'date', 'int', 'float', 'boolean', 'id'])

/**
 * Python's repr of a float: `2.0` for a whole number, exponent notation
 * from 1e16 and below 1e-4 (`1e+20`, `1e-05`), where JavaScript keeps digits.
 */
function pythonFloat(number: number): string {
  const size = Math.abs(number)
  if (size !== 0 && (size >= 1e16 || size < 1e-4)) {
    const [mantissa, exponent] = number.toExponential().split('e') as [string, string]
    const power = Number(exponent)
    return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`
  }
  return Number.isInteger(number) ? number.toFixed(1) : String(number)
}

/** A value as pm4py's DataFrame prints it after astype(str). */
function xesValue(type: string, raw: string): string {
  const value = raw.trim()
  if (type === 'date') {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value)
    if (!match) return value
    const [, day, time, fraction = '', zone] = match
    const micros = /[1-9]/.test(fraction) ? `.${fraction.padEnd(6, '0').slice(0, 6)}` : ''
    const offset = zone === undefined ? '' : zone === 'Z' ? '+00:00' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
    return `${day} ${time}${micros}${offset}`
  }
  if (type === 'float') {
    const number = Number(value)
    return Number.isFinite(number) ? pythonFloat(number) : value
  }
  if (type === 'boolean') return value.toLowerCase() === 'true' ? 'True' : 'False'
  return value
}

/**
 * XES through saxes, one trace at a time: each event's top-level attributes
 * become columns under their keys, its trace's attributes follow prefixed
 * `case:` (so the case id is `case:concept:name`), as pm4py names them.
 */
async function readXes(input: Readable, sink: EventSink): Promise<void> {
  const { SaxesParser } = await saxesModule()
  const parser = new SaxesParser()
  // The open elements; an attribute counts only as a direct child of a trace or an event.
  const stack: string[] = []
  let traceAttributes: [string, string][] = []
  let events: [string, string][][] = []
  let current: [string, string][] | null = null
  let seenEvent = false
  parser.on('opentag', (node) => {
    const name = node.name
    const parent = stack[stack.length - 1]
    stack.push(name)
    if (name === 'trace' && parent === 'log') {
      traceAttributes = []
      events = []
      return
    }
    if (name === 'event' && parent === 'trace') {
      current = []
      return
    }
    const key = node.attributes.key
    const value = node.attributes.value
    if (!XES_VALUE_TYPES.has(name) || typeof key !== 'string' || typeof value !== 'string') return
    if (parent === 'event' && current) current.push([key, xesValue(name, value)])
    else if (parent === 'trace') traceAttributes.push([`case:${key}`, xesValue(name, value)])
  })
  parser.on('closetag', (node) => {
    stack.pop()
    const parent = stack[stack.length - 1]
    if (node.name === 'event' && current && parent === 'trace') {
      events.push(current)
      current = null
    } else if (node.name === 'trace' && parent === 'log') {
      for (const event of events) {
        seenEvent = true
        sink.event([...event, ...traceAttributes])
      }
    }
  })
  try {
    input.setEncoding('utf8')
    for await (const chunk of input) parser.write(chunk as string)
    parser.close()
  } catch {
    throw new EventLogFileError(INVALID_LOG)
  }
  if (!seenEvent) throw new EventLogFileError(INVALID_LOG)
}

import zlib from 'node:zlib'
import type { FastifyInstance } from 'fastify'
import { CREDENTIALS } from './sandbox.js'

export type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer | string }

/** A multipart/form-data body written by hand, as a client library would send it. */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----resultboxBoundary7MA4YWxkTrZu0gW'
  const chunks: Buffer[] = []
  for (const part of parts) {
    if ('filename' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`))
      chunks.push(Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content))
      chunks.push(Buffer.from('\r\n'))
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`))
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...CREDENTIALS.prpm } }
}

export async function postForm(app: FastifyInstance, url: string, parts: Part[], headers: Record<string, string> = {}) {
  const body = multipart(parts)
  return app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers } })
}

export async function sendJson(app: FastifyInstance, method: 'POST' | 'PUT', url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method, url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', ...CREDENTIALS.prpm, ...headers } })
}

/** A small BPIC-like training log: three cases. */
export const TRAINING_CSV = [
  'Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource',
  '100,2011-10-01 10:00:00.000,2011-10-01 10:00:00.000,5000,2011-10-01T10:00:00.000Z,A_SUBMITTED,112',
  '100,2011-10-01 10:01:00.000,2011-10-01 10:01:00.000,5000,2011-10-01T10:00:00.000Z,A_PARTLYSUBMITTED,112',
  '100,2011-10-01 11:00:00.000,2011-10-01 11:30:00.000,5000,2011-10-01T10:00:00.000Z,W_Completeren aanvraag,',
  '101,2011-10-02 09:00:00.000,2011-10-02 09:00:00.000,7000,2011-10-02T09:00:00.000Z,A_SUBMITTED,112',
  '101,2011-10-02 09:05:00.000,2011-10-02 09:05:00.000,7000,2011-10-02T09:00:00.000Z,A_DECLINED,10862',
  '102,2011-10-03 08:00:00.000,2011-10-03 08:00:00.000,900,2011-10-03T08:00:00.000Z,A_SUBMITTED,112',
  '102,2011-10-03 08:10:00.000,2011-10-03 08:10:00.000,900,2011-10-03T08:00:00.000Z,A_APPROVED,10862',
].join('\n')

/** Ongoing cases, out of time order on purpose. */
export const TEST_CSV = [
  'Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource',
  '201,2012-01-01 10:05:00.000,2012-01-01 10:05:00.000,3000,2012-01-01T10:00:00.000Z,A_PARTLYSUBMITTED,112',
  '201,2012-01-01 10:00:00.000,2012-01-01 10:00:00.000,3000,2012-01-01T10:00:00.000Z,A_SUBMITTED,112',
  '200,2012-01-02 09:00:00.000,2012-01-02 09:00:00.000,NA,2012-01-02T09:00:00.000Z,A_SUBMITTED,',
].join('\n')

export const DEFINITION = {
  columns_definition: {
    'Case ID': 'CASE_ID', start_time: 'START_TIMESTAMP', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER',
    REG_DATE: 'DATETIME', Activity: 'ACTIVITY', Resource: 'RESOURCE',
  },
  case_attributes: ['AMOUNT_REQ', 'REG_DATE'],
}

export const gzip = (text: string) => zlib.gzipSync(Buffer.from(text))

export interface ZipOptions {
  /** 0 stored (default), 8 deflated, anything else a method no reader supports. */
  method?: number
  /** The uncompressed size the headers claim, to test lying or oversized entries. */
  declaredSize?: number
}

/** A zip archive, enough to test zip uploads: stored or deflated entries, sizes as given. */
export function zipOf(entries: Record<string, string>, options: ZipOptions = {}): Buffer {
  const method = options.method ?? 0
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, text] of Object.entries(entries)) {
    const raw = Buffer.from(text)
    const data = method === 8 ? zlib.deflateRawSync(raw) : raw
    const size = options.declaredSize ?? raw.length
    const fileName = Buffer.from(name)
    const crc = zlib.crc32(raw)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(method, 8); local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(fileName.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(method, 10)
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(size, 24); central.writeUInt16LE(fileName.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, fileName, data)
    centrals.push(central, fileName)
    offset += 30 + fileName.length + data.length
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0)
  const end = Buffer.alloc(22)
  const count = Object.keys(entries).length
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(count, 8); end.writeUInt16LE(count, 10)
  end.writeUInt32LE(centralSize, 12); end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, ...centrals, end])
}

/** Every row of every prpm table, to check that a refused request wrote nothing. */
export function prpmRows(app: FastifyInstance): Record<string, unknown[]> {
  const db = app.resultbox.db
  const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'prpm%' ORDER BY name").all()
  return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM ${name} ORDER BY rowid`).all()]))
}

/** How many rows each prpm table holds. */
export const prpmCounts = (app: FastifyInstance) =>
  Object.fromEntries(Object.entries(prpmRows(app)).map(([name, rows]) => [name, rows.length]))

/** A request to the control API, JSON in and out. */
export async function control(app: FastifyInstance, url: string, body?: unknown) {
  return app.inject({ method: 'POST', url: `/_resultbox${url}`, ...(body === undefined ? {} : { payload: body as object }) })
}

import { randomBytes, randomUUID } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { zipOf } from './prpm.js'

/*
 * What PrCore's documented clients put on the wire, rebuilt in TypeScript: the docs' Python
 * scripts (python-requests, sseclient-py) and the docs' Postman collection, both with only their
 * base URL changed to a sandbox listening on a real socket. Logs in the shape of the BPIC data
 * sets the docs ship (BPIC 2011, 2012 and 2017), small enough to train in a test.
 */

export const TOKEN = 'resultbox'

/** Starts the sandbox's socket; the base URL a client is given. */
export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

// ---------------------------------------------------------------------------------------------
// Python's view of values
// ---------------------------------------------------------------------------------------------

/** Python's json.dumps with its defaults: `", "` and `": "` separators, non-ASCII as \uXXXX. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`).join(', ')}}`
}

/** Python's truth value of a JSON value: None, "", 0, [] and {} are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return true
}

// ---------------------------------------------------------------------------------------------
// python-requests
// ---------------------------------------------------------------------------------------------

export interface Answer {
  status: number
  headers: Headers
  text: string
  /** requests' response.json(): throws on a body that is not JSON. */
  json(): any
  /** requests' raise_for_status(): throws on 4xx and 5xx. */
  raiseForStatus(): void
}

export class HTTPError extends Error {
  override name = 'HTTPError'
}

async function answerOf(response: Response, url: string): Promise<Answer> {
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: () => JSON.parse(text),
    raiseForStatus() {
      if (response.status >= 400) throw new HTTPError(`${response.status} Error for url: ${url}: ${text}`)
    },
  }
}

/** A file as requests takes it in `files=[(field, (name, bytes, content_type))]`. */
export interface FileField {
  field: string
  filename: string
  content: Buffer | string
  contentType: string
}

/**
 * The multipart body requests builds (urllib3's encode_multipart_formdata): a 32-hex boundary,
 * the `data=` fields first, then the files, each file with its given Content-Type.
 */
export function requestsMultipart(data: Record<string, string>, files: FileField[]): { body: Buffer; contentType: string } {
  const boundary = randomBytes(16).toString('hex')
  const chunks: Buffer[] = []
  for (const [name, value] of Object.entries(data)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`))
    chunks.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** The headers every requests call adds to the script's own. */
const REQUESTS_DEFAULTS = { 'user-agent': 'python-requests/2.28.2', 'accept-encoding': 'gzip, deflate', accept: '*/*' }

export interface RequestsOptions {
  headers?: Record<string, string>
  json?: unknown
  data?: Record<string, string>
  files?: FileField[]
}

/** The module-level functions of python-requests the scripts call, against `base`. */
export class Requests {
  constructor(readonly base: string) {}

  /** The scripts' HEADERS and REQUEST_HEADERS. */
  static readonly HEADERS = { Authorization: `Bearer ${TOKEN}` }
  static readonly REQUEST_HEADERS = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }

  private init(method: string, options: RequestsOptions): RequestInit {
    const headers: Record<string, string> = { ...REQUESTS_DEFAULTS }
    let body: Buffer | undefined
    if (options.files) {
      const form = requestsMultipart(options.data ?? {}, options.files)
      body = form.body
      headers['content-type'] = form.contentType
    } else if (options.json !== undefined) {
      body = Buffer.from(pythonJson(options.json))
      headers['content-type'] = 'application/json'
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
    return { method, headers, ...(body === undefined ? {} : { body }) }
  }

  async request(method: string, url: string, options: RequestsOptions = {}): Promise<Answer> {
    return answerOf(await fetch(`${this.base}${url}`, this.init(method, options)), url)
  }

  get = (url: string, options: RequestsOptions = {}) => this.request('GET', url, options)
  put = (url: string, options: RequestsOptions = {}) => this.request('PUT', url, options)
  post = (url: string, options: RequestsOptions = {}) => this.request('POST', url, options)

  /**
   * requests.get(url, stream=True): the status and headers, the body not read yet. On a connection of
   * its own (urllib3's pool, not fetch's), so that the user's Ctrl-C (`interrupt`) closes that socket
   * as the exiting script does.
   */
  stream(url: string, options: RequestsOptions = {}): Promise<StreamedResponse> {
    const init = this.init('GET', options)
    return new Promise((resolve, reject) => {
      const request = http.get(`${this.base}${url}`, { headers: init.headers as Record<string, string>, agent: false }, (response) => {
        let interrupted = false
        resolve({
          status: response.statusCode ?? 0,
          headers: { get: (name: string) => (response.headers[name.toLowerCase()] as string | undefined) ?? null },
          body: response,
          interrupted: () => interrupted,
          interrupt() {
            interrupted = true
            request.destroy()
          },
        })
      })
      request.on('error', reject)
    })
  }
}

/** A streamed response: requests' `stream=True`, or fetch's for Postman. */
export interface StreamedResponse {
  status: number
  headers: { get(name: string): string | null }
  body: AsyncIterable<Uint8Array> | null
  /** True once the user stopped reading (Ctrl-C): the read's error is then no failure. */
  interrupted(): boolean
  interrupt(): void
}

/** fetch's Response as a StreamedResponse (Postman's SSE request, which the server ends). */
export function streamedFetch(response: Response, controller: AbortController): StreamedResponse {
  return {
    status: response.status,
    headers: response.headers,
    body: response.body as AsyncIterable<Uint8Array> | null,
    interrupted: () => controller.signal.aborted,
    interrupt: () => controller.abort(),
  }
}

// ---------------------------------------------------------------------------------------------
// sseclient-py
// ---------------------------------------------------------------------------------------------

/** sseclient's Event: id None until sent, event "message" unless sent, data the joined data lines. */
export interface SseEvent {
  id: string | null
  event: string
  data: string
  retry: string | null
}

const ENDINGS = ['\r\r', '\n\n', '\r\n\r\n']

/** bytes.splitlines(keepends=True): \r\n, \r and \n each end a line. */
function splitLinesKeep(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? []
}

/**
 * sseclient.SSEClient(response).events(), line for line: requests hands it the body in pieces of
 * at most 128 bytes (Response.__iter__ is iter_content(128)); it gathers lines until the data ends
 * with a blank line, then reads `field: value` lines (`:` comments and unknown fields skipped, one
 * leading space dropped, data lines joined by \n), and drops an event with no data.
 */
export async function* sseClientEvents(response: StreamedResponse): AsyncGenerator<SseEvent> {
  const body = response.body
  if (!body) return
  const decoder = new TextDecoder('latin1')
  let data = ''
  const blocks: string[] = []
  const feed = (piece: string) => {
    for (const line of splitLinesKeep(piece)) {
      data += line
      if (ENDINGS.some((ending) => data.endsWith(ending))) {
        blocks.push(data)
        data = ''
      }
    }
  }
  try {
    for await (const chunk of body) {
      for (let offset = 0; offset < chunk.length; offset += 128) feed(decoder.decode(chunk.subarray(offset, offset + 128)))
      while (blocks.length > 0) {
        const event = parseBlock(blocks.shift() as string)
        if (event) yield event
      }
    }
  } catch (error) {
    // A read the user interrupted is the script's KeyboardInterrupt.
    if (!response.interrupted()) throw error
    return
  }
  if (response.interrupted()) return
  if (data) {
    const event = parseBlock(data)
    if (event) yield event
  }
}

function parseBlock(block: string): SseEvent | null {
  const event: SseEvent = { id: null, event: 'message', data: '', retry: null }
  for (const raw of block.split(/\r\n|\r|\n/)) {
    const line = Buffer.from(raw, 'latin1').toString('utf8')
    if (!line.trim() || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    if (!['id', 'event', 'data', 'retry'].includes(field)) continue
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') event.data += `${value}\n`
    else (event as unknown as Record<string, string>)[field] = value
  }
  if (!event.data) return null
  if (event.data.endsWith('\n')) event.data = event.data.slice(0, -1)
  event.event = event.event || 'message'
  return event
}

/** What the scripts' printing_streaming_response keeps of one SSE event (null: `continue`). */
export function prescriptionsWithOutput(event: SseEvent): unknown[] | null {
  if (event.event !== 'message') return null
  const eventData = JSON.parse(event.data) as { prescriptions: Record<string, { output: unknown }> }[]
  const firstEvent = eventData[0] as { prescriptions: Record<string, { output: unknown }> }
  const prescriptions = firstEvent.prescriptions
  const withOutput = Object.keys(prescriptions).map((key) => prescriptions[key] as { output: unknown }).filter((prescription) => truthy(prescription.output))
  return withOutput.length > 0 ? withOutput : null
}

// ---------------------------------------------------------------------------------------------
// Postman
// ---------------------------------------------------------------------------------------------

/** A form-data row of the collection: text, or a file (its Content-Type looked up by its extension). */
export type PostmanField = { key: string; value: string; disabled?: boolean } | { key: string; file: string; content: Buffer | string; disabled?: boolean }

const MIME: Record<string, string> = { zip: 'application/zip', csv: 'text/csv', xes: 'application/octet-stream' }

export interface PostmanRequest {
  method: string
  /** The URL as the collection writes it, `{{server}}/project/{{project_id}}`. */
  url: string
  /** A raw JSON body (Postman sends it as Content-Type: application/json), variables inside. */
  raw?: string
  formdata?: PostmanField[]
}

/**
 * Postman running the collection: the collection's bearer token on every request, its own headers
 * (Postman-Token, PostmanRuntime), `{{variables}}` from the environment, form-data in the rows'
 * order with a `--------------------------<24 digits>` boundary, disabled rows left out.
 */
export class Postman {
  readonly environment = new Map<string, string>()

  constructor(server: string) {
    // The collection's variable has no scheme (`localhost:8000`): Postman adds http://.
    this.environment.set('server', server.replace(/^http:\/\//, ''))
    for (const key of ['event_log_id', 'project_id', 'plugin_id']) this.environment.set(key, '1')
    this.environment.set('result_key', '')
  }

  /** postman.setEnvironmentVariable: undefined is stored as the text Postman shows. */
  set(key: string, value: unknown) {
    this.environment.set(key, value === undefined ? 'undefined' : value === null ? 'null' : String(value))
  }

  resolve(text: string): string {
    return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => this.environment.get(name) ?? whole)
  }

  async send(request: PostmanRequest): Promise<Answer> {
    return answerOf(await fetch(this.urlOf(request), this.init(request)), request.url)
  }

  /** For the SSE request: the response, its body unread. */
  async open(request: PostmanRequest): Promise<StreamedResponse> {
    const controller = new AbortController()
    return streamedFetch(await fetch(this.urlOf(request), { ...this.init(request), signal: controller.signal }), controller)
  }

  private urlOf(request: PostmanRequest): string {
    const url = this.resolve(request.url)
    return /^https?:\/\//.test(url) ? url : `http://${url}`
  }

  private init(request: PostmanRequest): RequestInit {
    const headers: Record<string, string> = {
      authorization: `Bearer ${TOKEN}`,
      'user-agent': 'PostmanRuntime/7.31.3',
      accept: '*/*',
      'postman-token': randomUUID(),
      'accept-encoding': 'gzip, deflate, br',
    }
    let body: Buffer | undefined
    if (request.raw !== undefined) {
      body = Buffer.from(this.resolve(request.raw))
      headers['content-type'] = 'application/json'
    } else if (request.formdata) {
      const boundary = `--------------------------${Array.from({ length: 24 }, () => Math.floor(Math.random() * 10)).join('')}`
      const chunks: Buffer[] = []
      for (const field of request.formdata) {
        if (field.disabled) continue
        if ('file' in field) {
          const extension = field.file.split('.').pop() as string
          chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field.key}"; filename="${field.file}"\r\nContent-Type: ${MIME[extension] ?? 'application/octet-stream'}\r\n\r\n`))
          chunks.push(Buffer.isBuffer(field.content) ? field.content : Buffer.from(field.content))
          chunks.push(Buffer.from('\r\n'))
        } else {
          chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field.key}"\r\n\r\n${this.resolve(field.value)}\r\n`))
        }
      }
      chunks.push(Buffer.from(`--${boundary}--\r\n`))
      body = Buffer.concat(chunks)
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`
    }
    return { method: request.method, headers, ...(body === undefined ? {} : { body }) }
  }
}

/** Postman's JSON body editor text: a JSON value laid out with 4 spaces; `{{var}}` numbers left bare. */
export function postmanRaw(body: unknown, bare: Record<string, string> = {}): string {
  let text = JSON.stringify(body, null, 4)
  for (const [key, variable] of Object.entries(bare)) text = text.replace(`"${key}": "{{${variable}}}"`, `"${key}": {{${variable}}}`)
  return text
}

// ---------------------------------------------------------------------------------------------
// Event logs in the shape of the docs' data sets
// ---------------------------------------------------------------------------------------------

const APPROVED_SENT_BACK = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'W_Completeren aanvraag', 'A_ACCEPTED', 'O_SELECTED', 'A_FINALIZED',
  'O_CREATED', 'O_SENT', 'W_Nabellen offertes', 'O_SENT_BACK', 'W_Valideren aanvraag', 'A_REGISTERED', 'A_APPROVED', 'O_ACCEPTED', 'A_ACTIVATED']
const DECLINED = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_DECLINED']
const APPROVED = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'W_Completeren aanvraag', 'A_ACCEPTED', 'O_SELECTED', 'A_FINALIZED',
  'O_CREATED', 'O_SENT', 'W_Valideren aanvraag', 'A_REGISTERED', 'A_APPROVED', 'O_ACCEPTED', 'A_ACTIVATED']
const CANCELLED = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'W_Completeren aanvraag', 'A_CANCELLED']
const PATHS = [APPROVED_SENT_BACK, DECLINED, APPROVED, CANCELLED]
const AMOUNTS = ['20000', '5000', '15000', '7500', '30000', '1000']

export interface Bpic2012Event {
  caseId: string
  start: Date
  end: Date
  amount: string
  registered: Date
  activity: string
  resource: string
  /** For W_ work items: the XES log's SCHEDULE/START/COMPLETE; others COMPLETE. */
  work: boolean
}

/** BPIC 2012 loan applications: `count` cases on the four paths the log is known for. */
export function bpic2012Events(count: number, firstCase = 173688): Bpic2012Event[] {
  const events: Bpic2012Event[] = []
  for (let index = 0; index < count; index++) {
    const caseId = String(firstCase + index * 3)
    const registered = new Date(Date.UTC(2011, 8, 30, 22, 38, 44, 546) + index * 3_600_000 * 7)
    const path = PATHS[index % PATHS.length] as string[]
    let at = registered.getTime()
    path.forEach((activity, step) => {
      const work = activity.startsWith('W_')
      const start = new Date(at)
      const end = new Date(at + (work ? 8 * 60_000 + step * 1_000 : 0))
      events.push({
        caseId, start, end, amount: AMOUNTS[index % AMOUNTS.length] as string, registered, activity, work,
        resource: step < 3 ? '112' : work && step === 3 ? '' : String(10862 + (index % 5) * 17),
      })
      at = end.getTime() + (step + 1) * 97_000 + index * 1_000
    })
  }
  return events
}

const csvTime = (date: Date) => date.toISOString().slice(0, 23)

/**
 * The docs' bpic2012.csv: `Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource`,
 * times like 2011-09-30T22:38:44.546, REG_DATE with a Z; the full log has a space before REG_DATE
 * and Activity (`spaced`), the ongoing file does not.
 */
export function bpic2012Csv(events: Bpic2012Event[], options: { spaced?: boolean; separator?: string; extra?: (event: Bpic2012Event) => string } = {}): string {
  const separator = options.separator ?? ','
  const space = options.spaced ? ' ' : ''
  const header = ['Case ID', 'start_time', 'end_time', 'AMOUNT_REQ', 'REG_DATE', 'Activity', 'Resource', ...(options.extra ? ['treatment'] : [])]
  const rows = events.map((event) => [event.caseId, csvTime(event.start), csvTime(event.end), event.amount, `${space}${event.registered.toISOString()}`,
    `${space}${event.activity}`, event.resource, ...(options.extra ? [options.extra(event)] : [])].join(separator))
  return [header.join(separator), ...rows].join('\n') + '\n'
}

/** An ongoing dataset: the first events of each case, as bpic2012-ongoing-CSV.csv holds them. */
export function ongoingEvents(events: Bpic2012Event[], keep = 3): Bpic2012Event[] {
  const seen = new Map<string, number>()
  return events.filter((event) => {
    const count = (seen.get(event.caseId) ?? 0) + 1
    seen.set(event.caseId, count)
    return count <= keep
  })
}

const xmlEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;')
/** An XES time as OpenXES writes it: local time at +02:00 (the BPIC logs' zone), milliseconds. */
const xesTime = (date: Date, offsetHours = 2) => `${new Date(date.getTime() + offsetHours * 3_600_000).toISOString().slice(0, 23)}+0${offsetHours}:00`

type XesAttribute = [type: 'string' | 'date' | 'int' | 'float', key: string, value: string]

function xesLog(traces: { attributes: XesAttribute[]; events: XesAttribute[][] }[]): string {
  const attribute = ([type, key, value]: XesAttribute, indent: string) => `${indent}<${type} key="${xmlEscape(key)}" value="${xmlEscape(value)}"/>\n`
  let text = '<?xml version="1.0" encoding="UTF-8" ?>\n<!-- XES standard version: 1.0 -->\n'
  text += '<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" xmlns="http://www.xes-standard.org/">\n'
  text += '\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
  text += '\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
  text += '\t<global scope="event">\n\t\t<string key="concept:name" value="UNKNOWN"/>\n\t</global>\n'
  text += '\t<string key="meta_3TU:log_type" value="Real-life"/>\n'
  for (const trace of traces) {
    text += '\t<trace>\n'
    for (const item of trace.attributes) text += attribute(item, '\t\t')
    for (const event of trace.events) {
      text += '\t\t<event>\n'
      for (const item of event) text += attribute(item, '\t\t\t')
      text += '\t\t</event>\n'
    }
    text += '\t</trace>\n'
  }
  return `${text}</log>\n`
}

/** bpic2012.xes: trace REG_DATE, concept:name, AMOUNT_REQ; work items scheduled, started, completed. */
export function bpic2012Xes(events: Bpic2012Event[]): string {
  const cases = new Map<string, Bpic2012Event[]>()
  for (const event of events) cases.set(event.caseId, [...(cases.get(event.caseId) ?? []), event])
  return xesLog([...cases.values()].map((caseEvents) => {
    const first = caseEvents[0] as Bpic2012Event
    const xesEvents: XesAttribute[][] = []
    for (const event of caseEvents) {
      const resource: XesAttribute[] = event.resource ? [['string', 'org:resource', event.resource]] : []
      if (event.work) {
        xesEvents.push([...resource, ['string', 'lifecycle:transition', 'SCHEDULE'], ['string', 'concept:name', event.activity], ['date', 'time:timestamp', xesTime(new Date(event.start.getTime() - 1_000))]])
        xesEvents.push([['string', 'concept:name', event.activity], ['string', 'lifecycle:transition', 'START'], ['date', 'time:timestamp', xesTime(event.start)]])
        xesEvents.push([...resource, ['string', 'concept:name', event.activity], ['string', 'lifecycle:transition', 'COMPLETE'], ['date', 'time:timestamp', xesTime(event.end)]])
      } else {
        xesEvents.push([...resource, ['string', 'lifecycle:transition', 'COMPLETE'], ['string', 'concept:name', event.activity], ['date', 'time:timestamp', xesTime(event.start)]])
      }
    }
    return { attributes: [['date', 'REG_DATE', xesTime(first.registered)], ['string', 'concept:name', first.caseId], ['string', 'AMOUNT_REQ', first.amount]], events: xesEvents }
  }))
}

/**
 * Hospital_log.xes (BPIC 2011): patients' traces with diagnosis attributes, events with an
 * `Activity code` (int, sometimes string), org:group, Producer code, all `complete`.
 */
export function bpic2011Xes(count: number): string {
  const codes = ['410100', '419100', '10107', '370606', '339486E', '370000']
  const names = ['1e consult poliklinisch', 'administratief tarief       - eerste pol', 'verlosk.-gynaec. korte kaart kosten-out', 'hemoglobine foto-elektrisch',
    'echografie  - genitalia interna', 'ordertarief']
  const groups = ['Radiotherapy', 'Radiotherapy', 'Nursing ward', 'General Lab Clinical Chemistry', 'Obstetrics & Gynaecology clinic', 'General Lab Clinical Chemistry']
  const traces = []
  for (let index = 0; index < count; index++) {
    const day = Date.UTC(2005, 0, 2 + index * 2) - 3_600_000
    const steps = [0, 1, 2, ...(index % 3 === 0 ? [] : [3]), 4, 5].slice(0, 3 + (index % 4))
    traces.push({
      attributes: [
        ['date', 'End date', xesTime(new Date(day + 200 * 86_400_000), 1)], ['int', 'Age', String(30 + index)], ['string', 'Diagnosis', 'maligniteit cervix'],
        ['string', 'Diagnosis code', 'M13'], ['string', 'concept:name', String(index).padStart(8, '0')], ['date', 'Start date', xesTime(new Date(day), 1)],
      ] as XesAttribute[],
      events: steps.map((code, step) => [
        ['string', 'org:group', groups[code] as string], ['int', 'Number of executions', '1'], ['int', 'Specialism code', '61'],
        ['string', 'concept:name', names[code] as string], ['string', 'Producer code', 'SRTH'], ['string', 'Section', 'Section 5'],
        [code === 4 ? 'string' : 'int', 'Activity code', codes[code] as string], ['date', 'time:timestamp', xesTime(new Date(day + step * 86_400_000), 1)],
        ['string', 'lifecycle:transition', 'complete'],
      ] as XesAttribute[]),
    })
  }
  return xesLog(traces)
}

/**
 * BPI Challenge 2017.xes: loan applications with LoanGoal, ApplicationType, RequestedAmount;
 * events with Action, org:resource, EventOrigin, EventID and lower-case lifecycle transitions.
 */
export function bpic2017Xes(count: number): string {
  const accepted: [string, string, string][] = [
    ['A_Create Application', 'complete', 'Application'], ['A_Submitted', 'complete', 'Application'], ['W_Handle leads', 'schedule', 'Workflow'],
    ['W_Handle leads', 'withdraw', 'Workflow'], ['W_Complete application', 'schedule', 'Workflow'], ['W_Complete application', 'start', 'Workflow'],
    ['A_Concept', 'complete', 'Application'], ['A_Accepted', 'complete', 'Application'], ['O_Create Offer', 'complete', 'Offer'],
    ['O_Created', 'complete', 'Offer'], ['O_Sent (mail and online)', 'complete', 'Offer'], ['W_Complete application', 'complete', 'Workflow'],
    ['W_Call after offers', 'schedule', 'Workflow'], ['W_Call after offers', 'start', 'Workflow'], ['A_Complete', 'complete', 'Application'],
    ['W_Call after offers', 'suspend', 'Workflow'], ['O_Returned', 'complete', 'Offer'], ['W_Validate application', 'schedule', 'Workflow'],
    ['W_Validate application', 'start', 'Workflow'], ['A_Validating', 'complete', 'Application'], ['O_Accepted', 'complete', 'Offer'],
    ['A_Pending', 'complete', 'Application'], ['W_Validate application', 'complete', 'Workflow'],
  ]
  const refused: [string, string, string][] = [
    ['A_Create Application', 'complete', 'Application'], ['W_Complete application', 'schedule', 'Workflow'], ['W_Complete application', 'start', 'Workflow'],
    ['A_Concept', 'complete', 'Application'], ['W_Complete application', 'ate_abort', 'Workflow'], ['A_Denied', 'complete', 'Application'],
    ['O_Refused', 'complete', 'Offer'], ['A_Cancelled', 'complete', 'Application'],
  ]
  const traces = []
  for (let index = 0; index < count; index++) {
    const id = `Application_${652823628 + index * 1_111}`
    const path = index % 3 === 1 ? refused : index % 3 === 2 ? accepted.filter(([activity]) => activity !== 'O_Returned') : accepted
    const at = Date.UTC(2016, 0, 1, 8, 51, 15, 304) + index * 5_400_000
    traces.push({
      attributes: [['string', 'LoanGoal', index % 2 ? 'Car' : 'Existing loan takeover'], ['string', 'ApplicationType', 'New credit'],
        ['string', 'concept:name', id], ['float', 'RequestedAmount', String(20000 + index * 500)]] as XesAttribute[],
      events: path.map(([activity, transition, origin], step) => [
        ['string', 'Action', transition === 'complete' ? 'statechange' : transition === 'schedule' ? 'Created' : 'Obtained'],
        ['string', 'org:resource', `User_${1 + (index + step) % 7}`], ['string', 'concept:name', activity], ['string', 'EventOrigin', origin],
        ['string', 'EventID', `${origin}_${1_000_000 + index * 100 + step}`], ['string', 'lifecycle:transition', transition],
        ['date', 'time:timestamp', xesTime(new Date(at + step * 61_000 + step * step * 3_000), 1)],
      ] as XesAttribute[]),
    })
  }
  return xesLog(traces)
}

/** small-manual.csv: `case_id,Activity,start_time,end_time,Resource`, letters for activities, a BOM first. */
export function smallManualCsv(count: number): string {
  const people = ['Cole', 'Marcus', 'Anna', 'Jules']
  const rows = ['\ufeffcase_id,Activity,start_time,end_time,Resource']
  for (let index = 0; index < count; index++) {
    let at = Date.UTC(2022, 4, 9 + index, 10)
    const activities = index % 2 ? ['A', 'B', 'C', 'D'] : ['A', 'C', 'B', 'E', 'D']
    for (const activity of activities) {
      const end = at + 45 * 60_000
      rows.push([index, activity, csvTime(new Date(at)), csvTime(new Date(end)), people[(index + activity.charCodeAt(0)) % people.length]].join(','))
      at = end + 3 * 3_600_000
    }
  }
  return rows.join('\n') + '\n'
}

/** A zip as the docs ship their logs: one deflated entry. */
export const zipped = (name: string, text: string) => zipOf({ [name]: text }, { method: 8 })

import { PassThrough } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply } from 'fastify'
import type { SandboxClock } from '../clock.js'
import type { Db } from '../database.js'
import type { Scheduler } from '../scheduler.js'
import { columnNamed, pythonDateTime } from './definitions.js'
import { PrpmErrors } from './errors.js'
import { bad, definitionOf } from './flows.js'
import type { PrpmStore } from './store.js'
import type { StreamStore } from './stream-store.js'
import { asciiOnly } from './validation.js'

/** Python's json.dumps with its defaults: ", " and ": " separators, every character outside printable ASCII escaped. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item)}`).join(', ')}}`
  }
  if (typeof value === 'string') {
    return asciiOnly(JSON.stringify(value))
  }
  return String(value)
}

/** One Server-Sent Event as sse-starlette writes it: fields in order id, event, data; lines end CRLF; a blank line after. */
export function sseEvent(fields: { id?: number; event: string; data: string }): string {
  const lines = fields.id === undefined ? [] : [`id: ${fields.id}`]
  lines.push(`event: ${fields.event}`, ...fields.data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`))
  return `${lines.join('\r\n')}\r\n\r\n`
}

/** A ping's data: UTC now as Python prints a naive datetime, with microseconds. */
const pingTime = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 23)}000`

/** PrCore's reader polls once a second; sse-starlette pings every 15 s. */
const PINGS_EVERY = 15
/** A stream not yet enabled in STREAMING or SIMULATING is waited for, up to 15 polls. */
const ENABLE_WAIT_POLLS = 15

interface Reader {
  end(): void
}

export interface StreamReaderOptions {
  store: PrpmStore
  streams: StreamStore
  db: Db
  scheduler: Scheduler
  clock: SandboxClock
  /** Real milliseconds between polls (RESULTBOX_PRPM_STREAM_POLL_MS). */
  pollMs: number
}

/**
 * GET /project/{id}/stream/result: one reader per project, which hears CONNECTED at once, then
 * on each poll (real time) FINISHED once its run has ended, or the events prescribed by now on the
 * sandbox clock and not yet sent, as one message; a ping every 15 polls.
 */
export class StreamReaders {
  private readonly readers = new Map<number, Reader>()

  constructor(private readonly options: StreamReaderOptions) {}

  /** Ends every reader (the server is closing). */
  closeAll(): void {
    for (const reader of [...this.readers.values()]) reader.end()
  }

  /** The checks in PrCore's order; the run the reader will follow. */
  private async runToRead(projectId: number): Promise<number> {
    const { store, streams, scheduler } = this.options
    for (let poll = 0; ; poll++) {
      scheduler.catchUp()
      const project = store.project(projectId)
      if (!project) throw PrpmErrors.projectNotFound()
      if (project.status === 'ERROR') throw PrpmErrors.projectInError()
      const run = streams.activeRun(projectId)
      if (run) return run.id
      const waits = project.status === 'STREAMING' || project.status === 'SIMULATING'
      if (!waits || poll >= ENABLE_WAIT_POLLS) throw bad('Project not streaming')
      await sleep(this.options.pollMs)
    }
  }

  async open(projectId: number, reply: FastifyReply): Promise<void> {
    const runId = await this.runToRead(projectId)
    if (this.readers.has(projectId)) throw bad('Project streaming result already be reading')
    const { store, streams, db, scheduler, clock, pollMs } = this.options
    const found = definitionOf(store, projectId)
    const indicator = found ? columnNamed(found.definition.columns_definition, 'COMPLETE_INDICATOR') ?? 'COMPLETE_INDICATOR' : 'COMPLETE_INDICATOR'
    const body = new PassThrough()
    let messages = 0
    let polls = 0
    let timer: NodeJS.Timeout | null = null
    const end = () => {
      if (timer === null) return
      clearInterval(timer)
      timer = null
      this.readers.delete(projectId)
      if (db.open) streams.setReader(runId, false, clock.now())
      body.end()
    }
    const poll = () => {
      if (!db.open) return end()
      polls++
      scheduler.catchUp()
      const now = clock.now()
      const run = streams.run(runId)
      const finished = !run || run.finished_at !== null || streams.activeRun(projectId)?.id !== runId
      // A reader that polled all along would have had every event prescribed before the run ended: a clock that
      // jumped past the end sends those first. Events prescribed after it wait for the next reader.
      const until = finished ? Math.min(now, run?.finished_at ?? now) : now
      const pending = streams.pending(projectId, until)
      if (pending.length > 0) {
        const data = pending.map((event) => {
          const attributes = JSON.parse(event.attributes) as Record<string, unknown>
          delete attributes[indicator]
          return {
            id: event.id,
            timestamp: pythonDateTime(event.prescribed_at),
            case_completed: event.completed === 1,
            data: attributes,
            prescriptions: JSON.parse(event.prescriptions) as unknown,
          }
        })
        streams.markSent(pending.map((event) => event.id))
        messages++
        body.write(sseEvent({ id: messages, event: 'message', data: pythonJson(data) }))
      }
      if (finished) {
        body.write(sseEvent({ id: messages + 1, event: 'notification', data: 'FINISHED' }))
        return end()
      }
      if (polls % PINGS_EVERY === 0) body.write(sseEvent({ event: 'ping', data: pingTime(Date.now()) }))
    }
    this.readers.set(projectId, { end })
    streams.setReader(runId, true, clock.now())
    timer = setInterval(poll, pollMs)
    reply.raw.on('close', end)
    body.write(sseEvent({ id: 0, event: 'notification', data: 'CONNECTED' }))
    reply
      .header('content-type', 'text/event-stream')
      .header('cache-control', 'no-cache')
      .header('connection', 'keep-alive')
      .header('x-accel-buffering', 'no')
      .send(body)
  }
}

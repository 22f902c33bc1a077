import { randomAlphanumeric } from '../random-key.js'
import type { TimedWork } from '../scheduler.js'
import { byCase, projectSplit, type SplitLog } from './datasets.js'
import { columnNamed, jsonbOrdered, nullablePythonDateTime, pythonDateTime } from './definitions.js'
import { PrpmErrors, prpmErrorMapping } from './errors.js'
import { bad, definitionOf, timeOf } from './flows.js'
import { escapedValidationError } from './validation.js'
import { PLUGINS, type PluginKey } from './plugins.js'
import { prescribe } from './prescriptions.js'
import type { PrpmStore, StoredDefinition } from './store.js'
import { endStream } from './lifecycle.js'
import type { StreamKind, StreamStore } from './stream-store.js'

/** Sandbox times of streaming: a plugin's answer to an event, the simulator's pace. */
export interface StreamTimes {
  prescriptionMs: number
  simulationIntervalMs: number
}

/** PrCore's simulator stops after this many events. */
export const SIMULATION_MAX_EVENTS = 1800

const STREAM_KINDS: Record<string, StreamKind> = { STREAMING: 'STREAMING', SIMULATING: 'SIMULATING' }

/** The indicator values that make an event its case's last (PrCore's check, by value and by JSON type). */
const LAST_EVENT_VALUES = new Set<unknown>(['1', 'true', 'True', 'TRUE', true, 1])

/** pydantic v1's str coercion: numbers and booleans as Python prints them, null kept. */
function pythonString(value: unknown): string | null {
  if (value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  // A float that is whole prints with ".0" in Python; JSON.parse cannot tell 1.0 from 1, so both read as ints.
  return String(value)
}

/** The column whose value says an event is its case's last. */
const indicatorColumn = (definition: StoredDefinition) => columnNamed(definition.columns_definition, 'COMPLETE_INDICATOR') ?? 'COMPLETE_INDICATOR'

/**
 * What each plugin answers for a case's events so far: the prescription a dataset result would hold,
 * dated when the plugin answers, or, where it cannot predict (no treatment, resource allocation with
 * nothing to allocate), `output: null` with the model's name and why. Deterministic in the events.
 */
function streamPrescriptions(store: PrpmStore, projectId: number, definition: StoredDefinition, eventLogId: number, caseId: string, events: Record<string, string | null>[], at: number) {
  const plugins = store.projectPlugins(projectId).filter((plugin) => plugin.status === 'STREAMING')
  const activityColumn = columnNamed(definition.columns_definition, 'ACTIVITY') as string
  const trained = store.columnValues(eventLogId, activityColumn).map((entry) => entry.value)
  const activities = trained.length > 0 ? trained : [...new Set(events.map((event) => event[activityColumn] ?? 'nan'))]
  const parameters = new Map(plugins.map((plugin) => [plugin.plugin_key, JSON.parse(plugin.parameters) as Record<string, unknown>]))
  const context = {
    resultKey: `stream\u0000${JSON.stringify(events)}`,
    encoding: (plugin: PluginKey) => String(parameters.get(plugin)?.encoding ?? 'SIMPLE_INDEX'),
    activities,
    treatment: definition.treatment_definition,
    finishesAt: () => at,
  }
  const rows = events.map(() => [] as string[])
  const answers: Record<string, unknown> = {}
  for (const plugin of plugins) {
    const [prescription] = prescribe(context, plugin.plugin_key, caseId, rows)
    answers[plugin.plugin_key] = prescription ?? {
      date: `${new Date(at).toISOString().slice(0, 23)}000`,
      type: PLUGINS[plugin.plugin_key].type,
      output: null,
      model: { name: PLUGINS[plugin.plugin_key].name, detail: 'No prescription for this case' },
    }
  }
  return jsonbOrdered(answers)
}

/** What POST /project/{id}/stream/event answers. */
export interface PostedEvent {
  message: string
  event: { project_id: number; attributes: Record<string, string | null>; id: number; created_at: string; updated_at: string | null }
}

/**
 * PrCore's event intake, for a client's POST and the simulator alike: the checks in its order, the
 * values stored as strings, a new case opened, and the prescriptions due `prescriptionMs` later.
 */
export function postEvent(store: PrpmStore, streams: StreamStore, projectId: number, body: unknown, now: number, times: StreamTimes): PostedEvent {
  if (!store.project(projectId)) throw PrpmErrors.projectNotFound()
  if (!streams.activeRun(projectId)) throw bad('Project not streaming')
  // A streaming project was trained, so its log is defined.
  const { definition, eventLogId } = definitionOf(store, projectId) as NonNullable<ReturnType<typeof definitionOf>>
  // Any JSON: PrCore reads the body as a dict, so a list or a string fails where a dict's key would be looked up.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw prpmErrorMapping.internal()
  const event = body as Record<string, unknown>
  for (const column of Object.keys(definition.columns_definition)) {
    if (!(column in event)) throw bad(`Missing pre-defined column ${column}`)
  }
  for (const column of definition.case_attributes ?? []) {
    if (!(column in event)) throw bad(`Missing case attribute ${column}`)
  }
  const invalid = Object.entries(event).filter(([, value]) => value !== null && typeof value === 'object')
  if (invalid.length > 0) throw escapedValidationError(invalid.map(([key]) => ({ loc: ['attributes', key], msg: 'str type expected', type: 'type_error.str' })))
  const attributes = jsonbOrdered(Object.fromEntries(Object.entries(event).map(([key, value]) => [key, pythonString(value)])))
  const caseId = String(attributes[columnNamed(definition.columns_definition, 'CASE_ID') as string] ?? 'None')
  const last = LAST_EVENT_VALUES.has(event[indicatorColumn(definition)])
  const prescribedAt = last ? now : now + times.prescriptionMs
  const prescriptions = last ? {} : streamPrescriptions(store, projectId, definition, eventLogId, caseId, [...streams.caseEvents(projectId, caseId), attributes], prescribedAt)
  const id = streams.insertEvent({ project_id: projectId, case_id: caseId, attributes, created_at: now, prescribed_at: prescribedAt, prescriptions, completes: last })
  return {
    message: last ? 'Event received successfully, this is the last event of the case' : 'Event received successfully',
    event: { project_id: projectId, attributes, id, created_at: pythonDateTime(now), updated_at: nullablePythonDateTime(null) },
  }
}

/** The checks of PUT /project/{id}/stream/start/{type}, in PrCore's order; the kind asked for. */
export function checkStart(store: PrpmStore, projectId: number, type: string): StreamKind {
  // PrCore reads any status name here; only the two that stream are taken (an accepted deviation).
  const kind = STREAM_KINDS[type.toUpperCase()]
  if (kind === undefined) throw bad('Invalid streaming type')
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (project.status === 'ERROR') throw PrpmErrors.projectInError()
  if (project.status === 'STREAMING') throw bad('Streaming already started')
  if (project.status === 'SIMULATING') throw bad('Simulation already started')
  if (project.status !== 'TRAINED') throw bad('Project not trained')
  return kind
}

/**
 * The rows PrCore's simulator posts: the simulation cases' events, sorted by start time across
 * cases, values as strings ("nan" for missing), each case id behind one random 8-character prefix
 * per run, and the indicator true on each case's last event; at most SIMULATION_MAX_EVENTS.
 */
export function simulationRowsOf(split: SplitLog): Record<string, unknown>[] {
  const types = split.definition.columns_definition
  const caseColumn = columnNamed(types, 'CASE_ID') as string
  const timeIndex = split.columns.indexOf((columnNamed(types, 'TIMESTAMP') ?? columnNamed(types, 'START_TIMESTAMP')) as string)
  const indicator = indicatorColumn(split.definition)
  const prefix = randomAlphanumeric(8)
  const events: { row: (string | null)[]; last: boolean; order: number }[] = []
  for (const caseEvents of byCase(split, split.simulation).values()) {
    caseEvents.forEach((row, position) => events.push({ row, last: position === caseEvents.length - 1, order: events.length }))
  }
  events.sort((a, b) => timeOf(a.row[timeIndex]) - timeOf(b.row[timeIndex]) || a.order - b.order)
  return events.slice(0, SIMULATION_MAX_EVENTS).map(({ row, last }) => {
    const posted: Record<string, unknown> = {}
    split.columns.forEach((column, index) => {
      posted[column] = column === caseColumn ? `${prefix}-${row[index] ?? 'nan'}` : row[index] ?? 'nan'
    })
    posted[indicator] = last
    return posted
  })
}

/** The simulator's rows of a project, from its stored log (parsed: hence async); none without a log file. */
export async function simulationRows(store: PrpmStore, projectId: number, maxBytes: number): Promise<Record<string, unknown>[]> {
  const split = await projectSplit(store, projectId, maxBytes)
  return split === null ? [] : simulationRowsOf(split)
}

/** What stream/start does once its checks have passed: the project and its plugins stream, a run begins (rows: the simulator's). */
export function beginStream(store: PrpmStore, streams: StreamStore, projectId: number, kind: StreamKind, at: number, rows: Record<string, unknown>[] | null): void {
  store.setStatus(projectId, kind, at)
  store.movePlugins(projectId, ['TRAINED', 'STREAMING'], 'STREAMING', at)
  streams.startRun(projectId, kind, at, rows)
}

/** What stream/start answers, for streaming and simulating alike (the docs' "simulation started" is not the source's). */
export const streamStarted = (projectId: number) => ({ message: 'Project streaming started successfully', project_id: projectId })

/** PUT /project/{id}/stream/start[/{type}]: the project streams (or simulates) at once, its plugins loaded. */
export async function startStream(store: PrpmStore, streams: StreamStore, projectId: number, type: string, now: () => number, maxBytes: number) {
  const kind = checkStart(store, projectId, type)
  const rows = kind === 'SIMULATING' ? await simulationRows(store, projectId, maxBytes) : null
  return store.transaction(() => {
    // Reading the log took a while: another request may have started the stream meanwhile.
    checkStart(store, projectId, type)
    beginStream(store, streams, projectId, kind, now(), rows)
    return streamStarted(projectId)
  })
}

function checkStreamable(store: PrpmStore, projectId: number) {
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (project.status === 'ERROR') throw PrpmErrors.projectInError()
  return project
}

/** PUT /project/{id}/stream/stop */
export function stopStream(store: PrpmStore, streams: StreamStore, projectId: number, now: number) {
  const project = checkStreamable(store, projectId)
  if (project.status !== 'STREAMING' && project.status !== 'SIMULATING') throw bad('Streaming not started')
  store.transaction(() => endStream(store, streams, projectId, now))
  return { message: 'Project streaming stopped successfully', project_id: projectId }
}

/** PUT /project/{id}/stream/clear: as stop, whatever the status (PREPROCESSING too, a PrCore quirk), then every event and case gone. */
export function clearStream(store: PrpmStore, streams: StreamStore, projectId: number, now: number) {
  checkStreamable(store, projectId)
  store.transaction(() => {
    endStream(store, streams, projectId, now)
    // A project cleared while it trained stays TRAINED: its training no longer runs on.
    store.setTimeline(projectId, null, null)
    streams.clear(projectId)
  })
  return { message: 'Project stream data is cleared successfully', project_id: projectId }
}

/**
 * Streaming on the sandbox clock: the simulator posts its rows one interval apart; a finished
 * simulation returns its project to TRAINED once the plugins have answered its last event; a
 * simulation nobody reads is stopped by PrCore's minute timer.
 */
export function prpmStreaming(store: PrpmStore, streams: StreamStore, times: StreamTimes): TimedWork {
  return {
    name: 'prpm streaming',
    nextDueAt: () => streams.nextDue(),
    runDue(now) {
      store.transaction(() => {
        for (const run of streams.duePosts(now)) {
          const rows = JSON.parse(run.rows ?? '[]') as Record<string, unknown>[]
          let posted = run.posted
          let at = run.next_post_at as number
          while (posted < rows.length && at <= now) {
            // The rows come from the project's own log: each has every column of its definition.
            postEvent(store, streams, run.project_id, rows[posted], at, times)
            posted++
            at += times.simulationIntervalMs
          }
          // PrCore's simulator marks its run finished one interval after its last event (at once with nothing to post).
          if (posted < rows.length || at > now) {
            streams.setPosted(run.id, posted, at)
            continue
          }
          streams.setPosted(run.id, posted, null)
          streams.finishRun(run.id, at)
          // The project stays SIMULATING (stream/stop ends it), unless a plugin answers after the end: then it is TRAINED.
          const answered = streams.lastPrescribedAt(run.project_id)
          if (answered !== null && answered > at) streams.setTrainedAt(run.id, answered)
        }
        for (const run of streams.dueTrained(now)) endStream(store, streams, run.project_id, run.trained_at as number)
        for (const run of streams.dueIdle(now)) {
          endStream(store, streams, run.project_id, (run.reader_left_at ?? run.started_at) + (run.reader_left_at === null ? 300_000 : 60_000))
        }
      })
    },
  }
}

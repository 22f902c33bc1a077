import fs from 'node:fs'
import { VendorError } from '../errors.js'
import { availableOptions, columnNamed } from './definitions.js'
import { ALLOWED_EXTENSIONS, INVALID_LOG, extensionOf } from './files.js'
import { SLOW_MODE_MAX_ROWS, bad, eventLogBody, readInto, type TrainingTimes, type UploadLimits } from './flows.js'
import { stopForRedefinition } from './lifecycle.js'
import { preprocessAgain } from './projects.js'
import { escapedValidationError } from './validation.js'
import type { PrpmStore, StoredDefinition } from './store.js'
import type { StreamStore } from './stream-store.js'
import { LogSummary, type Form } from './upload.js'

const JSON_TYPE = { 'content-type': 'application/json' }
const notFound = (detail: string) => new VendorError(404, { detail }, JSON_TYPE)

/** The statuses a re-upload is taken in. */
const REUPLOADABLE = new Set(['TRAINED', 'STREAMING', 'SIMULATING', 'ERROR'])

/** GET /event_log/all: PrCore's query has no ORDER BY; id order is what its table gives. */
export function listEventLogs(store: PrpmStore, skip: number, limit: number) {
  return { message: 'Event logs retrieved successfully', event_logs: store.eventLogs(skip, limit).map(eventLogBody) }
}

export function getEventLog(store: PrpmStore, eventLogId: number) {
  const log = store.eventLog(eventLogId)
  if (!log) throw notFound('Event log not found')
  return { message: 'Event log retrieved successfully', event_log: eventLogBody(log) }
}

/** GET /event_log/{id}/definition: the stored definition's columns (JSONB order) beside the log's first rows (file order). */
export function eventLogDefinition(store: PrpmStore, eventLogId: number) {
  const log = store.eventLog(eventLogId)
  if (!log) throw notFound('Event log not found')
  if (!log.definition) throw notFound('Event log definition not found')
  const { columns_definition: columns } = JSON.parse(log.definition) as StoredDefinition
  return {
    message: 'Event log definition retrieved successfully',
    event_log_id: log.id,
    columns_header: Object.keys(columns),
    columns_old_definition: Object.values(columns),
    columns_data: JSON.parse(log.head) as string[][],
  }
}

export interface ReuploadAnswer {
  message: string
  event_log_id: number
  received_definition: StoredDefinition['columns_definition']
  activities_count: Record<string, number>
  outcome_options: string[]
  treatment_options: string[]
}

/**
 * PUT /event_log/{id}/upload, in PrCore's order of checks. The stream ends as for a redefinition,
 * the log's name and its `original` file change, and pre-processing starts again from the first
 * upload (PrCore reads its first dataframe again). What it answers is PrCore's 400 (its response
 * model wants a resources_count the handler never gives) unless the intended 200 is configured.
 */
export async function reuploadEventLog(
  store: PrpmStore, streams: StreamStore, eventLogId: number, form: Form, limits: UploadLimits, now: () => number,
  options: TrainingTimes & { reuploadAnswer: 'faithful' | 'intended' },
): Promise<ReuploadAnswer> {
  const file = form.files.get('file')
  if (!file || !ALLOWED_EXTENSIONS.includes(extensionOf(file.filename))) throw bad(INVALID_LOG)
  const separator = form.fields.get('separator') ?? ','
  const check = () => {
    const log = store.eventLog(eventLogId)
    if (!log) throw notFound('Event log not found')
    const projectId = store.projectOfEventLog(eventLogId)
    const project = projectId === undefined ? undefined : store.project(projectId)
    if (!project) throw notFound('Project not found')
    if (!REUPLOADABLE.has(project.status)) throw bad('Project not ready')
    // A log with a project is defined: POST /project requires it.
    return { log, project, definition: JSON.parse(log.definition as string) as StoredDefinition }
  }
  check()
  const summary = await readInto(new LogSummary(), file, separator, limits, null)
  const bytes = await fs.promises.readFile(file.path)
  const { log, project, definition } = check()
  const columns = summary.columnNames
  if (Object.keys(definition.columns_definition).some((column) => !columns.includes(column))) throw bad('Event log columns mismatch with previous definition')
  if (!definition.fast_mode && summary.rowCount > SLOW_MODE_MAX_ROWS) throw bad('Fast mode enforced')

  store.transaction(() => {
    const at = now()
    stopForRedefinition(store, streams, project.id, at)
    store.replaceEventLogFile(log.id, file.filename, extensionOf(file.filename), bytes, at)
    preprocessAgain(store, project.id, at, options)
  })
  if (options.reuploadAnswer === 'faithful') {
    throw escapedValidationError([{ loc: ['response', 'resources_count'], msg: 'field required', type: 'value_error.missing' }])
  }
  return intendedReuploadAnswer(log.id, definition, summary)
}

/** What PrCore's re-upload handler means to answer (the docs' 200): the new file's activities beside the stored definition. */
export function intendedReuploadAnswer(eventLogId: number, definition: StoredDefinition, summary: LogSummary): ReuploadAnswer {
  const received = definition.columns_definition
  // A defined log has its ACTIVITY column (PUT /event_log requires one).
  const activity = columnNamed(received, 'ACTIVITY') as string
  return {
    message: 'Event log updated',
    event_log_id: eventLogId,
    received_definition: received,
    activities_count: Object.fromEntries([...(summary.values.get(activity) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1])),
    outcome_options: availableOptions(received, 'outcome'),
    treatment_options: availableOptions(received, 'treatment'),
  }
}

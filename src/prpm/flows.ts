import { randomAlphanumeric } from '../random-key.js'
import fs from 'node:fs'
import type { Config } from '../config.js'
import { VendorError } from '../errors.js'
import {
  availableOptions, columnNamed, inferDefinition, jsonbOrdered, nullablePythonDateTime, pythonDateTime, storedConditions,
  validateColumnsDefinition, validateConditionGroups, type ColumnsDefinition,
} from './definitions.js'
import { PrpmErrors, prpmErrorMapping } from './errors.js'
import { ALLOWED_EXTENSIONS, ContentTooLargeError, EventLogFileError, INVALID_LOG, extensionOf, readEventLog } from './files.js'
import { PLUGINS, PLUGIN_INFO, applicablePlugins, type PluginKey } from './plugins.js'
import { prescribe } from './prescriptions.js'
import type {
  ColumnsDefinitionRequest, CreateProjectRequest, EventLog, Plugin, Project, ProjectStatus, UpdateEventLogResponse, UploadEventLogResponse,
} from './schemas.js'
import type { EventLogRow, NewResult, PluginStatus, ProjectDetailsRow, ProjectPluginRow, PrpmStore, StoredDefinition } from './store.js'
import { stopForRedefinition } from './lifecycle.js'
import type { StreamStore } from './stream-store.js'
import { LogSummary, Table, type Form } from './upload.js'

const JSON_TYPE = { 'content-type': 'application/json' }
export const bad = (message: string) => new VendorError(400, { detail: message }, JSON_TYPE)

/**
 * How long a new project spends in PREPROCESSING and in TRAINING: the
 * settings RESULTBOX_PRPM_PREPROCESSING_SECONDS and ..._TRAINING_SECONDS,
 * whose defaults are PrCore's timings on BPIC 2012 (vendors.md: 35 s, 7 s).
 */
export type TrainingTimes = Pick<Config['prpm'], 'preprocessingMs' | 'trainingMs'>
/** When each plugin answers a dataset after the project is TRAINED: within about 2 s, alarm first as in the seed. */
export const PLUGIN_FINISH_MS: Record<PluginKey, number> = {
  'plugin-random-forest-alarm': 600,
  'plugin-knn-next-activity': 1_200,
  'plugin-causallift-treatment-effect': 1_800,
  'plugin-causallift-resource-allocation': 2_000,
}
/** PrCore refuses fast_mode=false on logs over a million events. */
export const SLOW_MODE_MAX_ROWS = 1_000_000

const READY_STATUSES = new Set<ProjectStatus>(['TRAINED', 'STREAMING', 'SIMULATING'])
const REDEFINABLE_STATUSES = new Set<ProjectStatus>(['WAITING', 'TRAINED', 'STREAMING', 'SIMULATING', 'ERROR'])

export interface UploadLimits {
  maxBytes: number
  tmpDir: string
}

/** FastAPI's 422 for a form field it could not use. */
function formFieldError(field: string, msg: string, type: string): VendorError {
  return new VendorError(422, { detail: [{ loc: ['body', field], msg, type }] }, JSON_TYPE)
}

/** Refuses a form without the file (422, as FastAPI checks Form() fields) or with text in its place. */
export function requireFile(form: Form, field: string) {
  if (form.textInFileFields.includes(field) && !form.files.has(field)) {
    throw formFieldError(field, "Expected UploadFile, received: <class 'str'>", 'value_error')
  }
  const file = form.files.get(field)
  if (!file) throw formFieldError(field, 'field required', 'value_error.missing')
  return file
}

export async function readInto<T extends LogSummary | Table>(
  sink: T, file: { filename: string; path: string }, separator: string, limits: UploadLimits, errorDetail: string | null,
): Promise<T> {
  try {
    await readEventLog(file.path, extensionOf(file.filename), sink, { separator, maxBytes: limits.maxBytes, tmpDir: limits.tmpDir })
  } catch (error) {
    if (error instanceof ContentTooLargeError) throw prpmErrorMapping.clientError(413, error.message)
    if (error instanceof EventLogFileError) throw bad(errorDetail ?? error.message)
    throw error
  }
  return sink
}

/** POST /event_log: the training log summarised into the store, the test file kept whole for its project. */
export async function uploadEventLog(store: PrpmStore, form: Form, limits: UploadLimits, now: number): Promise<UploadEventLogResponse> {
  const file = requireFile(form, 'file')
  const separator = form.fields.get('separator') ?? ','
  if (!ALLOWED_EXTENSIONS.includes(extensionOf(file.filename))) throw bad(INVALID_LOG)
  const test = form.files.get('test')
  if (test && !ALLOWED_EXTENSIONS.includes(extensionOf(test.filename))) throw bad(INVALID_LOG)

  const summary = await readInto(new LogSummary(), file, separator, limits, null)
  // PrCore only reads the test file once the project is created; a bad one then fails the project's result.
  const table = test ? (await readInto(new Table(), test, separator, limits, INVALID_LOG)).finish() : null
  const columns = summary.columnNames
  // Kept whole: the `original` download gives it back byte for byte, and the simulator replays its cases.
  const bytes = await fs.promises.readFile(file.path)
  const head = summary.headRows()
  const id = store.insertEventLog({
    file_name: file.filename, created_at: now, columns, row_count: summary.rowCount, values: summary.values, test: table, head,
    file: { extension: extensionOf(file.filename), separator, bytes },
  })
  return {
    message: 'Event log uploaded',
    event_log_id: id,
    columns_header: columns,
    columns_inferred_definition: columns.map(inferDefinition),
    columns_data: head,
  }
}

/** Value counts of the column with this definition, restricted to complete events when the counts allow it. */
export function countsOf(store: PrpmStore, eventLogId: number, definition: ColumnsDefinition, type: string): Record<string, number> {
  const column = columnNamed(definition, type)
  const counts: Record<string, number> = {}
  if (column === null) return counts
  for (const { value, count } of store.columnValues(eventLogId, column)) counts[value] = count
  return counts
}

/** PUT /event_log/{event_log_id} */
export function defineColumns(store: PrpmStore, streams: StreamStore, eventLogId: number, body: ColumnsDefinitionRequest, now: number): UpdateEventLogResponse {
  const log = store.eventLog(eventLogId)
  if (!log) throw new VendorError(404, { detail: 'Event log not found' }, JSON_TYPE)
  const projectId = store.projectOfEventLog(eventLogId)
  const project = projectId === undefined ? undefined : store.project(projectId)
  if (project && !REDEFINABLE_STATUSES.has(project.status)) throw bad('Project not ready')
  // Fastify fills the schema's defaults in (fast_mode true, the transitions START, COMPLETE, ATE_ABORT).
  const fastMode = body.fast_mode as boolean
  if (!fastMode && log.row_count > SLOW_MODE_MAX_ROWS) throw bad('Fast mode enforced')
  validateColumnsDefinition(body.columns_definition, body.case_attributes, JSON.parse(log.columns) as string[])

  const definition: StoredDefinition = {
    columns_definition: jsonbOrdered(body.columns_definition),
    case_attributes: body.case_attributes ?? null,
    fast_mode: fastMode,
    start_transition: body.start_transition as string,
    complete_transition: body.complete_transition as string,
    abort_transition: body.abort_transition as string,
    // A new definition drops the project-level one, as PrCore's set_definition does.
    outcome_definition: null,
    outcome_definition_negative: false,
    treatment_definition: null,
  }
  store.setDefinition(eventLogId, definition, now)
  // The outcome and treatment are gone with the old definition: the project waits for PUT /project/{id}/definition.
  if (project) stopForRedefinition(store, streams, project.id, now)
  const received = definition.columns_definition
  return {
    message: 'Event log updated',
    event_log_id: eventLogId,
    received_definition: received,
    activities_count: countsOf(store, eventLogId, received, 'ACTIVITY'),
    resources_count: countsOf(store, eventLogId, received, 'RESOURCE'),
    outcome_options: availableOptions(received, 'outcome'),
    treatment_options: availableOptions(received, 'treatment'),
  }
}

function newResultKey(store: PrpmStore): string {
  for (;;) {
    const key = randomAlphanumeric(8)
    if (!store.result(key)) return key
  }
}

export interface PluginPlan {
  plugin: PluginKey
  /** Sandbox ms after dispatch. */
  finishes_after_ms: number
  fails: boolean
}

export interface NewProject {
  event_log_id: number | null
  name: string
  /** The status it is created in; PREPROCESSING trains on the clock. */
  status: ProjectStatus
  preprocessing_ms: number
  training_ms: number
  plugins: { plugin: PluginKey; parameters: Record<string, unknown>; additional_info: Record<string, unknown> }[]
}

/** Where a new project's plugins stand: made at the end of pre-processing, loaded while the project streams. */
function pluginStatusFor(status: ProjectStatus): PluginStatus {
  if (status === 'WAITING' || status === 'PREPROCESSING') return 'TRAINING'
  if (status === 'SIMULATING') return 'STREAMING'
  return status
}

/** Stores a project with its plugins; a project that trains starts PREPROCESSING and moves on with the clock. */
export function insertProject(store: PrpmStore, project: NewProject, now: number): number {
  const id = store.nextProjectId()
  const trains = project.status === 'PREPROCESSING'
  const trainingAt = trains ? now + project.preprocessing_ms : null
  store.insertProject({ id, status: project.status })
  store.insertProjectDetails({
    project_id: id, event_log_id: project.event_log_id, name: project.name, description: null, error: null,
    created_at: now, updated_at: null, training_at: trainingAt, trained_at: trains ? now + project.preprocessing_ms + project.training_ms : null,
  })
  project.plugins.forEach((plugin, position) => {
    store.insertProjectPlugin({
      project_id: id, position, plugin_key: plugin.plugin, created_at: trainingAt ?? now,
      parameters: JSON.stringify(jsonbOrdered({ ...PLUGIN_INFO[plugin.plugin].parameters, ...plugin.parameters })),
      additional_info: JSON.stringify(jsonbOrdered(plugin.additional_info)),
      status: pluginStatusFor(project.status), error: null,
    })
  })
  store.advanceTraining(now)
  return id
}

export interface Dataset {
  columns: string[]
  rows: (string | null)[][]
}

/** Sort key of a timestamp string; unparsable ones go last (pandas' NaT), ties keep file order. */
export const timeOf = (value: string | null | undefined) => {
  const time = value == null ? Number.NaN : Date.parse(value.includes('T') || !value.includes(' ') ? value : value.replace(' ', 'T'))
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time
}

/** PrCore's get_transition_recognized_dataframe: which events of a dataset count. */
export function recognisedRows(dataset: Dataset, definition: StoredDefinition): (string | null)[][] {
  const column = columnNamed(definition.columns_definition, 'TRANSITION')
  if (column === null) return dataset.rows
  const index = dataset.columns.indexOf(column)
  const upper = (row: (string | null)[]) => (row[index] ?? 'nan').toUpperCase()
  const starts = dataset.rows.filter((row) => upper(row) === definition.start_transition).length
  const completes = dataset.rows.filter((row) => upper(row) === definition.complete_transition).length
  if (starts === 0 && completes === 0) return dataset.rows
  if (starts === 0) return dataset.rows.filter((row) => upper(row) === definition.complete_transition)
  if (completes === 0) return dataset.rows.filter((row) => upper(row) === definition.start_transition)
  return dataset.rows.filter((row) => [definition.complete_transition, definition.abort_transition].includes(upper(row)))
}

/**
 * Turns an ongoing dataset into the cases of a result: grouped by the case id
 * column, case ids in (string) order as pandas' groupby gives them, events as
 * strings in `columns` order sorted by start time, "nan" for missing.
 * Returns null when the dataset lacks a defined column (PrCore's ValueError).
 */
export function casesOf(dataset: Dataset, definition: StoredDefinition): { case_id: string; events: string[][] }[] | null {
  for (const [column, type] of Object.entries(definition.columns_definition)) {
    if (type !== null && !dataset.columns.includes(column)) return null
  }
  for (const column of definition.case_attributes ?? []) if (!dataset.columns.includes(column)) return null
  const caseIndex = dataset.columns.indexOf(columnNamed(definition.columns_definition, 'CASE_ID') as string)
  // A definition has a TIMESTAMP, or a START_TIMESTAMP and an END_TIMESTAMP (validateColumnsDefinition).
  const timeColumn = columnNamed(definition.columns_definition, 'TIMESTAMP') ?? columnNamed(definition.columns_definition, 'START_TIMESTAMP')
  const timeIndex = dataset.columns.indexOf(timeColumn as string)
  const rows = recognisedRows(dataset, definition)
    .map((row, position) => ({ row, position, time: timeOf(row[timeIndex]) }))
    .sort((a, b) => a.time - b.time || a.position - b.position)
  const byCase = new Map<string, string[][]>()
  for (const { row } of rows) {
    const events = row.map((value) => value ?? 'nan')
    const caseId = events[caseIndex] as string
    const list = byCase.get(caseId)
    if (list) list.push(events)
    else byCase.set(caseId, [events])
  }
  return [...byCase.keys()].sort().map((caseId) => ({ case_id: caseId, events: byCase.get(caseId) as string[][] }))
}

/** The definition a project's datasets are read with; null for a project without a defined event log (fixture project 2). */
export function definitionOf(
  store: PrpmStore, projectId: number,
): { definition: StoredDefinition; eventLogId: number; trainedAt: number | null } | null {
  const details = store.projectDetails(projectId)
  const log = details?.event_log_id == null ? undefined : store.eventLog(details.event_log_id)
  if (!log?.definition) return null
  return { definition: JSON.parse(log.definition) as StoredDefinition, eventLogId: log.id, trainedAt: (details as ProjectDetailsRow).trained_at }
}

/**
 * Stores a result for a project's dataset: every plugin the project trained is
 * expected and finishes at `dispatchAt` + its offset (a failing one with no
 * prescriptions). Returns null when the dataset does not fit the definition.
 */
export function dispatchResult(
  store: PrpmStore,
  projectId: number,
  dataset: Dataset,
  now: number,
  options: { resultKey?: string; plans?: PluginPlan[] } = {},
): { resultKey: string; due: { plugin: PluginKey; at: number }[] } | null {
  const found = definitionOf(store, projectId)
  if (!found) return null
  const { definition, eventLogId, trainedAt } = found
  const cases = casesOf(dataset, definition)
  if (!cases) return null
  // Every plugin that will have trained answers (a streaming one too); one in ERROR or disabled is left out.
  const plugins = store.projectPlugins(projectId).filter((plugin) => plugin.status !== 'ERROR' && plugin.disabled === 0)
  const dispatchAt = Math.max(now, trainedAt ?? now)
  const plans = options.plans ?? plugins.map((plugin) => ({ plugin: plugin.plugin_key, finishes_after_ms: PLUGIN_FINISH_MS[plugin.plugin_key], fails: false }))
  const due = plans.map((plan) => ({ plugin: plan.plugin, at: dispatchAt + plan.finishes_after_ms }))
  const resultKey = options.resultKey ?? newResultKey(store)
  // Every stored definition has an ACTIVITY column: PUT /event_log and the fixture loader require one.
  const activityColumn = columnNamed(definition.columns_definition, 'ACTIVITY') as string
  const trainingActivities = store.columnValues(eventLogId, activityColumn).map((entry) => entry.value)
  const activityIndex = dataset.columns.indexOf(activityColumn)
  // A training log whose activities are all missing still predicts something: the dataset's own (never empty, a case has an event).
  const activities = trainingActivities.length > 0
    ? trainingActivities
    : [...new Set(cases.flatMap((item) => item.events.map((event) => event[activityIndex] as string)))]
  const parameters = new Map(plugins.map((plugin) => [plugin.plugin_key, JSON.parse(plugin.parameters) as Record<string, unknown>]))
  const context = {
    resultKey,
    encoding: (plugin: PluginKey) => String(parameters.get(plugin)?.encoding ?? 'SIMPLE_INDEX'),
    activities,
    treatment: definition.treatment_definition,
    // Only planned plugins prescribe, and every plan has a due time.
    finishesAt: (plugin: PluginKey) => (due.find((entry) => entry.plugin === plugin) as { at: number }).at,
  }
  const failing = new Set(plans.filter((plan) => plan.fails).map((plan) => plan.plugin))
  const result: NewResult = {
    result_key: resultKey,
    project_id: projectId,
    created_at: now,
    cases_count: cases.length,
    columns: dataset.columns,
    columns_definition: definition.columns_definition,
    case_attributes: definition.case_attributes,
    expected_plugins: plans.map((plan) => plan.plugin),
    schedule: [...due].sort((a, b) => a.at - b.at).map((entry) => ({ plugin: entry.plugin, due_at: entry.at })),
    cases: cases.map((item) => ({
      case_id: item.case_id,
      events: item.events,
      prescriptions: plans
        .filter((plan) => !failing.has(plan.plugin))
        .flatMap((plan) => prescribe(context, plan.plugin, item.case_id, item.events).map((body) => ({ plugin: plan.plugin, body }))),
    })),
  }
  store.insertResult(result)
  return { resultKey, due }
}

/** POST /project */
export function createProject(
  store: PrpmStore, body: CreateProjectRequest, now: number, times: TrainingTimes,
): { project_id: number; result_key: string | null } {
  const log = store.eventLog(body.event_log_id)
  if (!log) throw bad('Event log not found')
  if (!log.definition) throw bad('Event log definition not found')
  if (store.projectOfEventLog(log.id) !== undefined) throw bad('Project already existed for this event log')
  const definition = JSON.parse(log.definition) as StoredDefinition
  const columns = definition.columns_definition
  if (body.positive_outcome && body.negative_outcome) throw bad('Project definition conflict')
  const outcome = body.positive_outcome ?? body.negative_outcome ?? null
  if (outcome) validateConditionGroups(outcome, columns)
  if (body.treatment) validateConditionGroups(body.treatment, columns)

  definition.outcome_definition = jsonbOrdered(storedConditions(outcome))
  definition.outcome_definition_negative = !body.positive_outcome && Boolean(body.negative_outcome)
  definition.treatment_definition = jsonbOrdered(storedConditions(body.treatment))
  store.updateDefinition(log.id, definition, now)
  const additionalInfo = body.additional_info ?? {}
  const parameters = body.parameters ?? {}
  const projectId = insertProject(store, {
    event_log_id: log.id,
    name: log.file_name,
    status: 'PREPROCESSING',
    preprocessing_ms: times.preprocessingMs,
    training_ms: times.trainingMs,
    plugins: applicablePlugins(outcome !== null, Boolean(body.treatment), additionalInfo).map((plugin) => ({
      plugin, parameters: parameters[plugin] ?? {}, additional_info: additionalInfo[plugin] ?? {},
    })),
  }, now)
  const test = store.takeTest(log.id)
  // A test file that does not fit the definition gives no result_key, as PrCore's get_ongoing_dataset_result_key.
  const dispatched = test ? dispatchResult(store, projectId, test, now) : null
  return { project_id: projectId, result_key: dispatched?.resultKey ?? null }
}

/** POST /project/{project_id}/result, after the file has been read. */
export async function uploadDataset(store: PrpmStore, projectId: number, form: Form, limits: UploadLimits, now: number) {
  const file = requireFile(form, 'file')
  const separator = form.fields.get('seperator') ?? ','
  if (!ALLOWED_EXTENSIONS.includes(extensionOf(file.filename))) throw bad(INVALID_LOG)
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (project.status === 'ERROR') throw PrpmErrors.projectInError()
  if (!READY_STATUSES.has(project.status)) throw bad('Project not ready')
  const dataset = (await readInto(new Table(), file, separator, limits, 'There was an error processing the dataset')).finish()
  const dispatched = store.transaction(() => dispatchResult(store, projectId, dataset, now))
  if (!dispatched) throw bad('There was an error processing the dataset')
  return { message: 'Ongoing dataset uploaded successfully', project_id: projectId, result_key: dispatched.resultKey }
}

/** The project as PrCore's Project model serialises it, plugins shown once preprocessing is over. */
export function projectBody(store: PrpmStore, projectId: number, now: number): Project {
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  const details = store.projectDetails(projectId)
  const log = details?.event_log_id == null ? undefined : store.eventLog(details.event_log_id)
  // A new project's plugins are made at the end of its pre-processing; a redefined project's stay listed throughout.
  const unmade = project.status === 'PREPROCESSING' || project.status === 'WAITING'
  const plugins = store.projectPlugins(projectId).filter((plugin) => !(unmade && plugin.status === 'TRAINING'))
  return {
    name: details?.name ?? `project-${projectId}`,
    description: details?.description ?? null,
    status: project.status,
    id: projectId,
    created_at: pythonDateTime(details?.created_at ?? 0),
    updated_at: nullablePythonDateTime(details?.updated_at ?? null),
    error: details?.error ?? null,
    event_log: log ? eventLogBody(log) : null,
    plugins: plugins.map((plugin) => pluginBody(plugin)),
  }
}

/** A plugin row as PrCore's Plugin model serialises it. */
export function pluginBody(plugin: ProjectPluginRow): Plugin {
  return {
    id: plugin.id,
    created_at: pythonDateTime(plugin.created_at),
    updated_at: nullablePythonDateTime(plugin.updated_at),
    key: plugin.plugin_key,
    prescription_type: PLUGINS[plugin.plugin_key].type,
    name: PLUGINS[plugin.plugin_key].name,
    description: PLUGIN_INFO[plugin.plugin_key].description,
    parameters: JSON.parse(plugin.parameters) as Record<string, unknown>,
    additional_info: JSON.parse(plugin.additional_info) as Record<string, unknown>,
    status: plugin.status,
    error: plugin.error,
    disabled: plugin.disabled === 1,
  }
}

/** An event log as PrCore's EventLog model serialises it, its definition null until defined. */
export function eventLogBody(log: EventLogRow): EventLog {
  return {
    file_name: log.file_name,
    id: log.id,
    created_at: pythonDateTime(log.created_at),
    updated_at: nullablePythonDateTime(log.updated_at),
    definition: log.definition === null
      ? null
      : {
          ...(JSON.parse(log.definition) as StoredDefinition),
          id: log.id,
          created_at: pythonDateTime(log.definition_created_at as number),
          updated_at: nullablePythonDateTime(log.definition_updated_at),
        },
  }
}

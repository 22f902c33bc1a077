import { Value } from '@sinclair/typebox/value'
import type { FastifySchemaValidationError } from 'fastify'
import { loadConfig } from '../config.js'
import { VendorError } from '../errors.js'
import type { OperationExamples } from '../schemas.js'
import { inferDefinition, jsonbOrdered } from './definitions.js'
import { PrpmErrors, prpmErrorMapping } from './errors.js'
import { INVALID_LOG } from './files.js'
import { loadPrpmFixture, seedEventLog } from './fixtures.js'
import { bad, createProject, defineColumns, projectBody, requireFile, type TrainingTimes } from './flows.js'
import { PLUGIN_INFO, applicablePlugins, pluginForPrescriptionType } from './plugins.js'
import { readResult, type ResultRules } from './results.js'
import { ColumnsDefinitionRequest, type CreateProjectRequest, type Fixture, type FixtureResult } from './schemas.js'
import type {
  EventLogRow, NewEventLog, NewResult, ProjectDetailsRow, ProjectPluginRow, ProjectRow, PrpmStore, ResultPluginRow, ResultRow, StoredDefinition,
} from './store.js'
import { LogSummary } from './upload.js'
import { pydanticError } from './validation.js'

/**
 * Sandbox time of the examples: the store is seeded, and the example client
 * works, at this instant. PrPM's fixture has no times of its own; a fixed one
 * keeps the document the same on every run.
 */
export const PRPM_EXAMPLE_TIME = Date.parse('2026-01-01T00:00:00.000Z')

/** What the vendor's builders read and write of the store. */
type StoreUse = Pick<
  PrpmStore,
  | 'project' | 'projectDetails' | 'eventLog' | 'projectPlugins' | 'projectOfEventLog' | 'columnValues' | 'nextProjectId'
  | 'insertProject' | 'insertProjectDetails' | 'insertProjectPlugin' | 'insertEventLog' | 'setDefinition' | 'updateDefinition'
  | 'takeTest' | 'advanceTraining' | 'result' | 'plugins' | 'cases' | 'deleteResult' | 'insertResult' | 'finishDuePlugins' | 'transaction'
>

interface StoredResult {
  row: ResultRow
  plugins: (ResultPluginRow & { due_at: number; schedule_position: number })[]
  cases: NewResult['cases']
}

/**
 * PrpmStore's rows in memory, with its ids, orders and timestamps: the
 * vendor's own builders (readResult, projectBody, defineColumns,
 * createProject) answer from it as they would from SQLite, and building the
 * document never opens the database.
 */
class ExampleStore implements StoreUse {
  private readonly projects = new Map<number, ProjectRow>()
  private readonly details = new Map<number, ProjectDetailsRow>()
  private readonly projectPluginRows: ProjectPluginRow[] = []
  private readonly logs = new Map<number, EventLogRow>()
  private readonly values = new Map<number, Map<string, Map<string, number>>>()
  private readonly tests = new Map<number, NonNullable<NewEventLog['test']>>()
  private readonly results = new Map<string, StoredResult>()

  project(id: number): ProjectRow | undefined {
    return this.projects.get(id)
  }

  projectDetails(projectId: number): ProjectDetailsRow | undefined {
    return this.details.get(projectId)
  }

  eventLog(id: number): EventLogRow | undefined {
    return this.logs.get(id)
  }

  projectPlugins(projectId: number): ProjectPluginRow[] {
    return this.projectPluginRows.filter((plugin) => plugin.project_id === projectId).sort((a, b) => a.position - b.position)
  }

  projectOfEventLog(eventLogId: number): number | undefined {
    return [...this.details.values()].find((details) => details.event_log_id === eventLogId)?.project_id
  }

  /** Most frequent first; a stable sort keeps ties in order of first appearance. */
  columnValues(eventLogId: number, column: string): { value: string; count: number }[] {
    const counts = this.values.get(eventLogId)?.get(column) ?? new Map<string, number>()
    return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count)
  }

  nextProjectId(): number {
    return Math.max(0, ...this.projects.keys()) + 1
  }

  insertProject(project: ProjectRow): void {
    this.projects.set(project.id, { ...project })
  }

  insertProjectDetails(details: ProjectDetailsRow): void {
    this.details.set(details.project_id, { ...details })
  }

  insertProjectPlugin(plugin: Omit<ProjectPluginRow, 'id'>): void {
    this.projectPluginRows.push({ id: this.projectPluginRows.length + 1, ...plugin })
  }

  insertEventLog(log: NewEventLog): number {
    const id = Math.max(0, ...this.logs.keys()) + 1
    this.logs.set(id, {
      id, file_name: log.file_name, created_at: log.created_at, updated_at: null, columns: JSON.stringify(log.columns),
      row_count: log.row_count, definition: null, definition_created_at: null, definition_updated_at: null,
    })
    this.values.set(id, log.values)
    if (log.test) this.tests.set(id, log.test)
    return id
  }

  setDefinition(eventLogId: number, definition: StoredDefinition, now: number): void {
    const log = this.logs.get(eventLogId) as EventLogRow
    log.definition = JSON.stringify(definition)
    log.definition_updated_at = log.definition_created_at === null ? null : now
    log.definition_created_at ??= now
    log.updated_at = now
  }

  updateDefinition(eventLogId: number, definition: StoredDefinition, now: number): void {
    const log = this.logs.get(eventLogId) as EventLogRow
    log.definition = JSON.stringify(definition)
    log.definition_updated_at = now
  }

  takeTest(eventLogId: number): NonNullable<NewEventLog['test']> | undefined {
    const test = this.tests.get(eventLogId)
    this.tests.delete(eventLogId)
    return test
  }

  advanceTraining(now: number): void {
    const training = (statuses: string[]) =>
      [...this.projects.values()].filter((project) => statuses.includes(project.status)).map((project) => ({
        project, details: this.details.get(project.id) as ProjectDetailsRow,
      }))
    for (const { project, details } of training(['PREPROCESSING', 'TRAINING'])) {
      if (details.trained_at === null || details.trained_at > now) continue
      project.status = 'TRAINED'
      details.updated_at = details.trained_at
    }
    for (const { project, details } of training(['PREPROCESSING'])) {
      if (details.training_at === null || details.training_at > now) continue
      project.status = 'TRAINING'
      details.updated_at = details.training_at
    }
  }

  result(resultKey: string): ResultRow | undefined {
    return this.results.get(resultKey)?.row
  }

  plugins(resultKey: string): ResultPluginRow[] {
    return (this.results.get(resultKey)?.plugins ?? [])
      .map(({ plugin_key, expected_position, finished_at, finish_seq }) => ({ plugin_key, expected_position, finished_at, finish_seq }))
      .sort((a, b) => a.expected_position - b.expected_position)
  }

  /** Each case with the prescriptions of the finished plugins, in the order they finished. */
  cases(resultKey: string): ReturnType<PrpmStore['cases']> {
    const result = this.results.get(resultKey)
    if (!result) return []
    const finishSeq = new Map(
      result.plugins.filter((plugin) => plugin.finish_seq !== null).map((plugin) => [plugin.plugin_key, plugin.finish_seq as number]),
    )
    return result.cases.map((item) => ({
      case_id: item.case_id,
      events: item.events,
      prescriptions: item.prescriptions
        .filter(({ plugin }) => finishSeq.has(plugin))
        .sort((a, b) => (finishSeq.get(a.plugin) as number) - (finishSeq.get(b.plugin) as number))
        .map(({ body }) => body),
    }))
  }

  deleteResult(resultKey: string): void {
    this.results.delete(resultKey)
  }

  insertResult(result: NewResult): void {
    this.results.set(result.result_key, {
      row: {
        result_key: result.result_key, project_id: result.project_id, created_at: result.created_at, cases_count: result.cases_count,
        columns: JSON.stringify(result.columns), columns_definition: JSON.stringify(result.columns_definition),
        case_attributes: JSON.stringify(result.case_attributes),
      },
      plugins: result.schedule.map(({ plugin, due_at }, schedulePosition) => ({
        plugin_key: plugin, expected_position: result.expected_plugins.indexOf(plugin), finished_at: null, finish_seq: null,
        due_at, schedule_position: schedulePosition,
      })),
      cases: result.cases,
    })
  }

  finishDuePlugins(now: number): number {
    const due = [...this.results.values()]
      .flatMap((result) => result.plugins
        .filter((plugin) => plugin.finished_at === null && plugin.due_at <= now)
        .map((plugin) => ({ result, plugin })))
      .sort((a, b) => a.plugin.due_at - b.plugin.due_at || a.plugin.schedule_position - b.plugin.schedule_position)
    for (const { result, plugin } of due) {
      plugin.finished_at = plugin.due_at
      plugin.finish_seq = Math.max(0, ...result.plugins.map((other) => other.finish_seq ?? 0)) + 1
    }
    return due.length
  }

  transaction<T>(work: () => T): T {
    return work()
  }

  /** For the vendor's functions, which take the SQLite store. */
  asStore(): PrpmStore {
    return this as StoreUse as PrpmStore
  }
}

/** The fixture stored as seedPrpm stores it, each plugin due its offset after `seededAt`. */
function seededStore(fixture: Fixture, seededAt: number): ExampleStore {
  const store = new ExampleStore()
  for (const project of fixture.projects) {
    store.insertProject({ id: project.id, status: project.status })
    const log = project.event_log
    const eventLogId = log ? seedEventLog(store.asStore(), log, seededAt) : null
    store.insertProjectDetails({
      project_id: project.id, event_log_id: eventLogId, name: project.name ?? log?.file_name ?? `project-${project.id}`,
      description: null, error: null, created_at: seededAt, updated_at: null, training_at: null, trained_at: null,
    })
    if (!log) continue
    applicablePlugins(log.outcome_definition !== null, log.treatment_definition !== null, {}).forEach((plugin, position) => {
      store.insertProjectPlugin({
        project_id: project.id, position, plugin_key: plugin, created_at: seededAt,
        parameters: JSON.stringify(jsonbOrdered(PLUGIN_INFO[plugin].parameters)), additional_info: '{}', status: 'TRAINED', error: null,
      })
    })
  }
  for (const result of fixture.results) {
    store.insertResult({
      result_key: result.result_key, project_id: result.project_id, created_at: seededAt, cases_count: result.cases_count,
      columns: result.columns, columns_definition: result.columns_definition, case_attributes: result.case_attributes,
      expected_plugins: result.expected_plugins,
      schedule: result.plugin_timeline.map((entry) => ({ plugin: entry.plugin, due_at: seededAt + Math.round(entry.finishes_after_seconds * 1000) })),
      cases: Object.entries(result.cases).map(([caseId, item]) => ({
        case_id: caseId,
        events: item.events,
        prescriptions: item.prescriptions.map((body) => ({ plugin: pluginForPrescriptionType(body.type), body })),
      })),
    })
  }
  return store
}

/** The client's requests in the workflow examples, from the fixture. */
export interface PrpmExampleWorkflow {
  /** The training log uploaded: the fixture result's ongoing cases, in its columns, as a CSV named so. */
  log: { fileName: string; columns: string[]; rows: string[][] }
  /** PUT /event_log/{id}: the columns as the fixture's project defines them. */
  definition: ColumnsDefinitionRequest
  /** POST /project, less the event_log_id: the fixture project's outcome and treatment. */
  project: Omit<CreateProjectRequest, 'event_log_id'>
  /** The project and result the dataset examples name. */
  result: FixtureResult
}

/**
 * The workflow the examples follow: the first fixture result whose project
 * has an event log with the result's columns. Null when the fixture has none.
 */
export function prpmExampleWorkflow(fixture: Fixture): PrpmExampleWorkflow | null {
  for (const result of fixture.results) {
    const log = fixture.projects.find((project) => project.id === result.project_id)?.event_log
    if (!log || JSON.stringify(log.columns) !== JSON.stringify(result.columns)) continue
    const conditions = (groups: typeof log.outcome_definition) =>
      groups?.map((group) => group.map(({ column, operator, value }) => ({ column, operator, value }))) ?? null
    return {
      log: {
        fileName: `${result.result_key}-cases.csv`,
        columns: result.columns,
        rows: Object.values(result.cases).flatMap((item) => item.events),
      },
      definition: { columns_definition: log.columns_definition, case_attributes: log.case_attributes },
      project: { positive_outcome: conditions(log.outcome_definition), treatment: conditions(log.treatment_definition) },
      result,
    }
  }
  return null
}

/** The VendorError `work` throws: the vendor's own refusal of that request. */
function refusal(work: () => unknown): unknown {
  try {
    work()
  } catch (error) {
    if (error instanceof VendorError) return error.body
    throw error
  }
  throw new Error('the example request was not refused')
}

/** One schema failure as Fastify reports it, for pydantic's wording of it. */
const failure = (keyword: string, instancePath: string, params: Record<string, unknown>): FastifySchemaValidationError =>
  ({ keyword, instancePath, schemaPath: '', params })

type ByStatus = Record<number, Record<string, unknown>>

/** The client's upload, definition and project: what POST /event_log, PUT /event_log/{id} and POST /project answer. */
function workflowExamples(store: ExampleStore, workflow: PrpmExampleWorkflow, now: number, times: TrainingTimes) {
  const { log } = workflow
  const summary = new LogSummary()
  summary.columns(log.columns)
  // A fixture event says "nan" for a missing value, which is how the reader takes "nan" in a CSV.
  for (const row of log.rows) summary.event(log.columns.map((column, index) => [column, row[index] === 'nan' ? null : row[index] ?? null]))
  const eventLogId = store.insertEventLog({
    file_name: log.fileName, created_at: now, columns: summary.columnNames, row_count: summary.rowCount, values: summary.values, test: null,
  })
  // The handlers write their success messages inline: these copies are checked against the sandbox by test/examples.test.ts.
  const uploaded = {
    message: 'Event log uploaded',
    event_log_id: eventLogId,
    columns_header: summary.columnNames,
    columns_inferred_definition: summary.columnNames.map(inferDefinition),
    columns_data: summary.headRows(),
  }

  // Fastify fills the body's defaults in before the handler sees it.
  const definition = Value.Default(ColumnsDefinitionRequest, structuredClone(workflow.definition)) as ColumnsDefinitionRequest
  const withoutCaseId = Object.fromEntries(Object.entries(definition.columns_definition).filter(([, type]) => type !== 'CASE_ID'))
  const noCaseId = refusal(() => defineColumns(store.asStore(), eventLogId, { ...definition, columns_definition: withoutCaseId }, now))
  const eventLogNotFound = refusal(() => defineColumns(store.asStore(), eventLogId + 1, definition, now))
  const defined = defineColumns(store.asStore(), eventLogId, definition, now)

  const request: CreateProjectRequest = { event_log_id: eventLogId, ...workflow.project }
  const noEventLog = refusal(() => createProject(store.asStore(), { ...request, event_log_id: eventLogId + 1 }, now, times))
  const project = createProject(store.asStore(), request, now, times)
  const created = {
    message: 'Project created successfully', project: projectBody(store.asStore(), project.project_id, now), result_key: project.result_key,
  }
  const projectExists = refusal(() => createProject(store.asStore(), request, now, times))

  return {
    uploadEventLog: { 200: { uploaded } },
    defineColumns: { 200: { defined }, 400: { noCaseId }, 404: { eventLogNotFound } },
    createProject: { 200: { created }, 400: { eventLogNotFound: noEventLog, projectExists } },
    uploadDataset: {
      // The sandbox's result key is random; the fixture's own stands for it.
      200: {
        uploaded: { message: 'Ongoing dataset uploaded successfully', project_id: workflow.result.project_id, result_key: workflow.result.result_key },
      },
    },
  } satisfies Record<string, ByStatus>
}

/** Each status's examples from both sources, in status order. */
function merged(...parts: (ByStatus | undefined)[]): ByStatus {
  const byStatus: ByStatus = {}
  for (const part of parts) {
    for (const [status, named] of Object.entries(part ?? {})) byStatus[Number(status)] = { ...byStatus[Number(status)], ...named }
  }
  return Object.fromEntries(Object.entries(byStatus).filter(([, named]) => Object.keys(named).length > 0))
}

/**
 * Every PrPM operation's examples: the fixture seeded at PRPM_EXAMPLE_TIME,
 * its result read before and after its plugins finish, and a client that
 * uploads the result's cases as a log, defines it as the fixture's project
 * does and creates a project from it; each refusal from the vendor's own
 * builders. Default settings throughout.
 */
export function prpmExamples(fixturesDir: string): OperationExamples {
  const fixture = loadPrpmFixture(fixturesDir)
  const settings = loadConfig({}).prpm
  const rules: ResultRules = { oneShotRead: false, resultTtlSeconds: settings.resultTtlSeconds }
  const now = PRPM_EXAMPLE_TIME
  const store = seededStore(fixture, now)
  const workflow = prpmExampleWorkflow(fixture)

  // The seed result, read once its first plugin has finished (unless they all finish together) and once all have.
  const results: Record<string, unknown> = {}
  const result = workflow?.result ?? fixture.results[0]
  if (result) {
    const offsets = result.plugin_timeline.map((entry) => Math.round(entry.finishes_after_seconds * 1000))
    const first = Math.min(...offsets)
    if (offsets.some((offset) => offset > first)) {
      store.finishDuePlugins(now + first)
      results.processing = readResult(store.asStore(), result.project_id, result.result_key, now + first, rules)
    }
    const last = now + Math.max(...offsets)
    store.finishDuePlugins(last)
    results.complete = readResult(store.asStore(), result.project_id, result.result_key, last, rules)
  }

  // The result's project (or the first), and a project in error.
  const projects: Record<string, unknown> = {}
  const shown = [
    fixture.projects.find((project) => project.id === result?.project_id) ?? fixture.projects[0],
    fixture.projects.find((project) => project.status === 'ERROR'),
  ]
  for (const project of shown) {
    if (!project) continue
    projects[project.status === 'ERROR' ? 'inError' : project.status.toLowerCase()] = {
      message: 'Project retrieved successfully', project: projectBody(store.asStore(), project.id, now),
    }
  }
  const unknownProject = refusal(() => projectBody(store.asStore(), store.nextProjectId(), now))
  const flow = workflow ? workflowExamples(store, workflow, now, settings) : undefined

  const notAuthenticated = PrpmErrors.notAuthenticated().body
  const invalidToken = PrpmErrors.invalidToken().body
  const internal = { internal: prpmErrorMapping.internal().body }
  const bodyRefusals = {
    413: { tooLarge: prpmErrorMapping.clientError(413, '').body },
    415: { unsupportedMediaType: prpmErrorMapping.clientError(415, '').body },
  }
  const projectIdNotInteger = pydanticError([failure('type', '/project_id', { type: 'integer' })], 'params').body
  const fileMissing = refusal(() => requireFile({ files: new Map(), fields: new Map(), textInFileFields: [] }, 'file'))
  return {
    getResult: merged({
      200: results,
      400: { projectNotFound: PrpmErrors.projectNotFound().body, projectInError: PrpmErrors.projectInError().body },
      401: { notAuthenticated, invalidToken },
      404: { resultNotFound: PrpmErrors.resultNotFound().body },
      422: { projectIdNotInteger: prpmErrorMapping.invalidRequest({ part: 'params', parameter: 'project_id' }).body },
      500: internal,
    }),
    getProject: merged({
      200: projects,
      400: { projectNotFound: unknownProject },
      401: { notAuthenticated, invalidToken },
      422: { projectIdNotInteger },
      500: internal,
    }),
    uploadEventLog: merged(flow?.uploadEventLog, {
      400: { invalidLog: bad(INVALID_LOG).body, unparsableBody: PrpmErrors.unparsableBody().body },
      401: { notAuthenticated },
      ...bodyRefusals,
      422: { fileMissing },
      500: internal,
    }),
    defineColumns: merged(flow?.defineColumns, {
      401: { notAuthenticated },
      ...bodyRefusals,
      422: { definitionMissing: pydanticError([failure('required', '', { missingProperty: 'columns_definition' })], 'body').body },
      500: internal,
    }),
    createProject: merged(flow?.createProject, {
      401: { notAuthenticated },
      ...bodyRefusals,
      422: { eventLogIdMissing: pydanticError([failure('required', '', { missingProperty: 'event_log_id' })], 'body').body },
      500: internal,
    }),
    uploadDataset: merged(flow?.uploadDataset, {
      400: {
        projectNotFound: PrpmErrors.projectNotFound().body,
        projectInError: PrpmErrors.projectInError().body,
        notReady: bad('Project not ready').body,
        datasetUnreadable: bad('There was an error processing the dataset').body,
      },
      401: { notAuthenticated },
      ...bodyRefusals,
      422: { fileMissing, projectIdNotInteger },
      500: internal,
    }),
  }
}

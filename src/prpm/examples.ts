import { Value } from '@sinclair/typebox/value'
import type { FastifySchemaValidationError } from 'fastify'
import { loadConfig, type Config } from '../config.js'
import { scratchDatabase, type Db } from '../database.js'
import { refusalBody } from '../errors.js'
import type { OperationExamples } from '../schemas.js'
import { columnNamed, inferDefinition } from './definitions.js'
import { PrpmErrors, prpmErrorMapping } from './errors.js'
import { eventLogDefinition, getEventLog, intendedReuploadAnswer, listEventLogs } from './event-logs.js'
import { INVALID_LOG } from './files.js'
import { loadPrpmFixture, seedPrpm } from './fixtures.js'
import { bad, createProject, defineColumns, projectBody, requireFile, type TrainingTimes } from './flows.js'
import { availablePlugins, getPlugin, listPlugins, switchPlugin, updatePlugin } from './plugin-settings.js'
import { deleteProject, listProjects, redefineProject, updateProjectInfo } from './projects.js'
import { readResult, type ResultRules } from './results.js'
import { ColumnsDefinitionRequest, type CreateProjectRequest, type Fixture, type FixtureResult, type ProjectDefinitionRequest } from './schemas.js'
import { PRCORE_ROOT } from './api-schemas.js'
import { sseEvent } from './sse.js'
import { PrpmStore, type StoredDefinition } from './store.js'
import { StreamStore } from './stream-store.js'
import { beginStream, checkStart, clearStream, postEvent, stopStream, streamStarted } from './streams.js'
import { LogSummary } from './upload.js'
import { bodyMissing, escapedValidationError, pydanticError } from './validation.js'

/**
 * Sandbox time of the examples: the store is seeded, and the example client
 * works, at this instant. PrPM's fixture has no times of its own; a fixed one
 * keeps the document the same on every run.
 */
export const PRPM_EXAMPLE_TIME = Date.parse('2026-01-01T00:00:00.000Z')

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

/** One schema failure as Fastify reports it, for pydantic's wording of it. */
const failure = (keyword: string, instancePath: string, params: Record<string, unknown>): FastifySchemaValidationError =>
  ({ keyword, instancePath, schemaPath: '', params })

type ByStatus = Record<number, Record<string, unknown>>

/** The client's upload, definition and project: what POST /event_log, PUT /event_log/{id} and POST /project answer. */
function workflowExamples(store: PrpmStore, workflow: PrpmExampleWorkflow, now: number, times: TrainingTimes) {
  const { log } = workflow
  const summary = new LogSummary()
  summary.columns(log.columns)
  // A fixture event says "nan" for a missing value, which is how the reader takes "nan" in a CSV.
  for (const row of log.rows) summary.event(log.columns.map((column, index) => [column, row[index] === 'nan' ? null : row[index] ?? null]))
  const eventLogId = store.insertEventLog({
    file_name: log.fileName, created_at: now, columns: summary.columnNames, row_count: summary.rowCount, values: summary.values, test: null,
    head: summary.headRows(), file: null,
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
  const streams = new StreamStore(store.database)
  const noCaseId = refusalBody(() => defineColumns(store, streams, eventLogId, { ...definition, columns_definition: withoutCaseId }, now))
  const eventLogNotFound = refusalBody(() => defineColumns(store, streams, eventLogId + 1, definition, now))
  const defined = defineColumns(store, streams, eventLogId, definition, now)

  const request: CreateProjectRequest = { event_log_id: eventLogId, ...workflow.project }
  const noEventLog = refusalBody(() => createProject(store, { ...request, event_log_id: eventLogId + 1 }, now, times))
  const project = createProject(store, request, now, times)
  const created = {
    message: 'Project created successfully', project: projectBody(store, project.project_id, now), result_key: project.result_key,
  }
  const projectExists = refusalBody(() => createProject(store, request, now, times))

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
 * does and creates a project from it; then, on a second store seeded the same,
 * a client that works through the rest of the API (prpmManagementPlan); each
 * refusal from the vendor's own builders. Default settings throughout.
 */
export function prpmExamples(fixturesDir: string, migrationsDir: string): OperationExamples {
  const fixture = loadPrpmFixture(fixturesDir)
  const db = scratchDatabase(migrationsDir)
  const base = (() => {
    try {
      return examplesFrom(new PrpmStore(db), fixture, db)
    } finally {
      db.close()
    }
  })()
  // The rest of the API on a store of its own: the fixture as seeded, then a client that works through it (test/examples.test.ts does the same).
  const plan = prpmManagementPlan(fixture)
  const rest = (() => {
    if (!plan) return {}
    const scratch = scratchDatabase(migrationsDir)
    try {
      // The seed results play no part in these answers: only the projects are seeded.
      seedPrpm(scratch, { projects: fixture.projects, results: [] }, PRPM_EXAMPLE_TIME)
      return managementExamples(new PrpmStore(scratch), plan, PRPM_EXAMPLE_TIME, loadConfig({}))
    } finally {
      scratch.close()
    }
  })()
  return { ...base, ...withCommonRefusals(rest) }
}

function examplesFrom(store: PrpmStore, fixture: Fixture, db: Db): OperationExamples {
  const settings = loadConfig({}).prpm
  const rules: ResultRules = { oneShotRead: false, resultTtlSeconds: settings.resultTtlSeconds }
  const now = PRPM_EXAMPLE_TIME
  seedPrpm(db, fixture, now)
  const workflow = prpmExampleWorkflow(fixture)

  // The seed result, read once its first plugin has finished (unless they all finish together) and once all have.
  const results: Record<string, unknown> = {}
  const result = workflow?.result ?? fixture.results[0]
  if (result) {
    const offsets = result.plugin_timeline.map((entry) => Math.round(entry.finishes_after_seconds * 1000))
    const first = Math.min(...offsets)
    if (offsets.some((offset) => offset > first)) {
      store.finishDuePlugins(now + first)
      results.processing = readResult(store, result.project_id, result.result_key, now + first, rules)
    }
    const last = now + Math.max(...offsets)
    store.finishDuePlugins(last)
    results.complete = readResult(store, result.project_id, result.result_key, last, rules)
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
      message: 'Project retrieved successfully', project: projectBody(store, project.id, now),
    }
  }
  const unknownProject = refusalBody(() => projectBody(store, store.nextProjectId(), now))
  const flow = workflow ? workflowExamples(store, workflow, now, settings) : undefined

  const notAuthenticated = PrpmErrors.notAuthenticated().body
  const invalidToken = PrpmErrors.invalidToken().body
  const internal = { internal: prpmErrorMapping.internal().body }
  const bodyRefusals = {
    413: { tooLarge: prpmErrorMapping.clientError(413, '').body },
    415: { unsupportedMediaType: prpmErrorMapping.clientError(415, '').body },
  }
  const projectIdNotInteger = pydanticError([failure('type', '/project_id', { type: 'integer' })], 'params').body
  const fileMissing = refusalBody(() => requireFile({ files: new Map(), fields: new Map(), textInFileFields: [] }, 'file'))
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

// ---- The rest of PrCore's client API: projects, event logs, plugins, dataset downloads, streaming ----

/** An id no fixture row has: the refusals of unknown projects, event logs and plugins use it. */
export const PRPM_EXAMPLE_UNKNOWN_ID = 999

/** What the management examples do, in order, on the fixture as seeded (test/examples.test.ts sends the same requests). */
export interface PrpmManagementPlan {
  /** A TRAINED project with an event log: renamed; its first plugin switched off and on, then updated, which retrains it (it ends TRAINING). */
  projectId: number
  /** Another TRAINED project with an event log: streamed, stopped, streamed again, cleared, redefined, then deleted. */
  streamProjectId: number
  /** A project in ERROR, for the refusals that name one; null when the fixture has none. */
  inErrorId: number | null
  /** PUT /project/{projectId}. */
  info: { name: string; description: string }
  /** PUT /plugin/{id}, first with additional info only (no retraining), then with parameters. */
  additionalInfo: { additional_info: Record<string, unknown> }
  retrain: { parameters: Record<string, unknown> }
  /** POST /project/{streamProjectId}/stream/event: one event of its log, a string for every column; then the same event as its case's last. */
  event: Record<string, string>
  lastEvent: Record<string, string | boolean>
  /** The column whose value refuses the event when it is not a string. */
  objectColumn: string
  /** PUT /project/{streamProjectId}/definition: the outcome and treatment it was seeded with. */
  redefinition: ProjectDefinitionRequest
  /** PUT /event_log/{the first project's log}/upload: the fixture result's first events, as a CSV named so. */
  reupload: { fileName: string; columns: string[]; rows: string[][] }
}

const REUPLOAD_ROWS = 40

/** The plan from the fixture: null without two TRAINED projects with event logs and a result in their columns. */
export function prpmManagementPlan(fixture: Fixture): PrpmManagementPlan | null {
  const trained = fixture.projects.filter((project) => project.status === 'TRAINED' && project.event_log)
  const [first, second] = trained
  const log = second?.event_log
  const result = fixture.results.find((candidate) => JSON.stringify(candidate.columns) === JSON.stringify(first?.event_log?.columns))
  const firstEvent = result ? Object.values(result.cases)[0]?.events[0] : undefined
  if (!first || !second || !log || !result || !firstEvent) return null
  const source = new Map(result.columns.map((column, index) => [column, firstEvent[index] ?? 'nan']))
  const event = Object.fromEntries(log.columns.map((column) => [column, source.get(column) ?? 'nan']))
  const indicator = columnNamed(log.columns_definition, 'COMPLETE_INDICATOR') ?? 'COMPLETE_INDICATOR'
  const conditions = (groups: typeof log.outcome_definition) =>
    groups?.map((group) => group.map(({ column, operator, value }) => ({ column, operator, value }))) ?? null
  return {
    projectId: first.id,
    streamProjectId: second.id,
    inErrorId: fixture.projects.find((project) => project.status === 'ERROR')?.id ?? null,
    info: { name: 'Loan applications', description: 'BPIC 2012, as the client renamed it' },
    additionalInfo: { additional_info: { owner: 'loans team' } },
    retrain: { parameters: { encoding: 'FREQUENCY_BASED' } },
    event,
    lastEvent: { ...event, [indicator]: true },
    objectColumn: log.columns[0] as string,
    redefinition: { positive_outcome: conditions(log.outcome_definition), treatment: conditions(log.treatment_definition) },
    reupload: {
      fileName: `${result.result_key}-reupload.csv`,
      columns: result.columns,
      rows: Object.values(result.cases).flatMap((item) => item.events).slice(0, REUPLOAD_ROWS),
    },
  }
}

/**
 * What PUT /event_log/{id}/upload answers with RESULTBOX_PRPM_REUPLOAD_ANSWER=intended: the
 * handler builds it inline after reading the file, so it is built here from the same summary and
 * the same helpers (test/examples.test.ts checks it against the sandbox).
 */
function reuploadAnswer(store: PrpmStore, eventLogId: number, reupload: PrpmManagementPlan['reupload']) {
  const summary = new LogSummary()
  summary.columns(reupload.columns)
  for (const row of reupload.rows) summary.event(reupload.columns.map((column, index) => [column, row[index] === 'nan' ? null : row[index] ?? null]))
  return intendedReuploadAnswer(eventLogId, JSON.parse(store.eventLog(eventLogId)?.definition as string) as StoredDefinition, summary)
}

/** stream/start of a streaming project, which reads no file: its checks and its effect, synchronously. */
function startStreaming(store: PrpmStore, streams: StreamStore, projectId: number, now: number) {
  const kind = checkStart(store, projectId, 'streaming')
  beginStream(store, streams, projectId, kind, now, null)
  return streamStarted(projectId)
}

type ByOperation = Record<string, ByStatus>

/**
 * The client's tour of the rest of the API, in order, on the fixture as seeded: reads first, then
 * the first project renamed and its plugin switched and updated, the second streamed, cleared,
 * redefined and deleted. Each answer is the real function's; each refusal is what it throws or
 * the vendor's own error builder.
 */
function managementExamples(store: PrpmStore, plan: PrpmManagementPlan, now: number, config: Config): ByOperation {
  const settings = config.prpm
  const streams = new StreamStore(store.database)
  const unknown = PRPM_EXAMPLE_UNKNOWN_ID
  const { projectId, streamProjectId: streamed, inErrorId } = plan
  const eventLogId = store.projectDetails(projectId)?.event_log_id as number
  const pluginId = (store.projectPlugins(projectId)[0] as { id: number }).id
  const projectNotFound = PrpmErrors.projectNotFound().body
  const inError = inErrorId === null ? {} : { projectInError: PrpmErrors.projectInError().body }

  // Reads of the seed.
  const firstPage = listProjects(store, 1, 50, now)
  const pastTheEnd = listProjects(store, 2, 50, now)
  const eventLogs = listEventLogs(store, 0, 100)
  const eventLog = getEventLog(store, eventLogId)
  const eventLogNotFound = refusalBody(() => getEventLog(store, unknown))
  const definition = eventLogDefinition(store, eventLogId)
  const plugins = listPlugins(store, 0, 100)
  const available = availablePlugins(now, now)
  const plugin = getPlugin(store, pluginId)
  const pluginNotFound = refusalBody(() => getPlugin(store, unknown))
  const intended = reuploadAnswer(store, eventLogId, plan.reupload)

  // The first project: renamed; its plugin switched off and on, given additional info, then new parameters (it retrains).
  const updated = updateProjectInfo(store, projectId, plan.info, now)
  const disabled = switchPlugin(store, pluginId, 'disable', now)
  const alreadyDisabled = refusalBody(() => switchPlugin(store, pluginId, 'disable', now))
  const enabled = switchPlugin(store, pluginId, 'enable', now)
  const alreadyEnabled = refusalBody(() => switchPlugin(store, pluginId, 'enable', now))
  const invalidTrigger = refusalBody(() => switchPlugin(store, pluginId, 'toggle', now))
  const infoAdded = updatePlugin(store, pluginId, plan.additionalInfo, now, settings)
  const retraining = updatePlugin(store, pluginId, plan.retrain, now, settings)
  const projectNotReady = refusalBody(() => updatePlugin(store, pluginId, plan.retrain, now, settings))
  const switchNotReady = refusalBody(() => switchPlugin(store, pluginId, 'disable', now))
  const redefineNotReady = refusalBody(() => redefineProject(store, streams, projectId, plan.redefinition, now, settings))
  const postNotStreaming = refusalBody(() => postEvent(store, streams, projectId, plan.event, now, settings))

  // The second project: streamed (a reader hears it stop), streamed again, sent events, cleared.
  const notStarted = refusalBody(() => stopStream(store, streams, streamed, now))
  const streaming = startStreaming(store, streams, streamed, now)
  const stopped = stopStream(store, streams, streamed, now)
  const started = startStreaming(store, streams, streamed, now)
  const received = postEvent(store, streams, streamed, plan.event, now, settings)
  const lastEvent = postEvent(store, streams, streamed, plan.lastEvent, now, settings)
  const missingColumn = refusalBody(() => postEvent(store, streams, streamed, {}, now, settings))
  const notAString = JSON.parse(refusalBody(() =>
    postEvent(store, streams, streamed, { ...plan.event, [plan.objectColumn]: [plan.event[plan.objectColumn]] }, now, settings)) as string) as unknown
  const cleared = clearStream(store, streams, streamed, now)

  // Then redefined (pre-processing again) and deleted.
  const conflict = refusalBody(() =>
    redefineProject(store, streams, streamed, { ...plan.redefinition, negative_outcome: plan.redefinition.positive_outcome ?? [] }, now, settings))
  const redefined = redefineProject(store, streams, streamed, plan.redefinition, now, settings)
  const deleted = deleteProject(store, streams, streamed, now)
  const alreadyDeleted = refusalBody(() => deleteProject(store, streams, streamed, now))

  const body = (keyword: string, instancePath: string, params: Record<string, unknown>) => pydanticError([failure(keyword, instancePath, params)], 'body').body
  const path = (name: string) => pydanticError([failure('type', `/${name}`, { type: 'integer' })], 'params').body
  const query = (keyword: string, name: string, params: Record<string, unknown>) => pydanticError([failure(keyword, `/${name}`, params)], 'querystring').body
  const missingBody = bodyMissing().body
  const projectIdNotInteger = path('project_id')
  const eventLogIdNotInteger = path('event_log_id')
  const pluginIdNotInteger = path('plugin_id')
  const skipNotInteger = query('type', 'skip', { type: 'integer' })
  const streamingRefusals = { projectNotFound, ...inError }
  const sse = (...events: Parameters<typeof sseEvent>[0][]) => events.map(sseEvent).join('')

  return {
    getRoot: { 200: { root: PRCORE_ROOT } },
    listProjects: {
      200: { firstPage, pastTheEnd },
      422: { pageTooSmall: query('minimum', 'page', { comparison: '>=', limit: 1 }), sizeTooLarge: query('maximum', 'size', { comparison: '<=', limit: 100 }) },
    },
    updateProject: {
      200: { updated },
      400: { projectNotFound: refusalBody(() => updateProjectInfo(store, unknown, plan.info, now)) },
      422: { nameMissing: body('required', '', { missingProperty: 'name' }), projectIdNotInteger },
    },
    deleteProject: { 200: { deleted }, 400: { projectNotFound: alreadyDeleted }, 422: { projectIdNotInteger } },
    redefineProject: {
      200: { redefined },
      400: { projectNotFound, notReady: redefineNotReady, conflict },
      422: { bodyMissing: missingBody, projectIdNotInteger },
    },
    downloadDataset: {
      // A download's 200 is the file itself: binary, no example.
      400: {
        projectNotFound,
        notPreprocessed: bad('Project not preprocessed').body,
        invalidType: bad('Invalid dataset type').body,
        ...(inErrorId === null ? {} : { notProducible: bad('There was an error processing the dataset').body }),
      },
      422: { projectIdNotInteger },
    },
    listEventLogs: { 200: { all: eventLogs }, 422: { skipNotInteger } },
    getEventLog: { 200: { defined: eventLog }, 404: { eventLogNotFound }, 422: { eventLogIdNotInteger } },
    getEventLogDefinition: {
      200: { definition },
      404: { eventLogNotFound: refusalBody(() => eventLogDefinition(store, unknown)) },
      422: { eventLogIdNotInteger },
    },
    reuploadEventLog: {
      200: { intended },
      400: {
        // The handler's answer breaks its own response model (no resources_count): PrCore's middleware sends pydantic's list.
        faithful: JSON.parse(escapedValidationError([{ loc: ['response', 'resources_count'], msg: 'field required', type: 'value_error.missing' }]).body as string) as unknown,
        invalidLog: bad(INVALID_LOG).body,
        notReady: bad('Project not ready').body,
        unparsableBody: PrpmErrors.unparsableBody().body,
      },
      404: { eventLogNotFound },
      422: { eventLogIdNotInteger },
    },
    listPlugins: { 200: { all: plugins }, 422: { skipNotInteger } },
    listAvailablePlugins: { 200: { online: available } },
    getPlugin: { 200: { trained: plugin }, 404: { pluginNotFound }, 422: { pluginIdNotInteger } },
    updatePlugin: {
      200: { additionalInfo: infoAdded, retraining },
      400: { projectNotReady },
      404: { pluginNotFound: refusalBody(() => updatePlugin(store, unknown, plan.additionalInfo, now, settings)) },
      422: { parametersNotObject: body('type', '/parameters', { type: 'object' }), bodyMissing: missingBody, pluginIdNotInteger },
    },
    switchPlugin: {
      200: { disabled, enabled },
      400: { alreadyDisabled, alreadyEnabled, invalidTrigger, projectNotReady: switchNotReady },
      404: { pluginNotFound: refusalBody(() => switchPlugin(store, unknown, 'enable', now)) },
      422: { pluginIdNotInteger },
    },
    startStream: {
      200: { started },
      400: { ...streamingRefusals, alreadyStarted: bad('Streaming already started').body, notTrained: bad('Project not trained').body },
      422: { projectIdNotInteger },
    },
    startStreamOfType: {
      200: { streaming },
      400: { invalidType: bad('Invalid streaming type').body, ...streamingRefusals, alreadyStarted: bad('Streaming already started').body },
      422: { projectIdNotInteger },
    },
    stopStream: {
      200: { stopped },
      400: { notStarted, ...streamingRefusals },
      422: { projectIdNotInteger },
    },
    clearStream: {
      200: { cleared },
      400: {
        projectNotFound: refusalBody(() => clearStream(store, streams, unknown, now)),
        ...(inErrorId === null ? {} : { projectInError: refusalBody(() => clearStream(store, streams, inErrorId, now)) }),
      },
      422: { projectIdNotInteger },
    },
    readStream: {
      // A reader hears CONNECTED at once and FINISHED when the stream is stopped (sse-starlette's framing, the sandbox's own writer).
      200: { stopped: sse({ id: 0, event: 'notification', data: 'CONNECTED' }, { id: 1, event: 'notification', data: 'FINISHED' }) },
      400: { notStreaming: bad('Project not streaming').body, ...streamingRefusals, alreadyReading: bad('Project streaming result already be reading').body },
      422: { projectIdNotInteger },
    },
    postStreamEvent: {
      200: { received, lastEvent },
      400: { notStreaming: postNotStreaming, missingColumn, notAString, projectNotFound },
      422: { projectIdNotInteger },
    },
  }
}

/** The operations that read a body, and so refuse one too large (413) or, but for postStreamEvent, which reads any, of a type they do not read (415). */
const WITH_BODY = new Set(['updateProject', 'redefineProject', 'reuploadEventLog', 'updatePlugin', 'postStreamEvent'])
const READS_ANY_TYPE = new Set(['postStreamEvent'])

/** Every management operation's token refusals (GET / asks none) and its 500; those with a body, their 413 and 415. */
function withCommonRefusals(examples: ByOperation): OperationExamples {
  const notAuthenticated = PrpmErrors.notAuthenticated().body
  const invalidToken = PrpmErrors.invalidToken().body
  const common = (operationId: string): ByStatus => {
    const refusals: ByStatus = { 500: { internal: prpmErrorMapping.internal().body } }
    if (operationId !== 'getRoot') refusals[401] = { notAuthenticated, invalidToken }
    if (WITH_BODY.has(operationId)) {
      refusals[413] = { tooLarge: prpmErrorMapping.clientError(413, '').body }
      if (!READS_ANY_TYPE.has(operationId)) refusals[415] = { unsupportedMediaType: prpmErrorMapping.clientError(415, '').body }
    }
    return refusals
  }
  return Object.fromEntries(Object.entries(examples).map(([operationId, byStatus]) => [operationId, merged(byStatus, common(operationId))]))
}

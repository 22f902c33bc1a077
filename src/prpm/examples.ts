import { Value } from '@sinclair/typebox/value'
import type { FastifySchemaValidationError } from 'fastify'
import { loadConfig } from '../config.js'
import { scratchDatabase, type Db } from '../database.js'
import { refusalBody } from '../errors.js'
import type { OperationExamples } from '../schemas.js'
import { inferDefinition } from './definitions.js'
import { PrpmErrors, prpmErrorMapping } from './errors.js'
import { INVALID_LOG } from './files.js'
import { loadPrpmFixture, seedPrpm } from './fixtures.js'
import { bad, createProject, defineColumns, projectBody, requireFile, type TrainingTimes } from './flows.js'
import { readResult, type ResultRules } from './results.js'
import { ColumnsDefinitionRequest, type CreateProjectRequest, type Fixture, type FixtureResult } from './schemas.js'
import { PrpmStore } from './store.js'
import { StreamStore } from './stream-store.js'
import { LogSummary } from './upload.js'
import { pydanticError } from './validation.js'

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
 * does and creates a project from it; each refusal from the vendor's own
 * builders. Default settings throughout.
 */
export function prpmExamples(fixturesDir: string, migrationsDir: string): OperationExamples {
  const db = scratchDatabase(migrationsDir)
  try {
    return examplesFrom(new PrpmStore(db), loadPrpmFixture(fixturesDir), db)
  } finally {
    db.close()
  }
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

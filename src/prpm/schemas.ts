import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from '../schemas.js'
import { PLUGIN_KEYS } from './plugins.js'

const literals = <T extends string>(values: readonly T[], options: object = {}) =>
  Type.Union(values.map((value) => Type.Literal(value)), options)

export const ProjectStatus = literals(
  ['WAITING', 'PREPROCESSING', 'TRAINING', 'TRAINED', 'STREAMING', 'SIMULATING', 'ERROR'] as const,
)
export type ProjectStatus = Static<typeof ProjectStatus>

export const ColumnDefinition = literals([
  'CASE_ID', 'TRANSITION', 'OUTCOME', 'TREATMENT', 'TEXT', 'NUMBER', 'BOOLEAN', 'DATETIME', 'CATEGORICAL',
  'ACTIVITY', 'TIMESTAMP', 'RESOURCE', 'DURATION', 'COST', 'START_TIMESTAMP', 'END_TIMESTAMP',
  'TREATMENT_RESOURCE', 'COMPLETE_INDICATOR',
] as const)

export const PluginKey = literals(PLUGIN_KEYS)

export const TreatmentOperator = literals([
  'EQUAL', 'NOT_EQUAL', 'CONTAINS', 'NOT_CONTAINS', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL', 'IS_TRUE', 'IS_FALSE', 'EARLIER_THAN', 'EARLIER_THAN_OR_EQUAL', 'LATER_THAN',
  'LATER_THAN_OR_EQUAL', 'IS',
] as const)

/** One condition of a treatment or outcome definition; key order as PrCore sends it. */
export const Condition = Type.Object({
  // A union, not Nullable: the fixture loader's TypeBox compiler cannot check an Unsafe schema.
  value: Type.Union([Type.String(), Type.Null()]),
  column: Type.String(),
  operator: TreatmentOperator,
})

/** Lists of lists: the outer list is OR, each inner list AND. */
export const ConditionGroups = Type.Array(Type.Array(Condition))

const PluginWithMetrics = Type.Object({
  name: Type.String(),
  model: Type.String(),
  accuracy: Type.Number(),
  precision: Type.Number(),
  recall: Type.Number(),
  f1_score: Type.Number(),
})

export const AlarmPrescription = Type.Object({
  date: Type.String({ description: 'ISO date-time without offset, microseconds, as Python prints it' }),
  type: Type.Literal('ALARM'),
  output: Type.Number({ description: 'probability of the negative outcome' }),
  plugin: PluginWithMetrics,
})

export const NextActivityPrescription = Type.Object({
  date: Type.String(),
  type: Type.Literal('NEXT_ACTIVITY'),
  output: Type.String({ description: 'an activity of the training log' }),
  plugin: PluginWithMetrics,
})

export const TreatmentEffectPrescription = Type.Object({
  date: Type.String(),
  type: Type.Literal('TREATMENT_EFFECT'),
  output: Type.Object({
    proba_if_treated: Type.Number(),
    proba_if_untreated: Type.Number(),
    cate: Type.Number(),
    treatment: ConditionGroups,
  }),
  // Treatment-effect prescriptions carry no metrics, as PrCore sends them.
  plugin: Type.Object({ name: Type.String(), model: Type.String() }),
})

export const Prescription = Type.Union([AlarmPrescription, NextActivityPrescription, TreatmentEffectPrescription])
export type Prescription = Static<typeof Prescription>

/** Events are rows of strings in `columns` order ("nan" for a missing value). */
export const Events = Type.Array(Type.Array(Type.String()))

export const Case = Type.Object({
  prescriptions: Type.Array(Prescription),
  events: Events,
})
export type Case = Static<typeof Case>

export const ColumnsDefinition = Type.Record(Type.String(), Type.Union([ColumnDefinition, Type.Null()]))

/** GET /project/{project_id}/result/{result_key}: processing (nulls) and complete share one shape. */
export const ResultBody = Type.Object(
  {
    message: Type.String(),
    project_status: ProjectStatus,
    expected_plugins: Type.Array(PluginKey),
    finished_plugins: Type.Array(PluginKey, { description: 'in the order the plugins finished' }),
    cases_count: Nullable(Type.Integer()),
    columns: Nullable(Type.Array(Type.String())),
    columns_definition: Nullable(ColumnsDefinition),
    case_attributes: Nullable(Type.Array(Type.String())),
    cases: Nullable(Type.Record(Type.String(), Case)),
  },
)
export type ResultBody = Static<typeof ResultBody>

export const ResultParams = Type.Object({
  project_id: Type.Integer(),
  result_key: Type.String(),
})

/** FastAPI's HTTPException body. */
export const DetailError = Type.Object({ detail: Type.String() })

/** FastAPI's request validation body (pydantic v1 layout: loc, msg, type). */
export const ValidationError = Type.Object({
  detail: Type.Array(
    Type.Object({
      loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
      msg: Type.String(),
      type: Type.String(),
      ctx: Type.Optional(Type.Object({ limit_value: Type.Unknown() }, { description: 'the bound a number broke' })),
    }),
  ),
})

const UploadedFile = (description: string) => Type.String({ format: 'binary', description })

/** POST /event_log's multipart form, as PrCore's endpoint declares its File and Form parameters. */
export const EventLogForm = Type.Object({
  file: UploadedFile('the training event log: .csv or .xes, or a .zip or .gz holding one'),
  test: Type.Optional(UploadedFile('an optional test log in the same format')),
  separator: Type.Optional(Type.String({ default: ',', description: 'the CSV separator' })),
})

/** POST /project/{project_id}/result's multipart form; the field is spelt "seperator", as PrCore spells it. */
export const DatasetForm = Type.Object({
  file: UploadedFile('the ongoing dataset: .csv or .xes, or a .zip or .gz holding one'),
  seperator: Type.Optional(Type.String({ default: ',', description: 'the CSV separator' })),
})

/** A complete result the client already holds (If-None-Match names its ETag): resultbox's addition, for pollers. */
export const NotModified = Type.Null({ description: 'the complete result is the one the client holds: no body' })

/** Uvicorn's own answer to an unhandled failure: plain text, outside FastAPI's envelope. */
export const InternalError = {
  description: 'an unhandled failure, as Uvicorn answers it',
  content: { 'text/plain': { schema: Type.Literal('Internal server error') } },
}

/** Every route's refusals: a bad or missing token (401), validation (422), and the server's own failure (500). */
export const CommonErrors = { 401: DetailError, 422: ValidationError, 500: InternalError }

/** What a route with a body also refuses: too large (413) or of a type it does not read (415). */
export const BodyErrors = { 413: DetailError, 415: DetailError }


export const FixtureResult = Type.Object({
  project_id: Type.Integer(),
  result_key: Type.String({ pattern: '^[A-Za-z0-9]{8}$' }),
  expected_plugins: Type.Array(PluginKey, { minItems: 1 }),
  plugin_timeline: Type.Array(
    Type.Object({ plugin: PluginKey, finishes_after_seconds: Type.Number({ minimum: 0 }) }),
    { description: 'when each expected plugin finishes, in sandbox seconds after seeding' },
  ),
  cases_count: Type.Integer({ minimum: 0 }),
  columns: Type.Array(Type.String(), { minItems: 1 }),
  columns_definition: ColumnsDefinition,
  case_attributes: Type.Array(Type.String()),
  cases: Type.Record(Type.String(), Case),
})
export type FixtureResult = Static<typeof FixtureResult>

/** The event log behind a fixture project: its definition, and the activities NEXT_ACTIVITY may predict. */
export const FixtureEventLog = Type.Object({
  file_name: Type.String(),
  columns: Type.Array(Type.String(), { minItems: 1 }),
  columns_definition: ColumnsDefinition,
  case_attributes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  outcome_definition: Type.Union([ConditionGroups, Type.Null()]),
  treatment_definition: Type.Union([ConditionGroups, Type.Null()]),
  activities: Type.Array(Type.String()),
})
export type FixtureEventLog = Static<typeof FixtureEventLog>

export const Fixture = Type.Object({
  projects: Type.Array(Type.Object({
    id: Type.Integer(),
    status: ProjectStatus,
    name: Type.Optional(Type.String()),
    event_log: Type.Optional(FixtureEventLog),
  })),
  results: Type.Array(FixtureResult),
})
export type Fixture = Static<typeof Fixture>

// ---- The client workflow: event logs, definitions, projects, datasets ----

/**
 * A string enum for request bodies: one JSON Schema `enum`, so a bad value is
 * one error that lists what is permitted, as pydantic's enum message does.
 */
const requestEnum = <T extends string>(values: readonly T[], options: object = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options })

const COLUMN_DEFINITIONS = ColumnDefinition.anyOf.map((literal) => literal.const)
const OPERATORS = TreatmentOperator.anyOf.map((literal) => literal.const)

/** ISO 8601 with microseconds and offset, as FastAPI prints a timestamptz (`2023-03-04T09:26:36.572249+00:00`). */
const DateTime = Type.String({ description: 'ISO 8601 with microseconds and +00:00, as PrCore prints timestamps' })

export const EventLogParams = Type.Object({ event_log_id: Type.Integer() })
export const ProjectParams = Type.Object({ project_id: Type.Integer() })

/** POST /event_log: the log's columns, what PrCore infers from their names, and its first five events. */
export const UploadEventLogResponse = Type.Object({
  message: Type.String(),
  event_log_id: Type.Integer(),
  columns_header: Type.Array(Type.String()),
  columns_inferred_definition: Type.Array(Nullable(Type.String())),
  columns_data: Type.Array(Type.Array(Type.String()), { description: 'the first five events, "nan" for a missing value' }),
})
export type UploadEventLogResponse = Static<typeof UploadEventLogResponse>

export const ColumnsDefinitionRequest = Type.Object({
  columns_definition: Type.Record(
    Type.String(),
    Type.Unsafe<Static<typeof ColumnDefinition> | null>({ type: ['string', 'null'], enum: [...COLUMN_DEFINITIONS, null] }),
    { description: 'every column of the log to use, by name, with its type (or null to ignore it)' },
  ),
  case_attributes: Type.Optional(Nullable(Type.Array(Type.String(), { description: 'columns whose value is the same for every event of a case' }))),
  fast_mode: Type.Optional(Type.Boolean({ default: true, description: 'keep only complete and abort transitions' })),
  start_transition: Type.Optional(Type.String({ default: 'START' })),
  complete_transition: Type.Optional(Type.String({ default: 'COMPLETE' })),
  abort_transition: Type.Optional(Type.String({ default: 'ATE_ABORT' })),
})
export type ColumnsDefinitionRequest = Static<typeof ColumnsDefinitionRequest>

export const UpdateEventLogResponse = Type.Object({
  message: Type.String(),
  event_log_id: Type.Integer(),
  received_definition: ColumnsDefinition,
  activities_count: Type.Record(Type.String(), Type.Integer()),
  resources_count: Type.Record(Type.String(), Type.Integer()),
  outcome_options: Type.Array(Type.String()),
  treatment_options: Type.Array(Type.String()),
})
export type UpdateEventLogResponse = Static<typeof UpdateEventLogResponse>

/** One condition as a client sends it and as the project echoes it (pydantic's field order). */
export const ProjectCondition = Type.Object({
  column: Type.String(),
  operator: requestEnum(OPERATORS),
  value: Type.Optional(Nullable(Type.String({ description: 'numbers are accepted and read as strings' }))),
})
export type ProjectCondition = Static<typeof ProjectCondition>

const ProjectConditionGroups = Type.Array(Type.Array(ProjectCondition), {
  description: 'lists of lists: the outer list is OR, each inner list AND',
})

export const CreateProjectRequest = Type.Object({
  event_log_id: Type.Integer(),
  positive_outcome: Type.Optional(Nullable(ProjectConditionGroups)),
  negative_outcome: Type.Optional(Nullable(ProjectConditionGroups)),
  treatment: Type.Optional(Nullable(ProjectConditionGroups)),
  parameters: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), { description: 'per plugin key' })),
  additional_info: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), { description: 'per plugin key' })),
})
export type CreateProjectRequest = Static<typeof CreateProjectRequest>

/** PUT /project/{project_id}/definition: POST /project's body without its event log. */
export const ProjectDefinitionRequest = Type.Omit(CreateProjectRequest, ['event_log_id'])
export type ProjectDefinitionRequest = Static<typeof ProjectDefinitionRequest>

const EchoedCondition = Type.Object({ column: Type.String(), operator: Type.String(), value: Nullable(Type.String()) })

export const Definition = Type.Object({
  columns_definition: ColumnsDefinition,
  case_attributes: Nullable(Type.Array(Type.String())),
  fast_mode: Type.Boolean(),
  start_transition: Type.String(),
  complete_transition: Type.String(),
  abort_transition: Type.String(),
  outcome_definition: Nullable(Type.Array(Type.Array(EchoedCondition))),
  outcome_definition_negative: Type.Boolean(),
  treatment_definition: Nullable(Type.Array(Type.Array(EchoedCondition))),
  id: Type.Integer(),
  created_at: DateTime,
  updated_at: Nullable(DateTime),
})
export type Definition = Static<typeof Definition>

export const EventLog = Type.Object({
  file_name: Type.String(),
  id: Type.Integer(),
  created_at: DateTime,
  updated_at: Nullable(DateTime),
  definition: Type.Union([Definition, Type.Null()]),
})
export type EventLog = Static<typeof EventLog>

export const Plugin = Type.Object({
  id: Type.Integer(),
  created_at: DateTime,
  updated_at: Nullable(DateTime),
  key: Type.String(),
  prescription_type: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  additional_info: Type.Record(Type.String(), Type.Unknown()),
  status: Nullable(Type.String()),
  error: Nullable(Type.String()),
  disabled: Type.Boolean(),
})
export type Plugin = Static<typeof Plugin>

/** PrCore's Project model, fields in pydantic's order (base class first). */
export const Project = Type.Object({
  name: Type.String(),
  description: Nullable(Type.String()),
  status: ProjectStatus,
  id: Type.Integer(),
  created_at: DateTime,
  updated_at: Nullable(DateTime),
  error: Nullable(Type.String()),
  event_log: Type.Union([EventLog, Type.Null()]),
  plugins: Type.Array(Plugin),
})
export type Project = Static<typeof Project>

export const ProjectResponse = Type.Object({ message: Type.String(), project: Project })

export const CreateProjectResponse = Type.Object({
  message: Type.String(),
  project: Project,
  result_key: Nullable(Type.String({ description: 'set when a test file came with the event log' })),
})

export const DatasetUploadResponse = Type.Object({
  message: Type.String(),
  project_id: Type.Integer(),
  result_key: Type.String(),
})

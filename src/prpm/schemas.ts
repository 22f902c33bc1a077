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
  value: Type.String(),
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
    }),
  ),
})

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

export const Fixture = Type.Object({
  projects: Type.Array(Type.Object({ id: Type.Integer(), status: ProjectStatus })),
  results: Type.Array(FixtureResult),
})
export type Fixture = Static<typeof Fixture>

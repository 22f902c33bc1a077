import { Type, type Static } from '@sinclair/typebox'

/** Version status: 0 initialized, 1 running, 2 completed, 3 failed, 4 stopped. */
export const VersionStatus = Type.Integer({ minimum: 0, maximum: 4 })
export const VERSION_STATUS = { initialized: 0, running: 1, completed: 2, failed: 3, stopped: 4 } as const
/** Version status by number, as the vendor's docs name them. */
export const STATUS_NAMES = ['initialized', 'running', 'completed', 'failed', 'stopped'] as const

/** 0 retained, 1 modified, 2 deleted, 3 added. */
export const ResultProperty = Type.Integer({ minimum: 0, maximum: 3 })

export const ResultDescription = Type.Array(Type.Array(Type.String()))

const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]'

export const Sample = Type.Object({
  sample_id: Type.String({ pattern: '^[0-9a-f]{32}$', description: 'md5 of the object path' }),
  version_id: Type.String(),
  origin_source: Type.String({ pattern: `^s3://${BUCKET}/.+$` }),
  new_source: Type.String({ pattern: `^(obs://${BUCKET}/.+)?$`, description: 'empty for a deleted sample' }),
  signed_origin_source: Type.String(),
  signed_new_source: Type.String(),
  result_property: ResultProperty,
  result_description: ResultDescription,
})
export type Sample = Static<typeof Sample>

export const ResultsBody = Type.Object({
  count: Type.Integer({ description: 'all results matching result_property' }),
  results: Type.Array(Sample),
  has_more: Type.Boolean({ description: 'true when records exist after this page' }),
})
export type ResultsBody = Static<typeof ResultsBody>

export const ErrorBody = Type.Object({
  error_code: Type.String(),
  error_msg: Type.String(),
})

/** What the API gateway itself answers (before ModelArts sees the request). */
export const GatewayErrorBody = Type.Object({
  error_msg: Type.String(),
  error_code: Type.String(),
  request_id: Type.String(),
})

/** A 401 comes from the gateway (no token) or from ModelArts (a bad one). */
export const AuthErrorBody = Type.Union([GatewayErrorBody, ErrorBody])

export const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })

export const ResultsParams = Type.Object({
  project_id: Id,
  task_id: Id,
  version_id: Id,
})

export const ResultsQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  offset: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, default: 0, description: 'a page index, not a record offset' }),
  result_property: Type.Integer({ minimum: -1, maximum: 3, default: -1, description: '-1 all, 0 retained, 1 modified, 2 deleted, 3 added' }),
  process_parameter: Type.Optional(Type.String({ maxLength: 1024, description: 'OBS image processing; accepted and not applied' })),
})

/** A file of the fixtures folder, named relative to it. */
const FixtureFile = Type.String({ pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\]+$', description: 'a file in the fixtures folder, e.g. modelarts/8.jpg' })

/**
 * A sample as a fixture gives it: the response's fields less those the server derives, and optionally the
 * files its signed URLs download (otherwise the sandbox draws a picture for each).
 */
export const FixtureSample = Type.Object({
  ...Type.Pick(Sample, ['sample_id', 'origin_source', 'new_source', 'result_property', 'result_description']).properties,
  origin_file: Type.Optional(FixtureFile),
  new_file: Type.Optional(FixtureFile),
})
export type FixtureSample = Static<typeof FixtureSample>

/** The data processing templates the vendor documents (TemplateParam.id), with the names its docs give them. */
export const TEMPLATES = {
  sys_data_analyse: 'feature analysis',
  sys_data_cleaning: 'data cleansing',
  sys_data_augmentation: 'data augmentation',
  sys_data_validation: 'data validation',
  sys_data_selection: 'data filtering',
} as const
export type TemplateId = keyof typeof TEMPLATES
export const TemplateId = Type.Union(
  (Object.keys(TEMPLATES) as TemplateId[]).map((id) => Type.Literal(id)),
  { description: 'the data processing template (algorithm)' },
)

/** An OBS folder as the vendor's inputs and work_path give it: /bucket/dir/. */
export const ObsFolder = Type.String({ pattern: `^/${BUCKET}/([^/]+/)*$`, description: 'an OBS folder, /bucket/dir/' })

/** The latest time a JavaScript Date holds, in ms. */
export const MAX_TIME = 8_640_000_000_000_000

export const StatusChange = Type.Object({
  status: Type.Integer({ minimum: 1, maximum: 4, description: '1 running, 2 completed, 3 failed, 4 stopped' }),
  at: Type.Integer({ minimum: 0, maximum: MAX_TIME, description: 'ms since the epoch' }),
})
export type StatusChange = Static<typeof StatusChange>

export const FixtureVersion = Type.Object({
  version_id: Id,
  version_name: Type.String(),
  description: Type.Optional(Type.String()),
  create_time: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIME, description: 'ms; 0 when absent' })),
  status: VersionStatus,
  status_changes: Type.Optional(Type.Array(StatusChange, {
    description: 'the version starts initialized (0) at create_time and changes status at each `at`, on the sandbox clock; the last change is `status`',
  })),
  samples: Type.Array(FixtureSample),
})
export type FixtureVersion = Static<typeof FixtureVersion>

export const FixtureTask = Type.Object({
  project_id: Id,
  task_id: Id,
  name: Type.String(),
  description: Type.Optional(Type.String()),
  create_time: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIME, description: 'ms; 0 when absent' })),
  template_id: Type.Optional(TemplateId),
  input_path: Type.Optional(ObsFolder),
  work_path: Type.Optional(ObsFolder),
  versions: Type.Array(FixtureVersion),
})
export type FixtureTask = Static<typeof FixtureTask>

export const Fixture = Type.Object({ tasks: Type.Array(FixtureTask) })
export type Fixture = Static<typeof Fixture>

// What a client polls besides the results: ShowProcessorTask and DescProcessorTaskVersion.

export const TaskParams = Type.Object({ project_id: Id, task_id: Id })
export const VersionParams = ResultsParams

/** ProcessorDataSource, as the sandbox's tasks read from OBS. */
export const ProcessorDataSource = Type.Object({
  type: Type.Literal('OBS'),
  source: Type.String({ description: 'the OBS folder the samples come from' }),
})

export const WorkPath = Type.Object({
  type: Type.Literal('OBS'),
  path: Type.String({ description: 'the OBS folder the task writes to' }),
  output_path: Type.Optional(Type.String({ description: "this version's output folder (versions only)" })),
})

/** The operator each template runs, as the vendor's examples name them (MetaValidation, PCC) or the fixture's tasks do (AddNoise). */
export const TEMPLATE_OPERATORS: Record<TemplateId, string> = {
  sys_data_analyse: 'PCC',
  sys_data_cleaning: 'DataCleaning',
  sys_data_augmentation: 'AddNoise',
  sys_data_validation: 'MetaValidation',
  sys_data_selection: 'SimDeduplication',
}

export const OperatorParam = Type.Object({
  id: Type.String({ description: 'the operator\'s template, e.g. sys_data_validation' }),
  name: Type.String({ description: 'the operator, e.g. MetaValidation' }),
  advanced_params_switch: Type.Boolean(),
  params: Type.Record(Type.String(), Type.String(), { description: 'its parameters, strings (task_type, dataset_type, source_service, …)' }),
})

export const TemplateParam = Type.Object({ id: TemplateId, name: Type.String(), operator_params: Type.Array(OperatorParam) })

export const TaskBody = Type.Object({
  task_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  data_source: ProcessorDataSource,
  inputs: Type.Array(ProcessorDataSource),
  work_path: WorkPath,
  template: TemplateParam,
  status: Type.Integer({ minimum: 0, maximum: 4, description: "the latest version's status: 0 initialized, 1 running, 2 completed, 3 failed, 4 stopped" }),
  duration_seconds: Type.Integer({ description: "the latest version's running time" }),
  create_time: Type.Integer({ description: 'ms since the epoch' }),
  version_count: Type.Integer(),
  error_msg: Type.Optional(Type.String({ description: 'only when status is 3' })),
  version_id: Type.Optional(Type.String({ description: 'the latest version; absent while the task has none' })),
  version_name: Type.Optional(Type.String()),
  is_current: Type.Boolean({ description: 'whether the task is the latest of its kind for its data: always true, the sandbox keeps one task per input' }),
  workspace_id: Type.String({ description: '"0": no workspace, as the vendor answers without one' }),
})
export type TaskBody = Static<typeof TaskBody>

export const VersionBody = Type.Object({
  task_version_id: Type.String(),
  task_id: Type.String(),
  version_name: Type.String(),
  description: Type.String(),
  status: VersionStatus,
  create_time: Type.Integer({ description: 'ms since the epoch' }),
  update_time: Type.Integer({ description: 'ms since the epoch: the last status change' }),
  inputs: Type.Array(ProcessorDataSource),
  work_path: WorkPath,
  template: TemplateParam,
  duration_seconds: Type.Integer({ description: 'seconds since it started running, or that it ran' }),
  // The vendor's examples give the counts for a completed version only.
  origin_sample_count: Type.Optional(Type.Integer({ description: 'completed versions only' })),
  add_sample_count: Type.Optional(Type.Integer()),
  modified_sample_count: Type.Optional(Type.Integer()),
  unmodified_sample_count: Type.Optional(Type.Integer()),
  deleted_sample_count: Type.Optional(Type.Integer()),
})
export type VersionBody = Static<typeof VersionBody>

import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Nullable } from '../schemas.js'

/** Job and task status: 0 preparing, 1 running, 2 success, 3 failed, 4 interrupted, 5 stopping. */
export const Status = Type.Integer({ minimum: 0, maximum: 5, description: '0 preparing, 1 running, 2 success, 3 failed, 4 interrupted, 5 stopping' })

/** Job and task status by number, as the vendor's docs name them. */
export const STATUS_NAMES = ['preparing', 'running', 'success', 'failed', 'interrupted', 'stopping'] as const

export const PREPARING = 0
export const RUNNING = 1
export const SUCCESS = 2
export const FAILED = 3
export const INTERRUPTED = 4
export const STOPPING = 5

/** How a simulated task ends; a failed one fails its job. */
export const TaskOutcome = Type.Union([Type.Literal('success'), Type.Literal('failed')])
export type TaskOutcome = Static<typeof TaskOutcome>

/** One result row: strings in the algorithm's column order (numbers with six decimals). */
export const Row = Type.Array(Type.String())

/** The vendor's success envelope around a route's payload. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ code: Type.Literal(0), data, message: Type.Literal('Success') })
}

export const SampleResultBody = Envelope(Type.Object({ items: Type.Array(Row) }))
export type SampleResultBody = Static<typeof SampleResultBody>

/** The failure envelope: no data, the error's name (with `::detail`) as message. */
export const ErrorBody = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
})

export const TASK_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
export const WORKFLOW_ID_PATTERN = '^[0-9]{1,20}$'

export const TaskId = Type.String({
  pattern: TASK_ID_PATTERN,
  description: '32 hex characters, or a component id such as query_1',
})

/** The vendor's workflowId: digits, sent and answered as a string. */
export const WorkflowId = Type.String({ pattern: WORKFLOW_ID_PATTERN, description: 'the workflow id, digits (e.g. 4216617528)' })

export const JobId = Type.Integer({ minimum: 0, description: 'the job id' })

export const SampleResultParams = Type.Object({
  job_id: JobId,
  task_id: TaskId,
})

export const SampleResultQuery = Type.Object({
  limit: Type.Integer({
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 10,
    description: 'a cap: fewer rows come back when the task has fewer',
  }),
})

// POST /connect

export const ConnectBody = Type.Object({
  address: Type.String({ minLength: 1, description: 'the graphd host Explorer should connect to (not contacted by the sandbox)' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: 'the graphd port, e.g. 9669' }),
})
export type ConnectBody = Static<typeof ConnectBody>

export const SuccessBody = Envelope(Type.Object({ success: Type.Literal(true) }))

// POST /api-nebula/db/exec

export const ExecStatement = Type.Object(
  {
    gql: Type.String({ description: 'one nGQL statement: ALTER USER … WITH PASSWORD or CHANGE PASSWORD (the sandbox runs no other)' }),
    space: Type.Optional(Type.String({ description: 'the graph space the console has chosen' })),
  },
  { additionalProperties: true },
)
export const ExecRequest = Type.Union([ExecStatement, Type.String({ description: 'the same object as a JSON string, as the vendor\'s QA suite sends it once (encoded twice)' })])
export type ExecRequest = Static<typeof ExecRequest>

export const ExecBody = Envelope(Type.Object({
  headers: Type.Array(Type.String(), { description: 'the result\'s columns: none for an account statement' }),
  tables: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'its rows: none' }),
  timeCost: Type.Integer({ description: 'microseconds the graph took' }),
}))

// POST /workflows/{workflow_id}/jobs

export const WorkflowParams = Type.Object({ workflow_id: WorkflowId })
/**
 * createJob takes any workflow id and answers an unknown one as not found (500 50004001): the vendor's QA
 * suite sends POST /workflows/None/jobs and wants exactly that.
 */
export const CreateJobParams = Type.Object({
  workflow_id: Type.String({ minLength: 1, maxLength: 64, description: 'the workflow id, digits (e.g. 4216617528); any other is a workflow not found' }),
})

// Checked by the handler, not by Ajv, whose type coercion would turn 5 into "5" (or "5" into 5).
export const ParamValue = Type.Unsafe<string | number>({ description: 'a parameter value: a string or a number' })

export const JobInput = Type.Record(Type.String(), Type.Record(Type.String(), ParamValue), {
  description: 'input parameters by task id, e.g. {"query_1": {"name": "Tim Duncan"}}',
})
export type JobInput = Static<typeof JobInput>

/** The body is optional: no body, an empty one or `{}` run the workflow without input. */
export const CreateJobRequest = Nullable(Type.Object({ input: Type.Optional(JobInput) }))

export const CreateJobBody = Envelope(Type.Object({ id: Type.Integer({ description: 'the new job' }) }))

// GET /jobs, GET /workflows/{workflow_id}/jobs

export const ListJobsQuery = Type.Object({
  filter: Type.Optional(
    Type.String({
      description:
        'URL-encoded JSON: {"name" (part of the job name, any case), "status", "fromCreateTime", "toCreateTime" (ms, inclusive), "orderByCreateTime" ("desc", the default, or "asc")}',
    }),
  ),
  pageSize: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, default: 10, description: 'jobs per page' }),
  page: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, default: 1, description: 'the page, from 1' }),
})

/** The filter query parameter, once parsed from JSON. Unknown fields are ignored. */
export const JobFilter = Type.Object({
  name: Type.Optional(Type.String()),
  status: Type.Optional(Status),
  fromCreateTime: Type.Optional(Type.Integer()),
  toCreateTime: Type.Optional(Type.Integer()),
  orderByCreateTime: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')])),
})
export type JobFilter = Static<typeof JobFilter>

const JobMs = (description: string) => Type.Integer({ description: `${description}, ms since the epoch; 0 until it happens` })

export const JobItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  workflowId: Type.String(),
  workflowName: Type.String(),
  status: Status,
  runBeginTime: JobMs('when the job began running'),
  runEndTime: JobMs('when the job ended'),
  createTime: JobMs('when the job was created'),
})
export type JobItem = Static<typeof JobItem>

export const JobListBody = Envelope(
  Type.Object({
    items: Type.Array(JobItem),
    total: Type.Integer({ description: 'jobs matching the filter, on every page' }),
    // The vendor's capitals.
    Page: Type.Integer(),
    PageSize: Type.Integer(),
  }),
)

// GET /jobs/{job_id}

export const JobParams = Type.Object({ job_id: JobId })

const TaskTime = (description: string) =>
  Type.String({ description: `${description}, ISO 8601 with offset (+08:00); 0001-01-01T00:00:00Z until it happens` })

export const TaskDetail = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'the algorithm, e.g. PageRank' }),
  runBeginTime: TaskTime('when the task began running'),
  runEndTime: TaskTime('when the task ended'),
  status: Status,
})

export const JobDetail = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  workflowId: Type.String(),
  workflowName: Type.String(),
  status: Status,
  tasks: Type.Array(TaskDetail),
  runBeginTime: JobItem.properties.runBeginTime,
  runEndTime: JobItem.properties.runEndTime,
  createTime: JobItem.properties.createTime,
})
export type JobDetail = Static<typeof JobDetail>

export const JobDetailBody = Envelope(JobDetail)

// fixtures/explorer.json

const FixtureTime = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description: `${description} (ms); absent: not yet` }))

export const FixtureTask = Type.Object({
  id: TaskId,
  name: Type.String({ minLength: 1, description: 'the algorithm, e.g. PageRank' }),
  status: Status,
  run_begin_time: FixtureTime('when the task began'),
  run_end_time: FixtureTime('when the task ended'),
  columns: Type.Array(Type.String(), { minItems: 1 }),
  rows: Type.Array(Row),
})

export const FixtureWorkflowTask = Type.Object({
  id: TaskId,
  name: Type.String({ minLength: 1, description: 'the algorithm, e.g. PageRank' }),
  columns: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: "default: the algorithm's columns" })),
  row_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'rows a successful run gives; default 81' })),
  params: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'input parameters a new job must give this task' })),
})

export const FixtureWorkflow = Type.Object({
  id: WorkflowId,
  name: Type.String({ minLength: 1 }),
  tasks: Type.Array(FixtureWorkflowTask, { minItems: 1 }),
})

export const Fixture = Type.Object({
  jobs: Type.Array(
    Type.Object({
      id: Type.Integer({ minimum: 0 }),
      name: Type.String(),
      workflow_id: Type.String(),
      workflow_name: Type.String(),
      status: Status,
      create_time: Type.Integer({ minimum: 0, description: 'ms' }),
      run_begin_time: FixtureTime('when the job began'),
      run_end_time: FixtureTime('when the job ended'),
      input: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), {
        description: 'the parameters it ran with, by task id (what the console\'s job detail shows as input); default {}',
      })),
      tasks: Type.Array(FixtureTask),
    }),
  ),
  workflows: Type.Optional(Type.Array(FixtureWorkflow, { description: 'what POST /workflows/{id}/jobs instantiates' })),
})
export type Fixture = Static<typeof Fixture>
export type FixtureWorkflow = Static<typeof FixtureWorkflow>

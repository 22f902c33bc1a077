import { Type, type Static } from '@sinclair/typebox'
import { Envelope, JobDetail, JobInput, Row, WORKFLOW_ID_PATTERN } from './schemas.js'

/*
 * The web console's workflows and jobs (/api-analytics), as its JavaScript and the vendor's QA suite call them:
 * the same envelope as the workflow API's, on the same workflows and jobs.
 */

/** A workflow's id as the console gives it: 10 digits, as a string (the workflow API's workflowId). */
export const FlowId = Type.String({ pattern: WORKFLOW_ID_PATTERN, description: 'the workflow id, digits (e.g. 1791614173)' })
export const FlowParams = Type.Object({ flow_id: FlowId })
export const FlowVersionParams = Type.Object({
  flow_id: FlowId,
  history_id: Type.Integer({ minimum: 0, description: 'a version of its history' }),
})

const FlowName = Type.String({ minLength: 1, maxLength: 512, description: 'the workflow\'s name' })
const FlowSchema = Type.String({
  maxLength: 1_048_576,
  description: 'the DAG the console draws, as a JSON string ({"datasources", "tasks", "deps"}); kept verbatim, any string is taken',
})

export const CreateFlowRequest = Type.Object({ name: FlowName, schema: Type.Optional(FlowSchema) }, { additionalProperties: true })
export const UpdateFlowRequest = Type.Object({ name: Type.Optional(FlowName), schema: FlowSchema }, { additionalProperties: true })

export const FlowCreatedBody = Envelope(Type.Object({ id: FlowId }))

const ConsoleMs = (description: string) => Type.Integer({ description: `${description}, ms since the epoch` })

export const FlowSummary = Type.Object({
  id: FlowId,
  name: Type.String(),
  createTime: ConsoleMs('when it was made'),
  updateTime: ConsoleMs('when it was last saved'),
})

export const FlowBody = Envelope(Type.Object({
  ...FlowSummary.properties,
  schema: Type.String({ description: 'the DAG as it was saved, verbatim ("" for a workflow the console did not make)' }),
}))

export const FlowListQuery = Type.Object({
  filter: Type.Optional(Type.String({ description: 'URL-encoded JSON: {"name": part of the name, any case}' })),
  pageSize: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, default: 10, description: 'workflows per page' }),
  page: Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, default: 1, description: 'the page, from 1' }),
})

/** The list's filter, once parsed from JSON; unknown fields are ignored. */
export const FlowFilter = Type.Object({ name: Type.Optional(Type.String()) })
export type FlowFilter = Static<typeof FlowFilter>

export const FlowListBody = Envelope(Type.Object({
  items: Type.Array(FlowSummary, { description: 'newest first' }),
  total: Type.Integer(),
  Page: Type.Integer(),
  PageSize: Type.Integer(),
}))

export const FlowHistoryQuery = Type.Object({
  pageSize: FlowListQuery.properties.pageSize,
  page: FlowListQuery.properties.page,
})

export const FlowVersion = Type.Object({
  id: Type.Integer({ description: 'the history id' }),
  flowId: FlowId,
  jobId: Type.Union([Type.Integer(), Type.Null()], { description: 'the job that ran this DAG' }),
  createTime: ConsoleMs('when the job ran it'),
})

export const FlowHistoryBody = Envelope(Type.Object({
  items: Type.Array(FlowVersion, { description: 'one a job run, newest first' }),
  total: Type.Integer(),
  Page: Type.Integer(),
  PageSize: Type.Integer(),
}))

export const Done = Envelope(Type.Object({ success: Type.Literal(true) }))

// POST /api-analytics/jobs, GET /api-analytics/jobs/{id}

export const ConsoleJobRequest = Type.Object(
  {
    flowId: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), FlowId], { description: 'the workflow to run, a number or its digits as a string' })),
    input: Type.Optional(JobInput),
  },
  { additionalProperties: true },
)
export type ConsoleJobRequest = Static<typeof ConsoleJobRequest>

export const ConsoleJobCreatedBody = Envelope(Type.Object({ id: Type.Integer({ description: 'the new job, as the workflow API knows it' }) }))

export const ConsoleJobParams = Type.Object({ job_id: Type.Integer({ minimum: 0, description: 'the job id' }) })

/** The workflow API's job detail, with the console's names for its workflow, and what only the console shows. */
const { workflowId: _workflowId, workflowName: _workflowName, ...jobFields } = JobDetail.properties
export const ConsoleJobBody = Envelope(Type.Object({
  ...jobFields,
  flowId: FlowId,
  flowName: Type.String(),
  ctlJobId: Type.Integer({ description: 'the analytics controller\'s id for the job: its results are under /analytics/<ctlJobId>/tasks/<task id>/, and the controller cancels it by it' }),
  input: Type.Record(Type.String(), Type.Unknown(), { description: 'the input the job was given' }),
}))

// POST /api-analytics/jobs/result

export const JobResultRequest = Type.Object(
  {
    jobId: Type.Optional(Type.Integer()),
    taskId: Type.Optional(Type.String()),
    type: Type.Optional(Type.String({ description: 'where results are kept: hdfs' })),
    params: Type.Object(
      {
        hdfsPath: Type.String({ minLength: 1, description: 'the task\'s result folder: …/analytics/<ctlJobId>/tasks/<task id>/ (it decides which task is read)' }),
        username: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
)

export const JobResultBody = Envelope(Type.Object({ items: Type.Array(Row, { description: 'the result rows written there, at most 1000; none until the task has succeeded' }) }))

// POST /api-analytics/controller

export const ControllerRequest = Type.Object(
  {
    method: Type.String({ minLength: 1, description: 'the HTTP method the console asks the analytics controller for' }),
    path: Type.String({ minLength: 1, description: '/job/<ctlJobId>/cancel, /config/graphd/pwd' }),
    requestData: Type.Optional(Type.String({ description: 'the body the controller gets, as a JSON string' })),
  },
  { additionalProperties: true },
)
export type ControllerRequest = Static<typeof ControllerRequest>

export const ControllerBody = Envelope(Type.Object({}, { additionalProperties: true, description: 'what the controller answered: nothing for a cancel or a password' }))

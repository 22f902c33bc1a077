import { Type, type Static } from '@sinclair/typebox'

/** Job and task status: 0 preparing, 1 running, 2 success, 3 failed, 4 interrupted, 5 stopping. */
export const Status = Type.Integer({ minimum: 0, maximum: 5 })

export const TASK_SUCCESS = 2

/** One result row: strings in the algorithm's column order (numbers with six decimals). */
export const Row = Type.Array(Type.String())

export const SampleResultBody = Type.Object({
  code: Type.Literal(0),
  data: Type.Object({ items: Type.Array(Row) }),
  message: Type.Literal('Success'),
})
export type SampleResultBody = Static<typeof SampleResultBody>

/** The failure envelope: no data, the error's name (with `::detail`) as message. */
export const ErrorBody = Type.Object({
  code: Type.Integer(),
  message: Type.String(),
})

export const TaskId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}$',
  description: '32 hex characters, or a component id such as query_1',
})

export const SampleResultParams = Type.Object({
  job_id: Type.Integer({ minimum: 0 }),
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

export const FixtureTask = Type.Object({
  id: TaskId,
  name: Type.String({ minLength: 1, description: 'the algorithm, e.g. PageRank' }),
  status: Status,
  columns: Type.Array(Type.String(), { minItems: 1 }),
  rows: Type.Array(Row),
})

export const Fixture = Type.Object({
  jobs: Type.Array(
    Type.Object({
      id: Type.Integer({ minimum: 0 }),
      name: Type.String(),
      workflow_id: Type.String(),
      workflow_name: Type.String(),
      status: Status,
      tasks: Type.Array(FixtureTask),
    }),
  ),
})
export type Fixture = Static<typeof Fixture>

import { Type, type Static } from '@sinclair/typebox'

/** Version status: 0 initialized, 1 running, 2 completed, 3 failed, 4 stopped. */
export const VersionStatus = Type.Integer({ minimum: 0, maximum: 4 })
export const VERSION_STATUS = { initialized: 0, running: 1, completed: 2, failed: 3, stopped: 4 } as const

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

const Id = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })

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

/** A sample as a fixture gives it: the response's fields less those the server derives. */
export const FixtureSample = Type.Pick(Sample, ['sample_id', 'origin_source', 'new_source', 'result_property', 'result_description'])
export type FixtureSample = Static<typeof FixtureSample>

export const Fixture = Type.Object({
  tasks: Type.Array(
    Type.Object({
      project_id: Id,
      task_id: Id,
      name: Type.String(),
      versions: Type.Array(
        Type.Object({
          version_id: Id,
          version_name: Type.String(),
          status: VersionStatus,
          samples: Type.Array(FixtureSample),
        }),
      ),
    }),
  ),
})
export type Fixture = Static<typeof Fixture>

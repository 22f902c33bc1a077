import { loadConfig } from '../config.js'
import { isoTime } from '../simulation.js'
import type { OperationExamples } from '../schemas.js'
import { taskBody, versionBody } from './details.js'
import { ModelArtsErrors, modelartsErrorMapping } from './errors.js'
import { loadModelArtsFixture } from './fixtures.js'
import { STATUS_NAMES, VERSION_STATUS, type Fixture, type FixtureTask, type FixtureVersion, type ResultsBody } from './schemas.js'
import { IamErrors, iamErrorMapping, tokenBody } from './iam.js'
import { obsBase, obsError, securityTokenFor, signObjectUrl } from './obs.js'
import { DEFAULT_INPUT_PATH, DEFAULT_TEMPLATE, DEFAULT_WORK_PATH, type ModelArtsStore, type TaskRow, type VersionRow } from './store.js'

/** The page size of the results example: a few samples, to keep the document small. */
export const MODELARTS_EXAMPLE_LIMIT = 3

/** The gateway gives each request a new id; the examples show this one. */
const EXAMPLE_REQUEST_ID = '5f0c7e2a9b814d3c8e6a1f4b7d2c9e05'

/**
 * Sandbox time of the examples: the fixture's last moment (a creation or a
 * status change), when every version's timeline has run its course.
 */
export function modelartsExampleTime(fixture: Fixture): number {
  const times = fixture.tasks.flatMap((task) => [
    task.create_time ?? 0,
    ...task.versions.flatMap((version) => [version.create_time ?? 0, ...(version.status_changes ?? []).map((change) => change.at)]),
  ])
  return Math.max(0, ...times)
}

/** A fixture task as the store keeps it, the defaults filled in. */
const taskRow = (task: FixtureTask): TaskRow => ({
  task_id: task.task_id, project_id: task.project_id, name: task.name, description: task.description ?? '',
  create_time: task.create_time ?? 0, template_id: task.template_id ?? DEFAULT_TEMPLATE,
  input_path: task.input_path ?? DEFAULT_INPUT_PATH, work_path: task.work_path ?? DEFAULT_WORK_PATH,
})

/**
 * A fixture version as the store has it at `now`: one with a timeline starts
 * initialized and takes each status change due by then; one without is
 * stored as it is, started (and ended) at its create_time.
 */
function versionAt(taskId: string, version: FixtureVersion, now: number): VersionRow {
  const createTime = version.create_time ?? 0
  const steps = version.status_changes ?? []
  const stored = steps.length > 0 ? VERSION_STATUS.initialized : version.status
  const row: VersionRow = {
    version_id: version.version_id, task_id: taskId, version_name: version.version_name, description: version.description ?? '',
    status: stored, create_time: createTime, update_time: createTime,
    started_at: stored >= VERSION_STATUS.running ? createTime : null, ended_at: stored >= VERSION_STATUS.completed ? createTime : null,
  }
  for (const step of steps) {
    if (step.at > now) break
    row.status = step.status
    row.update_time = step.at
    if (step.status === VERSION_STATUS.running) row.started_at = step.at
    if (step.status >= VERSION_STATUS.completed) row.ended_at = step.at
  }
  return row
}

/** The origin the examples' signed URLs point at: the quick start's sandbox. */
export const EXAMPLE_ORIGIN = 'http://localhost:8080'

/** The samples of a version as the store ranks them: by sample_id. */
const ranked = (version: FixtureVersion) =>
  [...version.samples].sort((a, b) => (a.sample_id < b.sample_id ? -1 : a.sample_id > b.sample_id ? 1 : 0))

/** GET …/results with limit, offset 0 and result_property -1, signed at `now` with the default settings. */
function firstPage(task: FixtureTask, version: FixtureVersion, limit: number, now: number): ResultsBody {
  const { region, signedUrlTtlSeconds, accessKeys, obsEndpoint } = loadConfig({}).modelarts
  const expires = Math.floor(now / 1000) + signedUrlTtlSeconds
  // As a client of the quick start reaches the sandbox.
  const signing = { key: accessKeys[0] as (typeof accessKeys)[number], securityToken: securityTokenFor(region, task.project_id), expires, base: obsBase(obsEndpoint, region, EXAMPLE_ORIGIN) }
  const samples = ranked(version)
  const results = samples.slice(0, limit).map((sample) => ({
    sample_id: sample.sample_id,
    version_id: version.version_id,
    origin_source: sample.origin_source,
    new_source: sample.new_source,
    signed_origin_source: signObjectUrl(sample.origin_source, signing),
    signed_new_source: signObjectUrl(sample.new_source, signing),
    result_property: sample.result_property,
    result_description: sample.result_description,
  }))
  return { count: samples.length, results, has_more: results.length < samples.length }
}

/**
 * Every ModelArts operation's examples at modelartsExampleTime: the fixture's
 * tasks and versions through the vendor's own builders (taskBody,
 * versionBody, the OBS signing) with the default settings, one example per
 * status the fixture shows, and the vendor's error bodies.
 */
export function modelartsExamples(fixturesDir: string): OperationExamples {
  const fixture = loadModelArtsFixture(fixturesDir)
  const now = modelartsExampleTime(fixture)

  const tasks: Record<string, unknown> = {}
  const versions: Record<string, unknown> = {}
  let page: ResultsBody | undefined
  for (const task of fixture.tasks) {
    const row = taskRow(task)
    const rows = task.versions.map((version) => versionAt(task.task_id, version, now))
    // The latest version is the last created; of two created together, the later listed.
    const latest = rows.reduce<VersionRow | undefined>(
      (last, version) => (last && last.create_time > version.create_time ? last : version),
      undefined,
    )
    const taskName = STATUS_NAMES[latest?.status ?? VERSION_STATUS.initialized] as string
    tasks[taskName] ??= taskBody(row, latest, rows.length, now)
    task.versions.forEach((version, index) => {
      const versionRow = rows[index] as VersionRow
      const counts: Pick<ModelArtsStore, 'propertyCounts'> = {
        propertyCounts: () => {
          const count = (property: number) => version.samples.filter((sample) => sample.result_property === property).length
          return [count(0), count(1), count(2), count(3)]
        },
      }
      versions[STATUS_NAMES[versionRow.status] as string] ??= versionBody(counts as ModelArtsStore, row, versionRow, now)
      if (!page && versionRow.status === VERSION_STATUS.completed && version.samples.length > 0) {
        page = firstPage(task, version, MODELARTS_EXAMPLE_LIMIT, now)
      }
    })
  }

  const auth = { tokenMissing: ModelArtsErrors.tokenMissing(EXAMPLE_REQUEST_ID).body, invalidToken: ModelArtsErrors.invalidToken().body }
  const invalid = (parameter: string) => modelartsErrorMapping.invalidRequest({ part: 'querystring', parameter }).body
  const internal = modelartsErrorMapping.internal().body
  const taskNotFound = ModelArtsErrors.taskNotFound().body
  const versionNotFound = ModelArtsErrors.versionNotFound().body
  const projectForbidden = ModelArtsErrors.projectForbidden().body

  // IAM's answer to the quick start's user, scoped to the region's default project, at the fixture's last moment.
  const { tokenTtlSeconds, region } = loadConfig({}).modelarts
  const tokenRequest = { auth: { identity: { methods: ['password' as const], password: { user: { name: 'resultbox', password: 'resultbox', domain: { name: 'resultbox-account' } } } }, scope: { project: { name: region } } } }
  // OBS's ids as its live answer shows them (java-obs #84), where each real answer has its own.
  const ids = { 'x-obs-request-id': '0000017EE824A5666407C4CE27B8F394', 'x-obs-id-2': '32AAAQAAEAABAAAQAAEAABAAAQAAEAABCSDbCuE8BOFsKqCQzcXi6Lfo0s7sMyR1' }
  const address = { bucket: 'test-obs', key: 'classify/data/animals/8.jpg' }
  const examples: OperationExamples = {
    keystoneCreateUserTokenByPassword: {
      201: { projectToken: tokenBody(tokenRequest, { region, now, ttlSeconds: tokenTtlSeconds, origin: EXAMPLE_ORIGIN, catalog: true }) },
      400: { invalidInput: IamErrors.invalidInput('auth').body },
      401: { wrongPassword: IamErrors.wrongPassword().body },
      // Fastify's refusals before the route, in Keystone's envelope.
      413: { bodyTooLarge: iamErrorMapping.clientError(413, 'Request body is too large').body },
      415: { notJson: iamErrorMapping.clientError(415, 'Unsupported Media Type: application/xml').body },
    },
    getObject: {
      400: { expiresInvalid: obsError(400, 'InvalidArgument', 'Expires must be a Unix time in seconds', {}, ids).body },
      403: {
        signatureDoesNotMatch: obsError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', { AWSAccessKeyId: 'RESULTBOXSANDBOXAK01' }, ids).body,
        expired: obsError(403, 'AccessDenied', 'Request has expired', { Expires: isoTime(now), ServerTime: isoTime(now + 1000) }, ids).body,
      },
      404: { noSuchKey: obsError(404, 'NoSuchKey', 'The specified key does not exist.', { Resource: `/${address.bucket}/${address.key}` }, ids).body },
      416: { invalidRange: obsError(416, 'InvalidRange', 'The requested range cannot be satisfied.', { ActualObjectSize: 18782 }, ids).body },
    },
    listObjects: {
      200: {
        firstKeys: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>test-obs</Name><Prefix>classify/data/animals/</Prefix><Marker></Marker>` +
          '<NextMarker>classify/data/animals/10.jpg</NextMarker><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated><Contents><Key>classify/data/animals/10.jpg</Key><LastModified>2020-11-26T08:05:55.102Z</LastModified>' +
          '<ETag>&#34;5b4f6a2b0a3b1f1e3c6d8e9f0a1b2c3d&#34;</ETag><Size>18782</Size><Owner><ID>1f0e7d1c5ab0a3d1c2b3a4e5f6a7b8c9</ID><DisplayName>1f0e7d1c5ab0a3d1c2b3a4e5f6a7b8c9</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>',
        location: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Location xmlns="http://obs.myhwclouds.com/doc/2015-06-30/">${region}</Location>`,
      },
      400: { maxKeysInvalid: obsError(400, 'InvalidArgument', 'max-keys is invalid', {}, ids).body },
      403: { accessDenied: obsError(403, 'AccessDenied', 'Access Denied', {}, ids).body },
      404: { noSuchBucket: obsError(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: 'no-such-bucket' }, ids).body },
    },
    getProcessorTask: {
      200: tasks,
      400: { taskNotFound, taskIdInvalid: modelartsErrorMapping.invalidRequest({ part: 'params', parameter: 'task_id' }).body },
      401: auth,
      403: { projectForbidden },
      500: { internal },
    },
    getProcessorTaskVersion: {
      200: versions,
      400: { taskNotFound, versionNotFound },
      401: auth,
      403: { projectForbidden },
      500: { internal },
    },
    getVersionResults: {
      200: page ? { firstPage: page } : {},
      400: { taskNotFound, versionNotFound, limitInvalid: invalid('limit') },
      401: auth,
      403: {
        versionInitializing: ModelArtsErrors.versionInitializing().body,
        versionNotFinished: ModelArtsErrors.versionNotFinished().body,
        projectForbidden,
      },
      500: { versionFailed: ModelArtsErrors.versionFailed().body, internal },
    },
  }
  // A fixture without tasks or samples has no successful answer to show.
  return Object.fromEntries(Object.entries(examples).map(([operationId, byStatus]) => [
    operationId,
    Object.fromEntries(Object.entries(byStatus).filter(([, named]) => Object.keys(named).length > 0)),
  ]))
}

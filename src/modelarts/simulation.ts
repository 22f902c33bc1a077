import { createHash } from 'node:crypto'
import { randomAlphanumeric } from '../random-key.js'
import { Type, type Static } from '@sinclair/typebox'
import type { SandboxClock } from '../clock.js'
import type { Config, ModelArtsAccessKey } from '../config.js'
import { statementsOnDemand, type Db } from '../database.js'
import { Nullable } from '../schemas.js'
import { NextStep, OVERVIEW_LIMIT, Progress, ScenarioError, isoOrNull, isoTime, type VendorSimulation } from '../simulation.js'
import { OWN_REQUEST } from '../traffic.js'
import { obsBase, securityTokenFor, signObjectUrl } from './obs.js'
import { MODELARTS_PREFIX } from './routes.js'
import {
  Id, ObsFolder, ResultProperty, STATUS_NAMES, Sample, TemplateId, VERSION_STATUS, VersionStatus, type FixtureSample, type StatusChange,
} from './schemas.js'
import { DEFAULT_INPUT_PATH, DEFAULT_TEMPLATE, DEFAULT_WORK_PATH, ModelArtsStore } from './store.js'

export interface ModelArtsSimulationOptions {
  db: Db
  /** The overview's preview URLs expire on it. */
  clock: SandboxClock
  /** What signs the overview's preview URLs, as the results' are signed. */
  urls: Pick<Config['modelarts'], 'accessKeys' | 'region' | 'signedUrlTtlSeconds'>
}

/** The fixture's project: the default token covers it, and a client's first curl names it. */
export const DEFAULT_PROJECT_ID = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'

const OUTCOMES = { completed: VERSION_STATUS.completed, failed: VERSION_STATUS.failed, stopped: VERSION_STATUS.stopped } as const
const MAX_SAMPLES = 10_000
const Delay = (description: string, defaultMs: number) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000_000, default: defaultMs, description }))
const Count = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAMPLES, default: 0, description }))

const ScenarioSample = Type.Object(
  {
    origin_source: Sample.properties.origin_source,
    new_source: Type.Optional(Type.String({
      pattern: Sample.properties.new_source.pattern,
      description: "obs://bucket/key; \"\" for a deleted sample; when absent: the version's output folder + the origin's file name",
    })),
    result_property: ResultProperty,
    result_description: Type.Optional(Type.Array(Type.Array(Type.String()), { description: "defaults to the fixture's wording for the result_property" })),
  },
  { additionalProperties: false },
)

const SampleCounts = Type.Object(
  {
    retained: Count('result_property 0'),
    modified: Count('result_property 1'),
    deleted: Count('result_property 2 (no new_source)'),
    added: Count('result_property 3'),
  },
  { additionalProperties: false, description: 'samples generated in this order, numbered 1.jpg, 2.jpg, … in the input folder' },
)

const ScenarioBody = Type.Object(
  {
    project_id: Type.Optional(Type.String({ pattern: Id.pattern, default: DEFAULT_PROJECT_ID, description: "the project in the URL (default: the fixture's)" })),
    task_id: Type.Optional(Type.String({
      ...Id,
      description: 'a task of the project to add the version to, or the id of a new task; generated (19 letters and digits) when absent',
    })),
    task_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "a new task's name (default resultbox-scenario)" })),
    task_description: Type.Optional(Type.String({ maxLength: 256, description: "a new task's description" })),
    template_id: Type.Optional(TemplateId),
    input_path: Type.Optional(Type.String({ pattern: ObsFolder.pattern, description: `a new task's OBS input folder (default ${DEFAULT_INPUT_PATH})` })),
    work_path: Type.Optional(Type.String({ pattern: ObsFolder.pattern, description: `a new task's OBS output folder (default ${DEFAULT_WORK_PATH})` })),
    version_id: Type.Optional(Type.String({ pattern: Id.pattern, description: 'generated (19 letters and digits) when absent' })),
    version_name: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: "default V001, V002, … after the task's versions" })),
    description: Type.Optional(Type.String({ maxLength: 256, description: "the version's description" })),
    starts_after_ms: Delay('initialized (0) for this long, then running (1)', 1000),
    runs_for_ms: Delay('running for this long, then the outcome', 5000),
    outcome: Type.Optional(Type.Union(Object.keys(OUTCOMES).map((outcome) => Type.Literal(outcome as keyof typeof OUTCOMES)), {
      default: 'completed',
      description: 'completed (2): results readable; failed (3): results 500 ModelArts.4614; stopped (4): results 403 ModelArts.4613',
    })),
    samples: Type.Optional(Type.Array(ScenarioSample, { maxItems: MAX_SAMPLES, description: 'the exact samples; or give sample_counts' })),
    sample_counts: Type.Optional(SampleCounts),
  },
  { additionalProperties: false, description: 'every field is optional: {} creates a task with a version that completes 6 s later with 10 samples' },
)
type ScenarioBody = Static<typeof ScenarioBody>

const ScenarioCreated = Type.Object({
  project_id: Type.String(),
  task_id: Type.String(),
  version_id: Type.String(),
  task_url: Type.String({ description: 'GET it with X-Auth-Token (getProcessorTask)' }),
  version_url: Type.String({ description: 'poll its status (getProcessorTaskVersion)' }),
  results_url: Type.String({ description: 'the results, once completed (getVersionResults)' }),
  sample_count: Type.Integer(),
  status_changes: Type.Array(Type.Object({
    status: Type.Integer({ description: '1 running, 2 completed, 3 failed, 4 stopped' }),
    at: Type.String({ description: 'sandbox time, ISO 8601' }),
    at_ms: Type.Integer({ description: 'sandbox ms: the update_time the version will show' }),
  })),
})

const statusName = (status: number) => STATUS_NAMES[status] ?? 'initialized'

/** Samples per completed version that GET /_resultbox/state links, for the status page's thumbnails. */
const PREVIEW_SAMPLES = 3

const VersionOverview = Type.Object({
  project_id: Type.String(),
  task_id: Type.String(),
  task_name: Type.String(),
  version_id: Type.String(),
  version_name: Type.String(),
  status: Type.Integer({ ...VersionStatus, description: '0 initialized, 1 running, 2 completed, 3 failed, 4 stopped' }),
  status_name: Type.Union(STATUS_NAMES.map((name) => Type.Literal(name))),
  progress: Type.Object(Progress.properties, { description: 'steps taken of the two a version takes: it runs, then it ends' }),
  next: NextStep,
  create_time: Type.String({ description: 'ISO 8601' }),
  started_at: Nullable(Type.String({ description: 'ISO 8601; null until it runs' })),
  ended_at: Nullable(Type.String({ description: 'ISO 8601; null until it ends' })),
  sample_count: Type.Integer({ description: 'samples its results will list' }),
  version_url: Type.String({ description: 'GET it with X-Auth-Token' }),
  results_url: Type.String(),
  previews: Type.Array(Type.Object({
    sample_id: Type.String(),
    origin_url: Type.String({ description: 'its origin, signed, at the sandbox\'s own OBS (a path: the origin is the reader\'s)' }),
    processed_url: Type.String({ description: 'its processed version, likewise; "" for a deleted sample' }),
  }), { maxItems: PREVIEW_SAMPLES, description: `a completed version's first ${PREVIEW_SAMPLES} samples, as the status page shows them` }),
})

const ModelArtsOverview = Type.Object({
  total: Type.Integer({ description: 'versions in the store' }),
  versions: Type.Array(VersionOverview, { description: `newest first (by create time), at most ${OVERVIEW_LIMIT}` }),
})

/** What a version of each result_property says it did, as the fixture words it. */
const DESCRIPTIONS: Record<0 | 1 | 2 | 3, string[][]> = {
  0: [],
  1: [['use Resize augmentation'], ['result_description to translate']],
  2: [['deleted as a near-duplicate'], ['result_description to translate']],
  3: [['use AddNoise augmentation'], ['result_description to translate']],
}
const DEFAULT_COUNTS = { retained: 6, modified: 2, deleted: 1, added: 1 }

/** A task or version id shaped as the vendor's: 19 letters and digits. */
export const newModelArtsId = (): string => randomAlphanumeric(19)

/** The vendor's sample_id: md5 of the object path (bucket/key, no scheme). */
export const sampleIdOf = (originSource: string) => createHash('md5').update(originSource.replace(/^s3:\/\//, '')).digest('hex')

const fileName = (source: string) => source.slice(source.lastIndexOf('/') + 1)

/** The samples of a scenario version: the body's own, checked, or generated from counts. */
function scenarioSamples(body: ScenarioBody, inputPath: string, outputFolder: string): FixtureSample[] {
  const newSource = (property: number, name: string) => (property === 2 ? '' : `obs:/${outputFolder}Data/${name}`)
  if (body.samples !== undefined) {
    if (body.sample_counts !== undefined) throw new ScenarioError(400, '/sample_counts', 'give samples or sample_counts, not both')
    const seen = new Set<string>()
    return body.samples.map((sample, index) => {
      const sampleId = sampleIdOf(sample.origin_source)
      if (seen.has(sampleId)) throw new ScenarioError(400, `/samples/${index}/origin_source`, 'this origin_source is listed twice (its sample_id would repeat)')
      seen.add(sampleId)
      const given = sample.new_source
      if (given !== undefined && (given === '') !== (sample.result_property === 2)) {
        throw new ScenarioError(400, `/samples/${index}/new_source`, 'must be empty exactly when the sample was deleted (result_property 2)')
      }
      return {
        sample_id: sampleId,
        origin_source: sample.origin_source,
        new_source: given ?? newSource(sample.result_property, fileName(sample.origin_source)),
        result_property: sample.result_property,
        result_description: sample.result_description ?? DESCRIPTIONS[sample.result_property as 0 | 1 | 2 | 3],
      }
    })
  }
  const counts = { ...DEFAULT_COUNTS, ...(body.sample_counts ? { retained: 0, modified: 0, deleted: 0, added: 0, ...body.sample_counts } : {}) }
  const kinds: [0 | 1 | 2 | 3, number][] = [[0, counts.retained], [1, counts.modified], [2, counts.deleted], [3, counts.added]]
  const samples: FixtureSample[] = []
  for (const [property, count] of kinds) {
    for (let i = 0; i < count; i++) {
      const name = `${samples.length + 1}.jpg`
      const originSource = `s3:/${inputPath}${name}`
      samples.push({
        sample_id: sampleIdOf(originSource),
        origin_source: originSource,
        new_source: newSource(property, name),
        result_property: property,
        result_description: DESCRIPTIONS[property],
      })
    }
  }
  return samples
}

const TASK_ONLY_FIELDS = ['task_name', 'task_description', 'template_id', 'input_path', 'work_path'] as const

/** ModelArts's part of the control API: reset to the fixture, and scenarios. */
export function modelartsSimulation({ db, clock, urls }: ModelArtsSimulationOptions) {
  const store = new ModelArtsStore(db)
  // Signed as the results' URLs are, for the sandbox's own OBS: paths, which the status page reads at its own origin.
  const previewsOf = (projectId: string, versionId: string) => {
    const signing = {
      key: urls.accessKeys[0] as ModelArtsAccessKey,
      securityToken: securityTokenFor(urls.region, projectId),
      expires: Math.floor(clock.now() / 1000) + urls.signedUrlTtlSeconds,
      base: obsBase({ kind: 'sandbox' }, urls.region, ''),
    }
    // Marked as the sandbox's own requests: the page's downloads are kept out of the journal and fault rules.
    const own = (url: string) => (url === '' ? '' : `${url}&${OWN_REQUEST}`)
    return store.page(versionId, -1, 0, PREVIEW_SAMPLES).map((sample) => ({
      sample_id: sample.sample_id,
      origin_url: own(signObjectUrl(sample.origin_source, signing)),
      processed_url: own(signObjectUrl(sample.new_source, signing)),
    }))
  }
  // Versions across tasks and the next status change are the overview's alone; sample counts are the store's.
  const overviewQueries = statementsOnDemand({
    countVersions: () => db.prepare<[], number>('SELECT COUNT(*) FROM modelarts_versions').pluck(),
    versions: () => db.prepare<[number], {
      project_id: string; task_id: string; task_name: string; version_id: string; version_name: string
      status: number; create_time: number; started_at: number | null; ended_at: number | null
    }>(
      `SELECT t.project_id, t.task_id, t.name AS task_name, v.version_id, v.version_name, v.status, v.create_time, v.started_at, v.ended_at
       FROM modelarts_versions v JOIN modelarts_tasks t ON t.task_id = v.task_id
       ORDER BY v.create_time DESC, v.rowid DESC LIMIT ?`,
    ),
    nextStep: () => db.prepare<[string], { status: number; due_at: number }>(
      'SELECT status, due_at FROM modelarts_version_steps WHERE version_id = ? ORDER BY due_at, seq LIMIT 1',
    ),
  })
  // What create() answered when it made the task too, so that undo() takes the task away rather than only the version.
  const madeTask = new WeakSet<object>()
  const freeId = (taken: (id: string) => boolean) => {
    let id = newModelArtsId()
    while (taken(id)) id = newModelArtsId()
    return id
  }
  return {
    clear() {
      // Versions, samples and pending status changes hang off the tasks by cascading foreign keys.
      store.deleteAll()
    },
    scenario: {
      body: ScenarioBody,
      created: ScenarioCreated,
      refusals: [409],
      /** A version (and its task, unless the body names one of the project's) that runs on the sandbox clock. */
      create(body, now) {
        const projectId = body.project_id ?? DEFAULT_PROJECT_ID
        let task = body.task_id === undefined ? undefined : store.task(body.task_id)
        if (task && task.project_id !== projectId) {
          throw new ScenarioError(409, '/task_id', `task ${task.task_id} belongs to another project`)
        }
        if (task) {
          const field = TASK_ONLY_FIELDS.find((name) => body[name] !== undefined)
          if (field) throw new ScenarioError(400, `/${field}`, `task ${task.task_id} exists already; ${field} is for a new task`)
        }
        if (body.version_id !== undefined && store.version(body.version_id)) {
          throw new ScenarioError(409, '/version_id', `version ${body.version_id} exists already`)
        }
        const newTask = task === undefined
        if (!task) {
          task = {
            task_id: body.task_id ?? freeId((id) => store.task(id) !== undefined),
            project_id: projectId,
            name: body.task_name ?? 'resultbox-scenario',
            description: body.task_description ?? '',
            create_time: now,
            template_id: body.template_id ?? DEFAULT_TEMPLATE,
            input_path: body.input_path ?? DEFAULT_INPUT_PATH,
            work_path: body.work_path ?? DEFAULT_WORK_PATH,
          }
          store.insertTaskRow(task)
        }
        const versionId = body.version_id ?? freeId((id) => store.version(id) !== undefined)
        const startsAt = now + (body.starts_after_ms ?? 1000)
        const endsAt = startsAt + (body.runs_for_ms ?? 5000)
        const steps: StatusChange[] = [
          { status: VERSION_STATUS.running, at: startsAt },
          { status: OUTCOMES[body.outcome ?? 'completed'], at: endsAt },
        ]
        const samples = scenarioSamples(body, task.input_path, `${task.work_path}${versionId}/`)
        store.insertVersion(task.task_id, {
          version_id: versionId,
          version_name: body.version_name ?? `V${String(store.versionCount(task.task_id) + 1).padStart(3, '0')}`,
          description: body.description ?? '',
          create_time: now,
          status: VERSION_STATUS.initialized,
          steps,
          samples,
        })
        const taskUrl = `${MODELARTS_PREFIX}/${projectId}/processor-tasks/${task.task_id}`
        const created = {
          project_id: projectId,
          task_id: task.task_id,
          version_id: versionId,
          task_url: taskUrl,
          version_url: `${taskUrl}/versions/${versionId}`,
          results_url: `${taskUrl}/versions/${versionId}/results`,
          sample_count: samples.length,
          status_changes: steps.map(({ status, at }) => ({ status, at: new Date(at).toISOString(), at_ms: at })),
        }
        if (newTask) madeTask.add(created)
        return created
      },
      undo(_body, created) {
        if (madeTask.has(created)) store.deleteTask(created.task_id)
        else store.deleteVersion(created.version_id)
      },
    },
    overview: {
      schema: ModelArtsOverview,
      // Samples are counted by their index, never read: a version of the large set has a hundred thousand.
      read() {
        const versions = overviewQueries.versions.all(OVERVIEW_LIMIT).map((version) => {
          const step = overviewQueries.nextStep.get(version.version_id)
          const versionUrl = `${MODELARTS_PREFIX}/${version.project_id}/processor-tasks/${version.task_id}/versions/${version.version_id}`
          return {
            ...version,
            status_name: statusName(version.status),
            // By status rather than by steps left: a fixture's version running with no end to come is at 1 of 2, not done.
            progress: { done: version.status >= VERSION_STATUS.completed ? 2 : version.status, total: 2 },
            next: step === undefined ? null : { what: statusName(step.status), at: isoTime(step.due_at) },
            create_time: isoTime(version.create_time),
            started_at: isoOrNull(version.started_at),
            ended_at: isoOrNull(version.ended_at),
            sample_count: store.count(version.version_id, -1),
            version_url: versionUrl,
            results_url: `${versionUrl}/results`,
            previews: version.status === VERSION_STATUS.completed ? previewsOf(version.project_id, version.version_id) : [],
          }
        })
        return { total: overviewQueries.countVersions.get() as number, versions }
      },
    },
  } satisfies Omit<VendorSimulation<typeof ScenarioBody, typeof ScenarioCreated, typeof ModelArtsOverview>, 'providerStates'>
}

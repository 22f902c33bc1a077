import { Type } from '@sinclair/typebox'
import { statementsOnDemand, type Db } from '../database.js'
import { Nullable } from '../schemas.js'
import { NextStep, OVERVIEW_LIMIT, Progress, ScenarioError, isoOrNull, isoTime, type VendorSimulation } from '../simulation.js'
import { splitLog } from './datasets.js'
import { PLUGIN_FINISH_MS, definitionOf, dispatchResult, insertProject, type Dataset, type TrainingTimes } from './flows.js'
import { PLUGIN_INFO, PLUGIN_KEYS, applicablePlugins } from './plugins.js'
import type { PluginKey as PluginName } from './plugins.js'
import { TRAINING_STATUSES, type ResultRules } from './results.js'
import { PluginKey, ProjectStatus } from './schemas.js'
import { sampleExtension, sampleRows } from './sample-log.js'
import { PrpmStore } from './store.js'
import { StreamStore, type StreamKind } from './stream-store.js'
import { endStream } from './lifecycle.js'
import { SIMULATION_MAX_EVENTS, beginStream, simulationRows, simulationRowsOf } from './streams.js'

export interface PrpmSimulationOptions {
  db: Db
  /** The configured training durations (a new scenario project's defaults, as POST /project's) and the results' lifetime. */
  config: TrainingTimes & Pick<ResultRules, 'resultTtlSeconds'>
  /** The cap on a stored log's decompressed bytes when the simulator's rows are read from it (RESULTBOX_UPLOAD_MAX_BYTES). */
  uploadMaxBytes: number
  /** The sandbox clock: the overview counts the stream events prescribed by now. */
  now: () => number
}

const STREAM_KINDS = { streaming: 'STREAMING', simulating: 'SIMULATING' } as const satisfies Record<string, StreamKind>

/** The scenario body; its defaults follow the configured training durations. */
function scenarioBody(times: TrainingTimes) {
  return Type.Object({
    project_id: Type.Optional(Type.Integer({ description: 'an existing project to add the result to; default: a new BPIC 2012-like project' })),
    project_status: Type.Optional(Type.Union(ProjectStatus.anyOf, {
      description: 'a new project created in this status and left there; default: PREPROCESSING, training on the clock',
    })),
    training: Type.Optional(Type.Object({
      preprocessing_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_MS, default: times.preprocessingMs, description: 'sandbox ms in PREPROCESSING (default: RESULTBOX_PRPM_PREPROCESSING_SECONDS)' })),
      training_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_MS, default: times.trainingMs, description: 'sandbox ms in TRAINING (default: RESULTBOX_PRPM_TRAINING_SECONDS)' })),
    }, { additionalProperties: false, description: 'how a new project trains on the clock (only with project_status PREPROCESSING or unset)' })),
    result_key: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{8}$', description: 'default: a random key' })),
    plugins: Type.Optional(Type.Array(Type.Object({
      plugin: PluginKey,
      finishes_after_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_MS, description: 'after the project is TRAINED (or now, if it already is); default: 0.6 s to 2 s by plugin' })),
      fails: Type.Optional(Type.Boolean({ default: false, description: 'the plugin finishes with no prescriptions' })),
    }, { additionalProperties: false }), { minItems: 1, maxItems: PLUGIN_KEYS.length, description: "each plugin at most once; default: the project's plugins, finishing within 2 s" })),
    case_count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 3, description: 'deterministic BPIC 2012-like ongoing cases' })),
    stream: Type.Optional(Type.Union([Type.Literal('streaming'), Type.Literal('simulating')], {
      description: "then the project's stream starts, as PUT /project/{id}/stream/start/{stream} starts it: streaming takes the events a client posts, simulating has the simulator post the project's simulation cases. Only a TRAINED project streams: a new one with project_status TRAINED, or a project_id that is TRAINED",
    })),
  }, { additionalProperties: false, description: 'every field is optional: {} creates a project that trains on the clock and a result of 3 cases' })
}
type ScenarioBody = ReturnType<typeof scenarioBody>

const ScenarioCreated = Type.Object({
  project_id: Type.Integer(),
  result_key: Type.String(),
  project_url: Type.String(),
  result_url: Type.String(),
  due: Type.Array(Type.Object({ plugin: PluginKey, at: Type.String({ description: 'ISO 8601' }) })),
  stream_url: Type.Optional(Type.String({ description: "with stream: the project's prescriptions as Server-Sent Events; GET it with Authorization: Bearer <token>" })),
})

const ResultOverview = Type.Object({
  project_id: Type.Integer(),
  result_key: Type.String(),
  status: Type.Union([Type.Literal('processing'), Type.Literal('complete')], {
    description: 'processing while the project trains or a plugin has not finished; a complete result is deleted by its first read (RESULTBOX_PRPM_ONE_SHOT_READ)',
  }),
  project_status: ProjectStatus,
  expected_plugins: Type.Array(PluginKey, { description: 'every plugin the result waits for (the API lists them only once the project is trained)' }),
  finished_plugins: Type.Array(PluginKey, { description: 'in the order they finished' }),
  progress: Type.Object(Progress.properties, { description: 'finished of expected plugins' }),
  next: NextStep,
  cases_count: Type.Integer(),
  created_at: Type.String({ description: 'ISO 8601' }),
  expires_at: Nullable(Type.String({ description: 'when it is dropped (RESULTBOX_PRPM_RESULT_TTL_SECONDS); null: never' })),
  result_url: Type.String({ description: 'GET it with Authorization: Bearer <token>' }),
})

const ProjectOverview = Type.Object({
  id: Type.Integer(),
  name: Nullable(Type.String()),
  status: ProjectStatus,
  created_at: Nullable(Type.String({ description: 'ISO 8601' })),
  next: NextStep,
  project_url: Type.String(),
})

const StreamOverview = Type.Object({
  project_id: Type.Integer(),
  kind: Type.Union([Type.Literal('STREAMING'), Type.Literal('SIMULATING')], {
    description: 'how the run began: stream/start (a client posts the events) or stream/start/simulating (the simulator posts them)',
  }),
  status: Type.Union([Type.Literal('streaming'), Type.Literal('finished')], {
    description: 'streaming until stopped or cleared; a simulation also until its last row is prescribed (its project TRAINED again) or nobody has read it for a while',
  }),
  started_at: Type.String({ description: 'ISO 8601' }),
  finished_at: Nullable(Type.String({ description: 'ISO 8601' })),
  events: Type.Integer({ description: "events posted to the project's stream, by every run since the last stream/clear" }),
  prescribed: Type.Integer({ description: "of those, the ones whose prescriptions are due by now: RESULTBOX_PRPM_PRESCRIPTION_SECONDS after the post, a case's last event at once" }),
  sent: Type.Integer({ description: 'of those, the ones sent to a reader of stream/result' }),
  cases: Type.Integer({ description: 'the cases the events opened' }),
  reader: Type.Boolean({ description: 'whether a reader of stream/result is connected to this run' }),
  simulation: Nullable(Type.Object({
    posted: Type.Integer({ description: 'rows the simulator has posted' }),
    total: Type.Integer({ description: `rows it posts in all (the simulation cases' events, at most ${SIMULATION_MAX_EVENTS})` }),
    next_post_at: Nullable(Type.String({ description: 'when it posts the next, RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS after the last (ISO 8601); null once done' })),
  }, { description: 'the simulator of a SIMULATING run; null for a STREAMING one' })),
  result_url: Type.String({ description: 'its prescriptions as Server-Sent Events; GET it with Authorization: Bearer <token>' }),
})

const PrpmOverview = Type.Object({
  total: Type.Integer({ description: 'results in the store' }),
  results: Type.Array(ResultOverview, { description: `newest first, at most ${OVERVIEW_LIMIT}` }),
  projects_total: Type.Integer(),
  projects: Type.Array(ProjectOverview, { description: `newest first, at most ${OVERVIEW_LIMIT}` }),
  streams_total: Type.Integer({ description: 'projects that have streamed' }),
  streams: Type.Array(StreamOverview, { description: `each project's latest run, newest first, at most ${OVERVIEW_LIMIT}` }),
})

/** What the overview reads: counts, keys and times, never cases or prescriptions. */
function overviewQueries(db: Db) {
  return statementsOnDemand({
    countResults: () => db.prepare<[], number>('SELECT COUNT(*) FROM prpm_results').pluck(),
    results: () => db.prepare<[number], { result_key: string; project_id: number; created_at: number; cases_count: number; project_status: ProjectStatus }>(
      `SELECT r.result_key, r.project_id, r.created_at, r.cases_count, p.status AS project_status
       FROM prpm_results r JOIN prpm_projects p ON p.id = r.project_id
       ORDER BY r.created_at DESC, r.result_key LIMIT ?`,
    ),
    // The store's plugins() leaves out due_at, which is what the overview shows of a plugin still running.
    plugins: () => db.prepare<[string], { plugin_key: PluginName; due_at: number; finish_seq: number | null }>(
      'SELECT plugin_key, due_at, finish_seq FROM prpm_result_plugins WHERE result_key = ? ORDER BY expected_position',
    ),
    countProjects: () => db.prepare<[], number>('SELECT COUNT(*) FROM prpm_projects').pluck(),
    projects: () => db.prepare<[number], { id: number; status: ProjectStatus; name: string | null; created_at: number | null; training_at: number | null; trained_at: number | null }>(
      `SELECT p.id, p.status, d.name, d.created_at, d.training_at, d.trained_at
       FROM prpm_projects p LEFT JOIN prpm_project_details d ON d.project_id = p.id
       ORDER BY COALESCE(d.created_at, 0) DESC, p.id DESC LIMIT ?`,
    ),
    countStreams: () => db.prepare<[], number>('SELECT COUNT(DISTINCT project_id) FROM prpm_stream_runs').pluck(),
    // StreamStore.latestRuns's runs without the simulator's rows, which may hold 1800 events: only their count.
    streams: () => db.prepare<[number], {
      id: number; project_id: number; kind: StreamKind; started_at: number; finished_at: number | null
      posted: number; next_post_at: number | null; reader_open: number; total: number
    }>(
      `SELECT id, project_id, kind, started_at, finished_at, posted, next_post_at, reader_open, COALESCE(json_array_length(rows), 0) AS total
       FROM prpm_stream_runs WHERE id IN (SELECT MAX(id) FROM prpm_stream_runs GROUP BY project_id) ORDER BY id DESC LIMIT ?`,
    ),
  })
}

// A year of sandbox time: far enough for any test, small enough to stay an exact integer once added to now.
const MAX_MS = 31_536_000_000

export const ACTIVITIES = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'W_Completeren aanvraag', 'A_ACCEPTED', 'O_SENT', 'A_APPROVED']

/** BPIC 2012-like ongoing cases: ids from 173688, 1 to 5 events each, one minute apart. */
export function bpicCases(count: number, now: number) {
  const rows: string[][] = []
  for (let index = 0; index < count; index++) {
    const caseId = String(173688 + index * 3)
    const length = 1 + (index % 5)
    for (let step = 0; step < length; step++) {
      const time = new Date(now - 86_400_000 + index * 3_600_000 + step * 60_000).toISOString().replace('T', ' ').slice(0, 23)
      rows.push([caseId, time, time, String(5000 + index * 500), `${new Date(now - 86_400_000).toISOString()}`, ACTIVITIES[step] as string, '112'])
    }
  }
  return { columns: ['Case ID', 'start_time', 'end_time', 'AMOUNT_REQ', 'REG_DATE', 'Activity', 'Resource'], rows }
}

/** A new scenario project's definition: a copy of the BPIC definition of fixture project 1's kind. */
export const BPIC_DEFINITION = { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', REG_DATE: 'DATETIME', Resource: 'RESOURCE', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', start_time: 'START_TIMESTAMP' } as const
export const BPIC_CASE_ATTRIBUTES = ['AMOUNT_REQ', 'REG_DATE']
/** A new scenario project's plugins: those of a project with an outcome and a treatment, as POST /project enables them. */
export const SCENARIO_PLUGINS = applicablePlugins(true, true, {})

/** Why a project in this status cannot start a stream (stream/start's checks), or null: it can. */
function streamRefusal(status: ProjectStatus, project: string, trainsOnClock: boolean): string | null {
  if (status === 'TRAINED') return null
  const why = status === 'PREPROCESSING' || status === 'TRAINING' ? `is ${status}, not yet TRAINED${trainsOnClock ? ': it trains on the clock first' : ''}`
    : status === 'STREAMING' || status === 'SIMULATING' ? `is ${status} already`
      : status === 'ERROR' ? 'is in ERROR' : 'is WAITING for its event log to be defined'
  return `stream needs a TRAINED project; ${project} ${why}`
}

/** What prepare() read for create(): an existing project's simulator rows, parsed from its stored log. */
interface PreparedScenario {
  simulationRows?: Record<string, unknown>[]
}

/** Prpm's part of the control API: reset to the fixture, and scenarios. */
export function prpmSimulation({ db, config, uploadMaxBytes, now: clockNow }: PrpmSimulationOptions) {
  const store = new PrpmStore(db)
  const streams = new StreamStore(db)
  const ScenarioBody = scenarioBody(config)
  const queries = overviewQueries(db)

  return {
    clear() {
      // Every other prpm table hangs off these two by cascading foreign keys.
      db.prepare('DELETE FROM prpm_projects').run()
      db.prepare('DELETE FROM prpm_event_logs').run()
    },
    scenario: {
      body: ScenarioBody,
      created: ScenarioCreated,
      refusals: [404, 409],
      async prepare(body): Promise<PreparedScenario> {
        // An existing project's simulation replays its stored log, which takes a parse; a new project's log is made in memory.
        if (body.stream !== 'simulating' || body.project_id === undefined) return {}
        return { simulationRows: await simulationRows(store, body.project_id, uploadMaxBytes) }
      },
      create(body, now, prepared?: PreparedScenario) {
        if (body.result_key !== undefined && store.result(body.result_key)) {
          throw new ScenarioError(409, '/result_key', `result_key ${body.result_key} is taken`)
        }
        let projectId = body.project_id
        const streamKind = body.stream === undefined ? null : STREAM_KINDS[body.stream]
        if (streamKind === 'SIMULATING' && projectId !== undefined && prepared?.simulationRows === undefined) {
          throw new Error("simulating an existing project replays its log, which prepare() reads: call it first, as POST /_resultbox/scenarios/prpm does")
        }
        // A new project's training log, in memory: the simulator's rows come from it.
        let trainingLog: Dataset | null = null
        if (projectId !== undefined) {
          const project = store.project(projectId)
          if (!project) throw new ScenarioError(404, '/project_id', `no project ${projectId}`)
          // These describe a new project: silently ignoring them would hide a mistake in the test suite.
          if (body.project_status !== undefined) throw new ScenarioError(400, '/project_status', 'project_status is for a new project, not with project_id')
          if (body.training !== undefined) throw new ScenarioError(400, '/training', 'training is for a new project, not with project_id')
          const refusal = streamKind === null ? null : streamRefusal(project.status, `project ${projectId}`, store.projectDetails(projectId)?.trained_at != null)
          if (refusal !== null) throw new ScenarioError(400, '/stream', refusal)
        } else {
          const status = body.project_status ?? 'PREPROCESSING'
          if (body.training !== undefined && status !== 'PREPROCESSING') {
            throw new ScenarioError(400, '/training', `a project created ${status} does not train on the clock`)
          }
          const refusal = streamKind === null ? null : streamRefusal(status, 'the new project', status === 'PREPROCESSING')
          if (refusal !== null) throw new ScenarioError(400, '/stream', `${refusal}${status === 'PREPROCESSING' ? ' (project_status TRAINED makes a TRAINED one)' : ''}`)
          const columnsDefinition = BPIC_DEFINITION
          const caseAttributes = BPIC_CASE_ATTRIBUTES
          // A training log of its own, so that the project has datasets to download and a simulation to replay.
          const columns = bpicCases(1, now).columns
          const rows = sampleRows({ columns, definition: columnsDefinition, caseAttributes, activities: ACTIVITIES, seededAt: now })
          const eventLogId = store.insertEventLog({
            file_name: 'bpic2012-CSV.zip', created_at: now, columns, row_count: rows.length,
            values: new Map([['Activity', new Map(ACTIVITIES.map((a) => [a, 1]))]]), test: null,
            head: rows.slice(0, 5), file: { extension: sampleExtension('bpic2012-CSV.zip'), separator: ',', bytes: null },
          })
          trainingLog = { columns, rows }
          store.setDefinition(eventLogId, {
            columns_definition: columnsDefinition,
            case_attributes: caseAttributes, fast_mode: true, start_transition: 'START', complete_transition: 'COMPLETE', abort_transition: 'ATE_ABORT',
            outcome_definition: [[{ column: 'Activity', operator: 'EQUAL', value: 'A_APPROVED' }]], outcome_definition_negative: false,
            treatment_definition: [[{ column: 'Activity', operator: 'EQUAL', value: 'O_SENT_BACK' }]],
          }, now)
          projectId = insertProject(store, {
            event_log_id: eventLogId, name: 'bpic2012-CSV.zip', status,
            preprocessing_ms: body.training?.preprocessing_ms ?? config.preprocessingMs, training_ms: body.training?.training_ms ?? config.trainingMs,
            plugins: SCENARIO_PLUGINS.map((plugin) => ({ plugin, parameters: PLUGIN_INFO[plugin].parameters, additional_info: {} })),
          }, now)
        }
        const plans = body.plugins?.map((plan) => ({
          plugin: plan.plugin, finishes_after_ms: plan.finishes_after_ms ?? PLUGIN_FINISH_MS[plan.plugin], fails: plan.fails ?? false,
        }))
        if (plans && new Set(plans.map((plan) => plan.plugin)).size !== plans.length) throw new ScenarioError(400, '/plugins', 'a plugin is listed twice')
        const dispatched = dispatchResult(store, projectId, bpicCases(body.case_count ?? 3, now), now, { resultKey: body.result_key, plans })
        if (!dispatched) throw new ScenarioError(400, '/project_id', `project ${projectId} has no event log definition the cases fit`)
        const created = {
          project_id: projectId,
          result_key: dispatched.resultKey,
          project_url: `/project/${projectId}`,
          result_url: `/project/${projectId}/result/${dispatched.resultKey}`,
          due: dispatched.due.map((entry) => ({ plugin: entry.plugin, at: new Date(entry.at).toISOString() })),
        }
        if (streamKind === null) return created
        // A project that has a result has a definition; create() has checked that an existing project's rows were prepared.
        const rows = streamKind === 'STREAMING' ? null
          : trainingLog === null ? (prepared?.simulationRows as Record<string, unknown>[])
            : simulationRowsOf(splitLog(trainingLog, (definitionOf(store, projectId) as NonNullable<ReturnType<typeof definitionOf>>).definition))
        beginStream(store, streams, projectId, streamKind, now, rows)
        return { ...created, stream_url: `/project/${projectId}/stream/result` }
      },
      undo(body, created) {
        // A new project takes its event log, result and stream runs with it.
        if (body.project_id === undefined) return store.deleteProject(created.project_id)
        store.deleteResult(created.result_key)
        const project = store.project(created.project_id)
        if (body.stream !== undefined && (project?.status === 'STREAMING' || project?.status === 'SIMULATING')) endStream(store, streams, created.project_id, clockNow())
      },
    },
    overview: {
      schema: PrpmOverview,
      // The caller has run what fell due: an expired result is gone already.
      read() {
        const ttlMs = config.resultTtlSeconds * 1000
        const results = queries.results.all(OVERVIEW_LIMIT).map((result) => {
          const plugins = queries.plugins.all(result.result_key)
          const finished = plugins.filter((plugin) => plugin.finish_seq !== null).sort((a, b) => (a.finish_seq as number) - (b.finish_seq as number))
          const pending = plugins.filter((plugin) => plugin.finish_seq === null).sort((a, b) => a.due_at - b.due_at)[0]
          const processing = TRAINING_STATUSES.has(result.project_status) || finished.length < plugins.length
          return {
            project_id: result.project_id,
            result_key: result.result_key,
            status: processing ? ('processing' as const) : ('complete' as const),
            project_status: result.project_status,
            expected_plugins: plugins.map((plugin) => plugin.plugin_key),
            finished_plugins: finished.map((plugin) => plugin.plugin_key),
            progress: { done: finished.length, total: plugins.length },
            next: pending === undefined ? null : { what: `${pending.plugin_key} finishes`, at: isoTime(pending.due_at) },
            cases_count: result.cases_count,
            created_at: isoTime(result.created_at),
            expires_at: ttlMs > 0 ? isoTime(result.created_at + ttlMs) : null,
            result_url: `/project/${result.project_id}/result/${result.result_key}`,
          }
        })
        const projects = queries.projects.all(OVERVIEW_LIMIT).map((project) => {
          let next: { what: string; at: string } | null = null
          // The same conditions as the training runner's: only a project with a timeline moves on by itself.
          if (project.status === 'PREPROCESSING' && project.training_at !== null) next = { what: 'TRAINING', at: isoTime(project.training_at) }
          else if ((project.status === 'PREPROCESSING' || project.status === 'TRAINING') && project.trained_at !== null) next = { what: 'TRAINED', at: isoTime(project.trained_at) }
          return { id: project.id, name: project.name, status: project.status, created_at: isoOrNull(project.created_at), next, project_url: `/project/${project.id}` }
        })
        const now = clockNow()
        const runs = queries.streams.all(OVERVIEW_LIMIT).map((run) => ({
          project_id: run.project_id,
          kind: run.kind,
          status: run.finished_at === null ? ('streaming' as const) : ('finished' as const),
          started_at: isoTime(run.started_at),
          finished_at: isoOrNull(run.finished_at),
          ...streams.counts(run.project_id, now),
          reader: run.reader_open === 1,
          simulation: run.kind === 'SIMULATING' ? { posted: run.posted, total: run.total, next_post_at: isoOrNull(run.next_post_at) } : null,
          result_url: `/project/${run.project_id}/stream/result`,
        }))
        return {
          total: queries.countResults.get() as number, results, projects_total: queries.countProjects.get() as number, projects,
          streams_total: queries.countStreams.get() as number, streams: runs,
        }
      },
    },
  } satisfies Omit<VendorSimulation<ScenarioBody, typeof ScenarioCreated, typeof PrpmOverview>, 'providerStates'>
}

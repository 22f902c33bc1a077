import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { providerState, type AppliedState, type ProviderState } from '../provider-states/types.js'
import { ScenarioError } from '../simulation.js'
import type { PluginKey as PluginName } from './plugins.js'
import { sampleRows } from './sample-log.js'
import { PluginKey } from './schemas.js'
import { ACTIVITIES, BPIC_CASE_ATTRIBUTES, BPIC_DEFINITION, SCENARIO_PLUGINS, bpicCases, type prpmSimulation } from './simulation.js'
import { PrpmStore } from './store.js'
import { LogSummary } from './upload.js'

/** Sandbox time a plugin of a "still processing" state takes: longer than any verification runs. */
const PENDING_MS = 3_600_000

const CaseCount = Type.Integer({ minimum: 1, maximum: 10_000, default: 3, description: 'the ongoing cases the result holds' })
const ResultKey = Type.String({ pattern: '^[A-Za-z0-9]{8}$', description: 'the result_key to use; default: a random one' })

export interface PrpmStateOptions {
  db: Db
  /** The Bearer tokens PrPM accepts: the first is the one the states hand out. */
  tokens: readonly string[]
}

type Simulation = ReturnType<typeof prpmSimulation>

/**
 * PrPM's provider states, in the words a PrCore client's pact uses. Each answers the ids a request path
 * needs and the Bearer token, so that a consumer writes
 * `fromProviderState('/project/${project_id}/result/${result_key}', '/project/1/result/Abc12345')`.
 */
export function prpmProviderStates(simulation: Simulation, { db, tokens }: PrpmStateOptions): readonly ProviderState[] {
  const store = new PrpmStore(db)
  // The configuration takes a list of one token at least.
  const token = tokens[0] as string
  const { scenario } = simulation
  type Body = Parameters<typeof scenario.create>[0]

  /** A scenario made and its values: the ids, its paths and the token. */
  const fromScenario = (body: Body, now: number): AppliedState & { created: ReturnType<typeof scenario.create> } => {
    const created = scenario.create(body, now)
    return {
      created,
      values: {
        project_id: created.project_id,
        result_key: created.result_key,
        token,
        result_path: created.result_url,
        project_path: created.project_url,
      },
      undo: () => scenario.undo(body, created),
    }
  }
  const plans = (finished: ReadonlySet<PluginName>) =>
    SCENARIO_PLUGINS.map((plugin) => ({ plugin, finishes_after_ms: finished.has(plugin) ? 0 : PENDING_MS }))
  const resultValues = {
    project_id: 'the project (integer)',
    result_key: 'its result (8 letters and digits)',
    token: 'a Bearer token PrPM accepts',
    result_path: '/project/{project_id}/result/{result_key}',
    project_path: '/project/{project_id}',
  }

  return [
    providerState({
      name: 'a trained project with a complete result',
      description: 'A TRAINED project whose result every plugin has answered: GET result gives its cases with prescriptions (and, read once, deletes it).',
      params: Type.Object({ case_count: Type.Optional(CaseCount), result_key: Type.Optional(ResultKey) }, { additionalProperties: false }),
      returns: resultValues,
      setup: (params, now) => fromScenario({
        project_status: 'TRAINED', case_count: params.case_count, result_key: params.result_key, plugins: plans(new Set(SCENARIO_PLUGINS)),
      }, now),
    }),
    providerState({
      name: 'a project whose result is still processing',
      description: 'A TRAINED project whose result waits on its plugins: GET result gives status TRAINED, the expected plugins and cases null. The plugins left finish an hour later on the sandbox clock.',
      params: Type.Object({
        finished_plugins: Type.Optional(Type.Array(PluginKey, {
          default: [], uniqueItems: true, description: `the plugins that have answered already (of ${SCENARIO_PLUGINS.join(', ')}), not all of them`,
        })),
        case_count: Type.Optional(CaseCount),
      }, { additionalProperties: false }),
      returns: resultValues,
      setup: (params, now) => {
        const finished = new Set(params.finished_plugins as PluginName[])
        const stranger = [...finished].find((plugin) => !SCENARIO_PLUGINS.includes(plugin))
        if (stranger !== undefined) throw new ScenarioError(400, '/finished_plugins', `${stranger} is not one of the project's plugins (${SCENARIO_PLUGINS.join(', ')})`)
        if (finished.size === SCENARIO_PLUGINS.length) throw new ScenarioError(400, '/finished_plugins', 'every plugin has finished: that is "a trained project with a complete result"')
        return fromScenario({ project_status: 'TRAINED', case_count: params.case_count, plugins: plans(finished) }, now)
      },
    }),
    providerState({
      name: 'a project still training',
      description: 'A project left in TRAINING with a result uploaded: GET result gives status TRAINING, expected_plugins [] and cases null.',
      params: Type.Object({ case_count: Type.Optional(CaseCount) }, { additionalProperties: false }),
      returns: resultValues,
      setup: (params, now) => fromScenario({ project_status: 'TRAINING', case_count: params.case_count }, now),
    }),
    providerState({
      name: 'a project in error',
      description: 'A project in ERROR with a result: GET result answers 400 "Project is in error status".',
      params: Type.Object({}, { additionalProperties: false }),
      returns: resultValues,
      setup: (_params, now) => fromScenario({ project_status: 'ERROR' }, now),
    }),
    providerState({
      name: 'a trained project whose result is gone',
      description: 'A TRAINED project whose result was read or expired: GET result answers 404 "Result not found".',
      params: Type.Object({}, { additionalProperties: false }),
      returns: resultValues,
      setup: (_params, now) => {
        const applied = fromScenario({ project_status: 'TRAINED', plugins: plans(new Set(SCENARIO_PLUGINS)) }, now)
        store.deleteResult(applied.created.result_key)
        return applied
      },
    }),
    providerState({
      name: 'a project streaming',
      description: 'A TRAINED project whose stream has started: streaming takes the events a client posts, simulating has the simulator post its cases.',
      params: Type.Object({
        kind: Type.Optional(Type.Union([Type.Literal('streaming'), Type.Literal('simulating')], { default: 'streaming', description: 'how the stream began' })),
      }, { additionalProperties: false }),
      returns: { ...resultValues, stream_path: '/project/{project_id}/stream/result: its prescriptions as Server-Sent Events' },
      setup: (params, now) => {
        const applied = fromScenario({ project_status: 'TRAINED', plugins: plans(new Set(SCENARIO_PLUGINS)), stream: params.kind as 'streaming' | 'simulating' }, now)
        return { ...applied, values: { ...applied.values, stream_path: `/project/${applied.created.project_id}/stream/result` } }
      },
    }),
    providerState({
      name: 'an uploaded event log',
      description: 'A BPIC 2012-like event log as POST /event_log leaves it: its columns read, not yet defined (PUT /event_log/{event_log_id} defines it).',
      params: Type.Object({}, { additionalProperties: false }),
      returns: { event_log_id: 'the event log (integer)', token: 'a Bearer token PrPM accepts', file_name: 'the file it was uploaded as' },
      prepare: async () => {
        const { stringify } = await import('csv-stringify/sync')
        const columns = bpicCases(1, 0).columns
        return { columns, stringify }
      },
      setup: (_params, now, prepared) => {
        const { columns, stringify } = prepared as { columns: string[]; stringify: (rows: string[][]) => string }
        const rows = sampleRows({ columns, definition: BPIC_DEFINITION, caseAttributes: BPIC_CASE_ATTRIBUTES, activities: ACTIVITIES, seededAt: now })
        const summary = new LogSummary()
        summary.columns(columns)
        // Every sample row has a cell per column.
        for (const row of rows) summary.event(columns.map((column, index) => [column, row[index] as string]))
        const fileName = 'bpic2012.csv'
        const eventLogId = store.insertEventLog({
          file_name: fileName, created_at: now, columns, row_count: summary.rowCount, values: summary.values, test: null, head: summary.headRows(),
          file: { extension: 'csv', separator: ',', bytes: Buffer.from(stringify([columns, ...rows])) },
        })
        return { values: { event_log_id: eventLogId, token, file_name: fileName }, undo: () => store.deleteEventLog(eventLogId) }
      },
    }),
  ]
}

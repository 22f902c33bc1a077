import { Type } from '@sinclair/typebox'
import type { Db } from '../database.js'
import { ScenarioError, type VendorSimulation } from '../simulation.js'
import { loadPrpmFixture, seedPrpm } from './fixtures.js'
import { PLUGIN_FINISH_MS, PREPROCESSING_MS, TRAINING_MS, dispatchResult, insertProject } from './flows.js'
import { PLUGIN_INFO, applicablePlugins } from './plugins.js'
import { PluginKey, ProjectStatus } from './schemas.js'
import { PrpmStore } from './store.js'

export interface PrpmSimulationOptions {
  db: Db
  fixturesDir: string
}

const ScenarioBody = Type.Object({
  project_id: Type.Optional(Type.Integer({ description: 'an existing project to add the result to; default: a new project' })),
  project_status: Type.Optional(ProjectStatus),
  training: Type.Optional(Type.Object({
    preprocessing_ms: Type.Integer({ minimum: 0, default: PREPROCESSING_MS, description: 'sandbox ms in PREPROCESSING' }),
    training_ms: Type.Integer({ minimum: 0, default: TRAINING_MS, description: 'sandbox ms in TRAINING' }),
  }, { description: 'a new project trains on the clock with these durations (unless project_status is given)' })),
  result_key: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{8}$', description: 'default: a random key' })),
  plugins: Type.Optional(Type.Array(Type.Object({
    plugin: PluginKey,
    finishes_after_ms: Type.Optional(Type.Integer({ minimum: 0, description: 'after the project is TRAINED (or now)' })),
    fails: Type.Optional(Type.Boolean({ default: false, description: 'finishes with no prescriptions' })),
  }), { description: "default: the project's plugins, finishing within 2 s" })),
  case_count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 3, description: 'deterministic BPIC-like cases' })),
})

const ScenarioCreated = Type.Object({
  project_id: Type.Integer(),
  result_key: Type.String(),
  project_url: Type.String(),
  result_url: Type.String(),
  due: Type.Array(Type.Object({ plugin: PluginKey, at: Type.String({ description: 'ISO 8601' }) })),
})

const ACTIVITIES = ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'W_Completeren aanvraag', 'A_ACCEPTED', 'O_SENT', 'A_APPROVED']

/** BPIC 2012-like ongoing cases: ids from 173688, 1 to 5 events each, one minute apart. */
function bpicCases(count: number, now: number) {
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

/** Prpm's part of the control API: reset to the fixture, and scenarios. */
export function prpmSimulation({ db, fixturesDir }: PrpmSimulationOptions) {
  const store = new PrpmStore(db)
  return {
    vendor: 'prpm',
    reset(now) {
      // Every other prpm table hangs off these two by cascading foreign keys.
      db.prepare('DELETE FROM prpm_projects').run()
      db.prepare('DELETE FROM prpm_event_logs').run()
      seedPrpm(db, loadPrpmFixture(fixturesDir), now)
    },
    scenario: {
      body: ScenarioBody,
      created: ScenarioCreated,
      create(body, now) {
        if (body.result_key !== undefined && store.result(body.result_key)) {
          throw new ScenarioError(409, '/result_key', `result_key ${body.result_key} is taken`)
        }
        let projectId = body.project_id
        if (projectId !== undefined) {
          if (!store.project(projectId)) throw new ScenarioError(404, '/project_id', `no project ${projectId}`)
        } else {
          // A new project on a copy of the BPIC definition of fixture project 1's kind.
          const dataset = bpicCases(1, now)
          const eventLogId = store.insertEventLog({ file_name: 'bpic2012-CSV.zip', created_at: now, columns: dataset.columns, row_count: 0, values: new Map([['Activity', new Map(ACTIVITIES.map((a) => [a, 1]))]]), test: null })
          store.setDefinition(eventLogId, {
            columns_definition: { 'Case ID': 'CASE_ID', Activity: 'ACTIVITY', REG_DATE: 'DATETIME', Resource: 'RESOURCE', end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', start_time: 'START_TIMESTAMP' },
            case_attributes: ['AMOUNT_REQ', 'REG_DATE'], fast_mode: true, start_transition: 'START', complete_transition: 'COMPLETE', abort_transition: 'ATE_ABORT',
            outcome_definition: [[{ column: 'Activity', operator: 'EQUAL', value: 'A_APPROVED' }]], outcome_definition_negative: false,
            treatment_definition: [[{ column: 'Activity', operator: 'EQUAL', value: 'O_SENT_BACK' }]],
          }, now)
          projectId = insertProject(store, {
            event_log_id: eventLogId, name: 'bpic2012-CSV.zip', status: body.project_status ?? 'PREPROCESSING',
            preprocessing_ms: body.training?.preprocessing_ms ?? PREPROCESSING_MS, training_ms: body.training?.training_ms ?? TRAINING_MS,
            plugins: applicablePlugins(true, true, {}).map((plugin) => ({ plugin, parameters: PLUGIN_INFO[plugin].parameters, additional_info: {} })),
          }, now)
        }
        const plans = body.plugins?.map((plan) => ({
          plugin: plan.plugin, finishes_after_ms: plan.finishes_after_ms ?? PLUGIN_FINISH_MS[plan.plugin], fails: plan.fails ?? false,
        }))
        if (plans && new Set(plans.map((plan) => plan.plugin)).size !== plans.length) throw new ScenarioError(400, '/plugins', 'a plugin is listed twice')
        const dispatched = dispatchResult(store, projectId, bpicCases(body.case_count ?? 3, now), now, { resultKey: body.result_key, plans })
        if (!dispatched) throw new ScenarioError(400, '/project_id', `project ${projectId} has no event log definition the cases fit`)
        return {
          project_id: projectId,
          result_key: dispatched.resultKey,
          project_url: `/project/${projectId}`,
          result_url: `/project/${projectId}/result/${dispatched.resultKey}`,
          due: dispatched.due.map((entry) => ({ plugin: entry.plugin, at: new Date(entry.at).toISOString() })),
        }
      },
    },
  } satisfies VendorSimulation<typeof ScenarioBody, typeof ScenarioCreated>
}

import path from 'node:path'
import type { Db } from '../database.js'
import { FixtureError, loadFixtureFile } from '../fixtures.js'
import { jsonbOrdered } from './definitions.js'
import { PLUGINS, PLUGIN_INFO, applicablePlugins, pluginForPrescriptionType } from './plugins.js'
import { Fixture, type FixtureEventLog } from './schemas.js'
import { sampleExtension, sampleRows } from './sample-log.js'
import { PrpmStore } from './store.js'

export const FIXTURE_FILE = 'prpm.json'

/** Loads fixtures/prpm.json and checks what the schema alone cannot (references, widths, plugins). */
export function loadPrpmFixture(dir: string): Fixture {
  const fixture = loadFixtureFile(dir, FIXTURE_FILE, Fixture)
  const file = path.join(dir, FIXTURE_FILE)
  const projectIds = new Set<number>()
  fixture.projects.forEach((project, index) => {
    if (projectIds.has(project.id)) throw new FixtureError(file, `/projects/${index}/id`, `project ${project.id} is listed twice`)
    projectIds.add(project.id)
  })
  const resultKeys = new Set<string>()
  fixture.results.forEach((result, index) => {
    const at = `/results/${index}`
    if (!projectIds.has(result.project_id)) {
      throw new FixtureError(file, `${at}/project_id`, `no project ${result.project_id} in /projects`)
    }
    if (resultKeys.has(result.result_key)) throw new FixtureError(file, `${at}/result_key`, 'result_key is listed twice')
    resultKeys.add(result.result_key)
    const expected = new Set(result.expected_plugins)
    if (expected.size !== result.expected_plugins.length) {
      throw new FixtureError(file, `${at}/expected_plugins`, 'a plugin is listed twice')
    }
    const scheduled = result.plugin_timeline.map((entry) => entry.plugin)
    if (scheduled.length !== expected.size || !scheduled.every((plugin) => expected.has(plugin))) {
      throw new FixtureError(file, `${at}/plugin_timeline`, 'must schedule every expected plugin exactly once')
    }
    for (const column of Object.keys(result.columns_definition)) {
      if (!result.columns.includes(column)) {
        throw new FixtureError(file, `${at}/columns_definition/${column}`, 'is not one of columns')
      }
    }
    for (const [caseId, item] of Object.entries(result.cases)) {
      item.events.forEach((event, row) => {
        if (event.length !== result.columns.length) {
          throw new FixtureError(file, `${at}/cases/${caseId}/events/${row}`, `has ${event.length} values for ${result.columns.length} columns`)
        }
      })
      item.prescriptions.forEach((prescription, position) => {
        const plugin = pluginForPrescriptionType(prescription.type)
        if (!expected.has(plugin)) {
          throw new FixtureError(file, `${at}/cases/${caseId}/prescriptions/${position}/type`, `${prescription.type} comes from ${plugin}, which is not expected`)
        }
        if (prescription.plugin.name !== PLUGINS[plugin].name) {
          throw new FixtureError(file, `${at}/cases/${caseId}/prescriptions/${position}/plugin/name`, `must be "${PLUGINS[plugin].name}"`)
        }
      })
    }
  })
  return fixture
}

/** Inserts the fixture; each plugin is due its offset after `seededAt`. */
export function seedPrpm(db: Db, fixture: Fixture, seededAt: number): void {
  const store = new PrpmStore(db)
  for (const project of fixture.projects) {
    store.insertProject({ id: project.id, status: project.status })
    const log = project.event_log
    const eventLogId = log ? seedEventLog(store, log, seededAt) : null
    store.insertProjectDetails({
      project_id: project.id, event_log_id: eventLogId, name: project.name ?? log?.file_name ?? `project-${project.id}`,
      description: null, error: null, created_at: seededAt, updated_at: null, training_at: null, trained_at: null,
    })
    if (!log) continue
    applicablePlugins(log.outcome_definition !== null, log.treatment_definition !== null, {}).forEach((plugin, position) => {
      store.insertProjectPlugin({
        project_id: project.id, position, plugin_key: plugin, created_at: seededAt,
        parameters: JSON.stringify(jsonbOrdered(PLUGIN_INFO[plugin].parameters)), additional_info: '{}', status: 'TRAINED', error: null,
      })
    })
  }
  for (const result of fixture.results) {
    store.insertResult({
      result_key: result.result_key,
      project_id: result.project_id,
      created_at: seededAt,
      cases_count: result.cases_count,
      columns: result.columns,
      columns_definition: result.columns_definition,
      case_attributes: result.case_attributes,
      expected_plugins: result.expected_plugins,
      schedule: result.plugin_timeline.map((entry) => ({
        plugin: entry.plugin,
        due_at: seededAt + Math.round(entry.finishes_after_seconds * 1000),
      })),
      cases: Object.entries(result.cases).map(([caseId, item]) => ({
        case_id: caseId,
        events: item.events,
        prescriptions: item.prescriptions.map((body) => ({ plugin: pluginForPrescriptionType(body.type), body })),
      })),
    })
  }
}

/** A fixture project's event log: its definition and activities, as if uploaded and defined at seeding. */
function seedEventLog(store: PrpmStore, log: FixtureEventLog, seededAt: number): number {
  const activity = Object.keys(log.columns_definition).find((column) => log.columns_definition[column] === 'ACTIVITY')
  const values = new Map<string, Map<string, number>>()
  if (activity) values.set(activity, new Map(log.activities.map((value) => [value, 1])))
  // Its file is made when a download or the simulator needs it, from what is stored here.
  const rows = sampleRows({ columns: log.columns, definition: log.columns_definition, caseAttributes: log.case_attributes, activities: log.activities, seededAt })
  const id = store.insertEventLog({
    file_name: log.file_name, created_at: seededAt, columns: log.columns, row_count: rows.length, values, test: null,
    head: rows.slice(0, 5), file: { extension: sampleExtension(log.file_name), separator: ',', bytes: null },
  })
  store.setDefinition(id, {
    columns_definition: jsonbOrdered(log.columns_definition),
    case_attributes: log.case_attributes,
    fast_mode: true,
    start_transition: 'START',
    complete_transition: 'COMPLETE',
    abort_transition: 'ATE_ABORT',
    outcome_definition: log.outcome_definition?.map((group) => group.map(({ column, operator, value }) => ({ column, operator, value }))) ?? null,
    outcome_definition_negative: false,
    treatment_definition: log.treatment_definition?.map((group) => group.map(({ column, operator, value }) => ({ column, operator, value }))) ?? null,
  }, seededAt)
  return id
}

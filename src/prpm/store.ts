import { statementsOnDemand, type Db } from '../database.js'
import type { PluginKey } from './plugins.js'
import type { Static } from '@sinclair/typebox'
import type { ColumnsDefinition, Prescription, ProjectStatus, TreatmentOperator } from './schemas.js'

export interface ProjectRow {
  id: number
  status: ProjectStatus
}

export interface ResultRow {
  result_key: string
  project_id: number
  created_at: number
  cases_count: number
  columns: string
  columns_definition: string
  case_attributes: string
}

export interface ResultPluginRow {
  plugin_key: PluginKey
  expected_position: number
  finished_at: number | null
  finish_seq: number | null
}

export interface NewResult {
  result_key: string
  project_id: number
  created_at: number
  cases_count: number
  columns: string[]
  columns_definition: Record<string, string | null>
  case_attributes: string[] | null
  expected_plugins: PluginKey[]
  /** When each expected plugin finishes, in the order it is scheduled. */
  schedule: { plugin: PluginKey; due_at: number }[]
  cases: { case_id: string; events: string[][]; prescriptions: { plugin: PluginKey; body: Prescription }[] }[]
}

export interface EventLogRow {
  id: number
  file_name: string
  created_at: number
  updated_at: number | null
  columns: string
  row_count: number
  definition: string | null
  definition_created_at: number | null
  definition_updated_at: number | null
  /** JSON: the first five events as the upload answered them. */
  head: string
}

/** An event log's definition as PrCore keeps it (its `definition` table), stored as JSON. */
export interface StoredDefinition {
  columns_definition: Static<typeof ColumnsDefinition>
  case_attributes: string[] | null
  fast_mode: boolean
  start_transition: string
  complete_transition: string
  abort_transition: string
  outcome_definition: StoredCondition[][] | null
  outcome_definition_negative: boolean
  treatment_definition: StoredCondition[][] | null
}
export interface StoredCondition {
  column: string
  operator: Static<typeof TreatmentOperator>
  value: string | null
}

export interface ProjectDetailsRow {
  project_id: number
  event_log_id: number | null
  name: string
  description: string | null
  error: string | null
  created_at: number
  updated_at: number | null
  training_at: number | null
  trained_at: number | null
}

/** A plugin's status: a project's, but for SIMULATING (a simulating project's plugins are STREAMING). */
export type PluginStatus = Exclude<ProjectStatus, 'SIMULATING'>

export interface ProjectPluginRow {
  id: number
  project_id: number
  position: number
  plugin_key: PluginKey
  created_at: number
  updated_at: number | null
  parameters: string
  additional_info: string
  status: PluginStatus
  error: string | null
  /** 0 or 1, as SQLite keeps it. */
  disabled: number
}

/** An uploaded log's files: the first (what pre-processing reads) and the latest (what `original` gives). */
export interface EventLogFileRow {
  extension: string
  separator: string
  /** null: a fixture's sample log (sample-log.ts), made when needed. */
  bytes: Buffer | null
  latest_extension: string | null
  latest_bytes: Buffer | null
}

export interface NewEventLog {
  file_name: string
  created_at: number
  columns: string[]
  row_count: number
  values: Map<string, Map<string, number>>
  test: { columns: string[]; rows: (string | null)[][] } | null
  /** The first five events as the upload answered them. */
  head: string[][]
  /** The uploaded file, kept for downloads and the simulator. */
  file: { extension: string; separator: string; bytes: Buffer | null } | null
}

/** Every query PrPM makes, as prepared statements. */
export class PrpmStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = statementsOnDemand({
      project: () => db.prepare<[number], ProjectRow>('SELECT id, status FROM prpm_projects WHERE id = ?'),
      insertProject: () => db.prepare<[number, string]>('INSERT INTO prpm_projects (id, status) VALUES (?, ?)'),
      result: () => db.prepare<[string], ResultRow>('SELECT * FROM prpm_results WHERE result_key = ?'),
      insertResult: () => db.prepare(
        `INSERT INTO prpm_results (result_key, project_id, created_at, cases_count, columns, columns_definition, case_attributes)
         VALUES (@result_key, @project_id, @created_at, @cases_count, @columns, @columns_definition, @case_attributes)`,
      ),
      deleteResult: () => db.prepare<[string]>('DELETE FROM prpm_results WHERE result_key = ?'),
      insertPlugin: () => db.prepare(
        `INSERT INTO prpm_result_plugins (result_key, plugin_key, expected_position, due_at, schedule_position)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      plugins: () => db.prepare<[string], ResultPluginRow>(
        `SELECT plugin_key, expected_position, finished_at, finish_seq FROM prpm_result_plugins
         WHERE result_key = ? ORDER BY expected_position`,
      ),
      insertCase: () => db.prepare('INSERT INTO prpm_cases (result_key, position, case_id, events) VALUES (?, ?, ?, ?)'),
      cases: () => db.prepare<[string], { case_id: string; events: string }>(
        'SELECT case_id, events FROM prpm_cases WHERE result_key = ? ORDER BY position',
      ),
      insertPrescription: () => db.prepare(
        'INSERT INTO prpm_prescriptions (result_key, case_id, plugin_key, position, body) VALUES (?, ?, ?, ?, ?)',
      ),
      // Prescriptions of finished plugins only, each case's in the order its plugins finished.
      prescriptions: () => db.prepare<[string], { case_id: string; body: string }>(
        `SELECT p.case_id, p.body FROM prpm_prescriptions p
         JOIN prpm_result_plugins r ON r.result_key = p.result_key AND r.plugin_key = p.plugin_key
         WHERE p.result_key = ? AND r.finished_at IS NOT NULL
         ORDER BY p.case_id, r.finish_seq, p.position`,
      ),
      nextPluginDue: () => db.prepare<[], { due: number | null }>(
        'SELECT MIN(due_at) AS due FROM prpm_result_plugins WHERE finished_at IS NULL',
      ),
      duePlugins: () => db.prepare<[number], { result_key: string; plugin_key: string; due_at: number }>(
        `SELECT result_key, plugin_key, due_at FROM prpm_result_plugins
         WHERE finished_at IS NULL AND due_at <= ? ORDER BY due_at, schedule_position`,
      ),
      finishPlugin: () => db.prepare<[number, string, string, string]>(
        `UPDATE prpm_result_plugins SET finished_at = ?,
           finish_seq = (SELECT COALESCE(MAX(finish_seq), 0) + 1 FROM prpm_result_plugins WHERE result_key = ?)
         WHERE result_key = ? AND plugin_key = ?`,
      ),
      nextId: () => db.prepare<[], { id: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM prpm_projects'),
      nextEventLogId: () => db.prepare<[], { id: number }>('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM prpm_event_logs'),
      insertEventLog: () => db.prepare(
        `INSERT INTO prpm_event_logs (id, file_name, created_at, columns, row_count, head) VALUES (@id, @file_name, @created_at, @columns, @row_count, @head)`,
      ),
      insertFile: () => db.prepare<[number, string, string, Buffer | null]>(
        'INSERT INTO prpm_event_log_files (event_log_id, extension, separator, bytes) VALUES (?, ?, ?, ?)',
      ),
      file: () => db.prepare<[number], EventLogFileRow>(
        'SELECT extension, separator, bytes, latest_extension, latest_bytes FROM prpm_event_log_files WHERE event_log_id = ?',
      ),
      replaceLatestFile: () => db.prepare<[string, Buffer, number]>(
        'UPDATE prpm_event_log_files SET latest_extension = ?, latest_bytes = ? WHERE event_log_id = ?',
      ),
      renameEventLog: () => db.prepare<[string, number, number]>('UPDATE prpm_event_logs SET file_name = ?, updated_at = ? WHERE id = ?'),
      eventLogs: () => db.prepare<[number, number], EventLogRow>('SELECT * FROM prpm_event_logs ORDER BY id LIMIT ? OFFSET ?'),
      deleteEventLog: () => db.prepare<[number]>('DELETE FROM prpm_event_logs WHERE id = ?'),
      projectsOfEventLog: () => db.prepare<[number], number>('SELECT project_id FROM prpm_project_details WHERE event_log_id = ?').pluck(),
      countProjects: () => db.prepare<[], number>('SELECT COUNT(*) FROM prpm_projects').pluck(),
      projectIds: () => db.prepare<[number, number], number>(
        `SELECT p.id FROM prpm_projects p LEFT JOIN prpm_project_details d ON d.project_id = p.id
         ORDER BY COALESCE(d.created_at, 0) DESC, p.id DESC LIMIT ? OFFSET ?`,
      ).pluck(),
      deleteProject: () => db.prepare<[number]>('DELETE FROM prpm_projects WHERE id = ?'),
      setInfo: () => db.prepare<[string, string, number, number]>(
        'UPDATE prpm_project_details SET name = ?, description = ?, updated_at = ? WHERE project_id = ?',
      ),
      setTimeline: () => db.prepare<[number | null, number | null, number]>(
        'UPDATE prpm_project_details SET training_at = ?, trained_at = ? WHERE project_id = ?',
      ),
      allPlugins: () => db.prepare<[number, number], ProjectPluginRow>('SELECT * FROM prpm_project_plugins ORDER BY id LIMIT ? OFFSET ?'),
      plugin: () => db.prepare<[number], ProjectPluginRow>('SELECT * FROM prpm_project_plugins WHERE id = ?'),
      setPluginSettings: () => db.prepare<[string, string, number, number]>(
        'UPDATE prpm_project_plugins SET parameters = ?, additional_info = ?, updated_at = ? WHERE id = ?',
      ),
      setPluginStatus: () => db.prepare<[string, number, number]>('UPDATE prpm_project_plugins SET status = ?, updated_at = ? WHERE id = ?'),
      setPluginDisabled: () => db.prepare<[number, number, number]>('UPDATE prpm_project_plugins SET disabled = ?, updated_at = ? WHERE id = ?'),
      movePlugins: () => db.prepare<[string, number, number, string]>(
        `UPDATE prpm_project_plugins SET status = ?, updated_at = ? WHERE project_id = ? AND status IN (SELECT value FROM json_each(?))`,
      ),
      insertValue: () => db.prepare('INSERT INTO prpm_event_log_values (event_log_id, column_name, position, value, count) VALUES (?, ?, ?, ?, ?)'),
      insertTest: () => db.prepare('INSERT INTO prpm_event_log_tests (event_log_id, columns, rows) VALUES (?, ?, ?)'),
      eventLog: () => db.prepare<[number], EventLogRow>('SELECT * FROM prpm_event_logs WHERE id = ?'),
      values: () => db.prepare<[number, string], { value: string; count: number }>(
        `SELECT value, count FROM prpm_event_log_values WHERE event_log_id = ? AND column_name = ? ORDER BY count DESC, position`,
      ),
      setDefinition: () => db.prepare<[string, number, number, number, number]>(
        `UPDATE prpm_event_logs SET definition = ?, definition_id = id,
           definition_updated_at = CASE WHEN definition_created_at IS NULL THEN NULL ELSE ? END,
           definition_created_at = COALESCE(definition_created_at, ?), updated_at = ? WHERE id = ?`,
      ),
      touchDefinition: () => db.prepare<[string, number, number]>(
        'UPDATE prpm_event_logs SET definition = ?, definition_updated_at = ? WHERE id = ?',
      ),
      test: () => db.prepare<[number], { columns: string; rows: string }>('SELECT columns, rows FROM prpm_event_log_tests WHERE event_log_id = ?'),
      deleteTest: () => db.prepare<[number]>('DELETE FROM prpm_event_log_tests WHERE event_log_id = ?'),
      projectOfEventLog: () => db.prepare<[number], { project_id: number }>(
        'SELECT project_id FROM prpm_project_details WHERE event_log_id = ?',
      ),
      details: () => db.prepare<[number], ProjectDetailsRow>('SELECT * FROM prpm_project_details WHERE project_id = ?'),
      insertDetails: () => db.prepare(
        `INSERT INTO prpm_project_details (project_id, event_log_id, name, description, error, created_at, updated_at, training_at, trained_at)
         VALUES (@project_id, @event_log_id, @name, @description, @error, @created_at, @updated_at, @training_at, @trained_at)`,
      ),
      insertPlugin2: () => db.prepare(
        `INSERT INTO prpm_project_plugins (project_id, position, plugin_key, created_at, updated_at, parameters, additional_info, status, error, disabled)
         VALUES (@project_id, @position, @plugin_key, @created_at, @updated_at, @parameters, @additional_info, @status, @error, @disabled)`,
      ),
      projectPlugins: () => db.prepare<[number], ProjectPluginRow>('SELECT * FROM prpm_project_plugins WHERE project_id = ? ORDER BY position'),
      nextTrainingDue: () => db.prepare<[], { due: number | null }>(
        `SELECT MIN(CASE p.status WHEN 'PREPROCESSING' THEN d.training_at ELSE d.trained_at END) AS due
         FROM prpm_projects p JOIN prpm_project_details d ON d.project_id = p.id
         WHERE p.status IN ('PREPROCESSING', 'TRAINING') AND d.trained_at IS NOT NULL`,
      ),
      trainedDue: () => db.prepare<[number], { id: number; trained_at: number }>(
        `SELECT p.id, d.trained_at FROM prpm_projects p JOIN prpm_project_details d ON d.project_id = p.id
         WHERE p.status IN ('PREPROCESSING', 'TRAINING') AND d.trained_at <= ?`,
      ),
      trainingDue: () => db.prepare<[number], { id: number; training_at: number }>(
        `SELECT p.id, d.training_at FROM prpm_projects p JOIN prpm_project_details d ON d.project_id = p.id
         WHERE p.status = 'PREPROCESSING' AND d.training_at <= ?`,
      ),
      setStatus: () => db.prepare<[string, number]>('UPDATE prpm_projects SET status = ? WHERE id = ?'),
      setUpdatedAt: () => db.prepare<[number, number]>('UPDATE prpm_project_details SET updated_at = ? WHERE project_id = ?'),
      oldestResult: () => db.prepare<[], { created_at: number | null }>('SELECT MIN(created_at) AS created_at FROM prpm_results'),
      deleteCreatedBefore: () => db.prepare<[number]>('DELETE FROM prpm_results WHERE created_at <= ?'),
    })
  }

  /** The connection, for stores of the same vendor that share it. */
  get database(): Db {
    return this.db
  }

  project(id: number): ProjectRow | undefined {
    return Number.isSafeInteger(id) ? this.statements.project.get(id) : undefined
  }

  result(resultKey: string): ResultRow | undefined {
    return this.statements.result.get(resultKey)
  }

  plugins(resultKey: string): ResultPluginRow[] {
    return this.statements.plugins.all(resultKey)
  }

  /** The cases with the prescriptions of every finished plugin, in case order. */
  cases(resultKey: string): { case_id: string; events: string[][]; prescriptions: Prescription[] }[] {
    const byCase = new Map<string, Prescription[]>()
    for (const row of this.statements.prescriptions.iterate(resultKey)) {
      let list = byCase.get(row.case_id)
      if (!list) byCase.set(row.case_id, (list = []))
      list.push(JSON.parse(row.body) as Prescription)
    }
    return this.statements.cases.all(resultKey).map((row) => ({
      case_id: row.case_id,
      events: JSON.parse(row.events) as string[][],
      prescriptions: byCase.get(row.case_id) ?? [],
    }))
  }

  deleteResult(resultKey: string): void {
    this.statements.deleteResult.run(resultKey)
  }

  insertProject(project: ProjectRow): void {
    this.statements.insertProject.run(project.id, project.status)
  }

  /** Stores a result with its plugins, cases and prescriptions, all or nothing. */
  insertResult(result: NewResult): void {
    this.db.transaction(() => {
      this.statements.insertResult.run({
        result_key: result.result_key,
        project_id: result.project_id,
        created_at: result.created_at,
        cases_count: result.cases_count,
        columns: JSON.stringify(result.columns),
        columns_definition: JSON.stringify(result.columns_definition),
        case_attributes: JSON.stringify(result.case_attributes),
      })
      result.schedule.forEach(({ plugin, due_at }, schedulePosition) => {
        this.statements.insertPlugin.run(
          result.result_key, plugin, result.expected_plugins.indexOf(plugin), due_at, schedulePosition,
        )
      })
      this.insertCases(result.result_key, result.cases)
    })()
  }

  /**
   * Stores a result's cases with their prescriptions, in case order, one at a
   * time: a generator can feed thousands without holding them all.
   */
  insertCases(resultKey: string, cases: Iterable<NewResult['cases'][number]>): void {
    let position = 0
    for (const item of cases) {
      this.statements.insertCase.run(resultKey, position++, item.case_id, JSON.stringify(item.events))
      const perPlugin = new Map<PluginKey, number>()
      for (const { plugin, body } of item.prescriptions) {
        const index = perPlugin.get(plugin) ?? 0
        perPlugin.set(plugin, index + 1)
        this.statements.insertPrescription.run(resultKey, item.case_id, plugin, index, JSON.stringify(body))
      }
    }
  }

  nextPluginDue(): number | null {
    return this.statements.nextPluginDue.get()?.due ?? null
  }

  /** Marks every plugin due by `now` finished at its due time, earliest first. */
  finishDuePlugins(now: number): number {
    return this.db.transaction(() => {
      const due = this.statements.duePlugins.all(now)
      for (const plugin of due) {
        this.statements.finishPlugin.run(plugin.due_at, plugin.result_key, plugin.result_key, plugin.plugin_key)
      }
      return due.length
    }).immediate()
  }

  oldestResultCreatedAt(): number | null {
    return this.statements.oldestResult.get()?.created_at ?? null
  }

  deleteResultsCreatedBefore(cutoff: number): number {
    return this.statements.deleteCreatedBefore.run(cutoff).changes
  }

  nextProjectId(): number {
    return (this.statements.nextId.get() as { id: number }).id
  }

  /** Stores an uploaded log's summary (and its test file), returning the new event_log_id. */
  insertEventLog(log: NewEventLog): number {
    return this.db.transaction(() => {
      const id = (this.statements.nextEventLogId.get() as { id: number }).id
      this.statements.insertEventLog.run({
        id, file_name: log.file_name, created_at: log.created_at, columns: JSON.stringify(log.columns), row_count: log.row_count, head: JSON.stringify(log.head),
      })
      if (log.file) this.statements.insertFile.run(id, log.file.extension, log.file.separator, log.file.bytes)
      for (const [column, counts] of log.values) {
        let position = 0
        for (const [value, count] of counts) this.statements.insertValue.run(id, column, position++, value, count)
      }
      if (log.test) this.statements.insertTest.run(id, JSON.stringify(log.test.columns), JSON.stringify(log.test.rows))
      return id
    })()
  }

  eventLog(id: number): EventLogRow | undefined {
    return Number.isSafeInteger(id) ? this.statements.eventLog.get(id) : undefined
  }

  /** A column's values, most frequent first (ties in order of first appearance). */
  columnValues(eventLogId: number, column: string): { value: string; count: number }[] {
    return this.statements.values.all(eventLogId, column)
  }

  /** PUT /event_log: a first definition is created, a later one updates it. */
  setDefinition(eventLogId: number, definition: StoredDefinition, now: number): void {
    this.statements.setDefinition.run(JSON.stringify(definition), now, now, now, eventLogId)
  }

  /** The project-level part (outcome, treatment) written into the definition, as PrCore does at project creation. */
  updateDefinition(eventLogId: number, definition: StoredDefinition, now: number): void {
    this.statements.touchDefinition.run(JSON.stringify(definition), now, eventLogId)
  }

  /** The test file waiting for its project, removed as it is taken (PrCore pops it from memory). */
  takeTest(eventLogId: number): { columns: string[]; rows: (string | null)[][] } | undefined {
    const row = this.statements.test.get(eventLogId)
    if (!row) return undefined
    this.statements.deleteTest.run(eventLogId)
    return { columns: JSON.parse(row.columns) as string[], rows: JSON.parse(row.rows) as (string | null)[][] }
  }

  projectOfEventLog(eventLogId: number): number | undefined {
    return this.statements.projectOfEventLog.get(eventLogId)?.project_id
  }

  projectDetails(projectId: number): ProjectDetailsRow | undefined {
    return this.statements.details.get(projectId)
  }

  insertProjectDetails(details: ProjectDetailsRow): void {
    this.statements.insertDetails.run(details)
  }

  insertProjectPlugin(plugin: Omit<ProjectPluginRow, 'id' | 'updated_at' | 'disabled'> & Partial<Pick<ProjectPluginRow, 'updated_at' | 'disabled'>>): void {
    this.statements.insertPlugin2.run({ updated_at: null, disabled: 0, ...plugin })
  }

  projectPlugins(projectId: number): ProjectPluginRow[] {
    return this.statements.projectPlugins.all(projectId)
  }

  nextTrainingDue(): number | null {
    return this.statements.nextTrainingDue.get()?.due ?? null
  }

  /**
   * Moves every project whose phase ended by `now` on, PREPROCESSING → TRAINING → TRAINED, and its
   * plugins with it (those being re-preprocessed or retrained; a plugin in ERROR stays there).
   */
  advanceTraining(now: number): void {
    this.db.transaction(() => {
      for (const project of this.statements.trainedDue.all(now)) {
        this.statements.setStatus.run('TRAINED', project.id)
        this.statements.setUpdatedAt.run(project.trained_at, project.id)
        this.movePlugins(project.id, ['PREPROCESSING', 'TRAINING'], 'TRAINED', project.trained_at)
      }
      for (const project of this.statements.trainingDue.all(now)) {
        this.statements.setStatus.run('TRAINING', project.id)
        this.statements.setUpdatedAt.run(project.training_at, project.id)
        this.movePlugins(project.id, ['PREPROCESSING'], 'TRAINING', project.training_at)
      }
    }).immediate()
  }

  setStatus(projectId: number, status: ProjectStatus, now: number): void {
    this.statements.setStatus.run(status, projectId)
    this.statements.setUpdatedAt.run(now, projectId)
  }

  /** When a project's pre-processing ends and its training ends; nulls: it does not train on the clock. */
  setTimeline(projectId: number, trainingAt: number | null, trainedAt: number | null): void {
    this.statements.setTimeline.run(trainingAt, trainedAt, projectId)
  }

  /** Every plugin of the project in one of `from` moves to `to`. */
  movePlugins(projectId: number, from: PluginStatus[], to: PluginStatus, now: number): void {
    this.statements.movePlugins.run(to, now, projectId, JSON.stringify(from))
  }

  countProjects(): number {
    return this.statements.countProjects.get() as number
  }

  /** Project ids newest first, as PrCore orders GET /project/all. */
  projectIds(offset: number, limit: number): number[] {
    return this.statements.projectIds.all(limit, offset)
  }

  setProjectInfo(projectId: number, name: string, description: string, now: number): void {
    this.statements.setInfo.run(name, description, now, projectId)
  }

  /** A project and all it holds (plugins, results, streams), then its event log with the definition and files. */
  /** An event log and every project made from it (their results and streams go with them). */
  deleteEventLog(eventLogId: number): void {
    for (const projectId of this.statements.projectsOfEventLog.all(eventLogId)) this.statements.deleteProject.run(projectId)
    this.statements.deleteEventLog.run(eventLogId)
  }

  deleteProject(projectId: number): void {
    const eventLogId = this.projectDetails(projectId)?.event_log_id ?? null
    this.statements.deleteProject.run(projectId)
    if (eventLogId !== null) this.statements.deleteEventLog.run(eventLogId)
  }

  eventLogs(skip: number, limit: number): EventLogRow[] {
    return this.statements.eventLogs.all(limit, skip)
  }

  eventLogFile(eventLogId: number): EventLogFileRow | undefined {
    return this.statements.file.get(eventLogId)
  }

  /** A re-upload: the log's name and the file `original` gives change; what pre-processing reads does not. */
  replaceEventLogFile(eventLogId: number, fileName: string, extension: string, bytes: Buffer, now: number): void {
    this.statements.renameEventLog.run(fileName, now, eventLogId)
    this.statements.replaceLatestFile.run(extension, bytes, eventLogId)
  }

  /** Every project's plugins, by id (PrCore's query has no ORDER BY; its table gives id order). */
  allPlugins(skip: number, limit: number): ProjectPluginRow[] {
    return this.statements.allPlugins.all(limit, skip)
  }

  plugin(id: number): ProjectPluginRow | undefined {
    return Number.isSafeInteger(id) ? this.statements.plugin.get(id) : undefined
  }

  setPluginSettings(id: number, parameters: Record<string, unknown>, additionalInfo: Record<string, unknown>, now: number): void {
    this.statements.setPluginSettings.run(JSON.stringify(parameters), JSON.stringify(additionalInfo), now, id)
  }

  setPluginStatus(id: number, status: PluginStatus, now: number): void {
    this.statements.setPluginStatus.run(status, now, id)
  }

  setPluginDisabled(id: number, disabled: boolean, now: number): void {
    this.statements.setPluginDisabled.run(disabled ? 1 : 0, now, id)
  }

  /** Runs `work` all or nothing. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)()
  }
}

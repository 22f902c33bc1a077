import type { Db } from '../database.js'
import type { PluginKey } from './plugins.js'
import type { Prescription, ProjectStatus } from './schemas.js'

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
  case_attributes: string[]
  expected_plugins: PluginKey[]
  /** When each expected plugin finishes, in the order it is scheduled. */
  schedule: { plugin: PluginKey; due_at: number }[]
  cases: { case_id: string; events: string[][]; prescriptions: { plugin: PluginKey; body: Prescription }[] }[]
}

/** Every query PrPM makes, as prepared statements. */
export class PrpmStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
      project: db.prepare<[number], ProjectRow>('SELECT id, status FROM prpm_projects WHERE id = ?'),
      insertProject: db.prepare<[number, string]>('INSERT INTO prpm_projects (id, status) VALUES (?, ?)'),
      result: db.prepare<[string], ResultRow>('SELECT * FROM prpm_results WHERE result_key = ?'),
      insertResult: db.prepare(
        `INSERT INTO prpm_results (result_key, project_id, created_at, cases_count, columns, columns_definition, case_attributes)
         VALUES (@result_key, @project_id, @created_at, @cases_count, @columns, @columns_definition, @case_attributes)`,
      ),
      deleteResult: db.prepare<[string]>('DELETE FROM prpm_results WHERE result_key = ?'),
      insertPlugin: db.prepare(
        `INSERT INTO prpm_result_plugins (result_key, plugin_key, expected_position, due_at, schedule_position)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      plugins: db.prepare<[string], ResultPluginRow>(
        `SELECT plugin_key, expected_position, finished_at, finish_seq FROM prpm_result_plugins
         WHERE result_key = ? ORDER BY expected_position`,
      ),
      insertCase: db.prepare('INSERT INTO prpm_cases (result_key, position, case_id, events) VALUES (?, ?, ?, ?)'),
      cases: db.prepare<[string], { case_id: string; events: string }>(
        'SELECT case_id, events FROM prpm_cases WHERE result_key = ? ORDER BY position',
      ),
      insertPrescription: db.prepare(
        'INSERT INTO prpm_prescriptions (result_key, case_id, plugin_key, position, body) VALUES (?, ?, ?, ?, ?)',
      ),
      // Prescriptions of finished plugins only, each case's in the order its plugins finished.
      prescriptions: db.prepare<[string], { case_id: string; body: string }>(
        `SELECT p.case_id, p.body FROM prpm_prescriptions p
         JOIN prpm_result_plugins r ON r.result_key = p.result_key AND r.plugin_key = p.plugin_key
         WHERE p.result_key = ? AND r.finished_at IS NOT NULL
         ORDER BY p.case_id, r.finish_seq, p.position`,
      ),
      nextPluginDue: db.prepare<[], { due: number | null }>(
        'SELECT MIN(due_at) AS due FROM prpm_result_plugins WHERE finished_at IS NULL',
      ),
      duePlugins: db.prepare<[number], { result_key: string; plugin_key: string; due_at: number }>(
        `SELECT result_key, plugin_key, due_at FROM prpm_result_plugins
         WHERE finished_at IS NULL AND due_at <= ? ORDER BY due_at, schedule_position`,
      ),
      finishPlugin: db.prepare<[number, string, string, string]>(
        `UPDATE prpm_result_plugins SET finished_at = ?,
           finish_seq = (SELECT COALESCE(MAX(finish_seq), 0) + 1 FROM prpm_result_plugins WHERE result_key = ?)
         WHERE result_key = ? AND plugin_key = ?`,
      ),
      oldestResult: db.prepare<[], { created_at: number | null }>('SELECT MIN(created_at) AS created_at FROM prpm_results'),
      deleteCreatedBefore: db.prepare<[number]>('DELETE FROM prpm_results WHERE created_at <= ?'),
    }
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
      result.cases.forEach((item, position) => {
        this.statements.insertCase.run(result.result_key, position, item.case_id, JSON.stringify(item.events))
        const perPlugin = new Map<PluginKey, number>()
        for (const { plugin, body } of item.prescriptions) {
          const index = perPlugin.get(plugin) ?? 0
          perPlugin.set(plugin, index + 1)
          this.statements.insertPrescription.run(result.result_key, item.case_id, plugin, index, JSON.stringify(body))
        }
      })
    })()
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
}

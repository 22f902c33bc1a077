import type { Db } from '../database.js'
import type { Fixture, FixtureSample } from './schemas.js'

export interface TaskRow {
  task_id: string
  project_id: string
}

export interface VersionRow {
  version_id: string
  task_id: string
  status: number
}

export interface SampleRow {
  sample_id: string
  origin_source: string
  new_source: string
  result_property: number
  result_description: string
}

type FixtureTask = Fixture['tasks'][number]

const SAMPLE_COLUMNS = 'sample_id, origin_source, new_source, result_property, result_description'

/** Every query the ModelArts API makes, as prepared statements. */
export class ModelArtsStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
      task: db.prepare<[string], TaskRow>('SELECT task_id, project_id FROM modelarts_tasks WHERE task_id = ?'),
      version: db.prepare<[string], VersionRow>('SELECT version_id, task_id, status FROM modelarts_versions WHERE version_id = ?'),
      // Ordinals are dense from 0, so the highest one + 1 is the count, found in the index.
      countAll: db.prepare<[string], { count: number }>(
        'SELECT COALESCE(MAX(ordinal) + 1, 0) AS count FROM modelarts_samples WHERE version_id = ?',
      ),
      countProperty: db.prepare<[string, number], { count: number }>(
        'SELECT COALESCE(MAX(property_ordinal) + 1, 0) AS count FROM modelarts_samples WHERE version_id = ? AND result_property = ?',
      ),
      pageAll: db.prepare<[string, number, number], SampleRow>(
        `SELECT ${SAMPLE_COLUMNS} FROM modelarts_samples WHERE version_id = ? AND ordinal >= ? ORDER BY ordinal LIMIT ?`,
      ),
      pageProperty: db.prepare<[string, number, number, number], SampleRow>(
        `SELECT ${SAMPLE_COLUMNS} FROM modelarts_samples
         WHERE version_id = ? AND result_property = ? AND property_ordinal >= ? ORDER BY property_ordinal LIMIT ?`,
      ),
      insertTask: db.prepare('INSERT INTO modelarts_tasks (task_id, project_id, name) VALUES (?, ?, ?)'),
      insertVersion: db.prepare('INSERT INTO modelarts_versions (version_id, task_id, version_name, status) VALUES (?, ?, ?, ?)'),
      insertSample: db.prepare(
        `INSERT INTO modelarts_samples (version_id, ordinal, property_ordinal, ${SAMPLE_COLUMNS})
         VALUES (@version_id, @ordinal, @property_ordinal, @sample_id, @origin_source, @new_source, @result_property, @result_description)`,
      ),
    }
  }

  task(taskId: string): TaskRow | undefined {
    return this.statements.task.get(taskId)
  }

  version(versionId: string): VersionRow | undefined {
    return this.statements.version.get(versionId)
  }

  /** How many samples match `resultProperty` (-1 for all). */
  count(versionId: string, resultProperty: number): number {
    const row = resultProperty === -1
      ? this.statements.countAll.get(versionId)
      : this.statements.countProperty.get(versionId, resultProperty)
    return row?.count ?? 0
  }

  /** `limit` samples from position `start` among those matching `resultProperty`, by sample_id. */
  page(versionId: string, resultProperty: number, start: number, limit: number): SampleRow[] {
    return resultProperty === -1
      ? this.statements.pageAll.all(versionId, start, limit)
      : this.statements.pageProperty.all(versionId, resultProperty, start, limit)
  }

  /** Stores a task, its versions and their samples (ranked by sample_id), all or nothing. */
  insertTask(task: FixtureTask): void {
    this.db.transaction(() => {
      this.statements.insertTask.run(task.task_id, task.project_id, task.name)
      for (const version of task.versions) {
        this.statements.insertVersion.run(version.version_id, task.task_id, version.version_name, version.status)
        this.insertSamples(version.version_id, version.samples)
      }
    })()
  }

  private insertSamples(versionId: string, samples: FixtureSample[]): void {
    const ranked = [...samples].sort((a, b) => (a.sample_id < b.sample_id ? -1 : a.sample_id > b.sample_id ? 1 : 0))
    const perProperty = new Map<number, number>()
    ranked.forEach((sample, ordinal) => {
      const propertyOrdinal = perProperty.get(sample.result_property) ?? 0
      perProperty.set(sample.result_property, propertyOrdinal + 1)
      this.statements.insertSample.run({
        version_id: versionId,
        ordinal,
        property_ordinal: propertyOrdinal,
        sample_id: sample.sample_id,
        origin_source: sample.origin_source,
        new_source: sample.new_source,
        result_property: sample.result_property,
        result_description: JSON.stringify(sample.result_description),
      })
    })
  }
}

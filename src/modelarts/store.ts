import { statementsOnDemand, type Db } from '../database.js'
import { VERSION_STATUS, type FixtureSample, type FixtureTask, type StatusChange, type TemplateId } from './schemas.js'

export interface TaskRow {
  task_id: string
  project_id: string
  name: string
  description: string
  create_time: number
  template_id: TemplateId
  input_path: string
  work_path: string
}

export interface VersionRow {
  version_id: string
  task_id: string
  version_name: string
  description: string
  status: number
  create_time: number
  update_time: number
  started_at: number | null
  ended_at: number | null
}

export interface SampleRow {
  sample_id: string
  origin_source: string
  new_source: string
  result_property: number
  result_description: string
}

export interface IamTokenRow {
  token_sha256: string
  user_name: string
  domain_name: string
  project_id: string | null
  issued_at: number
  expires_at: number
}

/** A sample one of whose sources is the object a URL names, and the fixture file standing for it, if any. */
export interface StoredObject {
  origin_source: string
  new_source: string
  /** The file (relative to the fixtures folder) for this object, when the fixture named one. */
  file: string | null
  /** Whether the object is the sample's processed version (its new source) rather than its origin. */
  processed: number
  create_time: number
}

/** A version to store: its initial state, and the status changes still to come. */
export interface NewVersion {
  version_id: string
  version_name: string
  description: string
  create_time: number
  status: number
  steps: StatusChange[]
  samples: FixtureSample[]
}

/** Where a task reads and writes when neither the fixture nor the scenario says. */
export const DEFAULT_TEMPLATE: TemplateId = 'sys_data_augmentation'
export const DEFAULT_INPUT_PATH = '/resultbox-sandbox/data/'
export const DEFAULT_WORK_PATH = '/resultbox-sandbox/output/'

const TASK_COLUMNS = 'task_id, project_id, name, description, create_time, template_id, input_path, work_path'
const VERSION_COLUMNS = 'version_id, task_id, version_name, description, status, create_time, update_time, started_at, ended_at'
const SAMPLE_COLUMNS = 'sample_id, origin_source, new_source, result_property, result_description'
const SAMPLE_FILE_COLUMNS = 'origin_file, new_file'

const isFinished = (status: number) => status >= VERSION_STATUS.completed

/** Every query the ModelArts API makes, as prepared statements. */
export class ModelArtsStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = statementsOnDemand({
      task: () => db.prepare<[string], TaskRow>(`SELECT ${TASK_COLUMNS} FROM modelarts_tasks WHERE task_id = ?`),
      version: () => db.prepare<[string], VersionRow>(`SELECT ${VERSION_COLUMNS} FROM modelarts_versions WHERE version_id = ?`),
      // The latest version is the last created; rowid breaks a tie in insertion order.
      latestVersion: () => db.prepare<[string], VersionRow>(
        `SELECT ${VERSION_COLUMNS} FROM modelarts_versions WHERE task_id = ? ORDER BY create_time DESC, rowid DESC LIMIT 1`,
      ),
      versionCount: () => db.prepare<[string], { count: number }>('SELECT COUNT(*) AS count FROM modelarts_versions WHERE task_id = ?'),
      propertyCounts: () => db.prepare<[string], { result_property: number; count: number }>(
        'SELECT result_property, COUNT(*) AS count FROM modelarts_samples WHERE version_id = ? GROUP BY result_property',
      ),
      // Ordinals are dense from 0, so the highest one + 1 is the count, found in the index.
      countAll: () => db.prepare<[string], { count: number }>(
        'SELECT COALESCE(MAX(ordinal) + 1, 0) AS count FROM modelarts_samples WHERE version_id = ?',
      ),
      countProperty: () => db.prepare<[string, number], { count: number }>(
        'SELECT COALESCE(MAX(property_ordinal) + 1, 0) AS count FROM modelarts_samples WHERE version_id = ? AND result_property = ?',
      ),
      pageAll: () => db.prepare<[string, number, number], SampleRow>(
        `SELECT ${SAMPLE_COLUMNS} FROM modelarts_samples WHERE version_id = ? AND ordinal >= ? ORDER BY ordinal LIMIT ?`,
      ),
      pageProperty: () => db.prepare<[string, number, number, number], SampleRow>(
        `SELECT ${SAMPLE_COLUMNS} FROM modelarts_samples
         WHERE version_id = ? AND result_property = ? AND property_ordinal >= ? ORDER BY property_ordinal LIMIT ?`,
      ),
      nextStepDue: () => db.prepare<[], { due: number | null }>('SELECT MIN(due_at) AS due FROM modelarts_version_steps'),
      dueSteps: () => db.prepare<[number], { version_id: string; seq: number; status: number; due_at: number }>(
        'SELECT version_id, seq, status, due_at FROM modelarts_version_steps WHERE due_at <= ? ORDER BY due_at, version_id, seq',
      ),
      applyStep: () => db.prepare<{ version_id: string; status: number; at: number; started: number; ended: number }>(
        `UPDATE modelarts_versions SET status = @status, update_time = @at,
           started_at = CASE WHEN @started THEN @at ELSE started_at END,
           ended_at = CASE WHEN @ended THEN @at ELSE ended_at END
         WHERE version_id = @version_id`,
      ),
      deleteStep: () => db.prepare<[string, number]>('DELETE FROM modelarts_version_steps WHERE version_id = ? AND seq = ?'),
      insertTask: () => db.prepare<TaskRow>(
        `INSERT INTO modelarts_tasks (${TASK_COLUMNS})
         VALUES (@task_id, @project_id, @name, @description, @create_time, @template_id, @input_path, @work_path)`,
      ),
      insertVersion: () => db.prepare<VersionRow>(
        `INSERT INTO modelarts_versions (${VERSION_COLUMNS})
         VALUES (@version_id, @task_id, @version_name, @description, @status, @create_time, @update_time, @started_at, @ended_at)`,
      ),
      insertStep: () => db.prepare<[string, number, number, number]>(
        'INSERT INTO modelarts_version_steps (version_id, seq, status, due_at) VALUES (?, ?, ?, ?)',
      ),
      insertSample: () => db.prepare(
        `INSERT INTO modelarts_samples (version_id, ordinal, property_ordinal, ${SAMPLE_COLUMNS}, ${SAMPLE_FILE_COLUMNS})
         VALUES (@version_id, @ordinal, @property_ordinal, @sample_id, @origin_source, @new_source, @result_property, @result_description,
                 @origin_file, @new_file)`,
      ),
      deleteTasks: () => db.prepare('DELETE FROM modelarts_tasks'),
      insertIamToken: () => db.prepare<IamTokenRow>(
        `INSERT INTO modelarts_iam_tokens (token_sha256, user_name, domain_name, project_id, issued_at, expires_at)
         VALUES (@token_sha256, @user_name, @domain_name, @project_id, @issued_at, @expires_at)`,
      ),
      iamToken: () => db.prepare<[string], IamTokenRow>('SELECT * FROM modelarts_iam_tokens WHERE token_sha256 = ?'),
      // Kept a day past expiry, so that a client using an old token is told it expired rather than unknown.
      deleteIamTokensExpiredBy: () => db.prepare<[number]>('DELETE FROM modelarts_iam_tokens WHERE expires_at <= ?'),
      deleteIamTokens: () => db.prepare('DELETE FROM modelarts_iam_tokens'),
      deleteIamToken: () => db.prepare<[string]>('DELETE FROM modelarts_iam_tokens WHERE token_sha256 = ?'),
      deleteTask: () => db.prepare<[string]>('DELETE FROM modelarts_tasks WHERE task_id = ?'),
      deleteVersion: () => db.prepare<[string]>('DELETE FROM modelarts_versions WHERE version_id = ?'),
      // A processed object first: its key is the version's own, where an origin may be shared by versions.
      objectBySource: () => db.prepare<[string, string], StoredObject>(
        `SELECT * FROM (
           SELECT s.origin_source, s.new_source, s.new_file AS file, 1 AS processed, v.create_time
             FROM modelarts_samples s JOIN modelarts_versions v USING (version_id) WHERE s.new_source = ? LIMIT 1)
         UNION ALL
         SELECT * FROM (
           SELECT s.origin_source, s.new_source, s.origin_file AS file, 0 AS processed, v.create_time
             FROM modelarts_samples s JOIN modelarts_versions v USING (version_id) WHERE s.origin_source = ? LIMIT 1)
         LIMIT 1`,
      ),
      objectsFrom: () => db.prepare<{ s3lo: string; s3hi: string; s3cut: number; obslo: string; obshi: string; obscut: number }, StoredObject & { key: string }>(
        `SELECT s.origin_source AS key0, substr(s.origin_source, @s3cut) AS key, s.origin_source, s.new_source, s.origin_file AS file, 0 AS processed, v.create_time
           FROM modelarts_samples s JOIN modelarts_versions v USING (version_id)
          WHERE s.origin_source >= @s3lo AND s.origin_source < @s3hi
         UNION ALL
         SELECT s.new_source, substr(s.new_source, @obscut), s.origin_source, s.new_source, s.new_file, 1, v.create_time
           FROM modelarts_samples s JOIN modelarts_versions v USING (version_id)
          WHERE s.new_source >= @obslo AND s.new_source < @obshi
         ORDER BY key`,
      ),
      anyObjectIn: () => db.prepare<[string, string, string, string], number>(
        `SELECT 1 WHERE EXISTS (SELECT 1 FROM modelarts_samples WHERE origin_source > ? AND origin_source < ?)
            OR EXISTS (SELECT 1 FROM modelarts_samples WHERE new_source > ? AND new_source < ?)`,
      ).pluck(),
    })
  }

  insertIamToken(row: IamTokenRow): void {
    this.statements.insertIamToken.run(row)
  }

  iamToken(tokenSha256: string): IamTokenRow | undefined {
    return this.statements.iamToken.get(tokenSha256)
  }

  deleteIamTokensExpiredBy(time: number): void {
    this.statements.deleteIamTokensExpiredBy.run(time)
  }

  deleteIamTokens(): void {
    this.statements.deleteIamTokens.run()
  }

  deleteIamToken(tokenSha256: string): void {
    this.statements.deleteIamToken.run(tokenSha256)
  }

  /** A task with its versions, samples and pending status changes. */
  deleteTask(taskId: string): void {
    this.statements.deleteTask.run(taskId)
  }

  /** A version with its samples and pending status changes. */
  deleteVersion(versionId: string): void {
    this.statements.deleteVersion.run(versionId)
  }

  /** The object at obs://bucket/key (a processed sample) or s3://bucket/key (an origin), if any sample has it. */
  objectAt(bucket: string, key: string): StoredObject | undefined {
    return this.statements.objectBySource.get(`obs://${bucket}/${key}`, `s3://${bucket}/${key}`)
  }

  /**
   * The objects of a bucket whose keys follow `after` (exclusive) and start with `prefix`, in key order, one
   * at a time: a sample's origin (s3://) and processed (obs://) sources both live in its bucket. A key held
   * by several samples comes as often; the caller skips repeats.
   */
  *objectsIn(bucket: string, prefix: string, after: string): Generator<StoredObject & { key: string }> {
    const from = after > prefix ? after : prefix
    const range = (scheme: string) => {
      const base = `${scheme}://${bucket}/`
      return { lo: `${base}${from}`, hi: `${base}${prefix}\uffff`, cut: base.length + 1 }
    }
    const s3 = range('s3')
    const obs = range('obs')
    for (const object of this.statements.objectsFrom.iterate({ s3lo: s3.lo, s3hi: s3.hi, s3cut: s3.cut, obslo: obs.lo, obshi: obs.hi, obscut: obs.cut })) {
      if (object.key > after) yield object
    }
  }

  /** Whether a bucket holds any object (the sandbox's buckets are the ones its samples name). */
  bucketExists(bucket: string): boolean {
    return this.statements.anyObjectIn.get(`s3://${bucket}/`, `s3://${bucket}/\uffff`, `obs://${bucket}/`, `obs://${bucket}/\uffff`) !== undefined
  }

  task(taskId: string): TaskRow | undefined {
    return this.statements.task.get(taskId)
  }

  version(versionId: string): VersionRow | undefined {
    return this.statements.version.get(versionId)
  }

  /** The version created last (none for a task without versions). */
  latestVersion(taskId: string): VersionRow | undefined {
    return this.statements.latestVersion.get(taskId)
  }

  versionCount(taskId: string): number {
    return this.statements.versionCount.get(taskId)?.count ?? 0
  }

  /** How many samples of the version have each result_property (0 retained … 3 added). */
  propertyCounts(versionId: string): [number, number, number, number] {
    const counts: [number, number, number, number] = [0, 0, 0, 0]
    for (const { result_property: property, count } of this.statements.propertyCounts.all(versionId)) counts[property] = count
    return counts
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

  /** Sandbox time of the next status change due, or null. */
  nextStepDue(): number | null {
    return this.statements.nextStepDue.get()?.due ?? null
  }

  /**
   * Applies every status change due at or before `now`, in due order, each
   * stamped with its own due time (not the time it was applied), all or nothing.
   */
  applyDueSteps(now: number): number {
    return this.db.transaction(() => {
      const steps = this.statements.dueSteps.all(now)
      for (const step of steps) {
        this.statements.applyStep.run({
          version_id: step.version_id,
          status: step.status,
          at: step.due_at,
          started: step.status === VERSION_STATUS.running ? 1 : 0,
          ended: isFinished(step.status) ? 1 : 0,
        })
        this.statements.deleteStep.run(step.version_id, step.seq)
      }
      return steps.length
    })()
  }

  /** Stores a fixture task, its versions and their samples, all or nothing. */
  insertTask(task: FixtureTask): void {
    this.db.transaction(() => {
      this.statements.insertTask.run({
        task_id: task.task_id,
        project_id: task.project_id,
        name: task.name,
        description: task.description ?? '',
        create_time: task.create_time ?? 0,
        template_id: task.template_id ?? DEFAULT_TEMPLATE,
        input_path: task.input_path ?? DEFAULT_INPUT_PATH,
        work_path: task.work_path ?? DEFAULT_WORK_PATH,
      })
      for (const version of task.versions) {
        const steps = version.status_changes ?? []
        this.insertVersion(task.task_id, {
          version_id: version.version_id,
          version_name: version.version_name,
          description: version.description ?? '',
          create_time: version.create_time ?? 0,
          // With a timeline the version starts initialized and the steps bring it to `status`.
          status: steps.length > 0 ? VERSION_STATUS.initialized : version.status,
          steps,
          samples: version.samples,
        })
      }
    })()
  }

  /** Stores a task row alone (a scenario adds its version next). */
  insertTaskRow(task: TaskRow): void {
    this.statements.insertTask.run(task)
  }

  /**
   * Stores a version, its status changes to come and its samples (ranked by
   * sample_id). A version stored already running or finished, with no
   * history, is taken to have started (and ended) at its create_time.
   */
  insertVersion(taskId: string, version: NewVersion): void {
    this.db.transaction(() => {
      this.statements.insertVersion.run({
        version_id: version.version_id,
        task_id: taskId,
        version_name: version.version_name,
        description: version.description,
        status: version.status,
        create_time: version.create_time,
        update_time: version.create_time,
        started_at: version.status >= VERSION_STATUS.running ? version.create_time : null,
        ended_at: isFinished(version.status) ? version.create_time : null,
      })
      version.steps.forEach((step, seq) => this.statements.insertStep.run(version.version_id, seq, step.status, step.at))
      this.insertSamples(version.version_id, version.samples)
    })()
  }

  /** Drops every task; versions, samples and pending status changes go with them (cascading keys). */
  deleteAll(): void {
    this.statements.deleteTasks.run()
  }

  private insertSamples(versionId: string, samples: FixtureSample[]): void {
    this.insertRankedSamples(versionId, [...samples].sort((a, b) => (a.sample_id < b.sample_id ? -1 : a.sample_id > b.sample_id ? 1 : 0)))
  }

  /**
   * Stores a version's samples as they come, which must be in sample_id
   * order (the ranks pages are read by), into a version that has none yet:
   * a generator can feed a hundred thousand without holding them all.
   */
  insertRankedSamples(versionId: string, ranked: Iterable<FixtureSample>): void {
    const perProperty = new Map<number, number>()
    let ordinal = 0
    for (const sample of ranked) {
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
        origin_file: sample.origin_file ?? null,
        new_file: sample.new_file ?? null,
      })
      ordinal++
    }
  }
}

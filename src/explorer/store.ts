import type { Db } from '../database.js'
import type { Fixture } from './schemas.js'

export interface TaskRow {
  job_id: number
  id: string
  name: string
  status: number
}

type FixtureJob = Fixture['jobs'][number]

/** Every query the Explorer API makes, as prepared statements. */
export class ExplorerStore {
  private readonly statements

  constructor(private readonly db: Db) {
    this.statements = {
      jobExists: db.prepare<[number], { id: number }>('SELECT id FROM explorer_jobs WHERE id = ?'),
      task: db.prepare<[number, string], TaskRow>('SELECT job_id, id, name, status FROM explorer_tasks WHERE job_id = ? AND id = ?'),
      rows: db.prepare<[number, string, number], { cells: string }>(
        'SELECT cells FROM explorer_task_rows WHERE job_id = ? AND task_id = ? ORDER BY ordinal LIMIT ?',
      ),
      insertJob: db.prepare(
        'INSERT INTO explorer_jobs (id, name, workflow_id, workflow_name, status) VALUES (?, ?, ?, ?, ?)',
      ),
      insertTask: db.prepare('INSERT INTO explorer_tasks (job_id, id, name, status, columns) VALUES (?, ?, ?, ?, ?)'),
      insertRow: db.prepare('INSERT INTO explorer_task_rows (job_id, task_id, ordinal, cells) VALUES (?, ?, ?, ?)'),
    }
  }

  jobExists(jobId: number): boolean {
    return Number.isSafeInteger(jobId) && this.statements.jobExists.get(jobId) !== undefined
  }

  task(jobId: number, taskId: string): TaskRow | undefined {
    return this.statements.task.get(jobId, taskId)
  }

  /** The first `limit` rows of a task's result, in result order. */
  rows(jobId: number, taskId: string, limit: number): string[][] {
    return this.statements.rows.all(jobId, taskId, limit).map((row) => JSON.parse(row.cells) as string[])
  }

  /** Stores a job with its tasks and their rows, all or nothing. */
  insertJob(job: FixtureJob): void {
    this.db.transaction(() => {
      this.statements.insertJob.run(job.id, job.name, job.workflow_id, job.workflow_name, job.status)
      for (const task of job.tasks) {
        this.statements.insertTask.run(job.id, task.id, task.name, task.status, JSON.stringify(task.columns))
        task.rows.forEach((cells, ordinal) => this.statements.insertRow.run(job.id, task.id, ordinal, JSON.stringify(cells)))
      }
    })()
  }
}

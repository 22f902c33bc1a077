import { statementsOnDemand, type Db } from '../database.js'

export type StreamKind = 'STREAMING' | 'SIMULATING'

export interface StreamRunRow {
  id: number
  project_id: number
  kind: StreamKind
  started_at: number
  finished_at: number | null
  rows: string | null
  posted: number
  next_post_at: number | null
  reader_open: number
  reader_left_at: number | null
  trained_at: number | null
}

export interface StreamEventRow {
  id: number
  project_id: number
  case_id: string
  attributes: string
  created_at: number
  prescribed_at: number
  prescriptions: string
  sent: number
}

export interface NewStreamEvent {
  project_id: number
  case_id: string
  attributes: Record<string, string | null>
  created_at: number
  prescribed_at: number
  prescriptions: Record<string, unknown>
  /** The last event of its case completes it. */
  completes: boolean
}

/** PrCore's streaming state: runs of a project's stream, the cases its events opened, the events. */
export class StreamStore {
  private readonly statements

  constructor(db: Db) {
    this.statements = statementsOnDemand({
      activeRun: () => db.prepare<[number], StreamRunRow>(
        'SELECT * FROM prpm_stream_runs WHERE project_id = ? AND finished_at IS NULL ORDER BY id DESC LIMIT 1',
      ),
      run: () => db.prepare<[number], StreamRunRow>('SELECT * FROM prpm_stream_runs WHERE id = ?'),
      insertRun: () => db.prepare<[number, string, number, string | null, number | null]>(
        'INSERT INTO prpm_stream_runs (project_id, kind, started_at, rows, next_post_at) VALUES (?, ?, ?, ?, ?)',
      ),
      finishRun: () => db.prepare<[number, number]>(
        'UPDATE prpm_stream_runs SET finished_at = ?, next_post_at = NULL WHERE id = ? AND finished_at IS NULL',
      ),
      finishProjectRuns: () => db.prepare<[number, number]>(
        'UPDATE prpm_stream_runs SET finished_at = ?, next_post_at = NULL, trained_at = NULL WHERE project_id = ? AND finished_at IS NULL',
      ),
      clearTrainedAt: () => db.prepare<[number]>('UPDATE prpm_stream_runs SET trained_at = NULL WHERE project_id = ?'),
      setPosted: () => db.prepare<[number, number | null, number]>('UPDATE prpm_stream_runs SET posted = ?, next_post_at = ? WHERE id = ?'),
      setTrainedAt: () => db.prepare<[number, number]>('UPDATE prpm_stream_runs SET trained_at = ? WHERE id = ?'),
      setReader: () => db.prepare<[number, number | null, number]>('UPDATE prpm_stream_runs SET reader_open = ?, reader_left_at = ? WHERE id = ?'),
      closeAllReaders: () => db.prepare<[number]>('UPDATE prpm_stream_runs SET reader_open = 0, reader_left_at = ? WHERE reader_open = 1'),
      nextPost: () => db.prepare<[], { due: number | null }>('SELECT MIN(next_post_at) AS due FROM prpm_stream_runs WHERE finished_at IS NULL'),
      duePosts: () => db.prepare<[number], StreamRunRow>(
        'SELECT * FROM prpm_stream_runs WHERE finished_at IS NULL AND next_post_at <= ? ORDER BY next_post_at, id',
      ),
      nextTrained: () => db.prepare<[], { due: number | null }>('SELECT MIN(trained_at) AS due FROM prpm_stream_runs WHERE trained_at IS NOT NULL'),
      dueTrained: () => db.prepare<[number], StreamRunRow>('SELECT * FROM prpm_stream_runs WHERE trained_at <= ? ORDER BY trained_at, id'),
      // PrCore's minute timer: a simulation nobody reads ends 60 s after its reader left, or 5 min after its start if never read.
      nextIdle: () => db.prepare<[], { due: number | null }>(
        `SELECT MIN(COALESCE(reader_left_at + 60000, started_at + 300000)) AS due FROM prpm_stream_runs
         WHERE kind = 'SIMULATING' AND finished_at IS NULL AND reader_open = 0`,
      ),
      dueIdle: () => db.prepare<[number], StreamRunRow>(
        `SELECT * FROM prpm_stream_runs WHERE kind = 'SIMULATING' AND finished_at IS NULL AND reader_open = 0
         AND COALESCE(reader_left_at + 60000, started_at + 300000) <= ? ORDER BY id`,
      ),
      insertCase: () => db.prepare<[number, string]>('INSERT OR IGNORE INTO prpm_stream_cases (project_id, case_id) VALUES (?, ?)'),
      completeCase: () => db.prepare<[number, string]>('UPDATE prpm_stream_cases SET completed = 1 WHERE project_id = ? AND case_id = ?'),
      insertEvent: () => db.prepare(
        `INSERT INTO prpm_stream_events (project_id, case_id, attributes, created_at, prescribed_at, prescriptions)
         VALUES (@project_id, @case_id, @attributes, @created_at, @prescribed_at, @prescriptions)`,
      ),
      caseEvents: () => db.prepare<[number, string], { attributes: string }>(
        'SELECT attributes FROM prpm_stream_events WHERE project_id = ? AND case_id = ? ORDER BY id',
      ),
      pending: () => db.prepare<[number, number], StreamEventRow & { completed: number }>(
        `SELECT e.*, c.completed FROM prpm_stream_events e JOIN prpm_stream_cases c ON c.project_id = e.project_id AND c.case_id = e.case_id
         WHERE e.project_id = ? AND e.sent = 0 AND e.prescribed_at <= ? ORDER BY e.id`,
      ),
      markSent: () => db.prepare<[string]>('UPDATE prpm_stream_events SET sent = 1 WHERE id IN (SELECT value FROM json_each(?))'),
      lastPrescribedAt: () => db.prepare<[number], { at: number | null }>('SELECT MAX(prescribed_at) AS at FROM prpm_stream_events WHERE project_id = ?'),
      deleteCases: () => db.prepare<[number]>('DELETE FROM prpm_stream_cases WHERE project_id = ?'),
      counts: () => db.prepare<[{ now: number; project: number }], { events: number; prescribed: number; sent: number; cases: number }>(
        `SELECT COUNT(*) AS events, COALESCE(SUM(prescribed_at <= @now), 0) AS prescribed, COALESCE(SUM(sent), 0) AS sent,
           (SELECT COUNT(*) FROM prpm_stream_cases WHERE project_id = @project) AS cases
         FROM prpm_stream_events WHERE project_id = @project`,
      ),
    })
  }

  activeRun(projectId: number): StreamRunRow | undefined {
    return this.statements.activeRun.get(projectId)
  }

  run(runId: number): StreamRunRow | undefined {
    return this.statements.run.get(runId)
  }

  startRun(projectId: number, kind: StreamKind, now: number, rows: Record<string, unknown>[] | null): number {
    // A simulation's first event goes at once (or, with none, its end); a stream waits for its client's.
    const info = this.statements.insertRun.run(projectId, kind, now, rows === null ? null : JSON.stringify(rows), rows === null ? null : now)
    return Number(info.lastInsertRowid)
  }

  finishRun(runId: number, now: number): void {
    this.statements.finishRun.run(now, runId)
  }

  /** Ends whatever run the project has, and any pending return to TRAINED (stop, clear, redefinition, delete). */
  finishProjectRuns(projectId: number, now: number): void {
    this.statements.finishProjectRuns.run(now, projectId)
    this.statements.clearTrainedAt.run(projectId)
  }

  setPosted(runId: number, posted: number, nextPostAt: number | null): void {
    this.statements.setPosted.run(posted, nextPostAt, runId)
  }

  setTrainedAt(runId: number, at: number): void {
    this.statements.setTrainedAt.run(at, runId)
  }

  setReader(runId: number, open: boolean, now: number): void {
    this.statements.setReader.run(open ? 1 : 0, open ? null : now, runId)
  }

  /** At start-up: no reader survived the restart; each left now. */
  closeAllReaders(now: number): void {
    this.statements.closeAllReaders.run(now)
  }

  nextDue(): number | null {
    const dues = [this.statements.nextPost.get()?.due, this.statements.nextTrained.get()?.due, this.statements.nextIdle.get()?.due]
      .filter((due): due is number => due !== null && due !== undefined)
    return dues.length === 0 ? null : Math.min(...dues)
  }

  duePosts(now: number): StreamRunRow[] {
    return this.statements.duePosts.all(now)
  }

  dueTrained(now: number): StreamRunRow[] {
    return this.statements.dueTrained.all(now)
  }

  dueIdle(now: number): StreamRunRow[] {
    return this.statements.dueIdle.all(now)
  }

  /** The attributes of the case's events so far, in posting order. */
  caseEvents(projectId: number, caseId: string): Record<string, string | null>[] {
    return this.statements.caseEvents.all(projectId, caseId).map((row) => JSON.parse(row.attributes) as Record<string, string | null>)
  }

  insertEvent(event: NewStreamEvent): number {
    this.statements.insertCase.run(event.project_id, event.case_id)
    if (event.completes) this.statements.completeCase.run(event.project_id, event.case_id)
    const info = this.statements.insertEvent.run({
      project_id: event.project_id, case_id: event.case_id, attributes: JSON.stringify(event.attributes), created_at: event.created_at,
      prescribed_at: event.prescribed_at, prescriptions: JSON.stringify(event.prescriptions),
    })
    return Number(info.lastInsertRowid)
  }

  /** Events prescribed by `now` and not yet sent, oldest first, with their case's flag now. */
  pending(projectId: number, now: number): (StreamEventRow & { completed: number })[] {
    return this.statements.pending.all(projectId, now)
  }

  markSent(ids: number[]): void {
    this.statements.markSent.run(JSON.stringify(ids))
  }

  lastPrescribedAt(projectId: number): number | null {
    return this.statements.lastPrescribedAt.get(projectId)?.at ?? null
  }

  /** stream/clear: every case and event of the project, unsent ones too. */
  clear(projectId: number): void {
    this.statements.deleteCases.run(projectId)
  }

  counts(projectId: number, now: number): { events: number; prescribed: number; sent: number; cases: number } {
    return this.statements.counts.get({ now, project: projectId }) as { events: number; prescribed: number; sent: number; cases: number }
  }
}

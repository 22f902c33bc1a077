import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../database.js'
import { FixtureError, loadFixtureFile } from '../fixtures.js'
import { Fixture, VERSION_STATUS, type StatusChange } from './schemas.js'
import { ModelArtsStore } from './store.js'

export const FIXTURE_FILE = 'modelarts.json'

/**
 * Loads fixtures/modelarts.json; ids are unique, only a deleted sample lacks a
 * new_source, and a timeline is one the vendor's versions can go through.
 */
export function loadModelArtsFixture(dir: string): Fixture {
  const fixture = loadFixtureFile(dir, FIXTURE_FILE, Fixture)
  const file = path.join(dir, FIXTURE_FILE)
  const taskIds = new Set<string>()
  const versionIds = new Set<string>()
  fixture.tasks.forEach((task, taskIndex) => {
    if (taskIds.has(task.task_id)) throw new FixtureError(file, `/tasks/${taskIndex}/task_id`, 'task_id is listed twice')
    taskIds.add(task.task_id)
    task.versions.forEach((version, versionIndex) => {
      const at = `/tasks/${taskIndex}/versions/${versionIndex}`
      if (versionIds.has(version.version_id)) throw new FixtureError(file, `${at}/version_id`, 'version_id is listed twice')
      versionIds.add(version.version_id)
      const problem = timelineProblem(version.create_time ?? 0, version.status, version.status_changes ?? [])
      if (problem) throw new FixtureError(file, `${at}/status_changes${problem.at}`, problem.message)
      const sampleIds = new Set<string>()
      version.samples.forEach((sample, sampleIndex) => {
        if (sampleIds.has(sample.sample_id)) {
          throw new FixtureError(file, `${at}/samples/${sampleIndex}/sample_id`, 'sample_id is listed twice in this version')
        }
        sampleIds.add(sample.sample_id)
        if ((sample.new_source === '') !== (sample.result_property === 2)) {
          throw new FixtureError(file, `${at}/samples/${sampleIndex}/new_source`, 'must be empty exactly when the sample was deleted (result_property 2)')
        }
        if (sample.new_file !== undefined && sample.new_source === '') {
          throw new FixtureError(file, `${at}/samples/${sampleIndex}/new_file`, 'a deleted sample has no new object to stand for')
        }
        for (const field of ['origin_file', 'new_file'] as const) {
          const named = sample[field]
          // Checked at start-up, not on download: a typo in a fixture should stop the sandbox, not 404 later.
          if (named !== undefined && !fs.statSync(path.join(dir, named), { throwIfNoEntry: false })?.isFile()) {
            throw new FixtureError(file, `${at}/samples/${sampleIndex}/${field}`, `${named} is not a file in ${dir}`)
          }
        }
      })
    })
  })
  return fixture
}

/**
 * Why a version's status changes are not a path its status can take, or null:
 * from initialized (0) at `createTime`, times never going back, nothing after
 * completed, failed or stopped, and ending at `status`.
 */
export function timelineProblem(createTime: number, status: number, changes: StatusChange[]): { at: string; message: string } | null {
  let previous: StatusChange = { status: VERSION_STATUS.initialized, at: createTime }
  for (const [index, change] of changes.entries()) {
    if (previous.status >= VERSION_STATUS.completed) {
      return { at: `/${index}/status`, message: 'no status change can follow completed, failed or stopped' }
    }
    if (change.status === previous.status) return { at: `/${index}/status`, message: `is already ${previous.status}` }
    if (change.at < previous.at) return { at: `/${index}/at`, message: 'is before the previous change (or create_time)' }
    previous = change
  }
  if (changes.length > 0 && previous.status !== status) return { at: '', message: `must end at the version's status ${status}` }
  return null
}

export function seedModelArts(db: Db, fixture: Fixture): void {
  const store = new ModelArtsStore(db)
  for (const task of fixture.tasks) store.insertTask(task)
}

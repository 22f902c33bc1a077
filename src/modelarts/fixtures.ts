import path from 'node:path'
import type { Db } from '../database.js'
import { FixtureError, loadFixtureFile } from '../fixtures.js'
import { Fixture } from './schemas.js'
import { ModelArtsStore } from './store.js'

export const FIXTURE_FILE = 'modelarts.json'

/** Loads fixtures/modelarts.json; ids are unique and only a deleted sample lacks a new_source. */
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
      const sampleIds = new Set<string>()
      version.samples.forEach((sample, sampleIndex) => {
        if (sampleIds.has(sample.sample_id)) {
          throw new FixtureError(file, `${at}/samples/${sampleIndex}/sample_id`, 'sample_id is listed twice in this version')
        }
        sampleIds.add(sample.sample_id)
        if ((sample.new_source === '') !== (sample.result_property === 2)) {
          throw new FixtureError(file, `${at}/samples/${sampleIndex}/new_source`, 'must be empty exactly when the sample was deleted (result_property 2)')
        }
      })
    })
  })
  return fixture
}

export function seedModelArts(db: Db, fixture: Fixture): void {
  const store = new ModelArtsStore(db)
  for (const task of fixture.tasks) store.insertTask(task)
}

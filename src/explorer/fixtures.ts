import path from 'node:path'
import type { Db } from '../database.js'
import { FixtureError, loadFixtureFile } from '../fixtures.js'
import { DEFAULT_ROW_COUNT, columnsOf } from './algorithms.js'
import { Fixture } from './schemas.js'
import { ExplorerStore } from './store.js'
import type { GraphFixture } from './graph.js'

export const FIXTURE_FILE = 'explorer.json'

/**
 * Loads fixtures/explorer.json; every row must have as many cells as its task
 * has columns, and every workflow task an algorithm the sandbox knows the
 * columns of (or columns of its own).
 */
export function loadExplorerFixture(dir: string): Fixture {
  const fixture = loadFixtureFile(dir, FIXTURE_FILE, Fixture)
  const file = path.join(dir, FIXTURE_FILE)
  const jobIds = new Set<number>()
  fixture.jobs.forEach((job, jobIndex) => {
    if (jobIds.has(job.id)) throw new FixtureError(file, `/jobs/${jobIndex}/id`, `job ${job.id} is listed twice`)
    jobIds.add(job.id)
    const taskIds = new Set<string>()
    job.tasks.forEach((task, taskIndex) => {
      const at = `/jobs/${jobIndex}/tasks/${taskIndex}`
      if (taskIds.has(task.id)) throw new FixtureError(file, `${at}/id`, `task ${task.id} is listed twice`)
      taskIds.add(task.id)
      task.rows.forEach((row, rowIndex) => {
        if (row.length !== task.columns.length) {
          throw new FixtureError(file, `${at}/rows/${rowIndex}`, `has ${row.length} cells for ${task.columns.length} columns`)
        }
      })
    })
  })
  const workflowIds = new Set<string>()
  fixture.workflows?.forEach((workflow, workflowIndex) => {
    if (workflowIds.has(workflow.id)) throw new FixtureError(file, `/workflows/${workflowIndex}/id`, `workflow ${workflow.id} is listed twice`)
    workflowIds.add(workflow.id)
    const taskIds = new Set<string>()
    workflow.tasks.forEach((task, taskIndex) => {
      const at = `/workflows/${workflowIndex}/tasks/${taskIndex}`
      if (taskIds.has(task.id)) throw new FixtureError(file, `${at}/id`, `task ${task.id} is listed twice`)
      taskIds.add(task.id)
      if (!task.columns && !columnsOf(task.name)) throw new FixtureError(file, `${at}/columns`, `no columns are known for ${task.name}: list them`)
    })
  })
  return fixture
}

export function seedExplorer(db: Db, fixture: Fixture, graph: GraphFixture | null = null): void {
  const store = new ExplorerStore(db)
  if (graph !== null) store.insertGraph(graph)
  for (const job of fixture.jobs) store.insertJob(job)
  for (const workflow of fixture.workflows ?? []) {
    store.insertWorkflow(workflow, (task) => task.columns ?? columnsOf(task.name) ?? [], DEFAULT_ROW_COUNT)
  }
}

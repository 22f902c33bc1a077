import type { Db } from '../database.js'
import { columnsOf, rowsOf } from './algorithms.js'
import { ExplorerStore } from './store.js'

/** The large set's ids, agreed with the benchmark and the README: the same in every store. */
export const LARGE_JOB_ID = 2012001
export const LARGE_TASKS = [
  { id: 'pagerank_1m', name: 'PageRank', rows: 1_000_000 },
  { id: 'apsp_100k', name: 'APSP', rows: 100_000 },
] as const

/**
 * Seeds the large Explorer set: job 2012001, a success with no workflow of
 * the fixture behind it, whose tasks pagerank_1m and apsp_100k have a
 * million and a hundred thousand rows, generated and stored one at a time.
 */
export function seedLargeExplorer(db: Db): void {
  const store = new ExplorerStore(db)
  const created = Date.parse('2022-07-15T02:00:00.000Z')
  store.insertJob({
    id: LARGE_JOB_ID,
    name: 'large pagerank and apsp',
    workflow_id: '2012',
    workflow_name: 'workflow_large',
    status: 2,
    create_time: created,
    run_begin_time: created + 3_000,
    run_end_time: created + 103_000,
    tasks: LARGE_TASKS.map((task, index) => ({
      id: task.id,
      name: task.name,
      status: 2,
      run_begin_time: created + 3_000 + index * 40_000,
      run_end_time: created + 43_000 + index * 60_000,
      columns: columnsOf(task.name) as string[],
      rows: [],
    })),
  })
  for (const task of LARGE_TASKS) store.insertRows(LARGE_JOB_ID, task.id, rowsOf(LARGE_JOB_ID, task.id, task.name, columnsOf(task.name) as string[], task.rows))
}

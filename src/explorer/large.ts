import type { Db } from '../database.js'
import { columnsOf, rowsOf } from './algorithms.js'
import type { GeneratedGraphSpec } from './graph-algorithms.js'
import { computationOf, computedRows } from './graph.js'
import { ExplorerStore } from './store.js'

/** The large set's ids, agreed with the benchmark and the README: the same in every store. */
export const LARGE_JOB_ID = 2012001
export const LARGE_TASKS = [
  { id: 'pagerank_1m', name: 'PageRank', rows: 1_000_000 },
  { id: 'apsp_100k', name: 'APSP', rows: 100_000 },
] as const

/** The graph pagerank_1m ran on: a million vertices, three million edges, drawn the same way in every store. */
export const LARGE_GRAPH: GeneratedGraphSpec = { size: 1_000_000, edgesPerVertex: 3, seed: LARGE_JOB_ID }

/** PageRank's rows on the large graph (its ten rounds, as a task's), one a vertex in order, written as they are read. */
export function largePageRankRows(spec: GeneratedGraphSpec = LARGE_GRAPH): Generator<string[]> {
  return computedRows(computationOf('PageRank') as NonNullable<ReturnType<typeof computationOf>>, { generated: spec })
}

/**
 * Seeds the large Explorer set: job 2012001, a success with no workflow of
 * the fixture behind it, whose tasks pagerank_1m and apsp_100k have a
 * million and a hundred thousand rows, stored one at a time: pagerank_1m's computed on the large generated
 * graph, apsp_100k's drawn (every pair of a graph that size would be a trillion rows).
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
  store.insertRows(LARGE_JOB_ID, 'pagerank_1m', largePageRankRows())
  store.insertRows(LARGE_JOB_ID, 'apsp_100k', rowsOf(LARGE_JOB_ID, 'apsp_100k', 'APSP', columnsOf('APSP') as string[], 100_000))
}

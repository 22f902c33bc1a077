import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/**
 * The result columns of each graph algorithm Explorer's workflows run, as the
 * vendor's docs list them (keys in lower case: task names are matched in any case).
 */
const COLUMNS: Record<string, readonly string[]> = {
  pagerank: ['VID', 'VALUE'],
  kcore: ['VID', 'VALUE'],
  betweenness: ['VID', 'VALUE'],
  betweennesscentrality: ['VID', 'VALUE'],
  closeness: ['VID', 'VALUE'],
  closenesscentrality: ['VID', 'VALUE'],
  sssp: ['VID', 'DISTANCE'],
  bfs: ['ROOT', 'VISITED'],
  lpa: ['VID', 'LABEL'],
  hanp: ['VID', 'LABEL'],
  wcc: ['VID', 'LABEL'],
  louvain: ['VID', 'LABEL'],
  infomap: ['VID', 'LABEL'],
  apsp: ['VID1', 'VID2', 'DISTANCE'],
  jaccard: ['VID1', 'VID2', 'VALUE'],
  trianglecount: ['VID1', 'VID2', 'VID3'],
  degreecentrality: ['VID', 'BOTH_DEGREE', 'OUT_DEGREE', 'IN_DEGREE'],
  globaltrianglecount: ['COUNT'],
  // An nGQL query component: the vertices it returned.
  query: ['VID'],
}

/** The columns an algorithm's result has, or undefined for a name the sandbox does not know. */
export function columnsOf(algorithm: string): string[] | undefined {
  const columns = COLUMNS[algorithm.toLowerCase()]
  return columns && [...columns]
}

/** Rows a task gives when nothing says otherwise: every vertex of the basketballplayer space once. */
export const DEFAULT_ROW_COUNT = 81

/** The basketballplayer example space's 81 vertices, which the vendor's examples (and the fixture) use. */
const VERTICES = [
  ...Array.from({ length: 51 }, (_, i) => `player${100 + i}`),
  ...Array.from({ length: 30 }, (_, i) => `team${200 + i}`),
]

/** VALUE ranges that look like each algorithm's output; anything else is a score in [0, 1). */
const VALUE_RANGES: Record<string, [number, number]> = {
  pagerank: [0.15, 2.2],
  betweenness: [0, 250],
  betweennesscentrality: [0, 250],
}

const six = (value: number) => value.toFixed(6)

/** FNV-1a: a stable 32-bit seed from a job and task id, so the same ids give the same rows. */
function seedOf(jobId: number, taskId: string): number {
  let hash = 0x811c9dc5
  for (const char of `${jobId}/${taskId}`) {
    hash ^= char.codePointAt(0) as number
    hash = Math.imul(hash, 0x01000193)
  }
  return hash | 0
}

/**
 * Columns whose cells are vertex ids, in whatever case a workflow's DAG spells them: the algorithms' VID,
 * VID1…VID3, ROOT and VISITED, and the console's lower-case outputs (vid, src, dst, id1, id2), an nGQL
 * task's `id(v)`, `v`, `src(e)` and `dst(edge)`. The key column (a row's first, when it is one of the
 * first kind) walks every vertex once.
 */
const KEY_VERTEX = /^(vid1?|root|src|id1?|v|id\(v\))$/i
const VERTEX = /^(vid\d?|root|visited|src|dst|id\d?|v|id\(v\)|(src|dst)\((e|edge)\))$/i

/**
 * A task's result rows, the same every time for the same job and task ids:
 * the key column (VID, VID1, ROOT) walks a shuffled vertex list so each vertex
 * comes once, the others are drawn to fit the column (numbers with six
 * decimals, as the vendor formats them). One row at a time, so that a
 * million rows (the large fixture set) never sit in memory.
 */
export function* rowsOf(jobId: number, taskId: string, algorithm: string, columns: readonly string[], count: number): Generator<string[]> {
  const rng = xoroshiro128plus(seedOf(jobId, taskId))
  const order = [...VERTICES]
  for (let i = order.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i)
    ;[order[i], order[j]] = [order[j] as string, order[i] as string]
  }
  // Past the 81 real vertices, made-up ones keep keys unique.
  const vertex = (index: number) => order[index] ?? `player${1000 + index}`
  const anyVertex = () => vertex(uniformInt(rng, 0, Math.min(count, VERTICES.length) - 1))
  // A handful of communities, named after a member vertex's number as WCC and Louvain name them.
  const labels = order.slice(0, 4).map((name) => name.replace(/\D/g, ''))
  const [low, high] = VALUE_RANGES[algorithm.toLowerCase()] ?? [0, 1]
  const both = columns.indexOf('BOTH_DEGREE')
  for (let index = 0; index < count; index++) {
    let outDegree = 0
    const row = columns.map((column, position) => {
      if (position === 0 && KEY_VERTEX.test(column)) return vertex(index)
      if (VERTEX.test(column)) return anyVertex()
      if (column === 'LABEL') return labels[uniformInt(rng, 0, labels.length - 1)] as string
      if (column === 'DISTANCE') return six(uniformInt(rng, 1, 6))
      if (column === 'OUT_DEGREE') return six((outDegree = uniformInt(rng, 0, 12)))
      if (column === 'IN_DEGREE') return six(uniformInt(rng, 0, 12))
      if (column === 'BOTH_DEGREE') return '' // filled in below, once both directions are drawn
      if (column === 'COUNT') return six(uniformInt(rng, 0, 500))
      if (algorithm.toLowerCase() === 'kcore') return six(uniformInt(rng, 1, 10))
      return six(low + uniformFloat64(rng) * (high - low))
    })
    if (both >= 0) row[both] = six(outDegree + Number(row[columns.indexOf('IN_DEGREE')] ?? 0))
    yield row
  }
}

/** rowsOf, all at once: a task small enough to hold. */
export function generateRows(jobId: number, taskId: string, algorithm: string, columns: readonly string[], count: number): string[][] {
  return [...rowsOf(jobId, taskId, algorithm, columns, count)]
}

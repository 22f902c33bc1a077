/**
 * Explorer's computed results in `npm run bench`: each algorithm on the sample graph (basketballplayer) as a task
 * computes it (indexing, the algorithm, its rows written with six decimals), and PageRank's ten rounds on the large
 * generated graph (a million vertices, three million edges: pagerank_1m). Measured in this process, beside a baseline
 * from the same run: for the sample, indexing the graph and writing one row a vertex (what every algorithm pays);
 * for the large graph, drawing it.
 */
import path from 'node:path'
import { computationOf, computedRows, loadGraphFixture } from '../dist/explorer/graph.js'
import { generatedGraph, pageRank } from '../dist/explorer/graph-algorithms.js'
import { LARGE_GRAPH } from '../dist/explorer/large.js'

const SAMPLE_RUNS = 21
const LARGE_RUNS = 3
const SAMPLE_TARGET_MS = 50
const LARGE_TARGET_MS = 5000

/** Every computed algorithm, with the parameters a task of it would have. */
const ALGORITHMS: Array<[string, Record<string, string>]> = [
  ['PageRank', {}], ['SSSP', { root: 'player100' }], ['BFS', { root: 'player100' }], ['APSP', {}], ['WCC', {}], ['LPA', {}], ['HANP', {}],
  ['Louvain', {}], ['KCore', {}], ['DegreeCentrality', {}], ['NStepDegrees', { step: '3' }], ['BNC', { is_directed: 'false' }],
  ['CNC', {}], ['TriangleCount', { opt: '3' }], ['TriangleCount', { opt: '1' }], ['Jaccard', { ids1: 'player100,player101', ids2: '' }],
  ['ClusteringCoefficient', { type: 'local' }], ['ClusteringCoefficient', { type: 'global' }],
]

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function timed(runs: number, work: () => void): number {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const began = performance.now()
    work()
    times.push(performance.now() - began)
  }
  return median(times)
}

export interface GraphBench {
  markdown: string
  failed: boolean
}

export function benchGraphs(root: string, log: (message: string) => void): GraphBench {
  const fixture = loadGraphFixture(path.join(root, 'fixtures'))
  if (fixture === null) throw new Error('fixtures/basketballplayer.json is missing')
  const sample = { vertices: fixture.vertices.map((vertex) => vertex.vid), edges: fixture.edges }
  // What every computation pays: the graph indexed and a row a vertex written (DegreeCentrality is little more).
  const baseline = timed(SAMPLE_RUNS, () => [...computedRows(computationOf('DegreeCentrality') as never, sample)])
  const lines = [
    '| computation | graph | median ms | baseline ms | × baseline | target | |',
    '| --- | --- | ---: | ---: | ---: | --- | --- |',
  ]
  let failed = false
  for (const [name, spec] of ALGORITHMS) {
    const computation = computationOf(name, spec)
    if (computation === undefined) throw new Error(`${name} is not computed`)
    let rows = 0
    const ms = timed(SAMPLE_RUNS, () => {
      rows = [...computedRows(computation, sample)].length
    })
    const met = ms <= SAMPLE_TARGET_MS
    failed ||= !met
    const params = Object.entries(spec).map(([key, value]) => `${key} ${value || '""'}`).join(', ')
    lines.push(`| ${name}${params ? ` (${params})` : ''}, ${rows} rows | basketballplayer, 81 vertices, 233 edges | ${ms.toFixed(2)} | ${baseline.toFixed(2)} | ${(ms / baseline).toFixed(1)}× | ≤ ${SAMPLE_TARGET_MS} ms | ${met ? 'met' : '**missed**'} |`)
  }
  log(`graphs: every algorithm on the sample graph, ${SAMPLE_RUNS} runs each`)
  const drawing = timed(LARGE_RUNS, () => generatedGraph(LARGE_GRAPH))
  const large = generatedGraph(LARGE_GRAPH)
  const ranking = timed(LARGE_RUNS, () => pageRank(large))
  const met = ranking <= LARGE_TARGET_MS
  failed ||= !met
  lines.push(`| PageRank, 10 rounds (pagerank_1m) | generated: ${LARGE_GRAPH.size.toLocaleString('en')} vertices, ${large.src.length.toLocaleString('en')} edges | ${ranking.toFixed(0)} | ${drawing.toFixed(0)} (drawing the graph) | ${(ranking / drawing).toFixed(1)}× | ≤ ${LARGE_TARGET_MS} ms | ${met ? 'met' : '**missed**'} |`)
  log(`graphs: PageRank on the large graph ${ranking.toFixed(0)} ms`)
  const markdown = `${lines.join('\n')}\n\nIn the benchmark's own process (not pinned), median of ${SAMPLE_RUNS} runs on the sample graph and of ${LARGE_RUNS} on the large one, each computation as a task runs it: indexing the edges, the algorithm, its rows written with six decimals (the large one: the ten rounds alone). Baseline: for the sample, DegreeCentrality (indexing and a row a vertex, which every algorithm pays); for the large graph, drawing it.`
  return { markdown, failed }
}

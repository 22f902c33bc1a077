import fs from 'node:fs'
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { FixtureError, loadFixtureFile } from '../fixtures.js'
import {
  allPairsShortestPaths, betweenness, breadthFirstVisited, closeness, clusteringCoefficients, coreNumbers, degrees, generatedGraph, hopAttenuation,
  indexGraph, jaccardSimilarity, labelPropagation, louvain, pageRank, shortestPaths, stepDegrees, triangles, trianglesPerVertex, weaklyConnectedComponents,
  type GeneratedGraphSpec, type IndexedGraph,
} from './graph-algorithms.js'

/*
 * The graph Explorer's tasks run on: NebulaGraph's sample space basketballplayer, as nebula-console's
 * data/basketballplayer.ngql writes it (51 players and 30 teams; 81 follow and 152 serve edges, six
 * player→team pairs twice with different ranks), and the algorithms computed on it the way NebulaGraph
 * Analytics and nebula-algorithm compute them.
 */

export const GRAPH_FIXTURE_FILE = 'basketballplayer.json'

/** A vertex's or an edge's properties. */
export const GraphProps = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))
/** A vertex id, as the sample space's are (FIXED_STRING(32)). */
export const GraphVid = Type.String({ minLength: 1, maxLength: 32 })

export const GraphFixture = Type.Object({
  space: Type.String({ minLength: 1 }),
  tags: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'each tag\'s properties' }),
  edge_types: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'each edge type\'s properties' }),
  vertices: Type.Array(Type.Object({ vid: GraphVid, tag: Type.String(), props: GraphProps })),
  edges: Type.Array(Type.Object({ type: Type.String(), src: GraphVid, dst: GraphVid, rank: Type.Integer(), props: GraphProps })),
})
export type GraphFixture = Static<typeof GraphFixture>

/** A graph of these vertices and edges, its tags and edge types declared with the properties their first carries. */
export function graphFixtureOf(space: string, vertices: GraphFixture['vertices'], edges: GraphFixture['edges']): GraphFixture {
  const tags: GraphFixture['tags'] = {}
  for (const vertex of vertices) tags[vertex.tag] ??= Object.keys(vertex.props)
  const edgeTypes: GraphFixture['edge_types'] = {}
  for (const edge of edges) edgeTypes[edge.type] ??= Object.keys(edge.props)
  return { space, tags, edge_types: edgeTypes, vertices, edges }
}

/** An edge as the algorithms read it: the fixture's, without its properties. */
export type GraphEdge = Omit<GraphFixture['edges'][number], 'props'>

/** The sample graph of a fixtures folder, checked (tags, edge types and ends known); null when the folder has none. */
export function loadGraphFixture(dir: string): GraphFixture | null {
  if (!fs.existsSync(path.join(dir, GRAPH_FIXTURE_FILE))) return null
  const graph = loadFixtureFile(dir, GRAPH_FIXTURE_FILE, GraphFixture)
  const file = path.join(dir, GRAPH_FIXTURE_FILE)
  const vids = new Set<string>()
  graph.vertices.forEach((vertex, index) => {
    if (vids.has(vertex.vid)) throw new FixtureError(file, `/vertices/${index}/vid`, `vertex ${vertex.vid} is listed twice`)
    if (!(vertex.tag in graph.tags)) throw new FixtureError(file, `/vertices/${index}/tag`, `no tag ${vertex.tag} is declared`)
    vids.add(vertex.vid)
  })
  graph.edges.forEach((edge, index) => {
    if (!(edge.type in graph.edge_types)) throw new FixtureError(file, `/edges/${index}/type`, `no edge type ${edge.type} is declared`)
    for (const end of ['src', 'dst'] as const) {
      if (!vids.has(edge[end])) throw new FixtureError(file, `/edges/${index}/${end}`, `no vertex ${edge[end]}`)
    }
  })
  return graph
}

/** What a task computes on: a stored graph's vertex ids and edges, or a generated graph (its vertices player100, player101, …). */
export type GraphSource = { vertices: readonly string[]; edges: Iterable<GraphEdge> } | { generated: GeneratedGraphSpec }

/** A graph as the store keeps it: listed, properties and all, or the numbers a generated one is drawn from. */
export type StoredGraph = GraphFixture | { generated: GeneratedGraphSpec }

/** A generated graph's vertex ids: player100, player101, … as the sample graph's players are named. */
export const generatedVid = (vertex: number) => `player${100 + vertex}`

/** The vertex a generated graph's id names, if it has one. */
function generatedIndex(vid: string, size: number): number | undefined {
  const match = /^player(\d{3,})$/.exec(vid)
  const vertex = match ? Number(match[1]) - 100 : -1
  return vertex >= 0 && vertex < size && generatedVid(vertex) === vid ? vertex : undefined
}

/** An algorithm run on the sample graph, with its parameters: what a task's rows are computed from. */
export interface GraphComputation {
  algorithm: GraphAlgorithm
  /** The task's parameters that the algorithm reads, as the console writes them (strings, keys in lower case). */
  params: Record<string, string>
  /** The edge types it reads (a DAG's nebula_input_edges); null: every type. */
  edgeTypes: string[] | null
  /** The NebulaGraph space its DAG's datasource names: that space's graph if a test gave it one, else the sample. */
  space?: string
}

export type GraphAlgorithm =
  | 'pagerank' | 'sssp' | 'bfs' | 'apsp' | 'wcc' | 'lpa' | 'hanp' | 'louvain' | 'kcore' | 'degreecentrality' | 'nstepdegrees'
  | 'betweenness' | 'closeness' | 'trianglecount' | 'jaccard' | 'clusteringcoefficient'

/**
 * The algorithm a task runs, by the name the workflow API gives it (PageRank, DegreeCentrality, …) or its console
 * type (analytics_bnc, analytics_jaccard_similarity, …), in any case, underscores and spaces aside.
 */
const ALGORITHMS: Record<string, GraphAlgorithm> = {
  pagerank: 'pagerank', sssp: 'sssp', bfs: 'bfs', apsp: 'apsp', wcc: 'wcc', lpa: 'lpa', hanp: 'hanp', louvain: 'louvain', kcore: 'kcore',
  degreecentrality: 'degreecentrality', nstepdegrees: 'nstepdegrees', nstepdegree: 'nstepdegrees',
  betweenness: 'betweenness', betweennesscentrality: 'betweenness', bnc: 'betweenness',
  closeness: 'closeness', closenesscentrality: 'closeness', cnc: 'closeness',
  trianglecount: 'trianglecount', globaltrianglecount: 'trianglecount',
  jaccard: 'jaccard', jaccardsimilarity: 'jaccard', clusteringcoefficient: 'clusteringcoefficient',
}

/** The parameters the algorithms read (Analytics' names, in lower case as the console's specs write them). */
const PARAMS = [
  'iterations', 'damping', 'eps', 'is_directed', 'root', 'type', 'kmin', 'kmax', 'step', 'chosen', 'opt', 'ids1', 'ids2',
  'preference', 'hop_att', 'outer_iteration', 'inner_iteration',
]

/**
 * What a task computes, from its algorithm and the parameters its DAG spec or job input gives (strings, as the
 * console writes them: "iterations": "10", "nebula_input_edges": "follow,serve"); undefined for an algorithm whose rows
 * are still generated (nGQL queries, DegreeWithTime, Node2Vec, InfoMap). A value that is no valid number or flag
 * falls back to the algorithm's default when computed.
 */
export function computationOf(name: string, spec: Record<string, string> = {}): GraphComputation | undefined {
  const algorithm = ALGORITHMS[name.toLowerCase().replace(/^analytics_/, '').replace(/[^a-z0-9]/g, '')]
  if (algorithm === undefined) return undefined
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(spec)) if (PARAMS.includes(key.toLowerCase())) params[key.toLowerCase()] = String(value)
  // The workflow API's GlobalTriangleCount is a triangle count of the graph's one number.
  if (/^global/i.test(name) && params.opt === undefined) params.opt = '1'
  const edgeTypes = (spec.nebula_input_edges ?? '').split(',').map((type) => type.trim()).filter((type) => type !== '')
  return { algorithm, params, edgeTypes: edgeTypes.length > 0 ? edgeTypes : null }
}

/** The parameters without which an algorithm has nothing to start from: a task lacking them keeps generated rows. */
const STARTS_FROM: Partial<Record<GraphAlgorithm, string>> = { sssp: 'root', bfs: 'root', jaccard: 'ids1' }

/**
 * What a task of `cells` columns computes on the sample graph, or undefined when its rows stay generated: an
 * algorithm not computed, one with nothing to start from (no root, no ids1), or columns that are not the
 * algorithm's (a drawing that declares other outputs).
 */
export function computationFor(name: string, spec: Record<string, string | number>, cells: number): GraphComputation | undefined {
  const computation = computationOf(name, Object.fromEntries(Object.entries(spec).map(([key, value]) => [key, String(value)])))
  if (computation === undefined || cellsOf(computation) !== cells) return undefined
  const needs = STARTS_FROM[computation.algorithm]
  return needs !== undefined && (computation.params[needs] ?? '').trim() === '' ? undefined : computation
}

const integer = (value: string | undefined, fallback: number, min: number, max: number) => {
  const parsed = Number(value?.trim() || Number.NaN)
  return Number.isInteger(parsed) && parsed >= min && parsed <= max ? parsed : fallback
}
const real = (value: string | undefined, fallback: number, above: number, below: number) => {
  const parsed = Number(value?.trim() || Number.NaN)
  return parsed > above && parsed < below ? parsed : fallback
}
const flag = (value: string | undefined, fallback: boolean) => (value?.trim().toLowerCase() === 'true' ? true : value?.trim().toLowerCase() === 'false' ? false : fallback)
const vids = (value: string | undefined) => (value ?? '').split(',').map((vid) => vid.trim()).filter((vid) => vid !== '')

/** How many cells a computation's rows have: a task whose columns differ keeps generated rows. */
export function cellsOf({ algorithm, params }: GraphComputation): number {
  switch (algorithm) {
    case 'apsp':
    case 'jaccard':
      return 3
    case 'degreecentrality':
    case 'nstepdegrees':
      return 4
    case 'trianglecount':
      return params.opt?.trim() === '1' ? 1 : params.opt?.trim() === '2' ? 2 : 3
    case 'clusteringcoefficient':
      return params.type?.trim().toLowerCase() === 'global' ? 1 : 2
    default:
      return 2
  }
}

/** What writing one row to the store costs, in steps: a row is a JSON array and an insert, not an addition. */
const ROW_STEPS = 100

/**
 * About how many steps a computation takes on a graph of `vertices` and `edges`, the rows it writes included
 * (Map-heavy algorithms weighted for their allocations), so that a task asking for all-pairs work, or a Jaccard of
 * thousands of ids against every vertex, on a generated million-vertex graph cannot hold the server for hours:
 * beyond COMPUTE_BUDGET its rows are generated instead.
 */
export function computationCost({ algorithm, params }: GraphComputation, vertices: number, edges: number): number {
  const linear = vertices + edges
  const rounds = integer(params.iterations, 10, 0, 1000)
  const perVertex = ROW_STEPS * vertices
  switch (algorithm) {
    case 'pagerank':
      return integer(params.iterations, 10, 1, 1000) * linear + perVertex
    case 'apsp':
      // Every reachable pair is a row: as many as every pair, at worst.
      return vertices * linear + ROW_STEPS * vertices * vertices
    case 'betweenness':
    case 'closeness':
      return vertices * linear + perVertex
    case 'nstepdegrees':
      return 3 * vertices * linear + perVertex
    case 'lpa':
    case 'hanp':
      return 20 * rounds * linear + perVertex
    case 'louvain':
      return 50 * integer(params.inner_iteration, 10, 1, 1000) * linear + perVertex
    case 'jaccard': {
      const pairs = vids(params.ids1).length * (vids(params.ids2).length || vertices)
      return 20 * linear + ROW_STEPS * pairs
    }
    case 'trianglecount':
    case 'clusteringcoefficient':
      // A triangle list has at most a row an edge's worth for graphs like these; per vertex, a row each.
      return 20 * linear + ROW_STEPS * linear
    case 'kcore':
      return linear + ROW_STEPS * linear
    default:
      return linear + perVertex
  }
}

/** The steps a computation may take (about a second here); a costlier one's rows are generated. */
export const COMPUTE_BUDGET = 300_000_000

/** How many vertices and edges a computation would read from a graph (a generated one's without drawing it). */
export function sizeOf(source: GraphSource): { vertices: number; edges: number } {
  if ('generated' in source) return { vertices: source.generated.size, edges: source.generated.size * source.generated.edgesPerVertex }
  return { vertices: source.vertices.length, edges: Array.isArray(source.edges) ? source.edges.length : [...source.edges].length }
}

/** Numbers as Explorer writes them: strings with six decimals (counts and hops too). */
const six = (value: number) => value.toFixed(6)

/**
 * A computation's rows on a graph, numbers with six decimals: one a vertex in the graph's order (PageRank, WCC,
 * LPA, HANP, Louvain, KCore, degrees, betweenness, closeness, per-vertex triangles, local clustering), one a vertex
 * reached (SSSP), a pair (APSP, Jaccard), a triangle, an edge (KCore of TYPE subgraph), or the graph's one row (BFS's
 * visited count, the graph's triangles, global clustering). Labels are vertex ids.
 */
export function* computedRows(computation: GraphComputation, source: GraphSource): Generator<string[]> {
  const { algorithm, params, edgeTypes } = normalised(computation)
  let indexed: IndexedGraph
  let vidOf: (vertex: number) => string
  let indexOf: (vid: string) => number | undefined
  if ('generated' in source) {
    // A generated graph has one kind of edge: nebula_input_edges does not filter it.
    indexed = generatedGraph(source.generated)
    vidOf = generatedVid
    indexOf = (vid) => generatedIndex(vid, indexed.size)
  } else {
    const edges = edgeTypes === null ? source.edges : [...source.edges].filter((edge) => edgeTypes.includes(edge.type))
    const stored = indexGraph(source.vertices, edges)
    const index = new Map(stored.vertices.map((vid, at) => [vid, at]))
    indexed = stored
    vidOf = (vertex) => stored.vertices[vertex] as string
    indexOf = (vid) => index.get(vid)
  }
  const size = indexed.size
  const directed = flag(params.is_directed, true)
  const perVertex = function* (values: ArrayLike<number>) {
    for (let vertex = 0; vertex < size; vertex++) yield [vidOf(vertex), six(values[vertex] as number)]
  }
  const labelled = function* (labels: ArrayLike<number>) {
    for (let vertex = 0; vertex < size; vertex++) yield [vidOf(vertex), vidOf(labels[vertex] as number)]
  }
  switch (algorithm) {
    case 'pagerank':
      return yield* perVertex(pageRank(indexed, {
        iterations: integer(params.iterations, 10, 1, 1000), damping: real(params.damping, 0.85, 0, 1), eps: real(params.eps, 0.0001, -1, Infinity), directed,
      }))
    case 'sssp': {
      const root = indexOf(params.root?.trim() ?? '')
      if (root === undefined) return
      const distance = shortestPaths(indexed, root, directed)
      for (let vertex = 0; vertex < size; vertex++) if ((distance[vertex] as number) >= 0) yield [vidOf(vertex), six(distance[vertex] as number)]
      return
    }
    case 'bfs': {
      const root = indexOf(params.root?.trim() ?? '')
      if (root !== undefined) yield [vidOf(root), six(breadthFirstVisited(indexed, root, directed))]
      return
    }
    case 'apsp':
      for (const [from, to, hops] of allPairsShortestPaths(indexed, directed)) yield [vidOf(from), vidOf(to), six(hops)]
      return
    case 'wcc':
      return yield* labelled(weaklyConnectedComponents(indexed))
    case 'lpa':
      return yield* labelled(labelPropagation(indexed, { iterations: integer(params.iterations, 10, 0, 1000), directed }))
    case 'hanp':
      return yield* labelled(hopAttenuation(indexed, {
        iterations: integer(params.iterations, 10, 0, 1000), preference: real(params.preference, 1, 0, Infinity), hopAttenuation: real(params.hop_att, 0.1, -1, 1), directed,
      }))
    case 'louvain':
      return yield* labelled(louvain(indexed, { outerIterations: integer(params.outer_iteration, 20, 1, 1000), innerIterations: integer(params.inner_iteration, 10, 1, 1000) }))
    case 'kcore': {
      const core = coreNumbers(indexed)
      const kmin = integer(params.kmin, 1, 0, Number.MAX_SAFE_INTEGER)
      const kmax = integer(params.kmax, 1_000_000, 0, Number.MAX_SAFE_INTEGER)
      const within = (vertex: number) => (core[vertex] as number) >= kmin && (core[vertex] as number) <= kmax
      if (params.type?.trim().toLowerCase() === 'subgraph') {
        for (let at = 0; at < indexed.src.length; at++) {
          const from = indexed.src[at] as number
          const to = indexed.dst[at] as number
          if (within(from) && within(to)) yield [vidOf(from), vidOf(to)]
        }
        return
      }
      for (let vertex = 0; vertex < size; vertex++) if (within(vertex)) yield [vidOf(vertex), six(core[vertex] as number)]
      return
    }
    case 'degreecentrality': {
      const { in: inDegree, out } = degrees(indexed)
      for (let vertex = 0; vertex < size; vertex++) {
        yield [vidOf(vertex), six((inDegree[vertex] as number) + (out[vertex] as number)), six(out[vertex] as number), six(inDegree[vertex] as number)]
      }
      return
    }
    case 'nstepdegrees': {
      const counts = stepDegrees(indexed, integer(params.step, 3, -1, 1000))
      for (let vertex = 0; vertex < size; vertex++) {
        yield [vidOf(vertex), six(counts.both[vertex] as number), six(counts.out[vertex] as number), six(counts.in[vertex] as number)]
      }
      return
    }
    case 'betweenness':
      return yield* perVertex(betweenness(indexed, { chosen: indexOf(params.chosen?.trim() ?? '') ?? -1, directed }))
    case 'closeness':
      return yield* perVertex(closeness(indexed, directed))
    case 'trianglecount': {
      const opt = params.opt?.trim()
      if (opt === '1') {
        let count = 0
        for (const _triangle of triangles(indexed)) count++
        yield [six(count)]
      } else if (opt === '2') yield* perVertex(trianglesPerVertex(indexed))
      else for (const corners of triangles(indexed)) yield corners.map(vidOf)
      return
    }
    case 'jaccard': {
      const similarity = jaccardSimilarity(indexed)
      const second = vids(params.ids2)
      for (const a of vids(params.ids1)) {
        for (const b of second.length > 0 ? second : everyVid(size, vidOf)) if (a !== b) yield [a, b, six(similarity(indexOf(a), indexOf(b)))]
      }
      return
    }
    case 'clusteringcoefficient': {
      const { local, global } = clusteringCoefficients(indexed)
      if (params.type?.trim().toLowerCase() === 'global') yield [six(global)]
      else yield* perVertex(local)
      return
    }
  }
}

/** Every vertex's id, in order. */
function* everyVid(size: number, vidOf: (vertex: number) => string): Generator<string> {
  for (let vertex = 0; vertex < size; vertex++) yield vidOf(vertex)
}

/** A computation as stored before every algorithm was computed ({algorithm: "pagerank", iterations, damping}) reads as one of now. */
function normalised(computation: GraphComputation & { iterations?: number; damping?: number }): GraphComputation {
  if (computation.params !== undefined) return computation
  const params: Record<string, string> = {}
  if (computation.iterations !== undefined) params.iterations = String(computation.iterations)
  if (computation.damping !== undefined) params.damping = String(computation.damping)
  return { algorithm: computation.algorithm, params, edgeTypes: computation.edgeTypes ?? null }
}

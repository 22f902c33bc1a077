import fs from 'node:fs'
import path from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { FixtureError, loadFixtureFile } from '../fixtures.js'

/*
 * The graph Explorer's tasks run on: NebulaGraph's sample space basketballplayer, as nebula-console's
 * data/basketballplayer.ngql writes it (51 players and 30 teams; 81 follow and 152 serve edges, six
 * player→team pairs twice with different ranks), and the algorithms computed on it the way NebulaGraph
 * Analytics and nebula-algorithm compute them.
 */

export const GRAPH_FIXTURE_FILE = 'basketballplayer.json'

const Props = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))

export const GraphFixture = Type.Object({
  space: Type.String({ minLength: 1 }),
  tags: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'each tag\'s properties' }),
  edge_types: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'each edge type\'s properties' }),
  vertices: Type.Array(Type.Object({ vid: Type.String({ minLength: 1, maxLength: 32 }), tag: Type.String(), props: Props })),
  edges: Type.Array(Type.Object({ type: Type.String(), src: Type.String(), dst: Type.String(), rank: Type.Integer(), props: Props })),
})
export type GraphFixture = Static<typeof GraphFixture>

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

/** PageRank's defaults in nebula-algorithm (its application.conf): 10 iterations, damping 0.85. */
export const PAGERANK_DEFAULTS = { iterations: 10, damping: 0.85 }

/**
 * PageRank as nebula-algorithm runs it on GraphX (PageRank.run, static): every vertex starts at 1.0, then
 * exactly `iterations` rounds of PR(v) = (1 − d) + d · Σ PR(u) / outdeg(u) over the edges into v, directed,
 * parallel edges each counted (in the sum and in outdeg), no normalisation: a vertex nobody points to stays at
 * 1 − d, and the values sum to what the edges carry, not to 1. Edges are read in the order given.
 */
export function pageRank(vertices: readonly string[], edges: readonly GraphEdge[], { iterations, damping } = PAGERANK_DEFAULTS): Map<string, number> {
  const index = new Map(vertices.map((vid, at) => [vid, at]))
  const src = edges.map((edge) => index.get(edge.src) as number)
  const dst = edges.map((edge) => index.get(edge.dst) as number)
  const outDegree = new Float64Array(vertices.length)
  for (const from of src) outDegree[from] = (outDegree[from] as number) + 1
  let ranks = new Float64Array(vertices.length).fill(1)
  for (let round = 0; round < iterations; round++) {
    const sums = new Float64Array(vertices.length)
    for (let at = 0; at < src.length; at++) {
      const from = src[at] as number
      sums[dst[at] as number] = (sums[dst[at] as number] as number) + (ranks[from] as number) / (outDegree[from] as number)
    }
    ranks = sums.map((sum) => 1 - damping + damping * sum)
  }
  return new Map(vertices.map((vid, at) => [vid, ranks[at] as number]))
}

/** An algorithm run on the sample graph, with its parameters: what a task's rows are computed from. */
export interface GraphComputation {
  algorithm: 'pagerank'
  iterations: number
  damping: number
  /** The edge types it reads (the DAG's nebula_input_edges); null: every type. */
  edgeTypes: string[] | null
}

/**
 * What a task computes, from its algorithm and the spec its DAG gives (strings, as the console writes them:
 * "iterations": "10", "damping": "0.85", "nebula_input_edges": "follow,serve"); undefined for an algorithm whose
 * rows are still generated. Values that are no number fall back to the defaults.
 */
export function computationOf(algorithm: string, spec: Record<string, string> = {}): GraphComputation | undefined {
  if (algorithm.toLowerCase() !== 'pagerank') return undefined
  const iterations = Number.parseInt(spec.iterations ?? '', 10)
  const damping = Number.parseFloat(spec.damping ?? '')
  const edges = (spec.nebula_input_edges ?? '').split(',').map((type) => type.trim()).filter((type) => type !== '')
  return {
    algorithm: 'pagerank',
    iterations: Number.isInteger(iterations) && iterations > 0 && iterations <= 1000 ? iterations : PAGERANK_DEFAULTS.iterations,
    damping: damping > 0 && damping < 1 ? damping : PAGERANK_DEFAULTS.damping,
    edgeTypes: edges.length > 0 ? edges : null,
  }
}

/** A computation's rows on a graph: one a vertex, in the graph's order, values with six decimals. */
export function computedRows(computation: GraphComputation, graph: { vertices: string[]; edges: GraphEdge[] }): string[][] {
  const edges = computation.edgeTypes === null ? graph.edges : graph.edges.filter((edge) => computation.edgeTypes?.includes(edge.type))
  const ranks = pageRank(graph.vertices, edges, computation)
  return graph.vertices.map((vid) => [vid, (ranks.get(vid) as number).toFixed(6)])
}

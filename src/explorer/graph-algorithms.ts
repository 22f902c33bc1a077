/*
 * The graph algorithms Explorer's workflows run, computed the way NebulaGraph Analytics (the engine behind the
 * workflows, built on Tencent's plato) and nebula-algorithm (its GraphX counterpart) compute them. Where those two
 * sample at random or break ties at random (betweenness, closeness, LPA, HANP, Louvain), the exact, deterministic
 * value the sampling estimates is taken, ties going to the vertex that comes first in the graph; docs/vendors/explorer.md
 * says which convention came from where.
 *
 * A graph here is its vertex ids and its edges as two typed arrays of vertex indices, in the order the data gives
 * them: a directed multigraph, parallel edges and self-loops kept. An algorithm reads it directed, or undirected (each
 * edge both ways, as Analytics' loader adds the reverse edges), or as the simple undirected graph (parallel edges one,
 * self-loops none) where Analytics removes duplicate and self edges. Vertices are numbered in the graph's order, and
 * "first" always means first in that order.
 */

export interface IndexedGraph {
  /** How many vertices: 0 … size − 1 (their ids are the caller's). */
  size: number
  src: Int32Array
  dst: Int32Array
}

const identity = (size: number) => Int32Array.from({ length: size }, (_none, at) => at)

/** Each vertex's neighbours, as offsets into one list (compressed sparse rows). */
interface Adjacency {
  start: Int32Array
  list: Int32Array
}

/** A graph of vertex ids and edges between them; an edge naming a vertex the list lacks is left out. */
export function indexGraph(vertices: readonly string[], edges: Iterable<{ src: string; dst: string }>): IndexedGraph & { vertices: readonly string[] } {
  const index = new Map(vertices.map((vid, at) => [vid, at]))
  const src: number[] = []
  const dst: number[] = []
  for (const edge of edges) {
    const from = index.get(edge.src)
    const to = index.get(edge.dst)
    if (from === undefined || to === undefined) continue
    src.push(from)
    dst.push(to)
  }
  return { vertices, size: vertices.length, src: Int32Array.from(src), dst: Int32Array.from(dst) }
}

/** Lists for `from[i] → to[i]`, each vertex's in the order of the edges. */
function adjacencyOf(size: number, from: Int32Array, to: Int32Array): Adjacency {
  const start = new Int32Array(size + 1)
  for (let at = 0; at < from.length; at++) start[(from[at] as number) + 1]! += 1
  for (let vertex = 0; vertex < size; vertex++) start[vertex + 1]! += start[vertex] as number
  const next = start.slice(0, size)
  const list = new Int32Array(from.length)
  for (let at = 0; at < from.length; at++) list[next[from[at] as number]!++] = to[at] as number
  return { start, list }
}

const concat = (first: Int32Array, second: Int32Array) => {
  const both = new Int32Array(first.length + second.length)
  both.set(first)
  both.set(second, first.length)
  return both
}

/** Out-edges (directed) or every edge both ways (undirected), parallel edges kept. */
function edgesOf(graph: IndexedGraph, directed: boolean): { from: Int32Array; to: Int32Array } {
  return directed ? { from: graph.src, to: graph.dst } : { from: concat(graph.src, graph.dst), to: concat(graph.dst, graph.src) }
}

const outgoing = (graph: IndexedGraph, directed: boolean) => {
  const { from, to } = edgesOf(graph, directed)
  return adjacencyOf(graph.size, from, to)
}

/** Each vertex's neighbours in the simple undirected graph: no self-loop, each neighbour once, in index order. */
function simpleNeighbours(graph: IndexedGraph): Int32Array[] {
  const sets = Array.from({ length: graph.size }, () => new Set<number>())
  for (let at = 0; at < graph.src.length; at++) {
    const from = graph.src[at] as number
    const to = graph.dst[at] as number
    if (from === to) continue
    sets[from]!.add(to)
    sets[to]!.add(from)
  }
  return sets.map((set) => Int32Array.from(set).sort())
}

/** Hop distances from `root` (−1: not reached). */
function hops(adjacency: Adjacency, size: number, root: number, maxHops = Infinity): Int32Array {
  const distance = new Int32Array(size).fill(-1)
  const queue = new Int32Array(size)
  let head = 0
  let tail = 0
  distance[root] = 0
  queue[tail++] = root
  while (head < tail) {
    const vertex = queue[head++] as number
    const next = (distance[vertex] as number) + 1
    if (next > maxHops) continue
    for (let at = adjacency.start[vertex] as number; at < (adjacency.start[vertex + 1] as number); at++) {
      const neighbour = adjacency.list[at] as number
      if (distance[neighbour] !== -1) continue
      distance[neighbour] = next
      queue[tail++] = neighbour
    }
  }
  return distance
}

/** The weakly connected component of each vertex, named by its first vertex. */
function components(graph: IndexedGraph): Int32Array {
  const parent = identity(graph.size)
  const find = (vertex: number): number => {
    let root = vertex
    while (parent[root] !== root) root = parent[root] as number
    while (parent[vertex] !== root) [vertex, parent[vertex]] = [parent[vertex] as number, root]
    return root
  }
  for (let at = 0; at < graph.src.length; at++) {
    const a = find(graph.src[at] as number)
    const b = find(graph.dst[at] as number)
    // The smaller index stays the root: a component is named by its first vertex.
    if (a < b) parent[b] = a
    else if (b < a) parent[a] = b
  }
  return identity(graph.size).map(find)
}

/**
 * PageRank as Analytics runs it (plato's, which nebula-algorithm's GraphX run agrees with for a fixed count): every
 * vertex starts at 1, then rounds of PR(v) = (1 − d) + d · Σ PR(u) / outdeg(u) over the edges into v, parallel edges
 * each counted, no normalisation (a vertex nobody points to stays at 1 − d; what sinks hold is not handed back). It
 * stops after `iterations` rounds, or one round after the total change Σ|PR' − PR| first falls below `eps`.
 * Undirected, each edge counts both ways.
 */
export function pageRank(graph: IndexedGraph, { iterations = 10, damping = 0.85, eps = 0.0001, directed = true } = {}): Float64Array {
  const size = graph.size
  const { from, to } = edgesOf(graph, directed)
  const outDegree = new Float64Array(size)
  for (let at = 0; at < from.length; at++) outDegree[from[at] as number]! += 1
  let ranks = new Float64Array(size).fill(1)
  let sums = new Float64Array(size)
  let closing = false
  for (let round = 0; round < iterations; round++) {
    sums.fill(0)
    for (let at = 0; at < from.length; at++) {
      const source = from[at] as number
      sums[to[at] as number]! += (ranks[source] as number) / (outDegree[source] as number)
    }
    let change = 0
    for (let vertex = 0; vertex < size; vertex++) {
      const next = 1 - damping + damping * (sums[vertex] as number)
      change += Math.abs(next - (ranks[vertex] as number))
      sums[vertex] = next
    }
    ;[ranks, sums] = [sums, ranks]
    if (closing) break
    closing = change < eps
  }
  return ranks
}

/** Hops from the root to every vertex it reaches along the edges (itself at 0); −1 for the rest. */
export function shortestPaths(graph: IndexedGraph, root: number, directed = true): Int32Array {
  return hops(outgoing(graph, directed), graph.size, root)
}

/** How many vertices a breadth-first search from the root visits, the root among them. */
export function breadthFirstVisited(graph: IndexedGraph, root: number, directed = true): number {
  return hops(outgoing(graph, directed), graph.size, root).reduce((count, hop) => (hop >= 0 ? count + 1 : count), 0)
}

/** Every pair (u, v), u ≠ v, where v is reachable from u, with its hops: sources in graph order, then targets. */
export function* allPairsShortestPaths(graph: IndexedGraph, directed = true): Generator<[number, number, number]> {
  const adjacency = outgoing(graph, directed)
  const size = graph.size
  for (let source = 0; source < size; source++) {
    const distance = hops(adjacency, size, source)
    for (let target = 0; target < size; target++) {
      const hop = distance[target] as number
      if (target !== source && hop > 0) yield [source, target, hop]
    }
  }
}

/** WCC: each vertex's weakly connected component, labelled by its first vertex (a minimum-id propagation's label). */
export function weaklyConnectedComponents(graph: IndexedGraph): Int32Array {
  return components(graph)
}

/** The label with the most votes; a tie goes to the first vertex's label. */
function winner(votes: Map<number, number>, tolerance = 0): number | undefined {
  let best: number | undefined
  let bestVotes = -Infinity
  for (const [label, count] of votes) {
    if (count > bestVotes + tolerance || (Math.abs(count - bestVotes) <= tolerance && label < (best as number))) {
      best = label
      bestVotes = count
    }
  }
  return best
}

/**
 * LPA: each vertex starts with its own label; each of `iterations` synchronous rounds, a vertex takes the label
 * most frequent among the vertices pointing to it (every edge both ways when undirected), each edge a vote, and
 * keeps its own when none does.
 */
export function labelPropagation(graph: IndexedGraph, { iterations = 10, directed = true } = {}): Int32Array {
  const size = graph.size
  const incoming = directed ? adjacencyOf(size, graph.dst, graph.src) : outgoing(graph, false)
  let labels = identity(graph.size)
  for (let round = 0; round < iterations; round++) {
    const next = labels.slice()
    for (let vertex = 0; vertex < size; vertex++) {
      const votes = new Map<number, number>()
      for (let at = incoming.start[vertex] as number; at < (incoming.start[vertex + 1] as number); at++) {
        const label = labels[incoming.list[at] as number] as number
        votes.set(label, (votes.get(label) ?? 0) + 1)
      }
      const chosen = winner(votes)
      if (chosen !== undefined) next[vertex] = chosen
    }
    labels = next
  }
  return labels
}

/**
 * HANP (hop attenuation and node preference): labels as LPA's, each carrying a score that starts at 1. A vertex
 * weighs each neighbour's vote by its score times the preference (a neighbour whose score fell below 0 no longer
 * votes), takes the label of the greatest sum (ties within 1e-9 to the first vertex's label), and its score
 * becomes the best score among the voters for that label, less `hopAttenuation` when the label changed (plato's rule;
 * nebula-algorithm always subtracts it).
 */
export function hopAttenuation(graph: IndexedGraph, { iterations = 10, preference = 1, hopAttenuation = 0.1, directed = true } = {}): Int32Array {
  const size = graph.size
  const incoming = directed ? adjacencyOf(size, graph.dst, graph.src) : outgoing(graph, false)
  let labels = identity(graph.size)
  let scores = new Float64Array(size).fill(1)
  for (let round = 0; round < iterations; round++) {
    const nextLabels = labels.slice()
    const nextScores = scores.slice()
    for (let vertex = 0; vertex < size; vertex++) {
      const votes = new Map<number, number>()
      const bestScore = new Map<number, number>()
      for (let at = incoming.start[vertex] as number; at < (incoming.start[vertex + 1] as number); at++) {
        const voter = incoming.list[at] as number
        const score = scores[voter] as number
        if (score < 0) continue
        const label = labels[voter] as number
        votes.set(label, (votes.get(label) ?? 0) + score * preference)
        bestScore.set(label, Math.max(bestScore.get(label) ?? -Infinity, score))
      }
      const chosen = winner(votes, 1e-9)
      if (chosen === undefined) continue
      nextLabels[vertex] = chosen
      nextScores[vertex] = (bestScore.get(chosen) as number) - (chosen === labels[vertex] ? 0 : hopAttenuation)
    }
    labels = nextLabels
    scores = nextScores
  }
  return labels
}

/**
 * Louvain (Blondel et al.), deterministic: the graph undirected, each edge weight 1 (parallel edges add up, a
 * self-loop counts twice in its vertex's degree). Within a level, vertices are visited in order and each moves to
 * the neighbouring community of greatest modularity gain k_in − Σtot · k / 2m when that beats staying (ties to the
 * community met first), for at most `innerIterations` sweeps or until none moves; then communities become the vertices
 * of the next level, for at most `outerIterations` levels or until a level moves nothing. A community is labelled by
 * its first vertex.
 */
export function louvain(graph: IndexedGraph, { outerIterations = 20, innerIterations = 10 } = {}): Int32Array {
  const size = graph.size
  // The original vertex each current node stands for, and its members.
  let membership = identity(graph.size)
  let edges = { from: graph.src, to: graph.dst, weight: new Float64Array(graph.src.length).fill(1) }
  let nodes = size
  for (let level = 0; level < outerIterations; level++) {
    const neighbours: Map<number, number>[] = Array.from({ length: nodes }, () => new Map())
    const degree = new Float64Array(nodes)
    let total = 0
    for (let at = 0; at < edges.from.length; at++) {
      const a = edges.from[at] as number
      const b = edges.to[at] as number
      const w = edges.weight[at] as number
      degree[a]! += w
      degree[b]! += w
      total += 2 * w
      if (a === b) continue
      neighbours[a]!.set(b, (neighbours[a]!.get(b) ?? 0) + w)
      neighbours[b]!.set(a, (neighbours[b]!.get(a) ?? 0) + w)
    }
    if (total === 0) break
    const community = Int32Array.from({ length: nodes }, (_none, at) => at)
    const communityDegree = degree.slice()
    let movedAtAll = false
    for (let sweep = 0; sweep < innerIterations; sweep++) {
      let moved = false
      for (let node = 0; node < nodes; node++) {
        const own = community[node] as number
        const k = degree[node] as number
        communityDegree[own]! -= k
        const towards = new Map<number, number>()
        for (const [neighbour, w] of neighbours[node]!) {
          const other = community[neighbour] as number
          towards.set(other, (towards.get(other) ?? 0) + w)
        }
        let best = own
        let bestGain = (towards.get(own) ?? 0) - ((communityDegree[own] as number) * k) / total
        for (const [candidate, inWeight] of towards) {
          const gain = inWeight - ((communityDegree[candidate] as number) * k) / total
          if (gain > bestGain + 1e-12) {
            best = candidate
            bestGain = gain
          }
        }
        communityDegree[best]! += k
        if (best !== own) {
          community[node] = best
          moved = true
        }
      }
      if (!moved) break
      movedAtAll = true
    }
    if (!movedAtAll) break
    // Renumber the communities in the order of their first node, and fold the edges onto them.
    const renumbered = new Map<number, number>()
    for (let node = 0; node < nodes; node++) if (!renumbered.has(community[node] as number)) renumbered.set(community[node] as number, renumbered.size)
    membership = membership.map((node) => renumbered.get(community[node] as number) as number)
    const folded = new Map<string, number>()
    for (let at = 0; at < edges.from.length; at++) {
      const a = renumbered.get(community[edges.from[at] as number] as number) as number
      const b = renumbered.get(community[edges.to[at] as number] as number) as number
      const key = a <= b ? `${a},${b}` : `${b},${a}`
      folded.set(key, (folded.get(key) ?? 0) + (edges.weight[at] as number))
    }
    const pairs = [...folded].map(([key, w]) => [...key.split(',').map(Number), w] as [number, number, number])
    edges = { from: Int32Array.from(pairs, ([a]) => a), to: Int32Array.from(pairs, ([, b]) => b), weight: Float64Array.from(pairs, ([, , w]) => w) }
    if (renumbered.size === nodes) break
    nodes = renumbered.size
  }
  // Each community named by its first vertex.
  const firstOf = new Map<number, number>()
  for (let vertex = 0; vertex < size; vertex++) if (!firstOf.has(membership[vertex] as number)) firstOf.set(membership[vertex] as number, vertex)
  return membership.map((node) => firstOf.get(node) as number)
}

/**
 * Each vertex's core number (Batagelj and Zaversnik's peeling, as Analytics' KCore of TYPE vertex computes it by
 * h-index iteration): the largest k such that it belongs to a subgraph where every vertex has degree ≥ k, degree
 * counted in and out, parallel edges each.
 */
export function coreNumbers(graph: IndexedGraph): Int32Array {
  const size = graph.size
  const adjacency = outgoing(graph, false)
  const degree = Int32Array.from({ length: size }, (_none, at) => (adjacency.start[at + 1] as number) - (adjacency.start[at] as number))
  const core = new Int32Array(size)
  const removed = new Uint8Array(size)
  const maxDegree = degree.reduce((max, value) => Math.max(max, value), 0)
  const buckets: number[][] = Array.from({ length: maxDegree + 1 }, () => [])
  for (let vertex = size - 1; vertex >= 0; vertex--) buckets[degree[vertex] as number]!.push(vertex)
  let k = 0
  // No vertex left ever has a degree below the level last peeled: the scan goes on from there.
  let level = 0
  for (let done = 0; done < size; ) {
    while (level <= maxDegree && buckets[level]!.length === 0) level++
    const vertex = buckets[level]!.pop() as number
    if (removed[vertex] || degree[vertex] !== level) continue
    removed[vertex] = 1
    done++
    k = Math.max(k, level)
    core[vertex] = k
    for (let at = adjacency.start[vertex] as number; at < (adjacency.start[vertex + 1] as number); at++) {
      const neighbour = adjacency.list[at] as number
      if (removed[neighbour] || (degree[neighbour] as number) <= level) continue
      degree[neighbour]! -= 1
      buckets[degree[neighbour] as number]!.push(neighbour)
    }
  }
  return core
}

/** Each vertex's degree in and out, parallel edges each and a self-loop once each way (GraphX's degrees). */
export function degrees(graph: IndexedGraph): { in: Int32Array; out: Int32Array } {
  const size = graph.size
  const inDegree = new Int32Array(size)
  const outDegree = new Int32Array(size)
  for (let at = 0; at < graph.src.length; at++) {
    outDegree[graph.src[at] as number]! += 1
    inDegree[graph.dst[at] as number]! += 1
  }
  return { in: inDegree, out: outDegree }
}

/**
 * N-step degrees: how many other vertices each reaches within `steps` hops (−1: any number) following edges
 * out, in, and either way. Analytics estimates them with HyperLogLog sketches ("only estimates roughly"); these
 * are the exact counts the sketches estimate.
 */
export function stepDegrees(graph: IndexedGraph, steps: number): { both: Int32Array; out: Int32Array; in: Int32Array } {
  const size = graph.size
  const limit = steps < 0 ? Infinity : steps
  const count = (adjacency: Adjacency) =>
    Int32Array.from({ length: size }, (_none, vertex) => hops(adjacency, size, vertex, limit).reduce((reached, hop) => (hop > 0 ? reached + 1 : reached), 0))
  return { both: count(outgoing(graph, false)), out: count(outgoing(graph, true)), in: count(adjacencyOf(size, graph.dst, graph.src)) }
}

/**
 * Betweenness by Brandes' algorithm on the simple graph (directed: each distinct out-neighbour; undirected: each
 * distinct neighbour), from every source in the chosen vertex's weakly connected component (the largest component
 * when `chosen` is none), dependencies summed over sources without halving: the value Analytics' sampling (Bader's,
 * over that component, Σδ scaled by its size over the samples drawn) converges to when every vertex is drawn.
 */
export function betweenness(graph: IndexedGraph, { chosen = -1, directed = true } = {}): Float64Array {
  const size = graph.size
  const out = directed ? distinctOutNeighbours(graph) : simpleNeighbours(graph)
  const component = components(graph)
  const target = chosen >= 0 && chosen < size ? (component[chosen] as number) : largestComponent(component)
  const centrality = new Float64Array(size)
  const sigma = new Float64Array(size)
  const delta = new Float64Array(size)
  const distance = new Int32Array(size)
  const order = new Int32Array(size)
  const predecessors: number[][] = Array.from({ length: size }, () => [])
  for (let source = 0; source < size; source++) {
    if (component[source] !== target) continue
    sigma.fill(0)
    delta.fill(0)
    distance.fill(-1)
    for (const list of predecessors) list.length = 0
    sigma[source] = 1
    distance[source] = 0
    let head = 0
    let tail = 0
    order[tail++] = source
    while (head < tail) {
      const vertex = order[head++] as number
      for (const neighbour of out[vertex] as Int32Array) {
        if (distance[neighbour] === -1) {
          distance[neighbour] = (distance[vertex] as number) + 1
          order[tail++] = neighbour
        }
        if (distance[neighbour] === (distance[vertex] as number) + 1) {
          sigma[neighbour]! += sigma[vertex] as number
          predecessors[neighbour]!.push(vertex)
        }
      }
    }
    for (let at = tail - 1; at > 0; at--) {
      const vertex = order[at] as number
      for (const predecessor of predecessors[vertex] as number[]) {
        delta[predecessor]! += ((sigma[predecessor] as number) / (sigma[vertex] as number)) * (1 + (delta[vertex] as number))
      }
      centrality[vertex]! += delta[vertex] as number
    }
  }
  return centrality
}

/** Each vertex's out-neighbours, each once, itself left out. */
function distinctOutNeighbours(graph: IndexedGraph): Int32Array[] {
  const adjacency = outgoing(graph, true)
  return Array.from({ length: graph.size }, (_none, vertex) => {
    const set = new Set<number>()
    for (let at = adjacency.start[vertex] as number; at < (adjacency.start[vertex + 1] as number); at++) {
      if (adjacency.list[at] !== vertex) set.add(adjacency.list[at] as number)
    }
    return Int32Array.from(set)
  })
}

function largestComponent(component: Int32Array): number {
  const sizes = new Map<number, number>()
  for (const label of component) sizes.set(label, (sizes.get(label) ?? 0) + 1)
  let best = -1
  let bestSize = 0
  for (const [label, count] of sizes) if (count > bestSize || (count === bestSize && label < best)) [best, bestSize] = [label, count]
  return best
}

/**
 * Closeness: how many vertices each reaches along the edges over the sum of their hops (nebula-algorithm's
 * reachable / Σ distance); 0 for a vertex that reaches none (Analytics' value for an unreached vertex; nebula-algorithm
 * would divide 0 by 0).
 */
export function closeness(graph: IndexedGraph, directed = true): Float64Array {
  const size = graph.size
  const adjacency = outgoing(graph, directed)
  return Float64Array.from({ length: size }, (_none, vertex) => {
    let reached = 0
    let sum = 0
    for (const hop of hops(adjacency, size, vertex)) {
      if (hop <= 0) continue
      reached += 1
      sum += hop
    }
    return reached === 0 ? 0 : reached / sum
  })
}

/** Every triangle of the simple undirected graph once, its vertices in graph order. */
export function* triangles(graph: IndexedGraph): Generator<[number, number, number]> {
  const neighbours = simpleNeighbours(graph)
  for (let a = 0; a < neighbours.length; a++) {
    const ofA = neighbours[a] as Int32Array
    for (const b of ofA) {
      if (b <= a) continue
      // Both lists are sorted: walk them together for the common neighbours past b.
      const ofB = neighbours[b] as Int32Array
      let i = 0
      let j = 0
      while (i < ofA.length && j < ofB.length) {
        const x = ofA[i] as number
        const y = ofB[j] as number
        if (x < y) i++
        else if (y < x) j++
        else {
          if (x > b) yield [a, b, x]
          i++
          j++
        }
      }
    }
  }
}

/** How many triangles each vertex is in. */
export function trianglesPerVertex(graph: IndexedGraph): Int32Array {
  const counts = new Int32Array(graph.size)
  for (const [a, b, c] of triangles(graph)) {
    counts[a]! += 1
    counts[b]! += 1
    counts[c]! += 1
  }
  return counts
}

/**
 * Clustering coefficients on the simple undirected graph (Analytics removes duplicate and self edges): a vertex's
 * is its triangles over the pairs of its neighbours (0 below two neighbours); the graph's, the triangles' corners over
 * every vertex's pairs of neighbours (transitivity).
 */
export function clusteringCoefficients(graph: IndexedGraph): { local: Float64Array; global: number } {
  const neighbours = simpleNeighbours(graph)
  const counts = trianglesPerVertex(graph)
  let corners = 0
  let pairs = 0
  const local = Float64Array.from(neighbours, (list, vertex) => {
    const degree = list.length
    const possible = (degree * (degree - 1)) / 2
    corners += counts[vertex] as number
    pairs += possible
    return possible === 0 ? 0 : (counts[vertex] as number) / possible
  })
  return { local, global: pairs === 0 ? 0 : corners / pairs }
}

/**
 * Jaccard similarity of two vertices: their shared neighbours (in or out, self-loops removed) over all their
 * neighbours; 0 when neither has any (an id the graph lacks has none).
 */
export function jaccardSimilarity(graph: IndexedGraph): (a: number | undefined, b: number | undefined) => number {
  const neighbours = simpleNeighbours(graph)
  return (a, b) => {
    const ofA = a === undefined ? new Int32Array() : (neighbours[a] as Int32Array)
    const ofB = b === undefined ? new Int32Array() : (neighbours[b] as Int32Array)
    let shared = 0
    let i = 0
    let j = 0
    while (i < ofA.length && j < ofB.length) {
      if ((ofA[i] as number) < (ofB[j] as number)) i++
      else if ((ofB[j] as number) < (ofA[i] as number)) j++
      else {
        shared++
        i++
        j++
      }
    }
    const union = ofA.length + ofB.length - shared
    return union === 0 ? 0 : shared / union
  }
}

/** How a generated graph is drawn: the same numbers give the same graph. */
export interface GeneratedGraphSpec {
  size: number
  edgesPerVertex: number
  seed: number
}

/**
 * A graph for large tests: each vertex points to `edgesPerVertex` others, each drawn r² of the way into the vertex
 * list for a uniform r (a few early vertices are pointed to by many, as a few players are followed by many), from a
 * seeded xorshift generator. Edges only, as typed arrays: a million vertices take 24 MB for three edges each.
 */
export function generatedGraph({ size, edgesPerVertex, seed }: GeneratedGraphSpec): IndexedGraph {
  const count = size * edgesPerVertex
  const src = new Int32Array(count)
  const dst = new Int32Array(count)
  let state = seed >>> 0 || 1
  let at = 0
  for (let vertex = 0; vertex < size; vertex++) {
    for (let edge = 0; edge < edgesPerVertex; edge++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      const r = (state >>> 0) / 4294967296
      let target = Math.floor(r * r * size)
      // No vertex points to itself.
      if (target === vertex) target = (target + 1) % size
      src[at] = vertex
      dst[at++] = target
    }
  }
  return { size, src, dst }
}

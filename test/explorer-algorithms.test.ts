import path from 'node:path'
import t from 'tap'
import { COMPUTE_BUDGET, computationCost, computationFor, computationOf, computedRows, loadGraphFixture, type GraphComputation, type GraphEdge } from '../src/explorer/graph.js'
import {
  betweenness, closeness, clusteringCoefficients, coreNumbers, indexGraph, labelPropagation, pageRank, stepDegrees,
} from '../src/explorer/graph-algorithms.js'
import { ExplorerStore } from '../src/explorer/store.js'
import { COOKIE, createJob, explorerGet } from './helpers/explorer.js'
import { CONFTEST_WORKFLOWS } from './helpers/explorer-dags.js'
import { repoRoot, startSandbox } from './helpers/sandbox.js'

/*
 * Every algorithm Explorer's workflows run, computed: on small graphs whose answers are worked out by hand
 * below (so a wrong convention — directed or not, parallel edges counted or not, ties, halving — fails), and on
 * the sample graph, held to what its edges say.
 */

const edge = (src: string, dst: string, type = 'follow'): GraphEdge => ({ type, src, dst, rank: 0 })
const rowsOf = (name: string, spec: Record<string, string>, graph: { vertices: string[]; edges: GraphEdge[] }) =>
  [...computedRows(computationOf(name, spec) ?? t.fail(`no computation for ${name}`) as never, graph)]

/*
 * a ⇉ b → c, a → c, c → d ⇄ e, e ↻, f alone: a parallel pair, a reciprocal pair, a self-loop, an isolated vertex.
 * As a simple undirected graph: a–b, b–c, a–c, c–d, d–e; one triangle (a, b, c).
 */
const SMALL = {
  vertices: ['a', 'b', 'c', 'd', 'e', 'f'],
  edges: [edge('a', 'b'), edge('a', 'b'), edge('b', 'c'), edge('a', 'c'), edge('c', 'd'), edge('d', 'e'), edge('e', 'd'), edge('e', 'e')],
}
const small = indexGraph(SMALL.vertices, SMALL.edges)

t.test('paths: SSSP and BFS from the root along the edges, APSP every reachable pair', async (t) => {
  t.strictSame(rowsOf('SSSP', { root: 'a' }, SMALL), [['a', '0.000000'], ['b', '1.000000'], ['c', '1.000000'], ['d', '2.000000'], ['e', '3.000000']], 'f is not reached')
  t.strictSame(rowsOf('SSSP', { root: 'e' }, SMALL), [['d', '1.000000'], ['e', '0.000000']], 'directed: e reaches only d')
  t.strictSame(rowsOf('SSSP', { root: 'e', is_directed: 'false' }, SMALL).length, 5)
  t.strictSame(rowsOf('SSSP', { root: 'nobody' }, SMALL), [], 'a root the graph lacks reaches nothing')
  t.strictSame(rowsOf('BFS', { root: 'a' }, SMALL), [['a', '5.000000']], 'one row: the root and how many it visits, itself among them')
  t.strictSame(rowsOf('BFS', { root: 'c' }, SMALL), [['c', '3.000000']])
  t.strictSame(rowsOf('BFS', { root: 'c', is_directed: 'false' }, SMALL), [['c', '5.000000']])
  const pairs = rowsOf('APSP', {}, SMALL)
  t.equal(pairs.length, 4 + 3 + 2 + 1 + 1, 'a 4, b 3, c 2, d 1, e 1, f 0')
  t.strictSame(pairs.slice(0, 4), [['a', 'b', '1.000000'], ['a', 'c', '1.000000'], ['a', 'd', '2.000000'], ['a', 'e', '3.000000']])
  t.notOk(pairs.some(([from, to]) => from === to), 'no vertex paired with itself')
})

t.test('degrees count parallel edges and a self-loop each way; n-step degrees count distinct vertices', async (t) => {
  t.strictSame(rowsOf('DegreeCentrality', {}, SMALL).map((row) => row.map((cell) => cell.replace('.000000', ''))), [
    ['a', '3', '3', '0'], ['b', '3', '1', '2'], ['c', '3', '1', '2'], ['d', '3', '1', '2'], ['e', '4', '2', '2'], ['f', '0', '0', '0'],
  ], 'VID, BOTH_DEGREE, OUT_DEGREE, IN_DEGREE')
  const one = stepDegrees(small, 1)
  t.strictSame([...one.out], [2, 1, 1, 1, 1, 0], 'a ⇉ b is one vertex, e ↻ none')
  t.strictSame([...one.in], [0, 1, 2, 2, 1, 0])
  t.strictSame([...stepDegrees(small, 3).out], [4, 3, 2, 1, 1, 0], 'within three hops')
  t.strictSame([...stepDegrees(small, -1).both], [4, 4, 4, 4, 4, 0], 'any number of hops, either way')
})

t.test('WCC labels each component by its first vertex; KCore is the core number of the multigraph', async (t) => {
  t.strictSame(rowsOf('WCC', {}, SMALL).map(([, label]) => label), ['a', 'a', 'a', 'a', 'a', 'f'])
  // a, b, c, d have 3 edges each once f is gone (a ⇉ b counted twice); e has 4 (d ⇄ e, its self-loop twice): the 3-core is a..e.
  t.strictSame([...coreNumbers(small)], [3, 3, 3, 3, 3, 0])
  t.strictSame(rowsOf('KCore', {}, SMALL).map(([vid]) => vid), ['a', 'b', 'c', 'd', 'e'], 'kmin 1 leaves f out')
  t.strictSame(rowsOf('KCore', { kmin: '4' }, SMALL), [])
  t.strictSame(rowsOf('KCore', { type: 'subgraph', kmin: '3' }, SMALL).length, 8, 'TYPE subgraph: every edge of the 3-core')
})

t.test('LPA: synchronous rounds of the most frequent label pointing in, ties to the first vertex', async (t) => {
  // Round 1: b hears a twice; c hears b and a (tie: a); d hears c and e (tie: c); e hears d and itself (tie: d); a and f hear nobody.
  t.strictSame([...labelPropagation(small, { iterations: 1 })], [0, 0, 0, 2, 3, 5])
  // Round 2 from there: d hears a (from c) and d (from e): a; e hears c (from d) and d (from itself): c.
  t.strictSame([...labelPropagation(small, { iterations: 2 })], [0, 0, 0, 0, 2, 5])
  t.strictSame(rowsOf('LPA', {}, SMALL).map(([, label]) => label), ['a', 'a', 'a', 'a', 'a', 'f'])
  // HANP's first round is LPA's (every score is 1).
  t.strictSame(rowsOf('HANP', { iterations: '1' }, SMALL).map(([, label]) => label), ['a', 'a', 'a', 'c', 'd', 'f'])
})

t.test('Louvain finds two triangles joined by one edge', async (t) => {
  const vertices = ['a', 'b', 'c', 'd', 'e', 'f']
  const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd'), edge('d', 'e'), edge('e', 'f'), edge('f', 'd')]
  t.strictSame(rowsOf('Louvain', {}, { vertices, edges }).map(([, label]) => label), ['a', 'a', 'a', 'd', 'd', 'd'])
})

t.test('betweenness sums over sources without halving; closeness is reached over hops; triangles and clustering on the simple graph', async (t) => {
  const path3 = indexGraph(['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c')])
  t.strictSame([...betweenness(path3, { directed: false })], [0, 2, 0], 'undirected: a→c and c→a both pass b')
  t.strictSame([...betweenness(path3)], [0, 1, 0], 'directed: a→c only')
  t.strictSame([...closeness(path3)], [2 / 3, 1, 0], 'a reaches 2 in 1 + 2 hops; c reaches none')
  t.strictSame(rowsOf('TriangleCount', {}, SMALL), [['a', 'b', 'c']], 'opt 3 (default): each triangle once')
  t.strictSame(rowsOf('TriangleCount', { opt: '2' }, SMALL).map(([, count]) => count), ['1.000000', '1.000000', '1.000000', '0.000000', '0.000000', '0.000000'])
  t.strictSame(rowsOf('GlobalTriangleCount', {}, SMALL), [['1.000000']])
  const { local, global } = clusteringCoefficients(small)
  t.strictSame([...local], [1, 1, 1 / 3, 0, 0, 0], 'c has three neighbours and one of their three pairs linked')
  t.equal(global, 3 / 6, 'three corners over 1 + 1 + 3 + 1 pairs')
  t.strictSame(rowsOf('ClusteringCoefficient', { type: 'global' }, SMALL), [['0.500000']])
  // Jaccard over neighbours either way, self-loops removed: N(a) = {b, c}, N(b) = {a, c}, N(d) = {c, e}, N(e) = {d}: each pair with d shares c of three.
  t.strictSame(rowsOf('Jaccard', { ids1: 'a,d', ids2: 'b,e,d' }, SMALL), [
    ['a', 'b', '0.333333'], ['a', 'e', '0.000000'], ['a', 'd', '0.333333'], ['d', 'b', '0.333333'], ['d', 'e', '0.000000'],
  ], 'every pair of ids1 × ids2 but a vertex with itself')
  t.equal(rowsOf('Jaccard', { ids1: 'a' }, SMALL).length, 5, 'ids2 empty: every other vertex')
})

t.test('PageRank stops one round after the change falls below eps, or at its iterations', async (t) => {
  const twoStep = indexGraph(['a', 'b'], [edge('a', 'b')])
  t.strictSame([...pageRank(twoStep)].map((rank) => rank.toFixed(6)), ['0.150000', '0.277500'])
  const graph = loadGraphFixture(path.join(repoRoot, 'fixtures'))
  if (!graph) throw new Error('no sample graph')
  const sample = indexGraph(graph.vertices.map((vertex) => vertex.vid), graph.edges)
  t.strictSame(pageRank(sample, { iterations: 100 }), pageRank(sample, { iterations: 1000 }), 'converged under eps 0.0001 well before 100 rounds')
  t.not(pageRank(sample, { iterations: 100, eps: 0 })[80], pageRank(sample, { iterations: 100 })[80], 'eps 0: all 100 rounds')
  t.not(pageRank(sample)[80], pageRank(sample, { iterations: 100 })[80], 'the default 10 rounds end before convergence')
  const undirected = rowsOf('PageRank', { is_directed: 'false' }, { vertices: graph.vertices.map((vertex) => vertex.vid), edges: graph.edges })
  t.notOk(undirected.some(([, rank]) => rank === '0.150000'), 'undirected: every vertex with an edge is pointed to')
})

t.test('on the sample graph, each algorithm agrees with the edges', async (t) => {
  const graph = loadGraphFixture(path.join(repoRoot, 'fixtures'))
  if (!graph) throw new Error('no sample graph')
  const sample = { vertices: graph.vertices.map((vertex) => vertex.vid), edges: graph.edges }
  // player100 follows player101 and player125 and serves team204; player101 follows player102 and serves team215; player102 serves team203.
  t.strictSame(rowsOf('SSSP', { root: 'player100' }, sample), [
    ['player100', '0.000000'], ['player101', '1.000000'], ['player102', '2.000000'], ['player125', '1.000000'],
    ['team203', '3.000000'], ['team204', '1.000000'], ['team215', '2.000000'],
  ])
  t.strictSame(rowsOf('BFS', { root: 'player100' }, sample), [['player100', '7.000000']])

  const neighbours = new Map(sample.vertices.map((vid) => [vid, new Set<string>()]))
  for (const { src, dst } of sample.edges) {
    if (src === dst) continue
    neighbours.get(src)?.add(dst)
    neighbours.get(dst)?.add(src)
  }
  for (const name of ['WCC', 'Louvain']) {
    const label = new Map(rowsOf(name, {}, sample) as [string, string][])
    t.equal(label.size, 81, `${name}: every vertex`)
    for (const [vid, community] of label) t.equal(label.get(community), community, `${name}: ${vid}'s label ${community} is a member of its own community`)
    // Each community is connected inside itself.
    for (const community of new Set(label.values())) {
      const members = [...label].filter(([, of]) => of === community).map(([vid]) => vid)
      const seen = new Set([community])
      for (const queue = [community]; queue.length > 0; ) {
        for (const next of neighbours.get(queue.pop() as string) ?? []) if (label.get(next) === community && !seen.has(next)) queue.push(next), seen.add(next)
      }
      t.equal(seen.size, members.length, `${name}: community ${community} is connected`)
    }
    if (name === 'WCC') for (const { src, dst } of sample.edges) if (label.get(src) !== label.get(dst)) t.fail(`an edge ${src}→${dst} between components`)
  }
  // Louvain's communities are better than none: modularity well above 0.
  const label = new Map(rowsOf('Louvain', {}, sample) as [string, string][])
  const m = sample.edges.length
  const degree = new Map<string, number>()
  for (const { src, dst } of sample.edges) degree.set(src, (degree.get(src) ?? 0) + 1), degree.set(dst, (degree.get(dst) ?? 0) + 1)
  let inside = 0
  for (const { src, dst } of sample.edges) if (label.get(src) === label.get(dst)) inside += 1
  const totals = new Map<string, number>()
  for (const [vid, community] of label) totals.set(community, (totals.get(community) ?? 0) + (degree.get(vid) ?? 0))
  const modularity = inside / m - [...totals.values()].reduce((sum, total) => sum + (total / (2 * m)) ** 2, 0)
  t.ok(modularity > 0.3, `Louvain's modularity ${modularity.toFixed(3)} > 0.3`)

  // Triangles, counted here by brute force over the simple undirected graph.
  const ids = sample.vertices
  let brute = 0
  for (let a = 0; a < ids.length; a++) for (let b = a + 1; b < ids.length; b++) for (let c = b + 1; c < ids.length; c++) {
    const [x, y, z] = [ids[a] as string, ids[b] as string, ids[c] as string]
    if (neighbours.get(x)?.has(y) && neighbours.get(y)?.has(z) && neighbours.get(x)?.has(z)) brute++
  }
  t.strictSame(rowsOf('TriangleCount', { opt: '1' }, sample), [[brute.toFixed(6)]], `${brute} triangles`)
  const listed = rowsOf('TriangleCount', { opt: '3' }, sample)
  t.equal(listed.length, brute)
  t.ok(listed.every(([x, y, z]) => neighbours.get(x as string)?.has(y as string) && neighbours.get(y as string)?.has(z as string) && neighbours.get(x as string)?.has(z as string)), 'each listed triple is a triangle')
  const perVertex = rowsOf('TriangleCount', { opt: '2' }, sample)
  t.equal(perVertex.reduce((sum, [, count]) => sum + Number(count), 0), 3 * brute, 'per vertex: each triangle three times')

  // Degrees, counted here from the edges.
  for (const [vid, both, out, into] of rowsOf('DegreeCentrality', {}, sample)) {
    const outs = sample.edges.filter((one) => one.src === vid).length
    const ins = sample.edges.filter((one) => one.dst === vid).length
    if (Number(out) !== outs || Number(into) !== ins || Number(both) !== outs + ins) t.fail(`${vid}: ${out}/${into} for ${outs}/${ins}`)
  }
  t.strictSame(rowsOf('DegreeCentrality', {}, sample)[0], ['player100', '13.000000', '3.000000', '10.000000'])
  // Only follow edges: the serve edges' teams are left with none.
  const followOnly = rowsOf('DegreeCentrality', { nebula_input_edges: 'follow' }, sample)
  t.ok(followOnly.filter(([vid]) => (vid as string).startsWith('team')).every(([, both]) => both === '0.000000'), 'nebula_input_edges picks the edge types read')
})

t.test('a task computes when its columns are the algorithm\'s and it has what it starts from', async (t) => {
  t.match(computationFor('analytics_bnc', { chosen: 'player100', is_directed: 'false', processes: '1' }, 2), { algorithm: 'betweenness', params: { chosen: 'player100', is_directed: 'false' } })
  t.equal(computationFor('SSSP', {}, 2), undefined, 'no root: nothing to start from, rows drawn')
  t.equal(computationFor('Jaccard', { ids1: '' }, 3), undefined)
  t.equal(computationFor('DegreeCentrality', {}, 2), undefined, 'declared columns not the algorithm\'s')
  t.equal(computationFor('node2vec', {}, 1), undefined, 'not computed')
  t.match(computationFor('TriangleCount', { opt: 1 }, 1), { params: { opt: '1' } }, 'numbers as the workflow API gives them')
})

t.test('the fixture\'s Jaccard and WCC tasks hold the computed rows, Jaccard for the ids its job ran with', async (t) => {
  const { app } = await startSandbox(t)
  const graph = loadGraphFixture(path.join(repoRoot, 'fixtures'))
  if (!graph) throw new Error('no sample graph')
  const sample = { vertices: graph.vertices.map((vertex) => vertex.vid), edges: graph.edges }
  const jaccard = (await explorerGet(app, '/jobs/29987/tasks/b2e4a7d0fb6f11ecac7e6da0662c195b/sample_result?limit=1000', COOKIE)).json().data.items
  const input = { ids1: 'player100,player101,player102,player103', ids2: 'player104,player105,player106,player107,player108,player109' }
  t.strictSame(jaccard, rowsOf('Jaccard', input, sample))
  t.equal(jaccard.length, 24)
  const consoleJob = await app.inject({ method: 'GET', url: '/api-analytics/jobs/29987', headers: COOKIE })
  t.strictSame(consoleJob.json().data.input, { b2e4a7d0fb6f11ecac7e6da0662c195b: input }, 'the job shows the input it ran with')
  const wcc = (await explorerGet(app, '/jobs/29990/tasks/analytics_wcc_3/sample_result?limit=1000', COOKIE)).json().data.items
  t.strictSame(wcc, rowsOf('WCC', {}, sample))
  t.ok(wcc.every(([, label]: string[]) => label === 'player100'), 'basketballplayer is one component')
})

t.test('a console job of every task (the QA suite\'s 所有tasks) answers each algorithm computed with its spec', async (t) => {
  const { app, clock } = await startSandbox(t)
  const schema = (CONFTEST_WORKFLOWS.find(([name]) => name === '所有tasks') as [string, string])[1]
  const flow = await app.inject({ method: 'POST', url: '/api-analytics/flows', headers: COOKIE, payload: { name: 'all tasks', schema } })
  const job = await createJob(app, flow.json().data.id, { input: {} })
  const jobId = job.json().data.id as number
  clock.advance(60 * 60 * 1000)
  const rows = async (taskId: string) => (await explorerGet(app, `/jobs/${jobId}/tasks/${taskId}/sample_result?limit=1000`)).json().data.items as string[][]
  const graph = loadGraphFixture(path.join(repoRoot, 'fixtures'))
  if (!graph) throw new Error('no sample graph')
  const sample = { vertices: graph.vertices.map((vertex) => vertex.vid), edges: graph.edges }
  const expected: Array<[string, string, Record<string, string>]> = [
    ['analytics_sssp_2', 'SSSP', { root: 'player129' }],
    ['analytics_apsp_3', 'APSP', {}],
    ['analytics_bfs_4', 'BFS', { root: 'player129' }],
    ['analytics_pagerank_5', 'PageRank', {}],
    ['analytics_kcore_6', 'KCore', { type: 'vertex', kmin: '1', kmax: '1000000' }],
    ['analytics_nstepdegrees_7', 'NStepDegrees', { step: '3' }],
    ['analytics_bnc_8', 'BNC', { is_directed: 'false', chosen: '-1' }],
    ['analytics_cnc_9', 'CNC', {}],
    ['analytics_triangle_count_11', 'TriangleCount', { opt: '3' }],
    ['analytics_lpa_13', 'LPA', { iterations: '10' }],
    ['analytics_hanp_14', 'HANP', { iterations: '10', preference: '1', hop_att: '0.1' }],
    ['analytics_wcc_15', 'WCC', {}],
    ['analytics_louvain_16', 'Louvain', { outer_iteration: '3', inner_iteration: '2' }],
    ['analytics_clustering_coefficient_17', 'ClusteringCoefficient', { type: 'local' }],
    ['analytics_jaccard_similarity_18', 'Jaccard', { ids1: 'player101', ids2: 'player102' }],
  ]
  for (const [taskId, name, spec] of expected) t.strictSame(await rows(taskId), rowsOf(name, spec, sample), `${taskId}: computed`)
  // player101's neighbours either way: player100, 102, 104, 108, 113, 125, team204, team215; player102's: player100, 101, 103,
  // 135, team203, team204. Shared: player100 and team204, of 12.
  t.strictSame(await rows('analytics_jaccard_similarity_18'), [['player101', 'player102', '0.166667']])
  t.equal((await rows('analytics_node2vec_12')).length, 81, 'Node2Vec: still drawn, one row a vertex')
})

t.test('a scenario\'s graph: listed or generated, computed on by the tasks made after it, refused when malformed, undone and reset', async (t) => {
  const { app, clock } = await startSandbox(t)
  const scenario = (body: object) => app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: body })
  const pageRankJob = async () => {
    const made = (await scenario({ tasks: [{ name: 'PageRank' }, { name: 'WCC' }] })).json()
    clock.advance(60 * 60 * 1000)
    const rows = async (url: string) => (await app.inject({ method: 'GET', url: `${url}?limit=1000000`, headers: COOKIE })).json().data.items as string[][]
    return { pagerank: await rows(made.sample_result_urls[0]), wcc: await rows(made.sample_result_urls[1]) }
  }

  const listed = await scenario({ graph: { vertices: ['a', { vid: 'b', tag: 'team', props: { name: 'B' } }, 'c', 'd'], edges: [{ src: 'a', dst: 'b' }, { src: 'a', dst: 'b' }, { src: 'c', dst: 'd', type: 'serve' }] } })
  t.equal(listed.statusCode, 201)
  t.strictSame(listed.json(), { graph: { space: null, vertices: 4, edges: 3, edge_types: ['follow', 'serve'], generated: false } })
  const onListed = await pageRankJob()
  t.strictSame(onListed.wcc, [['a', 'a'], ['b', 'a'], ['c', 'c'], ['d', 'c']])
  // b gets 0.15 + 0.85 × (0.15/2 + 0.15/2) after the first round, and so on: a and c point to nobody else.
  t.strictSame(onListed.pagerank, [['a', '0.150000'], ['b', '0.277500'], ['c', '0.150000'], ['d', '0.277500']])

  const generated = await scenario({ graph: { generated: { vertices: 2000, edges_per_vertex: 2, seed: 7 } } })
  t.strictSame(generated.json(), { graph: { space: null, vertices: 2000, edges: 4000, edge_types: ['follow'], generated: true } })
  const onGenerated = await pageRankJob()
  t.equal(onGenerated.pagerank.length, 2000)
  t.strictSame([onGenerated.pagerank[0]?.[0], onGenerated.pagerank[1999]?.[0]], ['player100', 'player2099'])
  t.equal(Math.round(onGenerated.pagerank.reduce((sum, [, value]) => sum + Number(value), 0)), 2000, 'no sinks: the ranks keep their mass')
  const again = await pageRankJob()
  t.strictSame(again.pagerank, onGenerated.pagerank, 'the same seed and sizes: the same graph')
  const root = (await scenario({ tasks: [{ name: 'SSSP', row_count: 3 }] })).json()
  t.equal(root.tasks[0].row_count, 3, 'a count of the test\'s own keeps generated rows')

  for (const [body, pointer] of [
    [{ graph: { vertices: ['a', 'a'] } }, '/graph/vertices/1'],
    [{ graph: { vertices: ['a'], edges: [{ src: 'a', dst: 'z' }] } }, '/graph/edges/0/dst'],
    [{ graph: { vertices: ['a'], edges: [{ src: 'a', dst: 'a', rank: 1 }, { src: 'a', dst: 'a', rank: 1 }] } }, '/graph/edges/1/rank'],
    [{ graph: { generated: { vertices: 10 }, vertices: ['a'] } }, '/graph/vertices'],
    [{ graph: {} }, '/graph'],
    [{ graph: { generated: { vertices: 1_000_000, edges_per_vertex: 9 } } }, '/graph/generated'],
    [{ graph: { vertices: ['a'] }, job_id: 5 }, '/job_id'],
  ] as const) {
    const refused = await scenario(body)
    t.equal(refused.statusCode, 400, JSON.stringify(body))
    t.match(refused.json(), { error: 'invalid_scenario', field: pointer }, JSON.stringify(body))
  }
  t.equal((await scenario({ graph: { generated: { vertices: 0 } } })).statusCode, 400, 'a schema refusal')
  t.strictSame((await pageRankJob()).pagerank, onGenerated.pagerank, 'a refused graph changed nothing')

  await app.inject({ method: 'POST', url: '/_resultbox/state/reset' })
  const { vertices, edges } = new ExplorerStore(app.resultbox.db).graph()
  t.strictSame([vertices.length, edges.length], [81, 233], 'a reset brings the sample graph back')
})

t.test('the generic scenario provider state sets a graph and its teardown puts the one before back', async (t) => {
  const { app } = await startSandbox(t)
  const states = (body: object) => app.inject({ method: 'POST', url: '/_resultbox/provider-states', payload: body })
  const setup = await states({ state: 'scenario', params: { vendor: 'explorer', graph: { vertices: ['x', 'y'], edges: [{ src: 'x', dst: 'y' }] } } })
  t.equal(setup.statusCode, 200, setup.body)
  const store = new ExplorerStore(app.resultbox.db)
  t.strictSame(store.graph().vertices, ['x', 'y'])
  const teardown = await states({ state: 'scenario', params: { vendor: 'explorer', graph: { vertices: ['x', 'y'], edges: [{ src: 'x', dst: 'y' }] } }, action: 'teardown' })
  t.equal(teardown.statusCode, 200, teardown.body)
  t.equal(store.graph().vertices.length, 81, 'the sample graph is back')
  t.match(store.graphSnapshot(), { vertices: [{ vid: 'player100', tag: 'player', props: { name: 'Tim Duncan', age: 42 } }] }, 'with its properties')
})

t.test('a space\'s own graph: a DAG task reads the space its datasource names, the others the sample', async (t) => {
  const { app, clock } = await startSandbox(t)
  const given = await app.inject({
    method: 'POST', url: '/_resultbox/provider-states',
    payload: { state: 'scenario', params: { vendor: 'explorer', graph: { space: 'tiny', vertices: ['x', 'y', 'z'], edges: [{ src: 'x', dst: 'y' }] } } },
  })
  t.equal(given.statusCode, 200, given.body)
  t.match(given.json(), { graph: { space: 'tiny', vertices: 3, edges: 1 } }, given.body)
  const wcc = (id: string, space: string) => ({
    id, type: 'analytics_wcc', name: 'WCC', spec: { iterations: '10' },
    graph: { output: [{ name: 'vid' }, { name: 'label' }] }, datasource: { type: 'nebula', spec: { type: 'nebula', space } },
  })
  const schema = JSON.stringify({ datasources: [], tasks: [wcc('analytics_wcc_1', 'tiny'), wcc('analytics_wcc_2', 'demo_basketballplayer')], deps: [] })
  const flow = await app.inject({ method: 'POST', url: '/api-analytics/flows', headers: COOKIE, payload: { name: 'spaces', schema } })
  const run = async () => {
    const jobId = (await createJob(app, flow.json().data.id, { input: {} })).json().data.id as number
    clock.advance(60 * 60 * 1000)
    const rows = async (taskId: string) => (await explorerGet(app, `/jobs/${jobId}/tasks/${taskId}/sample_result?limit=1000`)).json().data.items as string[][]
    return [await rows('analytics_wcc_1'), await rows('analytics_wcc_2')]
  }
  const [tiny, sample] = await run()
  t.strictSame(tiny, [['x', 'x'], ['y', 'x'], ['z', 'z']], 'the space\'s own graph')
  t.equal(sample?.length, 81, 'another space: the sample graph')
  const teardown = await app.inject({
    method: 'POST', url: '/_resultbox/provider-states',
    payload: { state: 'scenario', action: 'teardown', params: { vendor: 'explorer', graph: { space: 'tiny', vertices: ['x', 'y', 'z'], edges: [{ src: 'x', dst: 'y' }] } } },
  })
  t.equal(teardown.statusCode, 200)
  const store = new ExplorerStore(app.resultbox.db)
  t.equal(store.graphSnapshot('tiny'), null, 'undone: the space has no graph of its own again')
  t.equal((await run())[0]?.length, 81, 'and reads the sample')
})

t.test('work past the budget is not computed: on a generated 100,000-vertex graph, closeness is drawn and PageRank computed', async (t) => {
  const { app, clock } = await startSandbox(t)
  const scenario = (body: object) => app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: body })
  await scenario({ graph: { generated: { vertices: 100_000, edges_per_vertex: 3 } } })
  t.ok(computationCost(computationOf('CNC') as GraphComputation, 100_000, 300_000) > COMPUTE_BUDGET, 'a BFS from each of 100,000 vertices')
  t.ok(computationCost(computationOf('PageRank') as GraphComputation, 1_000_000, 3_000_000) <= COMPUTE_BUDGET, 'ten rounds over a million vertices, and its million rows')
  const manyIds = Array.from({ length: 5000 }, (_none, at) => `player${100 + at}`).join(',')
  t.ok(computationCost(computationOf('Jaccard', { ids1: manyIds }) as GraphComputation, 100_000, 300_000) > COMPUTE_BUDGET, '5,000 ids against 100,000 vertices: 500 million rows')
  t.ok(computationCost(computationOf('Jaccard', { ids1: manyIds }) as GraphComputation, 81, 233) <= COMPUTE_BUDGET, 'the same ids on the sample graph')
  t.ok(computationCost(computationOf('APSP') as GraphComputation, 5000, 15_000) > COMPUTE_BUDGET, 'every pair of 5,000 vertices')
  for (const [name, spec] of [['APSP', {}], ['BNC', {}], ['NStepDegrees', {}], ['Louvain', {}], ['HANP', {}], ['TriangleCount', {}], ['KCore', { type: 'subgraph' }]] as const) {
    t.ok(computationCost(computationOf(name, spec) as GraphComputation, 81, 233) <= COMPUTE_BUDGET / 100, `${name} on the sample graph: well within`)
  }
  const made = (await scenario({ tasks: [{ name: 'PageRank' }, { name: 'Closeness' }] })).json()
  const began = Date.now()
  clock.advance(60 * 60 * 1000)
  const rows = async (url: string) => (await app.inject({ method: 'GET', url: `${url}?limit=1000000`, headers: COOKIE })).json().data.items as string[][]
  const pagerank = await rows(made.sample_result_urls[0])
  const closenessRows = await rows(made.sample_result_urls[1])
  t.comment(`both tasks finished and were read in ${Date.now() - began} ms`)
  t.equal(pagerank.length, 100_000, 'PageRank: one row a vertex of the generated graph')
  t.equal(closenessRows.length, 81, 'closeness: generated rows, the task\'s default count')
  t.ok(closenessRows.every(([, value]) => /^\d+\.\d{6}$/.test(value as string)))
})

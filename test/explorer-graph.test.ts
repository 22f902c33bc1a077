import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { GRAPH_FIXTURE_FILE, loadGraphFixture } from '../src/explorer/graph.js'
import { indexGraph, pageRank as pageRankOf } from '../src/explorer/graph-algorithms.js'
import { ExplorerStore } from '../src/explorer/store.js'
import { COOKIE, explorerGet } from './helpers/explorer.js'
import { copyOf, repoRoot, startSandbox } from './helpers/sandbox.js'

/*
 * The sample graph Explorer's tasks run on (basketballplayer, from nebula-console's data file) and PageRank
 * computed on it as nebula-algorithm computes it on GraphX. Checked against what the vendor's page prints
 * and against the edges themselves, so that a wrong convention (normalised ranks, 20 iterations, edges
 * de-duplicated, one edge type) fails here.
 */

const fixtures = path.join(repoRoot, 'fixtures')

/** PageRank by vertex id. */
function pageRank(vertices: string[], edges: { src: string; dst: string }[], options?: Parameters<typeof pageRankOf>[1]): Map<string, number> {
  const ranks = pageRankOf(indexGraph(vertices, edges), options)
  return new Map(vertices.map((vid, at) => [vid, ranks[at] as number]))
}
const PAGERANK_TASK = '/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result'

t.test('the sample graph: 51 players and 30 teams, 81 follow and 152 serve edges, ranks kept', async (t) => {
  const { app } = await startSandbox(t)
  const store = new ExplorerStore(app.resultbox.db)
  const { vertices, edges } = store.graph()
  t.equal(vertices.filter((vid) => vid.startsWith('player')).length, 51)
  t.equal(vertices.filter((vid) => vid.startsWith('team')).length, 30)
  t.equal(edges.filter((edge) => edge.type === 'follow').length, 81)
  t.equal(edges.filter((edge) => edge.type === 'serve').length, 152)
  const twice = new Map<string, number>()
  for (const edge of edges.filter((one) => one.type === 'serve')) twice.set(`${edge.src}->${edge.dst}`, (twice.get(`${edge.src}->${edge.dst}`) ?? 0) + 1)
  t.equal([...twice.values()].filter((count) => count === 2).length, 6, 'six player→team pairs served twice, with different ranks')
  t.ok(edges.some((edge) => edge.src === 'player104' && edge.dst === 'team215' && edge.rank === 20102012))
  const graph = loadGraphFixture(fixtures)
  t.match(graph?.vertices[0], { vid: 'player100', tag: 'player', props: { name: 'Tim Duncan', age: 42 } })
})

t.test('PageRank as GraphX runs it: the rows the vendor prints, sums the edges carry', async (t) => {
  const graph = loadGraphFixture(fixtures)
  if (!graph) throw new Error('no sample graph')
  const ranks = pageRank(graph.vertices.map((vertex) => vertex.vid), graph.edges)
  const six = (vid: string) => (ranks.get(vid) as number).toFixed(6)
  t.strictSame([six('player110'), six('team219'), six('player121')], ['0.150000', '0.452126', '0.262148'], 'the three rows the vendor\'s page prints')
  const total = [...ranks.values()].reduce((sum, value) => sum + value, 0)
  t.equal(total.toFixed(2), '21.54', 'un-normalised: 81 × 0.15 plus what the edges carry, not 1')
  // Every vertex nobody points to stays at 1 − d; one that others point to is above it.
  const pointedTo = new Set(graph.edges.map((edge) => edge.dst))
  for (const [vid, value] of ranks) {
    if (pointedTo.has(vid)) t.ok(value > 0.15, `${vid} is pointed to`)
    else t.equal(value.toFixed(6), '0.150000', `${vid}: nobody points to it`)
  }
  // Ten rounds, not convergence: twenty give other values.
  t.not(pageRank(graph.vertices.map((vertex) => vertex.vid), graph.edges, { iterations: 20, damping: 0.85 }).get('team219')?.toFixed(6), '0.452126')
})

t.test('the fixture\'s PageRank task is the computed one: its 81 rows, in the fixture\'s order, the seed\'s 2,014 bytes', async (t) => {
  const { app } = await startSandbox(t)
  const { vertices, edges } = new ExplorerStore(app.resultbox.db).graph()
  const ranks = pageRank(vertices, edges)
  const res = await explorerGet(app, `${PAGERANK_TASK}?limit=1000`, COOKIE)
  t.equal(res.statusCode, 200)
  t.equal(res.body.length, 2014, 'the seed\'s Content-Length')
  const items = res.json().data.items as string[][]
  t.equal(items.length, 81)
  t.strictSame(items.map(([vid]) => [vid, (ranks.get(vid as string) as number).toFixed(6)]), items, 'every row the computation\'s')
  t.strictSame([items[0], items[1], items[80]], [['player110', '0.150000'], ['team219', '0.452126'], ['player121', '0.262148']])
})

t.test('a fixtures folder without the sample graph starts with none; a graph that names a vertex it lacks is refused', async (t) => {
  const dir = copyOf(t, 'fixtures')
  fs.rmSync(path.join(dir, GRAPH_FIXTURE_FILE))
  const { app } = await startSandbox(t, { env: { RESULTBOX_FIXTURES: dir } })
  t.strictSame(new ExplorerStore(app.resultbox.db).graph(), { vertices: [], edges: [] })
  const broken = JSON.parse(fs.readFileSync(path.join(fixtures, GRAPH_FIXTURE_FILE), 'utf8'))
  broken.edges.push({ type: 'follow', src: 'player100', dst: 'player999', rank: 0, props: { degree: 1 } })
  fs.writeFileSync(path.join(dir, GRAPH_FIXTURE_FILE), JSON.stringify(broken))
  t.throws(() => loadGraphFixture(dir), /\/edges\/233\/dst.*no vertex player999/)
  broken.edges.pop()
  broken.vertices.push({ vid: 'coach1', tag: 'coach', props: {} })
  fs.writeFileSync(path.join(dir, GRAPH_FIXTURE_FILE), JSON.stringify(broken))
  t.throws(() => loadGraphFixture(dir), /no tag coach/)
  broken.vertices[81] = { ...broken.vertices[0] }
  fs.writeFileSync(path.join(dir, GRAPH_FIXTURE_FILE), JSON.stringify(broken))
  t.throws(() => loadGraphFixture(dir), /listed twice/)
  broken.vertices.pop()
  broken.edges.push({ type: 'likes', src: 'player100', dst: 'player101', rank: 0, props: {} })
  fs.writeFileSync(path.join(dir, GRAPH_FIXTURE_FILE), JSON.stringify(broken))
  t.throws(() => loadGraphFixture(dir), /no edge type likes/)
})

t.test('new jobs compute their PageRank on the graph: a workflow\'s, a scenario\'s, and a console DAG\'s with its own params', async (t) => {
  const { app, clock } = await startSandbox(t)
  const fixtureRows = (await explorerGet(app, `${PAGERANK_TASK}?limit=1000`, COOKIE)).json().data.items as string[][]
  const byVid = (rows: string[][]) => new Map(rows.map(([vid, value]) => [vid, value]))
  const rowsOf = async (jobId: number, task: string) => (await explorerGet(app, `/jobs/${jobId}/tasks/${task}/sample_result?limit=1000`, COOKIE)).json().data.items as string[][]
  const job = (await app.inject({ method: 'POST', url: '/api-open/v1/workflows/4/jobs', headers: COOKIE })).json().data.id as number
  const scenario = (await app.inject({ method: 'POST', url: '/_resultbox/scenarios/explorer', payload: { tasks: [{ name: 'PageRank' }, { name: 'PageRank', id: 'drawn_2', row_count: 5 }] } })).json()
  const dag = (spec: Record<string, string>) => JSON.stringify({ tasks: [{ id: 'analytics_pagerank_1', type: 'analytics_pagerank', name: 'PageRank', spec, graph: { output: [{ name: 'vid' }, { name: 'value' }] } }], deps: [] })
  const flow = async (spec: Record<string, string>) => {
    const id = (await app.inject({ method: 'POST', url: '/api-analytics/flows', headers: COOKIE, payload: { name: 'pr', schema: dag(spec) } })).json().data.id as string
    return (await app.inject({ method: 'POST', url: '/api-analytics/jobs', headers: COOKIE, payload: { flowId: id } })).json().data.id as number
  }
  const asIs = await flow({ iterations: '10', damping: '0.85', nebula_input_edges: 'follow,serve' })
  const longer = await flow({ iterations: '20', damping: '0.85', nebula_input_edges: 'follow,serve' })
  const followOnly = await flow({ iterations: '10', damping: 'high', nebula_input_edges: 'follow' })
  clock.advance(60_000)
  t.strictSame(byVid(await rowsOf(job, '8c171f70fb6f11ecac7e6da0662c195b')), byVid(fixtureRows), 'workflow 4\'s PageRank: the fixture task\'s values')
  t.strictSame(byVid(await rowsOf(scenario.job_id, 'analytics_pagerank_1')), byVid(fixtureRows), 'a scenario\'s PageRank too')
  t.equal((await rowsOf(scenario.job_id, 'drawn_2')).length, 5, 'a row count of the test\'s own: drawn, as before')
  t.strictSame(byVid(await rowsOf(asIs, 'analytics_pagerank_1')), byVid(fixtureRows), 'a console DAG with the defaults')
  t.not(byVid(await rowsOf(longer, 'analytics_pagerank_1')).get('team219'), '0.452126', 'its iterations are read')
  const follow = byVid(await rowsOf(followOnly, 'analytics_pagerank_1'))
  t.equal(follow.get('team219'), '0.150000', 'follow edges only: nobody follows a team (and a damping that is no number is the default)')
})

/*
 * The workflows the vendor's QA suite (explorer_auto, conftest.py at 665ed27) makes through the console, as
 * DAGs in the console's own format: {"datasources", "tasks", "deps"}, each task with its type, its spec (the
 * algorithm's parameters as strings, ${name} placeholders among them), its drawing (params, input, output),
 * its datasink and its datasource. Built here from what the suite's DAGs hold, task ids, specs, params,
 * outputs and deps as it has them; plus the five the suite's scenario tests read and never committed
 * (no_params_workflow, …), drawn the way their tests use them.
 */

const HDFS = { type: 'hdfs', name: 'test', spec: { user: 'root', url: 'hdfs://192.168.8.168:9000/ll_test' } }
const SINK = {
  type: 'hdfs',
  spec: { url: '${test}/analytics/${job_id}/tasks/${task_id}/', hdfsName: 'test', hdfsPath: '/analytics/${job_id}/tasks/${task_id}/', user: 'root' },
}
const TIMEOUTS = { graphd_timeout: 60000, metad_timeout: 60000, storaged_timeout: 60000 }
const nebula = (space = 'demo_basketballplayer', analytics = true) => ({
  type: 'nebula',
  spec: { ...(analytics ? { type: 'nebula' } : {}), space, graphd: '192.168.8.131:9669', user: 'root', ...TIMEOUTS },
})
const DEPENDENCE = { type: 'hdfs', spec: { type: 'dependence' } }
const EDGE_INPUT = [{ name: 'src', dataType: 'string' }, { name: 'dst', dataType: 'string' }]
const out = (...names: string[]) => names.map((name) => ({ name, dataType: 'string' }))

interface TaskOptions {
  params?: Array<{ name?: string; dataType?: string }>
  output?: string[]
  datasource?: unknown
  edges?: string
  group?: string
}

let x = 0
function analytics(algorithm: string, n: number, name: string, spec: Record<string, unknown>, options: TaskOptions = {}) {
  const dependent = options.datasource === DEPENDENCE
  const edges = options.edges ?? 'follow,serve'
  return {
    id: `analytics_${algorithm}_${n}`,
    name,
    clusterSize: 1,
    type: `analytics_${algorithm}`,
    spec: dependent
      ? { processes: 1, threads: 3, ...spec }
      : { ...spec, vtype: 'string', processes: 1, threads: 3, nebula_input_edges: edges, nebula_input_edges_props: ','.repeat(edges.split(',').length - 1) },
    graph: { x: (x += 40), y: 120.5, groupName: options.group ?? 'nodeImportance', ...(options.params ? { params: options.params } : {}), input: EDGE_INPUT, output: out(...(options.output ?? ['vid', 'value'])) },
    datasink: SINK,
    datasource: options.datasource ?? nebula(),
  }
}

function query(n: number, ngql: string, options: TaskOptions & { space?: string } = {}) {
  return {
    id: `query_${n}`,
    name: 'Query',
    clusterSize: 1,
    type: 'nebula_ngql',
    spec: { ngql, vtype: 'string' },
    graph: { x: (x += 40), y: 80, groupName: 'query', params: options.params ?? [], input: [], output: out(...(options.output ?? ['v'])) },
    datasink: SINK,
    datasource: options.datasource ?? nebula(options.space, false),
  }
}

const edgesFrom = (src: string, dst: string) => ({ src, dst, spec: { input: { srcField: 1, dstField: 2 }, params: [] } })
const paramsFrom = (src: string, dst: string, params: Array<[string, number]>) => ({
  src, dst, spec: { params: params.map(([name, columnIndex]) => ({ name, columnIndex, dataType: 'string' })) },
})
const dag = (tasks: unknown[], deps: unknown[] = []) => JSON.stringify({ datasources: [HDFS], tasks, deps })

const named = (...names: string[]) => names.map((name) => ({ name, dataType: 'string' }))
const PAGERANK = { iterations: '10', is_directed: 'true', eps: '0.0001', damping: '0.85' }
const AML_EDGES = 'Assessment passed,Capital dispersion,Capital inflow,First transaction,Risk control testing'
const ALL_EDGES = 'belong_to,commented_at,created_post,follow,lived_in,serve'

/** Workflow 3's five tasks, with their params as placeholders, or (workflow 4) every value left empty. */
function oneParamTasks(empty: boolean) {
  const value = (placeholder: string) => (empty ? '' : placeholder)
  const params = (...names: string[]) => (empty ? [] : names.map((name) => ({ name })))
  return [
    analytics('sssp', 7, 'SSSP', { root: value('${root}') }, { params: params('root'), output: ['vid', 'count'], edges: ALL_EDGES, group: 'path' }),
    query(8, value('123'), { params: empty ? [] : named('True', '"你好，新年快乐"', '"123":"root"', '2022-8-19'), output: ['"123"'], space: 'Anti-money laundering' }),
    analytics('bfs', 9, 'BFS', { is_directed: 'true', root: value('${root}') }, { params: params('root'), output: ['vid', 'count'], group: 'path' }),
    analytics('bnc', 11, 'BNC', { iterations: '10', is_directed: 'false', chosen: value('${chosen}'), constant: value('2') }, { params: params('chosen'), edges: AML_EDGES }),
    analytics('jaccard_similarity', 12, 'Jaccard Similarity', { ids1: value('${ids1}'), ids2: value('${ids2}'), removed_self_edge: 'true' }, { params: params('ids1', 'ids2'), output: ['id1', 'id2', 'similarity'], group: 'graphFeature' }),
  ]
}

/** The conftest's twelve, by the names it gives them, in the order it makes them. */
export const CONFTEST_WORKFLOWS: Array<[string, string]> = [
  ['不需要参数_单tasks_不输入参数', dag([analytics('pagerank', 1, 'PageRank', { ...PAGERANK })])],
  ['不需要参数_单tasks_输入参数', dag([analytics('pagerank', 1, 'PageRank', { ...PAGERANK }, { datasource: DEPENDENCE })])],
  ['需要1个参数_单tasks_不同类型参数', dag(oneParamTasks(false))],
  ['需要1个参数_单tasks_不输入参数', dag(oneParamTasks(true))],
  ['需要多个参数_单tasks_不同类型参数', dag([
    analytics('jaccard_similarity', 12, 'Jaccard Similarity', { ids1: '1.0000000000000000！@#！@￥', ids2: '1！@@@@@@@@1421000', removed_self_edge: 'true' }, { params: [], output: ['id1', 'id2', 'similarity'] }),
    { ...query(13, 'return "你好"', { params: named('“你好”', '1.0000000000000001', '1000-01-01/9999-12', 'True', '@！￥！@#%！#@%@！@#'), output: ['"你好"'] }), graph: { x: 10, y: 10, groupName: 'query', params: named('“你好”', '1.0000000000000001', '1000-01-01/9999-12', 'True', '@！￥！@#%！#@%@！@#'), output: out('"你好"') } },
  ])],
  ['需要多个参数_单tasks_不输入参数', dag([
    analytics('jaccard_similarity', 12, 'Jaccard Similarity', { ids1: '', ids2: '', removed_self_edge: 'true' }, { params: [], output: ['id1', 'id2', 'similarity'] }),
    query(13, 'return "你好"', { params: Array.from({ length: 5 }, () => ({ dataType: 'string' })), output: ['"你好"'] }),
  ])],
  ['创建job_不同组件的参数输入', dag([
    query(1, 'return "你好"', { params: named('"你好"'), output: ['"你好"'] }),
    analytics('sssp', 2, 'SSSP', { root: 'player101' }, { output: ['vid', 'count'], group: 'path' }),
    analytics('bfs', 3, 'BFS', { is_directed: 'true', root: 'player101' }, { output: ['vid', 'count'], group: 'path' }),
    analytics('jaccard_similarity', 4, 'Jaccard Similarity', { ids1: 'player101', ids2: 'player102', removed_self_edge: 'true' }, { output: ['id1', 'id2', 'similarity'] }),
  ])],
  ['创建job_输入参数非法格式', dag([
    analytics('sssp', 1, 'SSSP', { root: '123456' }, { datasource: DEPENDENCE, output: ['vid', 'count'] }),
    analytics('bfs', 2, 'BFS', { is_directed: 'true', root: '123' }, { output: ['vid', 'count'] }),
  ])],
  ['TP-AP-TP', dag([
    query(1, 'go 1 to 2 steps from "player129" over * yield dst(edge),src(edge)', { output: ['dst(edge)', 'src(edge)'] }),
    analytics('apsp', 2, 'APSP', {}, { datasource: DEPENDENCE, output: ['src', 'dst', 'count'], group: 'path' }),
    query(3, 'go 1 to 2 steps from "player129" over * yield ${dst},${src}', { params: named('dst', 'src'), output: ['${dst}', '${src}'] }),
  ], [edgesFrom('query_1', 'analytics_apsp_2'), paramsFrom('analytics_apsp_2', 'query_3', [['dst', 1], ['src', 2]])])],
  ['AP-AP-AP', dag([
    analytics('apsp', 1, 'APSP', {}, { output: ['src', 'dst', 'count'], group: 'path' }),
    analytics('apsp', 3, 'APSP', {}, { datasource: DEPENDENCE, output: ['src', 'dst', 'count'], group: 'path' }),
    analytics('pagerank', 2, 'PageRank', { ...PAGERANK }, { datasource: DEPENDENCE }),
  ], [edgesFrom('analytics_apsp_1', 'analytics_apsp_3'), edgesFrom('analytics_apsp_3', 'analytics_pagerank_2')])],
  ['所有tasks', dag([
    query(1, 'match (v) return id(v) limit 10', { output: ['v'] }),
    analytics('sssp', 2, 'SSSP', { root: 'player129' }, { params: [], output: ['vid', 'count'] }),
    analytics('apsp', 3, 'APSP', {}, { params: [], output: ['src', 'dst', 'count'] }),
    analytics('bfs', 4, 'BFS', { is_directed: 'true', root: 'player129' }, { params: [], output: ['vid', 'count'] }),
    analytics('pagerank', 5, 'PageRank', { ...PAGERANK }, { params: [] }),
    analytics('kcore', 6, 'KCore', { type: 'vertex', vertices: '0', edges: '0', kmin: '1', kmax: '1000000' }, { params: [] }),
    analytics('nstepdegrees', 7, 'NStepDegrees', { type: 'both', step: '3', bits: '6' }, { params: [], output: ['vid', 'degree', 'out', 'in'] }),
    analytics('bnc', 8, 'BNC', { iterations: '10', is_directed: 'false', chosen: '-1', constant: '2' }, { params: [] }),
    analytics('cnc', 9, 'CNC', { num_samples: '10' }, { params: [] }),
    analytics('degree_with_time', 10, 'DegreeWithTime', { begin_time: '2010-10-01 16:59:38', end_time: '2022-12-12 16:59:41' }, { params: [], output: ['vid', 'degree', 'out', 'in'] }),
    analytics('triangle_count', 11, 'TriangleCount', { opt: '3' }, { params: [], output: ['id', 'id2 | value', 'id3'] }),
    analytics('node2vec', 12, 'Node2Vec', { p: '1', q: '0.5', epoch: '1', step: '10', rate: '0.02' }, { params: [], output: ['path'] }),
    analytics('lpa', 13, 'LPA', { iterations: '10' }, { params: [], output: ['vid', 'label'], group: 'communityDiscovery' }),
    analytics('hanp', 14, 'HANP', { iterations: '10', preference: '1', hop_att: '0.1' }, { params: [], output: ['vid', 'label'] }),
    analytics('wcc', 15, 'WCC', { iterations: '10' }, { params: [], output: ['vid', 'label'] }),
    analytics('louvain', 16, 'Louvain', { outer_iteration: '3', inner_iteration: '2' }, { params: [], output: ['vid', 'label'] }),
    analytics('clustering_coefficient', 17, 'ClusteringCoefficient', { type: 'local' }, { params: [] }),
    analytics('jaccard_similarity', 18, 'Jaccard Similarity', { ids1: 'player101', ids2: 'player102', removed_self_edge: 'true' }, { params: [], output: ['id1', 'id2', 'similarity'] }),
  ])],
  ['workflow_列数', columnsDag()],
]

/** workflow_列数, and (as result_column) the workflow test_sample_result_column reads: one task for each width of result. */
function columnsDag() {
  return dag([
    query(5, 'match (v) where id(v)=="121212" return id(v)', { output: ['id(v)'] }),
    query(6, 'match (v) return id(v) limit 10', { output: ['v'] }),
    // The suite's own typo: a second column named limit(e).
    query(7, 'match ()-[e]->() return src(e),dst(e) limit 10', { output: ['src(e)', 'limit(e)'] }),
    query(8, 'return date(),datetime(),"你好好你好加油加油~~~~",rand(),rand32(),3-300;', { output: ['date()', 'datetime()', '"你好好你好加油加油~~~~"', 'rand()', 'rand32()', '3-300'] }),
    analytics('pagerank', 9, 'PageRank', { ...PAGERANK }),
    analytics('degree_with_time', 10, 'DegreeWithTime', { begin_time: '', end_time: '' }, { output: ['vid', 'degree', 'out', 'in'] }),
    analytics('triangle_count', 11, 'TriangleCount', { opt: '1' }, { output: ['id', 'id2 | value', 'id3'] }),
    analytics('apsp', 12, 'APSP', {}, { output: ['src', 'dst', 'count'] }),
  ])
}

/** The workflows of tests/test_scenario.py, which the suite reads from tmp.yaml and never committed: drawn as its tests use them. */
export const SCENARIO_WORKFLOWS: Array<[string, string]> = [
  ['no_params_workflow', dag([
    query(1, 'match (v:player) return id(v) limit 20', { output: ['v'] }),
    analytics('sssp', 2, 'SSSP', { root: 'player100' }, { output: ['vid', 'count'] }),
  ])],
  ['one_params_one_task_workflow', dag([query(1, 'match (v:player) where id(v)=="${input0}" return v.player.name', { params: named('input0'), output: ['v.player.name'] })])],
  ['tp_data_type', dag([
    query(1, 'match (v:player) where v.player.name=="${string}" and id(v) in ["${list}"] and v.player.age==${int} return id(v)', { params: named('string', 'list', 'int'), output: ['v'] }),
    query(2, 'return date("${date}"),${float},datetime("${datetime}"),${boolean}', { params: named('date', 'float', 'datetime', 'boolean'), output: ['date', 'float', 'datetime', 'boolean'] }),
  ])],
  ['ap_data_type', dag([
    analytics('sssp', 1, 'SSSP', { root: '${root}' }, { params: named('root'), output: ['vid', 'count'] }),
    analytics('bnc', 2, 'BNC', { iterations: '10', is_directed: 'false', chosen: '${chosen}', constant: '2' }, { params: named('chosen') }),
    analytics('bfs', 3, 'BFS', { is_directed: 'true', root: '${root}' }, { params: named('root'), output: ['vid', 'count'] }),
    analytics('jaccard_similarity', 4, 'Jaccard Similarity', { ids1: '${ids1}', ids2: '${ids2}', removed_self_edge: 'true' }, { params: named('ids1', 'ids2'), output: ['id1', 'id2', 'similarity'] }),
  ])],
  // SSSP's root and BNC's chosen come from the query's first column unless the job gives them; the query
  // matches no team (the test attaches its empty result), so a job given neither fails as it runs.
  ['component_deps', dag([
    query(1, 'match (v:team) where v.team.name=="Nowhere Nets" return id(v)', { output: ['id(v)'] }),
    analytics('sssp', 2, 'SSSP', { root: '${root}' }, { params: named('root'), output: ['vid', 'count'] }),
    analytics('bnc', 3, 'BNC', { iterations: '10', is_directed: 'false', chosen: '${chosen}', constant: '2' }, { params: [{ name: 'chosen' }] }),
  ], [paramsFrom('query_1', 'analytics_sssp_2', [['root', 1]]), paramsFrom('query_1', 'analytics_bnc_3', [['chosen', 1]])])],
  ['result_column', columnsDag()],
]

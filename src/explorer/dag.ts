import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { DEFAULT_ROW_COUNT, columnsOf } from './algorithms.js'

/*
 * The DAG Explorer's web console draws and saves as a workflow's `schema` (a JSON string inside the JSON body):
 * {"datasources": […], "tasks": […], "deps": […]}, as the vendor's QA suite sends twelve of them. A task reads
 * its graph from NebulaGraph or from the tasks upstream of it (datasource "dependence"); its `spec` holds the
 * algorithm's parameters as strings, `${name}` placeholders among them, which a job's input fills; `graph` is
 * the console's drawing of it (its params and its output columns); a dep feeds an upstream task's rows to its
 * downstream, as edges (spec.input) or as parameter values taken from a column (spec.params).
 */

const DagParam = Type.Object({ name: Type.Optional(Type.String()) })

const DagTask = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  type: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.String()),
  spec: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  graph: Type.Optional(Type.Object({
    params: Type.Optional(Type.Array(DagParam)),
    output: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
  })),
  datasource: Type.Optional(Type.Object({
    type: Type.Optional(Type.String()),
    spec: Type.Optional(Type.Object({ type: Type.Optional(Type.String()), space: Type.Optional(Type.String()) })),
  })),
})

const DagDep = Type.Object({
  src: Type.String(),
  dst: Type.String(),
  spec: Type.Optional(Type.Object({
    input: Type.Optional(Type.Unknown()),
    params: Type.Optional(Type.Array(Type.Object({ name: Type.String(), columnIndex: Type.Integer({ minimum: 0 }) }))),
  })),
})

/** The parts of a console DAG the sandbox runs; anything else in it is kept (in the stored string) and not read. */
export const ConsoleDag = Type.Object({
  tasks: Type.Array(DagTask, { maxItems: 100 }),
  deps: Type.Optional(Type.Array(DagDep)),
})
export type ConsoleDag = Static<typeof ConsoleDag>

let checkDag: ReturnType<typeof TypeCompiler.Compile<typeof ConsoleDag>> | undefined

/** A parameter an upstream task feeds: its value is the upstream's first row's cell in `column` (1-based). */
export interface FedParam {
  name: string
  from: string
  column: number
}

/** What a job needs of a console task beyond its columns: how it reads its input, as stored with it. */
export interface DagTaskPlan {
  /** analytics_pagerank → pagerank, nebula_ngql → query. */
  algorithm: string
  /** The spec's string values, ${name} placeholders and all (the nGQL of a query among them). */
  spec: Record<string, string>
  /** Upstream tasks whose rows it reads. */
  reads: string[]
  fed: FedParam[]
  /** It reads its graph from upstream (datasource "dependence"), not from NebulaGraph. */
  dependence: boolean
  /** The NebulaGraph space its datasource reads, if it names one. */
  space?: string
}

export interface DagWorkflowTask {
  id: string
  name: string
  columns: string[]
  /** The parameters a job's input must give it (those an upstream feeds are not among them). */
  params: string[]
  dag: DagTaskPlan
}

const PLACEHOLDER = /\$\{([^}]+)\}/g

/**
 * A console DAG's tasks in the order a job runs them (upstream first, else as drawn), or none: a schema that
 * is not such a DAG (the console stores any string), or one whose deps go round in a circle, has nothing to run.
 */
export function tasksOfDag(schema: string): DagWorkflowTask[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(schema)
  } catch {
    return []
  }
  checkDag ??= TypeCompiler.Compile(ConsoleDag)
  if (!checkDag.Check(parsed)) return []
  const ids = new Set(parsed.tasks.map((task) => task.id))
  if (ids.size !== parsed.tasks.length) return []
  const deps = (parsed.deps ?? []).filter((dep) => ids.has(dep.src) && ids.has(dep.dst) && dep.src !== dep.dst)
  const order = upstreamFirst(parsed.tasks.map((task) => task.id), deps)
  if (order === undefined) return []
  const byId = new Map(parsed.tasks.map((task) => [task.id, task]))
  return order.map((id) => planOf(byId.get(id) as Static<typeof DagTask>, deps.filter((dep) => dep.dst === id)))
}

/** Kahn's order, taking the first task drawn whenever several are ready; undefined on a cycle. */
function upstreamFirst(ids: string[], deps: Static<typeof DagDep>[]): string[] | undefined {
  const waiting = new Map(ids.map((id) => [id, deps.filter((dep) => dep.dst === id).length]))
  const order: string[] = []
  while (order.length < ids.length) {
    const ready = ids.find((id) => waiting.get(id) === 0)
    if (ready === undefined) return undefined
    waiting.set(ready, -1)
    order.push(ready)
    for (const dep of deps) if (dep.src === ready) waiting.set(dep.dst, (waiting.get(dep.dst) as number) - 1)
  }
  return order
}

function planOf(task: Static<typeof DagTask>, upstream: Static<typeof DagDep>[]): DagWorkflowTask {
  const algorithm = task.type === 'nebula_ngql' ? 'query' : task.type.replace(/^analytics_/, '')
  const spec: Record<string, string> = {}
  for (const [key, value] of Object.entries(task.spec ?? {})) if (typeof value === 'string') spec[key] = value
  const fed = upstream.flatMap((dep) => (dep.spec?.params ?? []).map((param) => ({ name: param.name, from: dep.src, column: param.columnIndex })))
  const fedNames = new Set(fed.map((param) => param.name))
  const declared = (task.graph?.params ?? []).flatMap((param) => (param.name ? [param.name] : []))
  const placeholders = Object.values(spec).flatMap((value) => [...value.matchAll(PLACEHOLDER)].map((match) => match[1] as string))
  const params = [...new Set([...declared, ...placeholders])].filter((name) => !fedNames.has(name))
  return {
    id: task.id,
    name: task.name?.trim() || algorithm,
    columns: columnsOfTask(algorithm, spec, (task.graph?.output ?? []).map((column) => column.name).filter((name) => name !== '')),
    params,
    dag: {
      algorithm,
      spec,
      reads: [...new Set(upstream.map((dep) => dep.src))],
      fed,
      dependence: task.datasource?.spec?.type === 'dependence',
      ...(task.datasource?.spec?.space ? { space: task.datasource.spec.space } : {}),
    },
  }
}

/**
 * The columns a task's result has: those its drawing declares, but for a triangle count, whose `opt` decides
 * (NebulaGraph Analytics: 1 the graph's count, 2 each vertex's, 3 every triangle; the suite reads one column
 * where the console declares three for opt 1). With none declared, the algorithm's own.
 */
function columnsOfTask(algorithm: string, spec: Record<string, string>, declared: string[]): string[] {
  if (algorithm === 'triangle_count') {
    if (spec.opt === '1') return ['count']
    if (spec.opt === '2') return ['id', 'value']
    return ['id', 'id2', 'id3']
  }
  if (declared.length > 0) return declared
  return columnsOf(algorithm.replace(/_/g, '')) ?? ['vid', 'value']
}

/** The spec keys an algorithm cannot run without: empty after the input fills them, the controller refuses the job. */
const NEEDS: Record<string, readonly string[]> = {
  query: ['ngql'],
  sssp: ['root'],
  bfs: ['root'],
  bnc: ['chosen'],
  jaccard_similarity: ['ids1', 'ids2'],
}

/**
 * The spec with each placeholder filled from the input; one the input does not fill is one an upstream
 * feeds (a job must give every other), and holds `fedValue`.
 */
export function fillSpec(plan: DagTaskPlan, input: Record<string, string | number> | undefined, fedValue: string): Record<string, string> {
  const filled: Record<string, string> = {}
  for (const [key, value] of Object.entries(plan.spec)) {
    filled[key] = value.replace(PLACEHOLDER, (_whole, name: string) => String(input?.[name] ?? fedValue))
  }
  return filled
}

/** The first spec key the algorithm needs that is empty, if any. */
export function missingNeed(algorithm: string, spec: Record<string, string>): string | undefined {
  return (NEEDS[algorithm] ?? []).find((key) => (spec[key] ?? '').trim() === '')
}

/**
 * Rows a task gives by default, from what its spec says: a query of expressions only (RETURN or YIELD with
 * no MATCH, GO, FETCH, LOOKUP or path) one, a query's LIMIT at most that many of the graph's vertices, a
 * graph-wide triangle count one, a Jaccard similarity one a pair of ids1 × ids2; else one a vertex.
 */
export function defaultRowCount(algorithm: string, spec: Record<string, string>): number {
  if (algorithm === 'query') {
    const ngql = spec.ngql ?? ''
    const reads = /\b(match|go|fetch|lookup|find|get|show)\b/i.test(ngql)
    if (!reads && /^\s*(return|yield)\b/i.test(ngql)) return 1
    const limit = /\blimit\s+(\d+)\s*;?\s*$/i.exec(ngql)
    return limit ? Math.min(Number(limit[1]), DEFAULT_ROW_COUNT) : DEFAULT_ROW_COUNT
  }
  if (algorithm === 'triangle_count' && spec.opt === '1') return 1
  if (algorithm === 'jaccard_similarity') {
    const count = (ids: string | undefined) => (ids ?? '').split(',').filter((id) => id.trim() !== '').length
    return count(spec.ids1) * count(spec.ids2)
  }
  return DEFAULT_ROW_COUNT
}

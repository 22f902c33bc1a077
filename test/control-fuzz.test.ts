import fc from 'fast-check'
import t from 'tap'
import { fuzzSandbox } from './helpers/fuzz.js'
import { CREDENTIALS } from './helpers/sandbox.js'
import { SQL_CANARY, storeDigest } from './helpers/store.js'

/*
 * The control API's bodies, fuzzed past their first checks: each request
 * starts from a body the API accepts (a scenario of each vendor, a clock
 * change, fault rules) and mutates one to three places in it (a field
 * dropped, replaced by awkward JSON, an unknown field added, a value wrapped
 * in an array or repeated), so that most requests reach the simulations'
 * own rules rather than the schema. For each: no 5xx and nothing logged at
 * error level, the answer matches the document, a refusal changes no row,
 * and whatever a 201 says it created answers its vendor's reads within the
 * document. The seed is fixed; RESULTBOX_FUZZ_RUNS asks for more.
 */

const RUNS = Math.max(50, Math.round(Number(process.env.RESULTBOX_FUZZ_RUNS ?? 400) * 0.75))
const SEED = 20261124
const { app, errors, violations, sqlWithCanary } = await fuzzSandbox(t, { RESULTBOX_SCENARIO_MAX_BYTES: '262144' })

const db = app.resultbox.db

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

interface Operation {
  method: 'POST' | 'PUT'
  url: string
  bases: Json[]
}

const OPERATIONS: Operation[] = [
  {
    method: 'POST',
    url: '/_resultbox/scenarios/prpm',
    bases: [
      {},
      { case_count: 4, plugins: [{ plugin: 'plugin-knn-next-activity', finishes_after_ms: 500 }, { plugin: 'plugin-random-forest-alarm', fails: true }] },
      { project_status: 'TRAINED', result_key: 'Fuzz0001' },
      { project_id: 1, case_count: 1 },
      { training: { preprocessing_ms: 0, training_ms: 100 } },
    ],
  },
  {
    method: 'POST',
    url: '/_resultbox/scenarios/explorer',
    bases: [
      {},
      { workflow_id: '4' },
      { job_id: 70001, tasks: [{ name: 'Jaccard' }, { id: 'query_1', name: 'BFS', columns: ['ROOT', 'VISITED'] }] },
      { tasks: [{ name: 'PageRank', rows: [['player100', '0.150000'], ['team200', '0.300000']] }] },
    ],
  },
  {
    method: 'POST',
    url: '/_resultbox/scenarios/modelarts',
    bases: [
      {},
      { sample_counts: { retained: 2, modified: 1, deleted: 1, added: 1 }, runs_for_ms: 0 },
      { task_id: 'SNEJua7qdZZN8GvkcEr', outcome: 'failed', starts_after_ms: 0 },
      { samples: [{ origin_source: 'obs://bucket/in/1.jpg', result_property: 0 }], outcome: 'stopped' },
    ],
  },
  {
    method: 'POST',
    url: '/_resultbox/clock',
    bases: [{ advance_ms: 1000 }, { speed: 2 }, { frozen: true }, { set: '2026-01-02T00:00:00.000Z' }],
  },
  {
    method: 'PUT',
    url: '/_resultbox/faults',
    bases: [
      { seed: 1, rules: [{ vendor: 'prpm', operation: 'getResult', error: { status: 503, probability: 0.5 } }] },
      { rules: [{ vendor: 'explorer', latency: { fixed_ms: 0 } }, { vendor: 'modelarts', error: { status: 429, body: { a: 1 }, headers: { 'retry-after': '1' } } }] },
    ],
  },
]

const awkward = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(-1, 0, -0, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, '', SQL_CANARY, 'x'.repeat(5000), [], {}, null, true,
    '2026-13-45T99:99:99Z', '1970-01-01T00:00:00Z', 'PageRank', 'TRAINED', 'obs://bucket/x', 'SNEJua7qdZZN8GvkcEr', '29987', 1, 4, 29987),
  fc.string({ maxLength: 30 }),
)

const mutation = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 4 }),
  kind: fc.constantFrom('delete', 'replace', 'replace', 'add', 'wrap', 'repeat'),
  name: fc.constantFrom('x', 'rules', 'rows', 'plugins', 'tasks', 'samples', '__proto__', 'constructor', SQL_CANARY),
  value: awkward,
})
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never

/** Follows the steps down from the root, then changes what it reached (or the container it stopped in). */
function mutate(root: Json, { steps, kind, name, value }: Mutation): Json {
  const wrapper: { root: Json } = { root: structuredClone(root) }
  let parent: Record<string, Json> | Json[] = wrapper as unknown as Record<string, Json>
  let key: string | number = 'root'
  for (const step of steps) {
    const current = (parent as Record<string, Json>)[key as string] as Json
    if (current === null || typeof current !== 'object') break
    const keys: (string | number)[] = Array.isArray(current) ? current.map((_item, index) => index) : Object.keys(current)
    if (keys.length === 0) break
    parent = current
    key = keys[step % keys.length] as string | number
  }
  const slot = parent as Record<string | number, Json>
  const target = slot[key] as Json
  if (kind === 'delete' && key !== 'root') {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else delete slot[key]
  } else if (kind === 'add' && target !== null && typeof target === 'object' && !Array.isArray(target)) {
    // defineProperty, so that "__proto__" becomes a key as JSON.parse would make it.
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
  } else if (kind === 'wrap') {
    slot[key] = [target]
  } else if (kind === 'repeat' && Array.isArray(target)) {
    target.push(...target)
  } else {
    slot[key] = value
  }
  return wrapper.root
}

const drawn = fc.constantFrom(...OPERATIONS).chain((operation) =>
  fc.record({
    operation: fc.constant(operation),
    base: fc.constantFrom(...operation.bases),
    mutations: fc.array(mutation, { minLength: 0, maxLength: 3 }),
  }))

/** The vendor reads a created scenario points at, with that vendor's credentials. */
function createdUrls(url: string, created: Record<string, unknown>): [string, Record<string, string>][] {
  const strings = (...names: string[]) => names.map((name) => created[name]).filter((value): value is string => typeof value === 'string')
  if (url.endsWith('/prpm')) return strings('project_url', 'result_url').map((read) => [read, CREDENTIALS.prpm])
  if (url.endsWith('/explorer')) return [...strings('job_url'), ...((created.sample_result_urls as string[] | undefined) ?? [])].map((read) => [read, CREDENTIALS.explorer])
  return strings('task_url', 'version_url', 'results_url').map((read) => [read, CREDENTIALS.modelarts])
}

t.test(`${RUNS} mutated control bodies: no 5xx, the document kept, refusals change nothing, what is created reads`, async (t) => {
  let runs = 0
  let created = 0
  let refused = 0
  const statuses = new Map<string, number>()
  await fc.assert(
    fc.asyncProperty(drawn, async ({ operation, base, mutations }) => {
      const body = mutations.reduce<Json>((current, change) => mutate(current, change), base)
      const payload = JSON.stringify(body)
      const before = storeDigest(db)
      const errorsBefore = errors.length
      const violationsBefore = violations.length
      const res = await app.inject({ method: operation.method, url: operation.url, payload, headers: { 'content-type': 'application/json' } })
      const tag = `${operation.method} ${operation.url} ${payload.slice(0, 300)}`
      const outcome = `${operation.url.split('/').slice(2).join('/')} ${res.statusCode}`
      statuses.set(outcome, (statuses.get(outcome) ?? 0) + 1)
      if (res.statusCode >= 500) throw new Error(`${tag} answered ${res.statusCode}: ${res.body}`)
      if (res.statusCode >= 400) {
        refused++
        if (storeDigest(db) !== before) throw new Error(`${tag} was refused (${res.statusCode}) yet changed the store`)
      } else if (operation.url.includes('/scenarios/')) {
        created++
        for (const [read, headers] of createdUrls(operation.url, res.json())) {
          const answer = await app.inject({ method: 'GET', url: read, headers })
          if (answer.statusCode === 404) throw new Error(`${tag} created ${read}, which answers 404`)
        }
      }
      // Each run starts as the first did: no fault rules to fail its reads, a frozen clock (a running one
      // would write due work between the digests), and every 200 runs the fixtures alone, so the digest stays quick.
      if (operation.url.endsWith('/faults')) await app.inject({ method: 'DELETE', url: '/_resultbox/faults' })
      if (operation.url.endsWith('/clock')) await app.inject({ method: 'POST', url: '/_resultbox/clock', payload: { frozen: true } })
      if (++runs % 200 === 0) await app.inject({ method: 'POST', url: '/_resultbox/state/reset' })
      if (errors.length > errorsBefore) throw new Error(`${tag} logged an error: ${JSON.stringify(errors.at(-1))}`)
      if (violations.length > violationsBefore) throw new Error(`${tag} broke the document: ${JSON.stringify(violations.at(-1))}`)
      if (sqlWithCanary.length > 0) throw new Error(`${tag} put a value into SQL text: ${sqlWithCanary[0]}`)
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  )
  t.ok(created > RUNS / 10, `a good share of mutated scenarios are still created (${created} of ${RUNS})`)
  t.ok(refused > RUNS / 4, `and many are refused (${refused} of ${RUNS})`)
  t.comment(`outcomes: ${[...statuses].sort().map(([outcome, count]) => `${outcome}×${count}`).join(', ')}`)
})

import fc from 'fast-check'
import t from 'tap'
import type { OpenApiDocument } from '../src/contract/document.js'
import { fuzzSandbox } from './helpers/fuzz.js'
import { SQL_CANARY, storeDigest as digestOf } from './helpers/store.js'

/*
 * Whatever a client under test sends, resultbox answers in the vendor's
 * envelope and keeps its state. fast-check draws requests against every
 * route of the OpenAPI document (and paths of no route): path values, query
 * strings, credentials, content types and bodies, well-formed or not. For
 * each: nothing is logged at error level (no unhandled failure), no 5xx but
 * the vendor's own, the answer matches the document (response validation is
 * on), a refused request leaves the store exactly as it was, and no drawn
 * value ever appears in SQL text. The seed is fixed; RESULTBOX_FUZZ_RUNS asks
 * for more runs than CI's.
 */

const RUNS = Number(process.env.RESULTBOX_FUZZ_RUNS ?? 400)
const SEED = 20261123

/*
 * Document violations known and not yet fixed: each drawn request that meets one is counted and
 * reported in the test's output, and fails nothing (the store check still applies). Empty is the goal.
 */
interface KnownViolation {
  operationIds: string[]
  status: number
  why: string
}
const KNOWN: KnownViolation[] = []
const knownHits = new Map<KnownViolation, number>()

const { app, errors, violations, sqlWithCanary } = await fuzzSandbox(t, { RESULTBOX_UPLOAD_MAX_BYTES: '65536' })

const storeDigest = () => digestOf(app.resultbox.db)

const document = (await app.inject('/_resultbox/openapi.json')).json() as OpenApiDocument
const routes = Object.entries(document.paths).flatMap(([template, item]) =>
  Object.keys(item).map((method) => ({ method: method.toUpperCase(), template })))

const FIXTURE_VALUES = ['1', '2', '3', 'dVbQ3x7K', '29987', '29988', '4', '8c171f70fb6f11ecac7e6da0662c195b', 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60', 'SNEJua7qdZZN8GvkcEr', '7PoIhUzSk92OglQrTxr', 'prpm']
const awkward = fc.oneof(
  fc.constantFrom(...FIXTURE_VALUES),
  fc.constantFrom(SQL_CANARY, '', '0', '-1', '1.5', '1e3', '99999999999999999999', 'NaN', 'null', '%00', '%2e%2e%2f', '..', '%', '%zz', 'é', '💥', ' ', 'a'.repeat(300)),
  fc.integer().map(String),
  fc.string({ maxLength: 20 }),
)
const segment = awkward.map((value) => (/^%/.test(value) ? value : encodeURIComponent(value)))

const QUERY_NAMES = ['limit', 'offset', 'result_property', 'process_parameter', 'page', 'pageSize', 'filter', 'vendor', 'operation', 'method', 'path', 'status', 'x']
const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), awkward), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${/^%/.test(value) ? value : encodeURIComponent(value)}`).join('&')}`))

const credentials = fc.constantFrom<Record<string, string>>(
  {},
  { authorization: 'Bearer resultbox' },
  { cookie: 'explorer_token=resultbox' },
  { 'x-auth-token': 'resultbox' },
  { authorization: 'Bearer resultbox', cookie: 'explorer_token=resultbox', 'x-auth-token': 'resultbox' },
  { authorization: 'Basic cm9vdDoxMjM=' },
  { authorization: 'Bearer' },
  { authorization: `Bearer ${'x'.repeat(4096)}` },
  { authorization: `Bearer ${Buffer.from('root:123').toString('base64')}` },
  { cookie: 'explorer_token=' },
  { 'x-auth-token': 'resultbox=other' },
)

const contentTypes = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml',
  'multipart/form-data', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'application/octet-stream', 'garbage')

const bodies = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }).map((text) => text.slice(0, Math.max(0, text.length - 1))),
  fc.string({ maxLength: 200 }),
  fc.constant('{"columns_definition":{"Case ID":"CASE_ID"},"event_log_id":"1","rules":[{"vendor":"prpm"}],"advance_ms":-5}'),
  fc.constant(JSON.stringify({ address: SQL_CANARY, port: 9669, event_log_id: 1, input: { [SQL_CANARY]: { name: SQL_CANARY } } })),
  fc.constant('--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\ncase,activity\r\n1,A\r\n--x--\r\n'),
  fc.constant(`{"filler":"${'x'.repeat(70_000)}"}`),
)

function isJsonObject(text: string | undefined): boolean {
  try {
    const value: unknown = text === undefined ? undefined : JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value)
  } catch {
    return false
  }
}

const request = fc.record({
  route: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...routes) }, { weight: 1, arbitrary: fc.record({ method: fc.constantFrom('GET', 'POST', 'PATCH'), template: fc.constantFrom('/nope', '/v2/x', '/api-open/v1/x', '/_resultbox/x', '/project/{a}/result/{b}/more') }) }),
  values: fc.array(segment, { minLength: 4, maxLength: 4 }),
  query,
  credentials,
  contentType: contentTypes,
  body: bodies,
})

t.test(`${RUNS} drawn requests: no unhandled failure, the document kept, a refusal changes nothing`, async (t) => {
  let refused = 0
  const statuses = new Map<number, number>()
  await fc.assert(
    fc.asyncProperty(request, async ({ route, values, query: search, credentials: headers, contentType, body }) => {
      let index = 0
      const url = route.template.replace(/\{[^}]+\}/g, () => values[index++ % values.length] as string) + search
      const before = storeDigest()
      const errorsBefore = errors.length
      const violationsBefore = violations.length
      const res = await app.inject({
        method: route.method as 'GET',
        url,
        headers: { ...headers, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
        ...(body === undefined || route.method === 'GET' ? {} : { payload: body }),
      })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      const violation = violations.length > violationsBefore ? violations.at(-1) : undefined
      const known = violation && violations.length === violationsBefore + 1
        ? KNOWN.find((entry) => entry.status === violation.status && entry.operationIds.includes(violation.operationId))
        : undefined
      if (known) {
        knownHits.set(known, (knownHits.get(known) ?? 0) + 1)
        refused++
        if (storeDigest() !== before) throw new Error(`${route.method} ${url} was refused (${violation?.status}) yet changed the store`)
        return
      }
      // No fault rule is set: the 5xx allowed are the vendors' own, Explorer's answer to an unknown job or workflow (vendors.md)
      // and PrCore's to a streamed event that is not a JSON object, which its handler reads itself (prpm-api.md §6).
      const explorerOwn = (url.startsWith('/api-open/') || url.startsWith('/api-analytics/')) && /^\{"code":50004001,"message":"ErrInternalDatabase::((job|workflow|flow|task) .* not found( in job \d+)?|no result at .*)"\}$/.test(res.body)
      const prcoreOwn = route.method === 'POST' && /^\/project\/[^/]+\/stream\/event$/.test(url.split('?')[0] as string) && !isJsonObject(body) &&
        res.statusCode === 500 && res.body === 'Internal server error'
      if (res.statusCode >= 500 && !explorerOwn && !prcoreOwn) {
        throw new Error(`${route.method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
      }
      if (errors.length > errorsBefore) throw new Error(`${route.method} ${url} logged an error: ${JSON.stringify(errors.at(-1))}`)
      if (violations.length > violationsBefore) throw new Error(`${route.method} ${url} broke the document: ${JSON.stringify(violations.at(-1))}`)
      if (sqlWithCanary.length > 0) throw new Error(`${route.method} ${url} put a value into SQL text: ${sqlWithCanary[0]}`)
      if (res.statusCode >= 400) {
        refused++
        if (storeDigest() !== before) throw new Error(`${route.method} ${url} was refused (${res.statusCode}) yet changed the store`)
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  )
  t.ok(refused > RUNS / 2, `most drawn requests are refused (${refused} of ${RUNS})`)
  for (const [entry, hits] of knownHits) t.comment(`KNOWN (not yet fixed) ${hits}×: ${entry.operationIds.join(', ')} → ${entry.status}: ${entry.why}`)
  t.comment(`statuses: ${[...statuses].sort((a, b) => a[0] - b[0]).map(([status, count]) => `${status}×${count}`).join(' ')}`)
})

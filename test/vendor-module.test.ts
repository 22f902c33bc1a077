import net from 'node:net'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { VENDORS, buildApp, loadConfig, SandboxClock, type VendorModule } from '../src/index.js'
import { ACME_KEY, ACME_PREFIX, acmeVendor } from './helpers/acme.js'
import { rawRequest } from './helpers/raw.js'
import { START } from './helpers/sandbox.js'

/*
 * A vendor plugs in as one module: given a fourth one, every shared layer (routing, envelopes, faults,
 * the journal, scenarios, state and reset, timed work, the document, the HTTP parser's refusals) serves
 * it without naming it, and the three built-in vendors are untouched.
 */


async function sandboxWith(test: Test, vendors: readonly VendorModule[], env: Record<string, string> = {}): Promise<{ app: FastifyInstance; clock: SandboxClock }> {
  const clock = new SandboxClock({ start: START, frozen: true })
  const config = loadConfig({ RESULTBOX_DB: ':memory:', LOG_LEVEL: 'silent', RESULTBOX_VALIDATE_RESPONSES: 'true', ...env })
  const app = await buildApp({
    config,
    clock,
    logger: false,
    vendors,
    onContractViolation: (violation) => test.fail(`${violation.operationId} answered ${violation.status} against its OpenAPI document`, { violation }),
  })
  await app.ready()
  test.teardown(() => app.close())
  return { app, clock }
}

const withAcme = () => [...VENDORS, acmeVendor()]

t.test('a fourth vendor answers under its prefix, with its auth, envelope and headers', async (t) => {
  const { app } = await sandboxWith(t, withAcme())
  const job = await app.inject({ url: `${ACME_PREFIX}/jobs/1`, headers: ACME_KEY })
  t.equal(job.statusCode, 200)
  t.strictSame(job.json(), { id: 1, status: 'done' })
  t.equal(job.headers['x-acme-region'], 'test-1')

  const noKey = await app.inject({ url: `${ACME_PREFIX}/jobs/1` })
  t.equal(noKey.statusCode, 401)
  t.strictSame(noKey.json(), { acme_error: { code: 'NO_KEY', message: 'x-acme-key is missing or wrong' } })

  const unknown = await app.inject({ url: `${ACME_PREFIX}/nothing/here`, headers: ACME_KEY })
  t.equal(unknown.statusCode, 404)
  t.strictSame(unknown.json(), { acme_error: { code: 'NO_SUCH_PATH', message: 'no such path' } })

  // Its bodies are taken as sent (coercesBodyTypes false), and refused in its envelope.
  const asSent = await app.inject({ method: 'POST', url: `${ACME_PREFIX}/jobs`, headers: ACME_KEY, payload: { count: '5' } })
  t.equal(asSent.statusCode, 400)
  t.strictSame(asSent.json(), { acme_error: { code: 'BAD_PARAMETER', message: 'body count is invalid' } })
  const unreadable = await app.inject({ method: 'POST', url: `${ACME_PREFIX}/jobs`, headers: { ...ACME_KEY, 'content-type': 'application/json' }, payload: '{"count":' })
  t.equal(unreadable.statusCode, 400)
  t.equal(unreadable.json().acme_error.code, 'UNREADABLE')

  // The root is still PrCore's, and the other vendors are where they were.
  const root = await app.inject({ url: '/acme' })
  t.equal(root.statusCode, 404)
  t.strictSame(root.json(), { detail: 'Not Found' })
  const explorer = await app.inject({ url: '/api-open/v1/jobs/1' })
  t.equal(explorer.statusCode, 401, 'Explorer still wants its token')
  t.match(explorer.headers.traceparent, /^00-/)
})

t.test('fault rules and the journal know it by its name', async (t) => {
  const { app } = await sandboxWith(t, withAcme())
  const faults = await app.inject({ method: 'PUT', url: '/_resultbox/faults', payload: { rules: [{ vendor: 'acme', operation: 'getAcmeJob', error: { status: 503 } }] } })
  t.equal(faults.statusCode, 200)
  const failed = await app.inject({ url: `${ACME_PREFIX}/jobs/1`, headers: ACME_KEY })
  t.equal(failed.statusCode, 503)
  t.strictSame(failed.json(), { acme_error: { code: 'INJECTED', message: 'injected' } })
  t.equal(failed.headers['x-acme-region'], 'test-1')

  const nobody = await app.inject({ method: 'PUT', url: '/_resultbox/faults', payload: { rules: [{ vendor: 'nobody', error: { status: 503 } }] } })
  t.equal(nobody.statusCode, 400, 'a rule for a vendor the sandbox does not serve is refused')
  t.equal(nobody.json().field, '/rules/0/vendor')

  const journal = await app.inject({ url: '/_resultbox/requests?vendor=acme' })
  t.equal(journal.statusCode, 200)
  const entries = journal.json().requests as Array<{ vendor: string; operation: string; status: number; fault: { injected_status: number } | null }>
  t.strictSame(entries.map((entry) => [entry.vendor, entry.operation, entry.status, entry.fault?.injected_status ?? null]), [['acme', 'getAcmeJob', 503, 503]])
})

t.test('its scenario runs on the sandbox clock, the state shows it, and a reset takes it back', async (t) => {
  const { app, clock } = await sandboxWith(t, withAcme())
  const created = await app.inject({ method: 'POST', url: '/_resultbox/scenarios/acme', payload: { finishes_after_ms: 1500 } })
  t.equal(created.statusCode, 201)
  t.strictSame(created.json(), { job_id: 2, job_url: `${ACME_PREFIX}/jobs/2` })
  const read = async () => (await app.inject({ url: `${ACME_PREFIX}/jobs/2`, headers: ACME_KEY })).json()
  t.strictSame(await read(), { id: 2, status: 'running' })

  const state = (await app.inject({ url: '/_resultbox/state' })).json()
  t.strictSame(Object.keys(state), ['clock', 'prpm', 'explorer', 'modelarts', 'acme'])
  t.strictSame(state.acme, { jobs: [{ id: 2, status: 'running' }, { id: 1, status: 'done' }], total: 2 })

  clock.advance(1499)
  t.strictSame(await read(), { id: 2, status: 'running' })
  clock.advance(1)
  t.strictSame(await read(), { id: 2, status: 'done' }, 'its timed work ran when due')

  const reset = await app.inject({ method: 'POST', url: '/_resultbox/state/reset?vendor=acme' })
  t.equal(reset.statusCode, 200)
  t.strictSame(reset.json().reset, ['acme'])
  t.equal((await app.inject({ url: `${ACME_PREFIX}/jobs/2`, headers: ACME_KEY })).statusCode, 404)
  const all = await app.inject({ method: 'POST', url: '/_resultbox/state/reset' })
  t.strictSame(all.json().reset, ['prpm', 'explorer', 'modelarts', 'acme'])
})

t.test('the document has its part: tag, auth, headers and examples', async (t) => {
  const { app } = await sandboxWith(t, withAcme())
  const whole = (await app.inject({ url: '/_resultbox/openapi.json' })).json()
  t.strictSame(whole.tags.map((tag: { name: string }) => tag.name), ['prpm', 'explorer', 'modelarts', 'acme', 'control'])
  t.match(whole.info.description, 'vendor=prpm|explorer|modelarts|acme|control')

  const part = await app.inject({ url: '/_resultbox/openapi.json?vendor=acme' })
  t.equal(part.statusCode, 200)
  const document = part.json()
  t.strictSame(Object.keys(document.paths).sort(), [`${ACME_PREFIX}/jobs`, `${ACME_PREFIX}/jobs/{id}`])
  t.strictSame(Object.keys(document.components.securitySchemes), ['acmeKey'])
  const getJob = document.paths[`${ACME_PREFIX}/jobs/{id}`].get
  t.strictSame(getJob.security, [{ acmeKey: [] }])
  t.equal(getJob.responses['200'].headers['X-Acme-Region'].schema.const, 'test-1')
  t.strictSame(getJob.responses['200'].content['application/json'].examples, { done: { value: { id: 1, status: 'done' } } })
  t.equal((await app.inject({ url: '/_resultbox/openapi.json?vendor=nobody' })).statusCode, 400)
})

t.test('the large set seeds it too', async (t) => {
  const { app } = await sandboxWith(t, withAcme(), { RESULTBOX_FIXTURE_SCALE: 'large' })
  t.equal((await app.inject({ url: `${ACME_PREFIX}/jobs/2`, headers: ACME_KEY })).statusCode, 200)
})

t.test('a request the HTTP parser refuses is answered in the envelope of the vendor its path names', async (t) => {
  const { app } = await sandboxWith(t, withAcme(), { RESULTBOX_HEADER_MAX_BYTES: '4096' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as net.AddressInfo
  const answer = await rawRequest(port, `GET ${ACME_PREFIX}/jobs/1 HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(8000)}\r\n\r\n`)
  t.equal(answer.status, 431)
  t.equal(answer.headers['x-acme-region'], 'test-1')
  t.match(answer.body, /"acme_error":\{"code":"UNREADABLE","message":"Request Header Fields Too Large"\}/)
})

t.test('a sandbox of fewer vendors: the first serves every path no other owns', async (t) => {
  const explorer = VENDORS.find((vendor) => vendor.name === 'explorer') as VendorModule
  const { app } = await sandboxWith(t, [explorer])
  const unknown = await app.inject({ url: '/project/1/result/abc' })
  t.equal(unknown.statusCode, 404)
  t.strictSame(unknown.json(), { code: 40404000, message: 'ErrNotFound::no such API' }, "Explorer's envelope, not PrCore's")
  t.strictSame(Object.keys((await app.inject({ url: '/_resultbox/state' })).json()), ['clock', 'explorer'])
  t.equal((await app.inject({ method: 'POST', url: '/_resultbox/scenarios/prpm', payload: {} })).statusCode, 404)
})

t.test('a module list that cannot work is refused before the sandbox starts', async (t) => {
  const config = loadConfig({ RESULTBOX_DB: ':memory:', LOG_LEVEL: 'silent' })
  const build = (vendors: readonly VendorModule[]) => buildApp({ config, logger: false, vendors })
  const acme = acmeVendor()
  await t.rejects(build([]), /at least one vendor/)
  await t.rejects(build([...VENDORS, acme, { ...acmeVendor(), prefixes: ['/acme/v2'] }]), /two vendors are named "acme"/)
  await t.rejects(build([...VENDORS, { ...acme, prefixes: ['/v2'] }]), /the prefix \/v2 is owned by both modelarts and acme/)
  await t.rejects(build([...VENDORS, { ...acme, prefixes: ['/'] }]), /the root \(\/\) is owned by both prpm and acme/)
  await t.rejects(build([...VENDORS, { ...acme, prefixes: ['/_resultbox/acme'] }]), /overlaps the control API's \/_resultbox/)
  await t.rejects(build([...VENDORS, { ...acme, prefixes: ['/acme/'] }]), /no trailing slash/)
  await t.rejects(build([...VENDORS, { ...acme, name: 'control' }]), /"control" names resultbox's own API/)
  await t.rejects(build([...VENDORS, { ...acme, name: 'Acme Corp' }]), /lower case/)
  // A route outside its prefixes would be journaled, faulted and enveloped as another vendor's.
  await t.rejects(build([...VENDORS, { ...acme, prefixes: ['/acme/v2'] }]), /acme's route GET \/acme\/v1\/jobs\/:id is outside its prefixes \(\/acme\/v2\)/)
  const clash = { ...acme, contract: { ...acme.contract, securitySchemes: { prpmBearer: { type: 'http', scheme: 'bearer' } } } }
  await t.rejects(build([...VENDORS, clash]), /security scheme prpmBearer of acme: another vendor has one of that name/)
})

t.test('its provider states join the catalogue; a setup that throws is a 500; the generic scenario state without an undo leaves its job', async (t) => {
  const { app } = await sandboxWith(t, withAcme())
  const catalogue = (await app.inject({ url: '/_resultbox/provider-states' })).json() as { states: { name: string; vendor: string | null; params: { name: string; type: string; description?: string; default?: unknown }[] }[] }
  const acme = catalogue.states.filter((state) => state.vendor === 'acme')
  t.strictSame(acme.map((state) => state.name), ['an acme job running', 'an acme store that fails'])
  t.strictSame(acme[0]?.params.map((param) => [param.name, param.type, param.default, param.description]), [
    ['finishes_after_ms', 'integer', 60_000, undefined],
    ['label', 'one of "string", "integer"', undefined, undefined],
    ['extra', 'any', undefined, undefined],
  ])
  t.match(catalogue.states.at(-1), { name: 'scenario', params: [{ name: 'vendor', type: 'one of "prpm", "explorer", "modelarts", "acme"' }] })

  const change = (body: object) => app.inject({ method: 'POST', url: '/_resultbox/provider-states', payload: body })
  const running = await change({ state: 'an acme job running', action: 'setup' })
  t.equal(running.statusCode, 200)
  const { job_id: jobId } = running.json() as { job_id: number }
  t.equal((await app.inject({ url: `${ACME_PREFIX}/jobs/${jobId}`, headers: ACME_KEY })).json().status, 'running')
  t.equal((await change({ state: 'an acme job running', action: 'teardown' })).statusCode, 200)
  t.equal((await app.inject({ url: `${ACME_PREFIX}/jobs/${jobId}`, headers: ACME_KEY })).statusCode, 404, 'its undo deleted the job')

  // The control API documents no 500 (nothing of resultbox's own answers one): checked without the document.
  const { app: unchecked } = await sandboxWith(t, withAcme(), { RESULTBOX_VALIDATE_RESPONSES: 'false' })
  const broken = await unchecked.inject({ method: 'POST', url: '/_resultbox/provider-states', payload: { state: 'an acme store that fails' } })
  t.equal(broken.statusCode, 500)
  t.strictSame(broken.json(), { error: 'internal', message: 'resultbox failed to carry this out; the log says why' })

  const params = { vendor: 'acme', finishes_after_ms: 5 }
  const made = (await change({ state: 'scenario', params })).json() as { job_id: number }
  t.equal((await change({ state: 'scenario', params, action: 'teardown' })).statusCode, 200)
  t.equal((await app.inject({ url: `${ACME_PREFIX}/jobs/${made.job_id}`, headers: ACME_KEY })).statusCode, 200, 'no undo: the job stays')
})

t.test('a vendor may declare no provider states; two states of one name (case and spaces aside) refuse to start', async (t) => {
  const plain = acmeVendor()
  const withoutStates: VendorModule = { ...plain, simulation: (context) => ({ ...plain.simulation(context), providerStates: undefined }) }
  const { app } = await sandboxWith(t, [...VENDORS, withoutStates])
  const catalogue = (await app.inject({ url: '/_resultbox/provider-states' })).json() as { states: { vendor: string | null }[] }
  t.notOk(catalogue.states.some((state) => state.vendor === 'acme'))

  const clashing: VendorModule = {
    ...plain,
    simulation: (context) => {
      const simulation = plain.simulation(context)
      return { ...simulation, providerStates: [{ ...(simulation.providerStates?.[0] as NonNullable<typeof simulation.providerStates>[number]), name: 'A  Running job' }] }
    },
  }
  await t.rejects(sandboxWith(t, [...VENDORS, clashing]), { message: 'two provider states are named "A  Running job"' })
})

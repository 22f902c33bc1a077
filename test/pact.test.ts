import { execFile } from 'node:child_process'
import fs from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import pact from '@pact-foundation/pact'
import { pactStateHandlers } from '../src/provider-states/pact.js'
import { huaweiSignedHeaders, sampleIdsInPageOrder, writePacts, type PactFiles } from './helpers/pacts.js'
import { listen } from './helpers/prpm-clients.js'
import { vendorRows } from './helpers/store.js'
import { startSandbox, tempDir } from './helpers/sandbox.js'

/*
 * Pact's own code on both sides: pact-js's PactV3 writes each vendor's consumer pact (test/helpers/pacts.ts),
 * pact-js's Verifier and the Rust CLI verifier replay them against resultbox, each verification in a named
 * sandbox of its own, the three at once. What a verifier reports is read from Pact's JSON report.
 */

process.env.PACT_DO_NOT_TRACK = 'true'
const { Verifier } = pact
type VerifierOptions = ConstructorParameters<typeof Verifier>[0]

const VENDORS = ['prpm', 'explorer', 'modelarts'] as const
type Vendor = (typeof VENDORS)[number]
const PROVIDERS: Record<Vendor, string> = { prpm: 'PrPM', explorer: 'NebulaGraph Explorer', modelarts: 'ModelArts' }
/** The interactions each vendor's pact holds (test/helpers/pacts.ts). */
const INTERACTIONS: Record<Vendor, number> = { prpm: 6, explorer: 5, modelarts: 4 }

interface Mismatch {
  path?: string
  mismatch?: string
  type: string
  expected?: unknown
  actual?: unknown
}
interface Report {
  result: boolean
  errors: { interaction: string; mismatch: { message?: string; mismatches?: Mismatch[]; type: string } }[]
  interactionResults: { description: string; providerStates: string[]; result: string }[]
}

/** A verification's outcome as Pact reports it: the JSON report, whether it passed or not. */
async function verify(options: VerifierOptions): Promise<{ passed: boolean; report: Report }> {
  try {
    const output = await new Verifier({ logLevel: 'error', ...options }).verifyProvider()
    return { passed: true, report: JSON.parse(output) as Report }
  } catch (error) {
    return { passed: false, report: JSON.parse((error as Error).message) as Report }
  }
}


interface Server {
  app: FastifyInstance
  base: string
  /** A named sandbox for one verification: its URL (what a verifier takes as the provider's base URL) and its world. */
  sandbox(name: string): Promise<{ url: string; world: FastifyInstance }>
}

async function server(t: Test): Promise<Server> {
  const { app } = await startSandbox(t)
  const base = await listen(app)
  return {
    app,
    base,
    async sandbox(name) {
      const response = await fetch(`${base}/_resultbox/sandboxes/${name}`, { method: 'PUT' })
      const view = await response.json() as { url: string }
      return { url: view.url, world: app.resultbox.sandboxes?.get(name)?.app as FastifyInstance }
    },
  }
}

let pacts: PactFiles
t.before(async () => {
  pacts = await writePacts(tempDir(t, 'resultbox-pacts-'))
})

/** Asserts that a verification passed every interaction of the vendor's pact, and left its sandbox as it found it. */
function passedEvery(t: Test, vendor: Vendor, outcome: { passed: boolean; report: Report }) {
  t.ok(outcome.passed, `${vendor}: the pact verifies`, { errors: outcome.report.errors })
  t.equal(outcome.report.interactionResults.length, INTERACTIONS[vendor], `${vendor}: every interaction was replayed`)
  t.strictSame(outcome.report.interactionResults.filter((result) => result.result !== 'OK'), [], `${vendor}: none failed`)
}

t.test('each vendor\'s pact verifies through POST /_resultbox/provider-states, in sandboxes of their own, at once', async (t) => {
  const { app, sandbox } = await server(t)
  const ownBefore = vendorRows(app.resultbox.db)
  const worlds = await Promise.all(VENDORS.map((vendor) => sandbox(`pact-url-${vendor}`)))
  const before = worlds.map(({ world }) => vendorRows(world.resultbox.db))
  const outcomes = await Promise.all(VENDORS.map((vendor, index) => {
    const { url } = worlds[index] as { url: string }
    return verify({ provider: PROVIDERS[vendor], providerBaseUrl: url, pactUrls: [pacts[vendor]], providerStatesSetupUrl: `${url}/_resultbox/provider-states` })
  }))
  VENDORS.forEach((vendor, index) => passedEvery(t, vendor, outcomes[index] as { passed: boolean; report: Report }))
  t.match(outcomes[1]?.report.interactionResults.find((result) => result.providerStates.length === 2), {
    providerStates: ['an Explorer session', 'a finished job with a PageRank task'], result: 'OK',
  }, 'two states composed in one interaction')
  VENDORS.forEach((vendor, index) => t.strictSame(vendorRows((worlds[index]?.world as FastifyInstance).resultbox.db), before[index], `${vendor}: the teardowns left the sandbox as it was`))
  t.strictSame(vendorRows(app.resultbox.db), ownBefore, 'the server\'s own world never saw them')
})

t.test('each vendor\'s pact verifies through pactStateHandlers (pact-js\'s stateHandlers), at once', async (t) => {
  const { sandbox } = await server(t)
  const worlds = await Promise.all(VENDORS.map((vendor) => sandbox(`pact-js-${vendor}`)))
  const before = worlds.map(({ world }) => vendorRows(world.resultbox.db))
  const outcomes = await Promise.all(VENDORS.map((vendor, index) => {
    const { url } = worlds[index] as { url: string }
    return verify({ provider: PROVIDERS[vendor], providerBaseUrl: url, pactUrls: [pacts[vendor]], stateHandlers: pactStateHandlers(url) })
  }))
  VENDORS.forEach((vendor, index) => passedEvery(t, vendor, outcomes[index] as { passed: boolean; report: Report }))
  VENDORS.forEach((vendor, index) => t.strictSame(vendorRows((worlds[index]?.world as FastifyInstance).resultbox.db), before[index], `${vendor}: the handlers' teardowns left the sandbox as it was`))
})

t.test('a pact that expects what the vendor does not do fails, with Pact\'s mismatch naming the field', async (t) => {
  const { sandbox } = await server(t)
  const worlds = await Promise.all(VENDORS.map((vendor) => sandbox(`pact-wrong-${vendor}`)))
  const outcomes = await Promise.all(VENDORS.map((vendor, index) => {
    const { url } = worlds[index] as { url: string }
    return verify({ provider: PROVIDERS[vendor], providerBaseUrl: url, pactUrls: [pacts.wrong[vendor]], stateHandlers: pactStateHandlers(url) })
  }))
  const mismatchesOf = (vendor: Vendor) => {
    const outcome = outcomes[VENDORS.indexOf(vendor)] as { passed: boolean; report: Report }
    t.notOk(outcome.passed, `${vendor}: the wrong pact fails`)
    t.equal(outcome.report.errors.length, 1)
    // In path order: Pact lists a body's mismatches in no fixed order.
    return [...(outcome.report.errors[0]?.mismatch.mismatches ?? [])].sort((a, b) => String(a.path).localeCompare(String(b.path)))
  }
  t.match(mismatchesOf('prpm'), [{ type: 'BodyMismatch', path: '$.cases', mismatch: /Expected null/ }], 'PrPM: cases are null while the result processes')
  t.match(mismatchesOf('explorer'), [{ type: 'BodyMismatch', path: '$.data.items', mismatch: /\(size 2\) to have minimum size of 30$/ }], 'Explorer: limit=2 gives two rows')
  // In page order: what a row offset of 2 gives is the third and fourth; the third page of two is the fifth and sixth.
  const ids = sampleIdsInPageOrder(10)
  t.match(mismatchesOf('modelarts'), [
    { type: 'BodyMismatch', path: '$.results[0].sample_id', mismatch: `Expected '${ids[4]}' (String) to be equal to '${ids[2]}' (String)` },
    { type: 'BodyMismatch', path: '$.results[1].sample_id', mismatch: `Expected '${ids[5]}' (String) to be equal to '${ids[3]}' (String)` },
  ], 'ModelArts: offset=2 is the third page, not the third row')
})

t.test('ModelArts requests signed with AK/SK go stale in a pact; a requestFilter signing again with Huawei\'s signer gets through', async (t) => {
  const { sandbox } = await server(t)
  const stale = await sandbox('pact-signed-stale')
  const refused = await verify({ provider: PROVIDERS.modelarts, providerBaseUrl: stale.url, pactUrls: [pacts.modelartsSigned] })
  t.notOk(refused.passed)
  t.match(refused.report.errors[0]?.mismatch.mismatches, [
    { type: 'BodyMismatch', path: '$', mismatch: /missing the following keys: name, task_id, version_count/ },
    { type: 'StatusMismatch', expected: 200, actual: 401 },
  ], 'the recorded request is refused')
  // What the verifier sent, sent again: the gateway's refusal says why.
  const interaction = (JSON.parse(fs.readFileSync(pacts.modelartsSigned, 'utf8')) as { interactions: { request: { path: string; headers: Record<string, string | string[]> } }[] }).interactions[0]
  const recorded = Object.fromEntries(Object.entries(interaction?.request.headers ?? {}).map(([name, value]) => [name, String(Array.isArray(value) ? value[0] : value)]))
  const answer = await fetch(`${stale.url}${interaction?.request.path}`, { headers: recorded })
  t.match(await answer.json(), { error_code: 'APIG.0301', error_msg: /signature expired, signature time:20260101T000000Z,/ })

  const resigned = await sandbox('pact-signed')
  const outcome = await verify({
    provider: PROVIDERS.modelarts,
    providerBaseUrl: resigned.url,
    pactUrls: [pacts.modelartsSigned],
    // pact-js's proxy forwards to providerBaseUrl + the request's path, keeping the Host it was sent: sign that.
    requestFilter: (request: IncomingMessage & { url: string }, _response: unknown, next: () => void) => {
      const sandboxPath = new URL(resigned.url).pathname
      for (const name of ['authorization', 'x-sdk-date']) delete request.headers[name]
      const signed = huaweiSignedHeaders(`http://${request.headers.host}${sandboxPath}${request.url}`, undefined, request.headers.host)
      for (const [name, value] of Object.entries(signed)) request.headers[name.toLowerCase()] = value
      next()
    },
  })
  t.ok(outcome.passed, 'signed again, it verifies', { errors: outcome.report.errors })
  t.equal(outcome.report.interactionResults.length, 1)
})

const require = createRequire(import.meta.url)
const run = promisify(execFile)

/** The Rust verifier CLI (`pact verifier`, from @pact-foundation/pact-cli), as a CI job runs it; its JSON report read back. */
async function cli(t: Test, args: string[]): Promise<{ code: number; report: Report }> {
  const reportFile = path.join(tempDir(t, 'resultbox-pact-cli-'), 'report.json')
  const bin = require.resolve('@pact-foundation/pact-cli/bin/pact-verifier.js')
  const code = await run(process.execPath, [bin, '--no-colour', '--loglevel', 'error', '--json', reportFile, ...args], { env: { ...process.env, PACT_DO_NOT_TRACK: 'true' } })
    .then(() => 0, (error: { code?: number }) => error.code ?? 1)
  return { code, report: JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report }
}

t.test('the Rust CLI verifier with --state-change-url, its state changes as a body and as a query string', async (t) => {
  const { base, sandbox } = await server(t)
  const { port } = new URL(base)
  const asBody = await sandbox('pact-cli-body')
  const asQuery = await sandbox('pact-cli-query')
  const before = vendorRows(asQuery.world.resultbox.db)
  const [body, query] = await Promise.all([
    cli(t, ['--file', pacts.prpm, '--hostname', '127.0.0.1', '--port', port, '--base-path', '/sandboxes/pact-cli-body',
      '--state-change-url', `${asBody.url}/_resultbox/provider-states`, '--state-change-teardown']),
    cli(t, ['--file', pacts.explorer, '--hostname', '127.0.0.1', '--port', port, '--base-path', '/sandboxes/pact-cli-query',
      '--state-change-url', `${asQuery.url}/_resultbox/provider-states`, '--state-change-as-query', '--state-change-teardown']),
  ])
  t.equal(body.code, 0, 'PrPM\'s pact, state changes as JSON bodies', { errors: body.report.errors })
  t.equal(body.report.interactionResults.length, INTERACTIONS.prpm)
  t.equal(query.code, 0, 'Explorer\'s pact, state changes as query strings', { errors: query.report.errors })
  t.equal(query.report.interactionResults.length, INTERACTIONS.explorer)
  t.strictSame(vendorRows(asQuery.world.resultbox.db), before, 'the query-string teardowns undid every setup')

  const wrong = await cli(t, ['--file', pacts.wrong.explorer, '--hostname', '127.0.0.1', '--port', port, '--base-path', '/sandboxes/pact-cli-query',
    '--state-change-url', `${asQuery.url}/_resultbox/provider-states`])
  t.equal(wrong.code, 1, 'a failing pact fails the CLI')
  t.match(wrong.report.errors[0]?.mismatch.mismatches, [{ path: '$.data.items' }])
  const unknown = await cli(t, ['--file', pacts.prpm, '--hostname', '127.0.0.1', '--port', port, '--base-path', '/sandboxes/pact-cli-body',
    '--state-change-url', `${base}/sandboxes/pact-cli-query/_resultbox/nowhere`])
  t.equal(unknown.code, 1, 'a state-change URL that answers 404 fails every interaction with a state')
  t.ok(unknown.report.errors.length > 0 && unknown.report.errors.every((error) => /state change/i.test(error.mismatch.message ?? '')), 'each failure says the state change failed')
})

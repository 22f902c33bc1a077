/**
 * Provider states in `npm run bench`: what a Pact verifier waits for before (and after) each interaction.
 * Each state is set up and torn down in a named sandbox, one after another over loopback as a verifier
 * does, beside the same server's GET /_resultbox/health timed in the same turns: the floor that any request
 * to it costs on this machine.
 */
import { send } from './http.js'
import type { Server } from './processes.js'

export interface ProviderStateBenchOptions {
  /** A resultbox on the default fixtures in memory, pinned as the other cases' servers are. */
  start(name: string): Promise<Server>
  log(message: string): void
}

/** The states a vendor's pact asks for most, with the params a consumer would give. */
const STATES: { state: string; params: Record<string, unknown> }[] = [
  { state: 'a trained project with a complete result', params: { case_count: 3 } },
  { state: 'a project whose result is still processing', params: { finished_plugins: ['plugin-knn-next-activity'] } },
  { state: 'an uploaded event log', params: {} },
  { state: 'a finished job with a PageRank task', params: {} },
  { state: 'a workflow with a required parameter', params: {} },
  { state: 'a completed version with samples', params: { samples: 10 } },
  { state: 'an expired token', params: {} },
]
/** Setups (each torn down) per state after the warm-up, and the warm-up's. */
const RUNS = 200
const WARM_UP = 20
const TARGET_MS = 10

const SANDBOX = '/sandboxes/bench-states'
const ms = (value: number) => value.toFixed(2)
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

async function timed(port: number, method: string, path: string, body?: unknown): Promise<number> {
  const began = performance.now()
  const answer = await send(port, path, body === undefined
    ? { method }
    : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const took = performance.now() - began
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`)
  return took
}

/** The markdown section `npm run bench` prints for provider states. */
export async function benchProviderStates(options: ProviderStateBenchOptions): Promise<{ markdown: string; failed: boolean }> {
  const server = await options.start('resultbox (provider states)')
  const lines: string[] = []
  let failed = false
  try {
    await timed(server.port, 'PUT', '/_resultbox/sandboxes/bench-states')
    for (const { state, params } of STATES) {
      const setups: number[] = []
      const teardowns: number[] = []
      const floor: number[] = []
      for (let run = 0; run < WARM_UP + RUNS; run++) {
        const health = await timed(server.port, 'GET', `${SANDBOX}/_resultbox/health`)
        const setup = await timed(server.port, 'POST', `${SANDBOX}/_resultbox/provider-states`, { state, params, action: 'setup' })
        const teardown = await timed(server.port, 'POST', `${SANDBOX}/_resultbox/provider-states`, { state, params, action: 'teardown' })
        if (run < WARM_UP) continue
        floor.push(health)
        setups.push(setup)
        teardowns.push(teardown)
      }
      const median = percentile(setups, 50)
      options.log(`provider state "${state}": setup median ${ms(median)} ms, teardown ${ms(percentile(teardowns, 50))} ms, health ${ms(percentile(floor, 50))} ms`)
      lines.push(`| ${state} | ${ms(median)} | ${ms(percentile(setups, 90))} | ${ms(percentile(teardowns, 50))} | ${ms(percentile(floor, 50))} | ≤ ${TARGET_MS} ms | ${median <= TARGET_MS ? 'met' : '**missed**'} |`)
    }
  } catch (error) {
    failed = true
    options.log(`provider states: ${(error as Error).stack ?? String(error)}`)
    lines.push(`| **failed**: ${(error as Error).message.split('\n')[0]?.replaceAll('|', '\\|')} | | | | | | |`)
  } finally {
    await server.stop()
  }
  const markdown = [
    '### Provider states',
    '',
    '| state (`POST /_resultbox/provider-states` in a named sandbox) | setup p50 ms | setup p90 ms | teardown p50 ms | baseline: `GET /_resultbox/health` p50 ms | target (setup p50) | |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
    ...lines,
    '',
    `Each state set up and torn down ${RUNS} times after ${WARM_UP} of warm-up, one request at a time over loopback as a verifier sends them, ` +
      'in one named sandbox of a resultbox on the default fixtures in memory; each round also times a GET of the sandbox\'s health, ' +
      'the floor any request to it costs on this machine. Times are the client\'s, request sent to answer read.',
  ].join('\n')
  return { markdown, failed }
}

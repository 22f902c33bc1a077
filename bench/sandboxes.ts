/**
 * Named sandboxes in `npm run bench`: a request through a sandbox's prefix and through its own port beside the
 * same request to the server's own world, in the same process and the same turns; what creating a sandbox
 * costs (time, and memory over 64 live ones); and whether 200 create/drop cycles give their memory back.
 */
import fs from 'node:fs'
import { send, type Request } from './http.js'
import { fire, Tally, type Endpoint, type Measured } from './load.js'
import type { Server } from './processes.js'

export interface SandboxBenchOptions {
  /** A resultbox on the default fixtures in memory, its clock as `npm start` has it; pinned as the other cases' servers are. */
  start(name: string): Promise<Server>
  seconds: number
  warmupSeconds: number
  connections: number
  log(message: string): void
}

const PRPM = { authorization: 'Bearer resultbox' }
const EXPLORER = { cookie: 'explorer_token=resultbox' }
const MODELARTS = { 'x-auth-token': 'resultbox' }

/** The default fixtures' three small answers: a cached complete result, a task's rows, a results page signed anew each second. */
const REQUESTS = [
  { name: 'PrPM complete result, seed `dVbQ3x7K`', path: '/project/1/result/dVbQ3x7K', headers: PRPM },
  { name: 'Explorer fixture task (job 29987) limit=10', path: '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=10', headers: EXPLORER },
  { name: 'ModelArts fixture version, first page (limit 10)', path: '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results?limit=10', headers: MODELARTS },
]

/** Rounds of the three ways in, and how long each way's turn in a round lasts. */
const ROUNDS = 12
const ROUND_SECONDS = 1.5
const LIVE = 64
const CYCLES = 200
/** Sandboxes made and dropped before the first memory reading, so that what loads on first use has loaded. */
const WARM_UP = 5
/**
 * Create/drop cycles before the cycles' first reading: the first sandboxes compile and optimise what every
 * later one reuses (about 10 MiB, once); the measure is whether what follows keeps growing.
 */
const CYCLE_WARM_UP = 20

const perSecond = (value: number) => Math.round(value).toLocaleString('en-US')
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1))
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`

async function json(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const request: Request = { method, headers, ...(body === undefined ? {} : { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }) }
  const answer = await send(port, path, request)
  const text = answer.body.toString('utf8')
  return { status: answer.status, body: text === '' ? null : JSON.parse(text) }
}

async function expectStatus(port: number, method: string, path: string, status: number, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const answer = await json(port, method, path, body, headers)
  if (answer.status !== status) throw new Error(`${method} ${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`)
  return answer.body
}

/** A process's CPU time so far (user and system), in clock ticks (1/100 s), from /proc; 0 where there is none. */
function cpuTicks(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // After the command's ')': state is field 3, utime 14 and stime 15 of the whole line.
    return Number(fields[11]) + Number(fields[12])
  } catch {
    return 0
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000))

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

/** The table's rows for requests: the server's world, the prefix, the port, taking turns slice by slice. */
async function throughput(options: SandboxBenchOptions): Promise<{ lines: string[]; failed: boolean }> {
  const server = await options.start('resultbox (named sandboxes: throughput)')
  const lines: string[] = []
  let failed = false
  try {
    // Both worlds' fixtures seeded at their start; 10 s on, every plugin has finished in each, and both clocks stand still.
    await expectStatus(server.port, 'POST', '/_resultbox/clock', 200, { advance_ms: 10_000, frozen: true })
    const made = await expectStatus(server.port, 'PUT', '/_resultbox/sandboxes/bench', 201, { port: 0, clock: { frozen: true }, settings: { prpm_one_shot_read: false, prpm_result_ttl_seconds: 0 } })
    await expectStatus(server.port, 'POST', '/sandboxes/bench/_resultbox/clock', 200, { advance_ms: 10_000 })
    for (const request of REQUESTS) {
      options.log(`named sandboxes: ${request.name}, ${options.connections} connections`)
      const root: Endpoint = { port: server.port, path: request.path, headers: request.headers }
      const prefix: Endpoint = { ...root, path: `/sandboxes/bench${request.path}` }
      const port: Endpoint = { ...root, port: made.port as number }
      for (const endpoint of [root, prefix, port]) {
        const answer = await send(endpoint.port, endpoint.path, { headers: endpoint.headers })
        if (answer.status !== 200) throw new Error(`GET ${endpoint.path} on ${endpoint.port} answered ${answer.status}: ${answer.body.subarray(0, 200).toString('utf8')}`)
      }
      const endpoints = [root, prefix, port]
      const tallies = new Map(endpoints.map((endpoint) => [endpoint, new Tally()]))
      for (const endpoint of endpoints) await fire(endpoint, options.connections, options.warmupSeconds)
      // A round is one short turn of each way in, back to back: each round's ratio compares turns a second
      // apart, and the median of the rounds' ratios shrugs off the drift a shared machine brings (whole-run
      // totals, measured the same way, moved by ±10 % from one run to the next).
      const prefixRatios: number[] = []
      const portRatios: number[] = []
      const cpu = new Map<Endpoint, number>(endpoints.map((endpoint) => [endpoint, 0]))
      for (let round = 0; round < ROUNDS; round++) {
        const rates = new Map<Endpoint, number>()
        for (const endpoint of round % 2 === 0 ? endpoints : [...endpoints].reverse()) {
          const turn = new Tally()
          const before = cpuTicks(server.pid)
          await fire(endpoint, options.connections, ROUND_SECONDS, turn)
          cpu.set(endpoint, (cpu.get(endpoint) ?? 0) + (cpuTicks(server.pid) - before))
          rates.set(endpoint, turn.measured(200).requestsPerSecond)
          const all = tallies.get(endpoint) as Tally
          all.times.push(...turn.times)
          all.seconds += turn.seconds
          all.errors += turn.errors
          for (const [status, count] of turn.statuses) all.statuses.set(status, (all.statuses.get(status) ?? 0) + count)
        }
        prefixRatios.push((rates.get(prefix) ?? 0) / (rates.get(root) ?? 1))
        portRatios.push((rates.get(port) ?? 0) / (rates.get(root) ?? 1))
      }
      const [own, viaPrefix, viaPort] = endpoints.map((endpoint) => (tallies.get(endpoint) as Tally).measured(200)) as [Measured, Measured, Measured]
      const prefixRatio = median(prefixRatios)
      const portRatio = median(portRatios)
      // The server's CPU time per answer, from /proc: what a request costs it, whoever else has the machine.
      const cpuPer = (endpoint: Endpoint) => (cpu.get(endpoint) ?? 0) / (tallies.get(endpoint) as Tally).times.length
      const prefixCpu = cpuPer(root) / cpuPer(prefix)
      const portCpu = cpuPer(root) / cpuPer(port)
      const usCpu = (endpoint: Endpoint) => `${(cpuPer(endpoint) * 10_000).toFixed(0)} µs`
      const met = Math.min(prefixCpu, portCpu) >= 0.95 || (prefixRatio >= 0.95 && portRatio >= 0.95)
      const anomalies = [own, viaPrefix, viaPort].flatMap((measured, index) => measured.anomalies.map((text) => `${['server', 'prefix', 'port'][index]}: ${text}`))
      const spread = (ratios: number[]) => `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
      lines.push(
        `| ${request.name} | ${options.connections} conn × ${ROUNDS} rounds of ${ROUND_SECONDS} s | ${perSecond(own.requestsPerSecond)} | ${ms(own.p50Ms)} | ` +
          `${perSecond(viaPrefix.requestsPerSecond)} | ${ms(viaPrefix.p50Ms)} | ${prefixRatio.toFixed(2)}× (${spread(prefixRatios)}) | ` +
          `${perSecond(viaPort.requestsPerSecond)} | ${ms(viaPort.p50Ms)} | ${portRatio.toFixed(2)}× (${spread(portRatios)}) | ` +
          `${usCpu(root)} · ${usCpu(prefix)} (${prefixCpu.toFixed(2)}×) · ${usCpu(port)} (${portCpu.toFixed(2)}×) | ≥ 0.95× the server's world | ` +
          `${met ? 'met' : '**missed**'}${anomalies.length > 0 ? ` ⚠ ${anomalies.join('; ')}` : ''} |`,
      )
      options.log(`  server ${perSecond(own.requestsPerSecond)} req/s, prefix ${prefixRatio.toFixed(2)}×, port ${portRatio.toFixed(2)}×`)
    }
  } catch (error) {
    failed = true
    options.log(`named sandboxes: ${(error as Error).stack ?? String(error)}`)
    lines.push(`| **failed**: ${(error as Error).message.split('\n')[0]?.replaceAll('|', '\\|')} | | | | | | | | | | | | |`)
  } finally {
    await server.stop()
  }
  return { lines, failed }
}

/** Creation time and memory over LIVE sandboxes, then CYCLES create/drop cycles in a server of their own. */
async function creation(options: SandboxBenchOptions): Promise<{ lines: string[]; failed: boolean }> {
  const lines: string[] = []
  const live = await options.start('resultbox (named sandboxes: 64 live)')
  try {
    for (let index = 0; index < WARM_UP; index++) {
      await expectStatus(live.port, 'PUT', `/_resultbox/sandboxes/warm-${index}`, 201)
      await expectStatus(live.port, 'DELETE', `/_resultbox/sandboxes/warm-${index}`, 204)
    }
    const before = live.rssKiB()
    const took: number[] = []
    for (let index = 0; index < LIVE; index++) {
      const began = performance.now()
      await expectStatus(live.port, 'PUT', `/_resultbox/sandboxes/live-${index}`, 201)
      took.push(performance.now() - began)
    }
    // Each one answers, from its own world.
    for (let index = 0; index < LIVE; index += 9) await expectStatus(live.port, 'GET', `/sandboxes/live-${index}/project/1`, 200, undefined, PRPM)
    const after = live.rssKiB()
    const medianMs = median(took)
    options.log(`named sandboxes: ${LIVE} created, median ${ms(medianMs)} ms, RSS ${before} → ${after} KiB`)
    lines.push(`| Create a sandbox, default fixtures (\`PUT /_resultbox/sandboxes/{name}\`, ${LIVE} in a row) | median ${ms(medianMs)} ms, p90 ${ms(percentile(took, 90))} ms, max ${ms(Math.max(...took))} ms | median ≤ 50 ms | ${medianMs <= 50 ? 'met' : '**missed**'} |`)
    if (before !== undefined && after !== undefined) {
      const each = (after - before) / LIVE
      lines.push(`| Memory of a live sandbox: RSS with ${LIVE} live ÷ ${LIVE} | ${mib(each)} each (${mib(before)} → ${mib(after)}) | ≤ 8 MiB each | ${each <= 8 * 1024 ? 'met' : '**missed**'} |`)
    } else {
      lines.push(`| Memory of a live sandbox | n/a (no /proc) | ≤ 8 MiB each | — |`)
    }
  } finally {
    await live.stop()
  }

  const cycled = await options.start('resultbox (named sandboxes: create/drop cycles)')
  try {
    for (let index = 0; index < CYCLE_WARM_UP; index++) {
      await expectStatus(cycled.port, 'PUT', '/_resultbox/sandboxes/cycle', 201)
      await expectStatus(cycled.port, 'DELETE', '/_resultbox/sandboxes/cycle', 204)
    }
    // The collection a drop asks for runs in the background: each reading waits for the last one to settle.
    await settle()
    const before = cycled.rssKiB()
    const began = performance.now()
    for (let index = 0; index < CYCLES; index++) {
      await expectStatus(cycled.port, 'PUT', '/_resultbox/sandboxes/cycle', 201)
      await expectStatus(cycled.port, 'GET', '/sandboxes/cycle/project/1', 200, undefined, PRPM)
      await expectStatus(cycled.port, 'DELETE', '/_resultbox/sandboxes/cycle', 204)
    }
    const seconds = (performance.now() - began) / 1000
    await settle()
    const after = cycled.rssKiB()
    if (before !== undefined && after !== undefined) {
      const change = (after - before) / before
      options.log(`named sandboxes: ${CYCLES} cycles in ${seconds.toFixed(1)} s, RSS ${before} → ${after} KiB`)
      lines.push(
        `| ${CYCLES} create/drop cycles (each also reads a project) | RSS ${mib(before)} → ${mib(after)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %), ${seconds.toFixed(1)} s | within 10 % | ${Math.abs(change) <= 0.1 ? 'met' : '**missed**'} |`,
      )
    } else {
      lines.push(`| ${CYCLES} create/drop cycles | n/a (no /proc), ${seconds.toFixed(1)} s | within 10 % | — |`)
    }
  } finally {
    await cycled.stop()
  }
  return { lines, failed: false }
}

/** The markdown section `npm run bench` prints after its main table. */
export async function benchSandboxes(options: SandboxBenchOptions): Promise<{ markdown: string; failed: boolean }> {
  const requests = await throughput(options)
  let made: { lines: string[]; failed: boolean }
  try {
    made = await creation(options)
  } catch (error) {
    options.log(`named sandboxes: ${(error as Error).stack ?? String(error)}`)
    made = { lines: [`| **failed**: ${(error as Error).message.split('\n')[0]?.replaceAll('|', '\\|')} | | | |`], failed: true }
  }
  const markdown = [
    '### Named sandboxes',
    '',
    '| request | load | server\'s world req/s | p50 ms | through the prefix req/s | p50 ms | ratio (median of the rounds; their range) | at its own port req/s | p50 ms | ratio | server CPU per answer: world · prefix · port (capacity ratio) | target | |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |',
    ...requests.lines,
    '',
    '| measure | figure | target | |',
    '| --- | --- | --- | --- |',
    ...made.lines,
    '',
    'One resultbox (default fixtures, in memory, pinned as above) with one named sandbox that has a port of its own; the three ' +
      `ways in take turns in ${ROUNDS} rounds (each round one turn of each, ABBA), never driven at once; a ratio is the median of the rounds' ratios; ` +
      'the server\'s CPU time per answer (utime + stime from /proc over every turn, ÷ answers) gives each way\'s capacity on its core, which other work on the machine ' +
      'does not move as it moves req/s: the target is met when either the capacity ratios or the req/s ratios are all ≥ 0.95; '+
      'both worlds\' clocks frozen 10 s after their seeding, one-shot reads off. ' +
      `Creation: ${WARM_UP} sandboxes made and dropped first, then ${LIVE} made one after another, each PUT timed by the client over loopback; ` +
      `memory is the server process's VmRSS before and after. Cycles: a server of their own, ${CYCLE_WARM_UP} cycles first, then ${CYCLES}, ` +
      'each reading a second after the last drop (its garbage collection runs in the background).',
  ].join('\n')
  return { markdown, failed: requests.failed || made.failed }
}

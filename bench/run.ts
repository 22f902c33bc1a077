/**
 * `npm run bench`: resultbox against a bare node:http server that sends the
 * very bytes resultbox sent, case by case, and the cold start of each; prints
 * one markdown table. `--seconds N` (or BENCH_SECONDS) sets each measured run,
 * `--write` also writes the table to bench/results/latest.md.
 */
import { createHash, createHmac } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { control, freePort, header, send, type Captured } from './http.js'
import { fire, Tally, type Endpoint, type Measured } from './load.js'
import { cleanEnvironment, pinClient, pinning, scratchFolder, startServer, type Server } from './processes.js'
import { benchGraphs } from './graphs.js'
import { benchProviderStates } from './provider-states.js'
import { benchSandboxes } from './sandboxes.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
/** What ships: the package's bin (since the esbuild bundle, dist/resultbox.mjs rather than tsc's dist/main.js). */
/** The flags npm start, the bin's shebang and the container run resultbox with. */
const RESULTBOX_NODE_FLAGS = ['--max-semi-space-size=16']
const RESULTBOX = path.join(root, (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { resultbox: string } }).bin.resultbox)
const BARE = path.join(here, 'bare.js')
const READY = '/_resultbox/ready'

const { values: flags } = parseArgs({ options: { write: { type: 'boolean' }, seconds: { type: 'string' }, only: { type: 'string' } } })
/** `--only sandboxes`, `--only provider-states` or `--only graphs`: that section alone; `--only <case id>[,<case id>…]`: those cases alone. */
const only = flags.only
const seconds = Number(flags.seconds ?? process.env.BENCH_SECONDS ?? 5)
if (!(seconds > 0)) throw new Error(`--seconds / BENCH_SECONDS must be a positive number of seconds, not ${flags.seconds ?? process.env.BENCH_SECONDS}`)
const warmupSeconds = Math.min(1, seconds / 5)
const COLD_STARTS = 9
/** One-minute load average before the benchmark adds its own: whether something else was competing for the CPUs. */
const loadAtStart = (os.loadavg()[0] ?? 0).toFixed(2)

/** A complete PrPM result is otherwise deleted on its first read and expires after 30 minutes. */
const SETTINGS = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  RESULTBOX_PRPM_ONE_SHOT_READ: 'false',
  RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0',
}

const PRPM = { authorization: 'Bearer resultbox' }
const EXPLORER = { cookie: 'explorer_token=resultbox' }
const MODELARTS = { 'x-auth-token': 'resultbox' }

/**
 * A GET signed with the sandbox's default AK/SK as Huawei's SDKs sign it (SDK-HMAC-SHA256, X-Sdk-Date signed),
 * written here rather than imported: the bench reaches resultbox over the wire only. The date is the real
 * clock's at each call, so a case signs its requests afresh when it starts (the gateway allows 15 minutes).
 */
function signedWithAkSk(pathAndQuery: string): Record<string, string> {
  const sdkDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  const [pathPart = '', query = ''] = pathAndQuery.split('?')
  const canonicalQuery = query.split('&').filter(Boolean).sort().join('&')
  const canonical = ['GET', pathPart.endsWith('/') ? pathPart : `${pathPart}/`, canonicalQuery, `x-sdk-date:${sdkDate}\n`, 'x-sdk-date', createHash('sha256').update('').digest('hex')].join('\n')
  const toSign = `SDK-HMAC-SHA256\n${sdkDate}\n${createHash('sha256').update(canonical).digest('hex')}`
  const signature = createHmac('sha256', 'resultbox').update(toSign).digest('hex')
  return { 'x-sdk-date': sdkDate, authorization: `SDK-HMAC-SHA256 Access=RESULTBOXSANDBOXAK01, SignedHeaders=x-sdk-date, Signature=${signature}` }
}
const BENCH_VERSION =
  '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/BenchTask100k/versions/BenchVersion100k/results?limit=100'
/** The default fixtures' Explorer PageRank task and ModelArts version, as the README's quick start reads them. */
const FIXTURE_TASK = '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result'
const FIXTURE_VERSION = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results'
/** The heavier load of the -c 32 pass: as WireMock, Prism and Mockoon were measured. */
const HEAVY = 32

/**
 * `large`: a process of its own on the file store seeded once with RESULTBOX_FIXTURE_SCALE=large, clock
 * frozen 10 s after seeding (every fixture plugin finished). `default`: the default fixtures in memory, as
 * `npm start` serves them, clock frozen 10 s after seeding. `processing`: default fixtures in memory, clock
 * frozen and PrPM reset, so the seed result's plugins never finish.
 */
type Store = 'large' | 'default' | 'processing'

interface Case {
  id: string
  name: string
  path: string
  headers: Record<string, string>
  store: Store
  /** Part of the large fixture set: skipped, not failed, while it answers anything but 200. */
  large: boolean
  connections: number
  /**
   * The measured seconds come in this many turns per server. One for responses of near a second or more:
   * a slice's end drops the responses still in flight, which would count against the slower server alone.
   */
  slices: number
  /**
   * Another path of the same resultbox, driven in the same turns, to compare latencies measured side by side
   * rather than minutes apart (only resultbox: the bare server would answer it with this case's bytes).
   */
  alongside?: string
  /** What the body must hold for the case to measure what it says it does. */
  expect?: string
  target: Target
}

interface Target {
  text: string
  judge(row: CaseRow): string
}

interface CaseRow {
  kind: 'case'
  case: Case
  captured: Captured
  resultbox: Measured
  /** resultbox on case.alongside */
  alongside?: Measured
  bare: Measured
  resultboxRssKiB: number | undefined
  bareRssKiB: number | undefined
}
/** A case not measured: its large fixture not seeded, or (failed) something went wrong. */
interface SkippedRow {
  kind: 'skipped'
  case: Case
  reason: string
  failed: boolean
}
interface StartRow {
  kind: 'start'
  name: string
  runs: number
  resultboxMs: number
  bareMs: number
  resultboxRssKiB: number | undefined
  bareRssKiB: number | undefined
  target: string
  verdict: string
}
type Row = CaseRow | SkippedRow | StartRow

const ratio = (row: CaseRow) => row.resultbox.requestsPerSecond / row.bare.requestsPerSecond
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')

const atLeastOfBare = (minimum: number): Target => ({
  text: `≥ ${minimum}× bare req/s`,
  judge: (row) => (ratio(row) >= minimum ? 'met' : `**missed** (${times(ratio(row))})`),
})

const CASES: Case[] = [
  {
    id: 'prpm-seed',
    name: 'PrPM complete result, seed `dVbQ3x7K`',
    path: '/project/1/result/dVbQ3x7K',
    headers: PRPM,
    store: 'large',
    large: false,
    connections: 10,
    slices: 5,
    expect: 'retrieved successfully',
    target: atLeastOfBare(0.5),
  },
  {
    id: 'prpm-bpic',
    name: 'PrPM complete result, `BPIC2012` (2,618 cases)',
    path: '/project/2012/result/BPIC2012',
    headers: PRPM,
    store: 'large',
    large: true,
    connections: 10,
    slices: 5,
    expect: 'retrieved successfully',
    target: atLeastOfBare(0.8),
  },
  {
    id: 'prpm-processing',
    name: 'PrPM processing body, seed `dVbQ3x7K` (default fixtures, :memory:)',
    path: '/project/1/result/dVbQ3x7K',
    headers: PRPM,
    store: 'processing',
    large: false,
    connections: 10,
    slices: 5,
    expect: 'still processing',
    target: atLeastOfBare(0.5),
  },
  {
    id: 'explorer-10',
    name: 'Explorer `pagerank_1m` limit=10',
    path: '/api-open/v1/jobs/2012001/tasks/pagerank_1m/sample_result?limit=10',
    headers: EXPLORER,
    store: 'large',
    large: true,
    connections: 10,
    slices: 5,
    target: atLeastOfBare(0.5),
  },
  {
    id: 'explorer-1m',
    name: 'Explorer `pagerank_1m` limit=1,000,000',
    path: '/api-open/v1/jobs/2012001/tasks/pagerank_1m/sample_result?limit=1000000',
    headers: EXPLORER,
    store: 'large',
    large: true,
    // Tens of MB a response: two connections keep both servers busy without queueing whole bodies in the client.
    connections: 2,
    slices: 1,
    target: {
      text: 'streamed: resultbox peak RSS < 150 MiB',
      judge: (row) =>
        row.resultboxRssKiB === undefined ? 'n/a (no /proc)' : row.resultboxRssKiB < 150 * 1024 ? 'met' : `**missed** (${mebibytes(row.resultboxRssKiB)})`,
    },
  },
  {
    id: 'modelarts-first',
    name: 'ModelArts `BenchVersion100k` first page (limit 100, offset 0)',
    path: `${BENCH_VERSION}&offset=0`,
    headers: MODELARTS,
    store: 'large',
    large: true,
    connections: 10,
    slices: 5,
    target: atLeastOfBare(0.5),
  },
  {
    id: 'modelarts-last',
    name: 'ModelArts `BenchVersion100k` last page (limit 100, offset 999)',
    path: `${BENCH_VERSION}&offset=999`,
    headers: MODELARTS,
    store: 'large',
    large: true,
    connections: 10,
    slices: 5,
    alongside: `${BENCH_VERSION}&offset=0`,
    target: {
      text: '≥ 0.5× bare req/s; p50 ≤ 1.5× first page’s',
      judge: (row) => {
        const versusBare = ratio(row) >= 0.5 ? 'met' : `**missed** (${times(ratio(row))})`
        if (row.alongside === undefined) return `vs bare ${versusBare}; first page not measured`
        const slower = row.resultbox.p50Ms / row.alongside.p50Ms
        return (
          `vs bare ${versusBare}; vs first page ${slower <= 1.5 ? 'met' : '**missed**'} ` +
          `(p50 ${milliseconds(row.resultbox.p50Ms)} vs ${milliseconds(row.alongside.p50Ms)} ms in the same turns: ${times(slower)})`
        )
      },
    },
  },
]

/** The default fixtures' ModelArts page under 32 connections, as a token or an AK/SK signature reaches it. */
const FIXTURE_PAGE = {
  path: `${FIXTURE_VERSION}?limit=10`,
  store: 'default' as const,
  large: false,
  connections: HEAVY,
  slices: 5,
  expect: '"has_more"',
  target: atLeastOfBare(0.65),
}

/**
 * The small cases again under 32 connections, and the default fixtures' own answers beside them: with
 * more clients than cores a server's per-request cost shows, where at 10 the client's own can hide it.
 */
const HEAVY_CASES: Case[] = [
  ...CASES.filter((benchCase) => ['prpm-seed', 'prpm-processing', 'explorer-10', 'modelarts-first'].includes(benchCase.id)).map((benchCase) => ({
    ...benchCase,
    id: `${benchCase.id}-c${HEAVY}`,
    connections: HEAVY,
    alongside: undefined,
  })),
  {
    id: `explorer-fixture-c${HEAVY}`,
    name: 'Explorer default fixture task (job 29987) limit=10',
    path: `${FIXTURE_TASK}?limit=10`,
    headers: EXPLORER,
    store: 'default',
    large: false,
    connections: HEAVY,
    slices: 5,
    expect: 'Success',
    target: atLeastOfBare(0.5),
  },
  {
    id: `modelarts-fixture-c${HEAVY}`,
    name: 'ModelArts default fixture version, first page (limit 10)',
    headers: MODELARTS,
    ...FIXTURE_PAGE,
  },
  {
    id: `modelarts-fixture-aksk-c${HEAVY}`,
    name: 'ModelArts default fixture version, first page (limit 10), signed with AK/SK',
    get headers() {
      return signedWithAkSk(FIXTURE_PAGE.path)
    },
    ...FIXTURE_PAGE,
  },
]

const SECTIONS = ['sandboxes', 'provider-states', 'graphs']
const onlyCases = only === undefined || SECTIONS.includes(only) ? [] : only.split(',')
const unknownCase = onlyCases.find((id) => ![...CASES, ...HEAVY_CASES].some((benchCase) => benchCase.id === id))
if (unknownCase !== undefined) throw new Error(`--only takes sandboxes, provider-states or case ids (${[...CASES, ...HEAVY_CASES].map((benchCase) => benchCase.id).join(', ')}), not ${unknownCase}`)

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`)

/** Servers measured under load get a core of their own; a cold start gets every core, as a user's start does. */
const SERVER_CORES = pinning?.server
const ALL_CORES = pinning?.all
/** The start-up code cache the timed starts share (written by a first start), apart from the user's own. */
let codeCacheFolder = ''

async function startResultbox(name: string, settings: Record<string, string>, timeoutMs = 60_000, cpus = SERVER_CORES): Promise<Server> {
  const port = await freePort()
  return startServer({
    name,
    script: RESULTBOX,
    nodeArgs: RESULTBOX_NODE_FLAGS,
    env: cleanEnvironment({ ...SETTINGS, NODE_COMPILE_CACHE: codeCacheFolder, PORT: String(port), ...settings }),
    port,
    readyPath: READY,
    timeoutMs,
    cpus,
  })
}

async function startBare(capture?: { head: string; body: string }, cpus = SERVER_CORES): Promise<Server> {
  const port = await freePort()
  return startServer({
    name: 'bare node:http',
    script: BARE,
    args: capture ? [String(port), capture.head, capture.body] : [String(port)],
    env: cleanEnvironment({}),
    port,
    readyPath: '/',
    timeoutMs: 30_000,
    cpus,
  })
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}
const maximum = (values: (number | undefined)[]) => {
  const known = values.filter((value): value is number => value !== undefined)
  return known.length === 0 ? undefined : Math.max(...known)
}

/**
 * Spawn → first 200, resultbox and bare node taking turns so drift on the machine hits both alike. `warm`:
 * the start-up code cache written by an earlier start, as every start after a machine's first one (and
 * every container start: the image carries it) has it; otherwise each start gets an empty cache folder.
 */
async function coldStart(warm: boolean, folder: string): Promise<StartRow> {
  const resultbox: Server[] = []
  const bare: Server[] = []
  const rss: { resultbox: (number | undefined)[]; bare: (number | undefined)[] } = { resultbox: [], bare: [] }
  if (warm) await (await startResultbox('resultbox (writes the code cache)', { RESULTBOX_DB: ':memory:' }, 60_000, ALL_CORES)).stop()
  for (let run = 0; run < COLD_STARTS; run++) {
    const cache: Record<string, string> = warm ? {} : { NODE_COMPILE_CACHE: fs.mkdtempSync(path.join(folder, 'no-code-cache-')) }
    const box = await startResultbox('resultbox', { RESULTBOX_DB: ':memory:', ...cache }, 60_000, ALL_CORES)
    rss.resultbox.push(box.peakRssKiB())
    await box.stop()
    resultbox.push(box)
    const node = await startBare(undefined, ALL_CORES)
    rss.bare.push(node.peakRssKiB())
    await node.stop()
    bare.push(node)
  }
  const resultboxMs = median(resultbox.map((server) => server.startMs))
  const bareMs = median(bare.map((server) => server.startMs))
  log(`cold start (${warm ? 'code cache written' : 'no code cache'}): resultbox ${resultbox.map((server) => server.startMs.toFixed(0)).join(', ')} ms; bare ${bare.map((server) => server.startMs.toFixed(0)).join(', ')} ms`)
  return {
    kind: 'start',
    name: warm
      ? 'Cold start, default fixtures, :memory: (spawn → `/_resultbox/ready` 200)'
      : 'Cold start as above, a machine\'s first (no start-up code cache yet)',
    runs: COLD_STARTS,
    resultboxMs,
    bareMs,
    resultboxRssKiB: maximum(rss.resultbox),
    bareRssKiB: maximum(rss.bare),
    target: warm ? '≤ 2.5× bare start' : '— (measured)',
    verdict: warm ? (resultboxMs <= 2.5 * bareMs ? 'met' : `**missed** (${times(resultboxMs / bareMs)})`) : '—',
  }
}

const LARGE_PROBES = [
  { vendor: 'PrPM', path: '/project/2012/result/BPIC2012', headers: PRPM },
  { vendor: 'Explorer', path: '/api-open/v1/jobs/2012001/tasks/pagerank_1m/sample_result?limit=1', headers: EXPLORER },
  { vendor: 'ModelArts', path: `${BENCH_VERSION}&offset=0`, headers: MODELARTS },
]

/** Seeds the large fixture set into a fresh file store once, timing it as a cold start; the cases reuse the file. */
async function seedLargeStore(dbPath: string, bareMs: number): Promise<StartRow> {
  const server = await startResultbox('resultbox (large fixtures)', { RESULTBOX_DB: dbPath, RESULTBOX_FIXTURE_SCALE: 'large' }, 600_000, ALL_CORES)
  const rssKiB = server.peakRssKiB()
  const seeded: string[] = []
  try {
    for (const probe of LARGE_PROBES) {
      if ((await send(server.port, probe.path, { headers: probe.headers })).status === 200) seeded.push(probe.vendor)
    }
  } finally {
    await server.stop()
  }
  log(`large fixtures: store seeded and ready in ${server.startMs.toFixed(0)} ms; large ids answering: ${seeded.join(', ') || 'none'}`)
  return {
    kind: 'start',
    name:
      'Cold start, RESULTBOX_FIXTURE_SCALE=large, fresh file store (seeds it)' +
      (seeded.length === LARGE_PROBES.length ? '' : `: large ids answering: ${seeded.join(', ') || 'none'}`),
    runs: 1,
    resultboxMs: server.startMs,
    bareMs,
    resultboxRssKiB: rssKiB,
    bareRssKiB: undefined,
    target: '— (measured)',
    verdict: '—',
  }
}

async function runCase(benchCase: Case, dbPath: string, folder: string): Promise<CaseRow | SkippedRow> {
  const servers: Server[] = []
  try {
    const box =
      benchCase.store === 'large'
        ? await startResultbox('resultbox', { RESULTBOX_DB: dbPath, RESULTBOX_FIXTURE_SCALE: 'large' })
        : await startResultbox(`resultbox (${benchCase.store})`, { RESULTBOX_DB: ':memory:' })
    servers.push(box)
    if (benchCase.store !== 'processing') {
      await control(box.port, '/_resultbox/clock', { advance_ms: 10_000, frozen: true })
    } else {
      await control(box.port, '/_resultbox/clock', { frozen: true })
      await control(box.port, '/_resultbox/state/reset?vendor=prpm')
    }
    const captured = await send(box.port, benchCase.path, { headers: benchCase.headers })
    const text = captured.body.subarray(0, 200).toString('utf8')
    if (captured.status !== 200) {
      if (!benchCase.large) throw new Error(`GET ${benchCase.path} answered ${captured.status}: ${text}`)
      return { kind: 'skipped', case: benchCase, reason: `not seeded (answers ${captured.status} ${text.slice(0, 90)})`, failed: false }
    }
    if (benchCase.expect !== undefined && !captured.body.includes(benchCase.expect)) {
      throw new Error(`GET ${benchCase.path}: body lacks ${JSON.stringify(benchCase.expect)}: ${text}`)
    }

    const head = path.join(folder, `${benchCase.id}.head.json`)
    const body = path.join(folder, `${benchCase.id}.body`)
    fs.writeFileSync(head, JSON.stringify({ status: captured.status, rawHeaders: captured.rawHeaders }))
    fs.writeFileSync(body, captured.body)
    const node = await startBare({ head, body })
    servers.push(node)
    fs.rmSync(body)
    const echo = await send(node.port, benchCase.path, { headers: benchCase.headers })
    if (echo.status !== captured.status || !echo.body.equals(captured.body)) throw new Error('the bare server does not send the captured response')

    const resultbox: Endpoint = { port: box.port, path: benchCase.path, headers: benchCase.headers }
    const bare: Endpoint = { ...resultbox, port: node.port }
    const alongside: Endpoint | undefined = benchCase.alongside === undefined ? undefined : { ...resultbox, path: benchCase.alongside }
    const endpoints = [resultbox, bare, ...(alongside ? [alongside] : [])]
    const tallies = new Map(endpoints.map((endpoint) => [endpoint, new Tally()]))
    if (warmupSeconds > 0) for (const endpoint of endpoints) await fire(endpoint, benchCase.connections, warmupSeconds)
    // Taking turns slice by slice, in reverse order every other slice, so whatever else the machine does hits all alike.
    for (let slice = 0; slice < benchCase.slices; slice++) {
      for (const endpoint of slice % 2 === 0 ? endpoints : [...endpoints].reverse()) {
        await fire(endpoint, benchCase.connections, seconds / benchCase.slices, tallies.get(endpoint))
      }
    }
    const measured = (endpoint: Endpoint, status: number) => (tallies.get(endpoint) ?? new Tally()).measured(status)
    return {
      kind: 'case',
      case: benchCase,
      captured,
      resultbox: measured(resultbox, captured.status),
      ...(alongside ? { alongside: measured(alongside, 200) } : {}),
      bare: measured(bare, captured.status),
      resultboxRssKiB: box.peakRssKiB(),
      bareRssKiB: node.peakRssKiB(),
    }
  } finally {
    for (const server of servers) await server.stop()
  }
}

function bytes(count: number): string {
  if (count < 1024) return `${count} B`
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(1)} KiB`
  return `${(count / 1024 / 1024).toFixed(1)} MiB`
}
function mebibytes(kib: number | undefined): string {
  return kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`
}
const perSecond = (value: number) => Math.round(value).toLocaleString('en-US')
const milliseconds = (value: number) => (Number.isNaN(value) ? '—' : value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0))

function render(rows: Row[], took: number): string {
  const load = (connections: number) => `${connections} conn × ${seconds} s`
  // Few responses make p99 the slowest of a handful: say how many there were.
  const counted = (row: CaseRow) =>
    Math.min(row.resultbox.responses, row.bare.responses) < 1000 ? ` (${row.resultbox.responses} / ${row.bare.responses} responses)` : ''
  const lines = [
    '| case | load | resultbox req/s | p50 ms | p99 ms | bare req/s | p50 ms | p99 ms | ratio | resultbox peak RSS | bare peak RSS | target | |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ]
  for (const row of rows) {
    if (row.kind === 'case') {
      const body = `${bytes(row.captured.body.length)}${header(row.captured, 'transfer-encoding') === 'chunked' ? ', chunked' : ''}`
      const anomalies = [
        ...row.resultbox.anomalies.map((text) => `resultbox: ${text}`),
        ...row.bare.anomalies.map((text) => `bare: ${text}`),
        ...(row.alongside?.anomalies ?? []).map((text) => `resultbox on ${row.case.alongside ?? ''}: ${text}`),
      ]
      lines.push(
        `| ${row.case.name}, ${body} | ${load(row.case.connections)}${counted(row)} | ${perSecond(row.resultbox.requestsPerSecond)} | ${milliseconds(row.resultbox.p50Ms)} | ${milliseconds(row.resultbox.p99Ms)} | ` +
          `${perSecond(row.bare.requestsPerSecond)} | ${milliseconds(row.bare.p50Ms)} | ${milliseconds(row.bare.p99Ms)} | ${times(ratio(row))} | ` +
          `${mebibytes(row.resultboxRssKiB)} | ${mebibytes(row.bareRssKiB)} | ${row.case.target.text} | ${row.case.target.judge(row)}` +
          `${anomalies.length > 0 ? ` ⚠ ${anomalies.join('; ')}` : ''} |`,
      )
    } else if (row.kind === 'skipped') {
      const outcome = row.failed ? '**failed**' : 'skipped'
      lines.push(`| ${row.case.name} | ${load(row.case.connections)} | ${outcome}: ${row.reason.replaceAll('|', '\\|')} | | | | | | | | | ${row.case.target.text} | ${outcome} |`)
    } else {
      const runs = row.runs === 1 ? '1 spawn' : `median of ${row.runs} spawns`
      lines.push(
        `| ${row.name} | ${runs} | | ${milliseconds(row.resultboxMs)} | | | ${milliseconds(row.bareMs)} | | ${times(row.resultboxMs / row.bareMs)} | ` +
          `${mebibytes(row.resultboxRssKiB)} | ${mebibytes(row.bareRssKiB)} | ${row.target} | ${row.verdict} |`,
      )
    }
  }
  const cpus = os.cpus()
  return [
    ...lines,
    '',
    `${new Date().toISOString().slice(0, 10)}; node ${process.version}; ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores; ` +
      `${os.type()} ${os.release()}; ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; load average ${loadAtStart} at the start ` +
      `(above ~0.5 other work shared the cores: treat the figures with care). Whole run ${took.toFixed(0)} s.`,
    '',
    `resultbox is \`node ${[...RESULTBOX_NODE_FLAGS, path.relative(root, RESULTBOX)].join(' ')}\`. autocannon 8 in the benchmark's own process over loopback` +
      (pinning ? ` on core(s) ${pinning.client}, each server under load alone on core ${pinning.server} (taskset; cold starts on every core)` : ' (not pinned to cores)') +
      ': ' +
      `${warmupSeconds} s warm-up each, then ${seconds} s measured each, resultbox ` +
      'and the bare server taking turns in slices (ABBA; 5 slices, one for limit=1,000,000), never driven at once; the ModelArts last ' +
      'page takes turns with the first page too, and is judged against that. ' +
      'The bare server is node:http answering every request with the status, headers and body ' +
      'captured from resultbox for that case; for bodies of megabytes autocannon\'s own parsing (http-parser-js) bounds the bare figure too. ' +
      'p50/p99 from every response\'s own time. Ratio: resultbox req/s ÷ bare req/s (cold start: ' +
      'resultbox time ÷ bare time, p50 column = median). Peak RSS: VmHWM, the lifetime peak, of a process started for that case alone ' +
      '(for cold starts, the highest at ready); cold starts share a start-up code cache written by one start before them, but for the ' +
      "machine's-first row, where each start has an empty one; resultbox runs with ONE_SHOT_READ=false, RESULT_TTL_SECONDS=0, LOG_LEVEL=warn, its clock frozen, " +
      'the large cases on a file store seeded once by the large cold start.',
  ].join('\n')
}

async function main() {
  for (const script of [RESULTBOX, BARE]) if (!fs.existsSync(script)) throw new Error(`${script} is missing: run npm run build first`)
  const began = performance.now()
  const folder = scratchFolder()
  const dbPath = path.join(folder, 'large.sqlite')
  const rows: Row[] = []
  let failed = false

  codeCacheFolder = path.join(folder, 'code-cache')
  const pinned = pinClient()
  log(pinned && pinning ? `load on core(s) ${pinning.client}, each server under load on core ${pinning.server}` : 'not pinned: fewer than 2 cores, or no taskset')
  const sandboxes = () => benchSandboxes({ start: (name) => startResultbox(name, { RESULTBOX_DB: ':memory:' }), seconds, warmupSeconds, connections: HEAVY, log })
  const providerStates = () => benchProviderStates({ start: (name) => startResultbox(name, { RESULTBOX_DB: ':memory:' }), log })
  if (only !== undefined && SECTIONS.includes(only)) {
    const section = await (only === 'sandboxes' ? sandboxes() : only === 'graphs' ? benchGraphs(root, log) : providerStates())
    process.stdout.write(`${section.markdown}\n`)
    if (section.failed) process.exitCode = 1
    return
  }
  if (onlyCases.length > 0) {
    const chosen = [...CASES, ...HEAVY_CASES].filter((benchCase) => onlyCases.includes(benchCase.id))
    if (chosen.some((benchCase) => benchCase.large)) await seedLargeStore(dbPath, Number.NaN)
    for (const benchCase of chosen) {
      log(benchCase.name)
      rows.push(await runCase(benchCase, dbPath, folder))
    }
    process.stdout.write(`${render(rows, (performance.now() - began) / 1000)}\n`)
    return
  }
  log(`cold start, ${COLD_STARTS} spawns each`)
  const start = await coldStart(true, folder)
  const firstStart = await coldStart(false, folder)
  let large: StartRow
  try {
    large = await seedLargeStore(dbPath, start.bareMs)
  } catch (error) {
    // The cases on the large store then fail one by one, each saying why; the rest still run.
    failed = true
    log(`large fixtures: ${(error as Error).stack ?? String(error)}`)
    large = {
      kind: 'start',
      name: 'Cold start, RESULTBOX_FIXTURE_SCALE=large, fresh file store (seeds it)',
      runs: 1,
      resultboxMs: Number.NaN,
      bareMs: start.bareMs,
      resultboxRssKiB: undefined,
      bareRssKiB: undefined,
      target: '— (measured)',
      verdict: `**FAILED**: ${(error as Error).message.split('\n')[0] ?? ''}`,
    }
  }

  for (const benchCase of [...CASES, ...HEAVY_CASES]) {
    log(`${benchCase.name}`)
    try {
      const row = await runCase(benchCase, dbPath, folder)
      if (row.kind === 'case') {
        log(`  resultbox ${perSecond(row.resultbox.requestsPerSecond)} req/s, bare ${perSecond(row.bare.requestsPerSecond)} req/s (${times(ratio(row))})`)
      } else {
        log(`  skipped: ${row.reason}`)
      }
      rows.push(row)
    } catch (error) {
      failed = true
      log(`  failed: ${(error as Error).stack ?? String(error)}`)
      rows.push({ kind: 'skipped', case: benchCase, reason: (error as Error).message.split('\n')[0] ?? '', failed: true })
    }
  }
  rows.push(start, firstStart, large)
  const section = await sandboxes()
  if (section.failed) failed = true
  const states = await providerStates()
  if (states.failed) failed = true
  const graphs = benchGraphs(root, log)
  if (graphs.failed) failed = true

  const table = `${render(rows, (performance.now() - began) / 1000)}\n\n${section.markdown}\n\n${states.markdown}\n\n${graphs.markdown}`
  process.stdout.write(`${table}\n`)
  if (flags.write) {
    const file = path.join(root, 'bench', 'results', 'latest.md')
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, `${table}\n`)
    log(`wrote ${path.relative(root, file)}`)
  }
  if (failed) process.exitCode = 1
}

main().catch((error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`)
  process.exit(1)
})

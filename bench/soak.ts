import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { HOST, freePort } from './http.js'
import { cleanEnvironment, scratchFolder, startServer } from './processes.js'

/*
 * npm run soak: a load soak beside the benchmark, not a test. resultbox on a
 * file store (so the data uploads add stays out of the process's memory)
 * takes every vendor's reads and PrPM's dataset upload at saturation for 60 s
 * (--seconds N), with its clock running, so plugins finish and caches are
 * invalidated under load. It reports errors (any status but the expected one,
 * connection errors, timeouts: there must be none), req/s, and the resident
 * set after the warm-up and at the end, which must not grow beyond noise.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { resultbox: string } }
const secondsFlag = process.argv.indexOf('--seconds')
const SECONDS = Number(secondsFlag >= 0 ? process.argv[secondsFlag + 1] : process.env.SOAK_SECONDS ?? 60)
const WARM_UP_SECONDS = Math.min(5, SECONDS / 6)

const ONGOING = 'Case ID,start_time,end_time,AMOUNT_REQ,REG_DATE,Activity,Resource\n173700,2012-01-02 09:00:00.000,2012-01-02 09:00:00.000,3000,2011-10-01,A_SUBMITTED,112\n'
const BOUNDARY = 'resultboxsoak'
const UPLOAD = [
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="ongoing.csv"\r\nContent-Type: text/csv\r\n\r\n${ONGOING}\r\n`,
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="seperator"\r\n\r\n,\r\n--${BOUNDARY}--\r\n`,
].join('')

const REQUESTS: NonNullable<autocannon.Options['requests']> = [
  { path: '/project/1/result/dVbQ3x7K', headers: { authorization: 'Bearer resultbox' } },
  { path: '/project/1', headers: { authorization: 'Bearer resultbox' } },
  { path: '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=100', headers: { cookie: 'explorer_token=resultbox' } },
  { path: '/api-open/v1/jobs?page=1&pageSize=10', headers: { cookie: 'explorer_token=resultbox' } },
  { path: '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results?limit=10', headers: { 'x-auth-token': 'resultbox' } },
  { path: '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr', headers: { 'x-auth-token': 'resultbox' } },
  { method: 'POST', path: '/project/3/result', headers: { authorization: 'Bearer resultbox', 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, body: UPLOAD },
]

function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(match?.[1] ?? Number.NaN)
}

const port = await freePort()
const server = await startServer({
  name: 'resultbox',
  nodeArgs: ['--max-semi-space-size=16'],
  script: path.join(root, manifest.bin.resultbox),
  env: cleanEnvironment({ PORT: String(port), RESULTBOX_DB: path.join(scratchFolder(), 'soak.sqlite'), LOG_LEVEL: 'warn', RESULTBOX_PRPM_ONE_SHOT_READ: 'false' }),
  port,
  readyPath: '/_resultbox/ready',
  timeoutMs: 30_000,
})

const samples: Array<{ at: number; rss: number }> = []
const began = performance.now()
const sampler = setInterval(() => samples.push({ at: (performance.now() - began) / 1000, rss: rssKiB(server.pid) }), 1000)
const statuses = new Map<number, number>()
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    { url: `http://${HOST}:${port}`, connections: 10, duration: SECONDS, requests: REQUESTS, timeout: 10 },
    (error, outcome) => (error ? reject(error) : resolve(outcome)),
  )
  instance.on('response', (_client: unknown, statusCode: number) => statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1))
})
clearInterval(sampler)
const endRss = rssKiB(server.pid)
await server.stop()

const afterWarmUp = samples.find((sample) => sample.at >= WARM_UP_SECONDS) ?? samples[0]
const total = [...statuses.values()].reduce((sum, count) => sum + count, 0)
const unexpected = [...statuses].filter(([status]) => status !== 200).reduce((sum, [, count]) => sum + count, 0)
const errors = unexpected + result.errors + result.timeouts
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`
process.stdout.write([
  `soak: ${SECONDS} s, 10 connections, ${REQUESTS.length} requests in turn (every vendor's reads and PrPM's dataset upload), resultbox ${manifest.bin.resultbox}`,
  `requests: ${total} (${(total / result.duration).toFixed(0)} req/s); statuses: ${[...statuses].map(([status, count]) => `${status}×${count}`).join(' ')}`,
  `errors: ${errors} (other statuses ${unexpected}, connection errors ${result.errors}, timeouts ${result.timeouts})`,
  `RSS: ${mib(afterWarmUp?.rss ?? Number.NaN)} after ${WARM_UP_SECONDS} s warm-up, ${mib(endRss)} at the end, ${mib(Math.max(...samples.map((sample) => sample.rss)))} at most; growth ${mib(endRss - (afterWarmUp?.rss ?? endRss))}`,
  '',
].join('\n'))
process.exit(errors === 0 ? 0 : 1)

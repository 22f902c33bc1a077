import t from 'tap'
import { startServer } from './helpers/server.js'

/*
 * Eight test workers share one resultbox, as CI workers share one container: each in its own named sandbox,
 * each moving its clock, injecting faults, resetting, creating scenarios of all three vendors and reading its
 * journal, all at once, for a minute (RESULTBOX_PARALLEL_SECONDS changes it). Any cross-talk fails the test:
 * a clock, a token, a scenario, a fault or a journal entry of another world, and any 5xx that no rule of the
 * worker's own asked for. The server is the shipped one, checking every answer against its document.
 */

const SECONDS = Number(process.env.RESULTBOX_PARALLEL_SECONDS ?? 60)
const WORKERS = 8
t.setTimeout((SECONDS + 60) * 1000)

const server = startServer({ RESULTBOX_DB: ':memory:', LOG_LEVEL: 'warn', RESULTBOX_VALIDATE_RESPONSES: 'true', RESULTBOX_SANDBOXES_MAX: String(WORKERS) })
t.teardown(() => {
  server.child.kill('SIGTERM')
})
const base = await server.listening

const START = Date.parse('2030-01-01T00:00:00Z')
const DAY = 86_400_000

interface Answer {
  status: number
  body: any
}

class CrossTalk extends Error {}

/** One worker: a sandbox of its own, and a model of what its world must answer. */
class Worker {
  readonly name: string
  readonly token: string
  readonly headers: Record<string, string>
  /** Where its frozen clock stands: only this worker moves it. */
  now: number
  /** PrPM scenario keys made since its last reset, by project. */
  results = new Map<string, number>()
  operations = 0
  problems: string[] = []

  constructor(readonly index: number) {
    this.name = `worker-${index}`
    this.token = `token-${index}`
    // Each world a day apart, so a clock read from another world cannot pass for its own.
    this.now = START + index * DAY
    this.headers = { 'x-worker': this.name }
  }

  get prefix() {
    return `${base}/sandboxes/${this.name}`
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${path.startsWith('/_resultbox/sandboxes') ? base : this.prefix}${path}`, {
      method,
      headers: { ...this.headers, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    this.operations += 1
    let parsed: unknown = text
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {}
    return { status: response.status, body: parsed }
  }

  /** An answer must be `status`; anything else is cross-talk (or a failure), a 5xx above all. */
  async expect(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const answer = await this.call(method, path, body, headers)
    if (answer.status !== status) {
      throw new CrossTalk(`${this.name}: ${method} ${path} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body).slice(0, 300)}`)
    }
    return answer.body
  }

  prpm(path: string) {
    return this.expect(200, 'GET', path, undefined, { authorization: `Bearer ${this.token}` })
  }

  async create() {
    await this.expect(201, 'PUT', `/_resultbox/sandboxes/${this.name}`, {
      clock: { start: new Date(this.now).toISOString(), frozen: true },
      settings: { prpm_tokens: this.token, explorer_tokens: this.token, modelarts_tokens: this.token, journal_size: 200 },
    })
  }

  async checkClock() {
    const clock = await this.expect(200, 'GET', '/_resultbox/clock')
    if (clock.now_ms !== this.now) throw new CrossTalk(`${this.name}: its clock reads ${clock.now}, not ${new Date(this.now).toISOString()}`)
  }

  async advance() {
    const step = 1 + Math.floor(Math.random() * 5000)
    const moved = await this.expect(200, 'POST', '/_resultbox/clock', { advance_ms: step })
    this.now += step
    if (moved.now_ms !== this.now) throw new CrossTalk(`${this.name}: the clock moved to ${moved.now}, not ${new Date(this.now).toISOString()}`)
  }

  async prpmScenario() {
    const key = `W${this.index}K${this.operations.toString(36)}`.slice(0, 8).padEnd(8, 'x')
    if (this.results.has(key)) return
    const made = await this.expect(201, 'POST', '/_resultbox/scenarios/prpm', { result_key: key, case_count: 2 })
    this.results.set(key, made.project_id)
    const read = await this.prpm(`/project/${made.project_id}/result/${key}`)
    if (!('expected_plugins' in read)) throw new CrossTalk(`${this.name}: its result ${key} reads ${JSON.stringify(read).slice(0, 200)}`)
    // Another world's token is no token here.
    const other = `token-${(this.index + 1) % WORKERS}`
    await this.expect(401, 'GET', `/project/${made.project_id}/result/${key}`, undefined, { authorization: `Bearer ${other}` })
  }

  async explorerScenario() {
    const made = await this.expect(201, 'POST', '/_resultbox/scenarios/explorer', { tasks: [{ name: 'WCC', runs_for_ms: 1000 }] })
    const job = await this.expect(200, 'GET', `/api-open/v1/jobs/${made.job_id}`, undefined, { cookie: `explorer_token=${this.token}` })
    if (job.data.id !== made.job_id) throw new CrossTalk(`${this.name}: job ${made.job_id} reads as ${job.data.id}`)
    if (job.data.createTime !== this.now) throw new CrossTalk(`${this.name}: job ${made.job_id} was created at ${job.data.createTime}, not at its clock's ${this.now}`)
  }

  async modelartsScenario() {
    const made = await this.expect(201, 'POST', '/_resultbox/scenarios/modelarts', { starts_after_ms: 0, runs_for_ms: 1000, sample_counts: { retained: 2 } })
    const version = await this.expect(200, 'GET', made.version_url.slice(`/sandboxes/${this.name}`.length), undefined, { 'x-auth-token': this.token })
    if (version.create_time !== this.now) throw new CrossTalk(`${this.name}: version created at ${version.create_time}, not ${this.now}`)
  }

  async faults() {
    await this.expect(200, 'PUT', '/_resultbox/faults', { rules: [{ vendor: 'prpm', operation: 'getProject', error: { status: 503 } }] })
    await this.expect(503, 'GET', '/project/1', undefined, { authorization: `Bearer ${this.token}` })
    await this.expect(204, 'DELETE', '/_resultbox/faults')
    // The fixture's project 1 may have been reset away by nobody but this worker: it is there.
    await this.prpm('/project/1')
  }

  async reset() {
    await this.expect(200, 'POST', '/_resultbox/state/reset')
    for (const [key, project] of this.results) {
      await this.expect(400, 'GET', `/project/${project}/result/${key}`, undefined, { authorization: `Bearer ${this.token}` })
    }
    this.results.clear()
  }

  async journal() {
    const read = await this.expect(200, 'GET', '/_resultbox/requests?limit=200')
    for (const entry of read.requests) {
      if (entry.headers['x-worker'] !== this.name) throw new CrossTalk(`${this.name}: its journal holds ${entry.method} ${entry.path} of ${String(entry.headers['x-worker'])}`)
      if (entry.status >= 500 && entry.status !== 503) throw new CrossTalk(`${this.name}: its journal holds a ${entry.status} for ${entry.method} ${entry.path}`)
    }
    if (Math.random() < 0.3) await this.expect(204, 'DELETE', '/_resultbox/requests')
  }

  async run(until: number) {
    const steps = [() => this.advance(), () => this.checkClock(), () => this.prpmScenario(), () => this.explorerScenario(), () => this.modelartsScenario(), () => this.faults(), () => this.journal()]
    let turn = 0
    while (Date.now() < until) {
      try {
        const step = steps[Math.floor(Math.random() * steps.length)] as () => Promise<void>
        await step()
        if (++turn % 25 === 0) await this.reset()
      } catch (error) {
        this.problems.push((error as Error).message)
        if (this.problems.length > 5) return
      }
    }
  }
}

t.test(`${WORKERS} workers, each in its own sandbox, for ${SECONDS} s: no cross-talk, no 5xx nobody asked for`, async (t) => {
  const workers = Array.from({ length: WORKERS }, (_, index) => new Worker(index))
  await Promise.all(workers.map((worker) => worker.create()))
  const until = Date.now() + SECONDS * 1000
  await Promise.all(workers.map((worker) => worker.run(until)))
  for (const worker of workers) {
    t.strictSame(worker.problems, [], `${worker.name}: ${worker.operations} requests, nothing of another world`)
    t.ok(worker.operations > SECONDS * 10, `${worker.name} kept busy (${worker.operations} requests)`)
  }
  // The server's own world saw none of it, and every sandbox is listed until dropped.
  const root = await (await fetch(`${base}/_resultbox/requests`)).json() as { total: number }
  t.equal(root.total, 0, 'the server\'s own journal holds none of the workers\' requests')
  const listed = await (await fetch(`${base}/_resultbox/sandboxes`)).json() as { total: number; sandboxes: Array<{ name: string; requests: number }> }
  t.equal(listed.total, WORKERS)
  for (const worker of workers) {
    t.equal(listed.sandboxes.find((sandbox) => sandbox.name === worker.name)?.requests, worker.operations - 1, `${worker.name}'s requests counted (its PUT went to the server's control API)`)
  }
  await Promise.all(workers.map((worker) => worker.expect(204, 'DELETE', `/_resultbox/sandboxes/${worker.name}`)))
  t.equal(((await (await fetch(`${base}/_resultbox/sandboxes`)).json()) as { total: number }).total, 0)
  t.notMatch(server.output().stderr, /"level":50/, 'nothing logged at error level')
  t.notMatch(server.output().stdout, /"level":50/, 'nothing logged at error level')
})

import { spawn } from 'node:child_process'
import path from 'node:path'
import { once } from 'node:events'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import t from 'tap'
import { repoRoot, tempDir } from './helpers/sandbox.js'
import { MAIN, startServer } from './helpers/server.js'

t.test('the server starts on a file store, answers over HTTP, and stops cleanly on SIGTERM', async (t) => {
  const dir = tempDir(t)
  const dbPath = path.join(dir, 'store.sqlite')
  const server = startServer({ RESULTBOX_DB: dbPath })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.listening

  const prpm = await fetch(`${url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })
  t.equal(prpm.status, 200)
  t.equal(((await prpm.json()) as { message: string }).message, 'Ongoing dataset result is still processing')
  const explorer = await fetch(`${url}/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result?limit=1000`, {
    headers: { cookie: 'explorer_token=resultbox', 'content-type': 'application/x-www-form-urlencoded' },
  })
  t.equal(explorer.status, 200)
  t.equal(explorer.headers.get('content-length'), '2014')
  const modelarts = await fetch(
    `${url}/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results`,
    { headers: { 'x-auth-token': 'resultbox' } },
  )
  t.equal(modelarts.status, 200)
  t.equal(((await modelarts.json()) as { count: number }).count, 30)
  const refused = await fetch(`${url}/project/1/result/dVbQ3x7K`)
  t.equal(refused.status, 401)
  t.equal(refused.headers.get('www-authenticate'), 'Bearer')

  server.child.kill('SIGTERM')
  const [code] = await once(server.child, 'exit')
  t.equal(code, 0, 'exits 0 on SIGTERM')
  t.match(server.output().stdout, /"msg":"request completed"/, 'pino request logs')
  t.notOk(fs.existsSync(`${dbPath}-wal`), 'the database was closed (its WAL checkpointed away)')
  const db = new Database(dbPath, { readonly: true })
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  t.equal(db.prepare('SELECT COUNT(*) FROM prpm_results').pluck().get(), 1)
  db.close()
})

t.test('a bad setting stops start-up with one line naming the variable', async (t) => {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 2)
  t.equal(stderr, 'resultbox: invalid configuration: PORT: "eighty" is not valid (expected integer)\n')
})

t.test('a bad fixture stops start-up naming the file and the field', async (t) => {
  const fixtures = tempDir(t)
  fs.cpSync(path.join(repoRoot, 'fixtures'), fixtures, { recursive: true })
  fs.writeFileSync(path.join(fixtures, 'explorer.json'), JSON.stringify({ jobs: [{ id: 'x' }] }))
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', RESULTBOX_DB: ':memory:', RESULTBOX_FIXTURES: fixtures },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(stderr, /^resultbox: invalid fixture: .*explorer\.json: \/jobs\/0\/\S+: .+\n$/)
})

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  return { code: code as number, stdout, stderr }
}

t.test('resultbox --help lists every setting as a flag beside its variable', async (t) => {
  const { code, stdout, stderr } = await run(['--help'])
  t.equal(code, 0)
  t.equal(stderr, '')
  const pairs: [string, string][] = [['--port', 'PORT'], ['--db', 'RESULTBOX_DB'], ['--clock-speed', 'RESULTBOX_CLOCK_SPEED'],
    ['--prpm-one-shot-read', 'RESULTBOX_PRPM_ONE_SHOT_READ'], ['--modelarts-tokens', 'RESULTBOX_MODELARTS_TOKENS']]
  for (const [flag, variable] of pairs) {
    t.match(stdout, new RegExp(`^  ${flag} <value> +${variable} +\\S`, 'm'), flag)
  }
  t.equal((await run(['-h'])).stdout, stdout)
})

t.test('resultbox --version prints the package version', async (t) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
  t.strictSame(await run(['--version']), { code: 0, stdout: `${manifest.version}\n`, stderr: '' })
})

t.test('an unknown or incomplete flag is one line and exit code 2', async (t) => {
  t.strictSame(await run(['--prot', '0']), { code: 2, stdout: '', stderr: "resultbox: Unknown option '--prot' (see resultbox --help)\n" })
  t.strictSame(await run(['--clock-speed', 'zero'], {}), {
    code: 2, stdout: '', stderr: 'resultbox: invalid configuration: RESULTBOX_CLOCK_SPEED: "zero" is not valid (expected number)\n',
  })
  const missing = await run(['--port'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /^resultbox: Option '--port <value>' argument missing \(see resultbox --help\)\n$/)
})

t.test('flags win over the environment; SIGINT stops it cleanly too', async (t) => {
  const server = startServer({ PORT: 'eighty', RESULTBOX_DB: 'not-used.sqlite', LOG_LEVEL: 'silent' }, ['--port', '0', '--db', ':memory:', '--prpm-tokens', 'flagged'])
  t.teardown(() => { server.child.kill('SIGKILL') })
  const url = await server.listening
  t.equal((await fetch(`${url}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer flagged' } })).status, 200)
  t.equal((await fetch(`${url}/_resultbox/ready`)).status, 200)
  server.child.kill('SIGINT')
  const [code] = await once(server.child, 'exit')
  t.equal(code, 0)
  t.equal(server.output().stdout, `resultbox listening at ${url}\n`, 'with logs silenced, only the URL line')
  t.notOk(fs.existsSync(path.join(repoRoot, 'not-used.sqlite')))
})

t.test('a restart on the same store file keeps its state and does not seed again', async (t) => {
  const dbPath = path.join(tempDir(t), 'volume', 'resultbox.sqlite')
  // At 1000x the three plugins (2, 4, 6 s) finish within 6 ms of seeding.
  const first = startServer({ RESULTBOX_DB: dbPath, RESULTBOX_CLOCK_SPEED: '1000', RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0' })
  t.teardown(() => { first.child.kill('SIGKILL') })
  const firstUrl = await first.listening
  const ready = (await (await fetch(`${firstUrl}/_resultbox/ready`)).json()) as { seeded_at: string }
  await new Promise((resolve) => setTimeout(resolve, 50))
  first.child.kill('SIGTERM')
  t.equal((await once(first.child, 'exit'))[0], 0)

  const second = startServer({ RESULTBOX_DB: dbPath, RESULTBOX_CLOCK_SPEED: '1000', RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0' })
  t.teardown(() => { second.child.kill('SIGKILL') })
  const secondUrl = await second.listening
  const again = (await (await fetch(`${secondUrl}/_resultbox/ready`)).json()) as { seeded_at: string }
  t.equal(again.seeded_at, ready.seeded_at, 'seeded once, at the first start')
  const result = await fetch(`${secondUrl}/project/1/result/dVbQ3x7K`, { headers: { authorization: 'Bearer resultbox' } })
  const body = (await result.json()) as { finished_plugins: string[]; cases: Record<string, unknown> }
  t.strictSame(body.finished_plugins, ['plugin-random-forest-alarm', 'plugin-knn-next-activity', 'plugin-causallift-treatment-effect'])
  t.strictSame(Object.keys(body.cases), ['173688', '173712'])
  second.child.kill('SIGTERM')
  t.equal((await once(second.child, 'exit'))[0], 0)
  t.match(second.output().stdout, /store already seeded/)
})

t.test('a store that cannot be opened stops start-up with one line', async (t) => {
  const blocker = path.join(tempDir(t), 'a-file')
  fs.writeFileSync(blocker, '')
  const { code, stderr } = await run([], { PORT: '0', RESULTBOX_DB: path.join(blocker, 'store.sqlite') })
  t.equal(code, 1)
  t.match(stderr, /^resultbox: store refused: cannot open .*a-file\/store\.sqlite \(.+\)\n$/)
})

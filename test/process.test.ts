import { spawn } from 'node:child_process'
import path from 'node:path'
import { once } from 'node:events'
import Database from 'better-sqlite3'
import fs from 'node:fs'
import t from 'tap'
import { repoRoot, tempDir } from './helpers/sandbox.js'

// `npm test` builds first; this runs the command users run, over a real socket.
const MAIN = path.join(repoRoot, 'dist', 'main.js')

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in 15 s:\n${stdout}\n${stderr}`)), 15_000)
    child.stdout.on('data', () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        resolve(match[1] as string)
      }
    })
    child.on('exit', () => {
      clearTimeout(timer)
      reject(new Error(`exited before listening:\n${stdout}\n${stderr}`))
    })
  })
  return { child, listening, output: () => ({ stdout, stderr }) }
}

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

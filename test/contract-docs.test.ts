import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { marked, type Tokens } from 'marked'
import { writePacts } from './helpers/pacts.js'
import { freePort } from './helpers/tour.js'
import { listen } from './helpers/prpm-clients.js'
import { repoRoot, startSandbox, tempDir } from './helpers/sandbox.js'

/*
 * docs/contract.md, "Contract testing", run as written: its shell blocks with the server's port and the
 * pact files' folder put in, its JavaScript example as the file it names, its table of states as the
 * catalogue the server lists.
 */

const run = promisify(execFile)
const PAGE = path.join(repoRoot, 'docs', 'contract.md')
const blocks = (marked.lexer(fs.readFileSync(PAGE, 'utf8')).filter((token) => token.type === 'code') as Tokens.Code[])
/** The one code block of the page in this language that contains `marker`. */
function block(lang: string, marker: string): string {
  const found = blocks.filter((code) => code.lang === lang && code.text.includes(marker))
  if (found.length !== 1) throw new Error(`docs/contract.md has ${found.length} ${lang} blocks with ${marker}`)
  return (found[0] as Tokens.Code).text
}

process.env.PACT_DO_NOT_TRACK = 'true'

/** Runs a shell block in the repository (npx finds its packages), with the documented port and pact folder replaced. */
async function shell(script: string, port: number, pacts: string, extra: Record<string, string> = {}) {
  let text = script.replaceAll('8080', String(port)).replaceAll('pacts/', `${pacts}/`)
  for (const [from, to] of Object.entries(extra)) text = text.replaceAll(from, to)
  return run('bash', ['-euo', 'pipefail', '-c', text], { cwd: repoRoot, env: { ...process.env, PACT_DO_NOT_TRACK: 'true' }, maxBuffer: 16 * 1024 * 1024 })
}

t.test('the states table lists exactly the catalogue, vendor by vendor', async (t) => {
  const { app } = await startSandbox(t)
  const catalogue = (await app.inject({ url: '/_resultbox/provider-states' })).json() as { states: { name: string; vendor: string | null }[] }
  const table = marked.lexer(fs.readFileSync(PAGE, 'utf8')).find((token) => token.type === 'table' && (token as Tokens.Table).header[0]?.text === 'state') as Tokens.Table
  const rows = table.rows.map((row) => [row[1]?.text === 'any' ? null : row[1]?.text, row[0]?.text.replaceAll('`', '')])
  t.strictSame(rows, catalogue.states.map((state) => [state.vendor, state.name]))
})

t.test('the JavaScript example is the file it names, and verifies a pact (and fails a wrong one) as written', async (t) => {
  const example = fs.readFileSync(path.join(repoRoot, 'docs', 'examples', 'verify-pact.mjs'), 'utf8')
  t.equal(block('js', 'pactStateHandlers(sandbox.url)'), example.trimEnd())
  const pacts = tempDir(t, 'resultbox-doc-pacts-')
  const files = await writePacts(pacts)
  const { app } = await startSandbox(t)
  const base = await listen(app)
  const port = Number(new URL(base).port)
  const command = block('sh', 'node docs/examples/verify-pact.mjs')
  const { stdout } = await shell(command, port, pacts, { node: `RESULTBOX_URL=${base} node` })
  t.match(stdout, `${pacts}/prpm-dashboard-PrPM.json: verified`)
  const wrong = await shell(command, port, pacts, { node: `RESULTBOX_URL=${base} node`, 'prpm-dashboard-PrPM.json': path.basename(files.wrong.prpm) })
    .then(() => 0, (error: { code: number }) => error.code)
  t.not(wrong, 0, 'a pact that expects cases while processing fails the script')
  t.strictSame(app.resultbox.sandboxes?.list().map((sandbox) => sandbox.name), [], 'the script dropped its sandbox, failing too')
})

t.test('the shell blocks: the endpoint by curl, the Rust CLI, Prism\'s proxy', async (t) => {
  const pacts = tempDir(t, 'resultbox-doc-pacts-')
  await writePacts(pacts)
  const { app } = await startSandbox(t)
  const base = await listen(app)
  const port = Number(new URL(base).port)

  const curl = await shell(block('sh', 'curl -X POST localhost:8080/_resultbox/provider-states'), port, pacts)
  // curl ends neither answer with a newline: the two JSON bodies follow each other.
  const cut = curl.stdout.indexOf('}{') + 1
  const [values, catalogue] = [curl.stdout.slice(0, cut), curl.stdout.slice(cut)].map((text) => JSON.parse(text))
  t.match(values, { project_id: Number, result_key: /^[A-Za-z0-9]{8}$/, token: 'resultbox', result_path: String })
  t.equal(catalogue.total, catalogue.states.length)

  // The block's commands all succeeded (bash -e), the verifier's with every interaction replayed.
  const cli = await shell(block('sh', 'npx pact-verifier'), port, pacts)
  for (const interaction of ['a request for a complete result', 'a request for a result still processing', 'a definition of the uploaded log\'s columns']) {
    t.match(cli.stdout, interaction)
  }
  t.notMatch(cli.stdout, /FAILED/)
  t.strictSame(app.resultbox.sandboxes?.list().map((sandbox) => sandbox.name), [], 'the block dropped its sandbox')

  // Prism's proxy, started as the block's first line does, then the block's curl through it.
  const [proxyLine, curlLine] = block('sh', 'prism-cli@5.14.2 proxy').split('\n')
  const prismPort = await freePort()
  // A process group of its own: npx runs prism as a child of its own, which a signal to npx alone would leave running.
  const proxy = spawn('bash', ['-c', `exec ${(proxyLine as string).replaceAll('8080', String(port)).replace('4010', String(prismPort))}`], { cwd: repoRoot, stdio: 'ignore', detached: true })
  const stopProxy = () => {
    try {
      process.kill(-(proxy.pid as number), 'SIGTERM')
    } catch {
      // Already gone.
    }
  }
  process.once('exit', stopProxy)
  t.teardown(stopProxy)
  let answer = ''
  for (let attempt = 0; attempt < 100 && !answer.includes('HTTP/1.1'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    answer = await shell((curlLine as string).replace('4010', String(prismPort)), port, pacts).then(({ stdout }) => stdout, () => '')
  }
  t.match(answer, /^HTTP\/1\.1 200/m, 'the result, through Prism')
  t.notMatch(answer, /sl-violations/i, 'with no violation')
})

import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import t, { type Test } from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { repoRoot, startSandbox, tempDir } from './helpers/sandbox.js'

/*
 * The status page in a real browser: Debian's chromium, driven by
 * playwright-core, over a real socket to an in-process sandbox (frozen
 * clock, every response checked against the OpenAPI document). The browser
 * only sees what the page's own script fetched from the control API.
 * Skipped where /usr/bin/chromium is missing, and with RESULTBOX_SKIP_BROWSER=1
 * (CI runs it on one Node line, not on all three). RESULTBOX_UPDATE_SCREENSHOT=1
 * writes the README's docs/status-page.png; otherwise the screenshot goes to
 * a temporary folder, so a test run leaves the working tree as it was.
 */

const CHROMIUM = '/usr/bin/chromium'
const present = fs.existsSync(CHROMIUM)
// CI installs chromium and sets RESULTBOX_REQUIRE_CHROMIUM=1 (.ci/run): there a missing browser fails instead of skipping.
if (!present && process.env.RESULTBOX_REQUIRE_CHROMIUM === '1') t.fail(`${CHROMIUM} is missing and RESULTBOX_REQUIRE_CHROMIUM=1`)
const skip =
  process.env.RESULTBOX_SKIP_BROWSER === '1'
    ? 'RESULTBOX_SKIP_BROWSER=1 (the browser test runs once per CI run)'
    : present
      ? false
      : `${CHROMIUM} is missing (apt-get install chromium; .ci/run does)`
const SCREENSHOT = path.join(repoRoot, 'docs', 'status-page.png')

let browser: Browser | undefined
async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No sandbox (CI runs as root), and nothing that reaches for the internet: this machine may have none.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  })
  return browser
}
t.teardown(() => browser?.close())

/** A sandbox listening on loopback, and a fresh browser page (its own context: its own sessionStorage) at 1280×900. */
async function open(t: Test, env: Record<string, string> = {}) {
  const { app } = await startSandbox(t, { env })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const context = await (await launch()).newContext({ viewport: { width: 1280, height: 900 } })
  t.teardown(() => context.close())
  const page = await context.newPage()
  page.setDefaultTimeout(5000)
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('console', (message) => { if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(`console: ${message.text()}`) })
  return { app, url, page, problems }
}

/** One request to the sandbox, the path's bytes as given (a URL string would be percent-encoded first). */
function request(url: string, method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const sent = http.request({ hostname, port, path: pathname, method, headers }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode ?? 0))
    })
    sent.on('error', reject)
    sent.end(body)
  })
}

const row = (page: Page, panel: string, key: string) => page.locator(`#${panel}-rows tr[data-key="${key}"]`)

t.test('the page shows a result processing, the clock advances it to complete, the journal and the faults', { skip }, async (t) => {
  const { url, page, problems } = await open(t)
  await page.goto(`${url}/_resultbox/`)
  t.equal(await page.title(), 'resultbox status')

  const result = row(page, 'prpm', 'dVbQ3x7K')
  await result.waitFor()
  t.equal(await result.locator('.badge').textContent(), 'processing')
  t.equal(await result.locator('progress').getAttribute('value'), '0')
  t.equal(await result.locator('progress').getAttribute('max'), '3')
  t.match(await result.textContent(), /0 \/ 3 plugins/)
  t.match(await result.textContent(), /plugin-random-forest-alarm finishes in 2 s/)
  t.equal(await page.locator('#clock-now').textContent(), '2026-01-01 00:00:00.000 UTC')
  t.equal(await page.locator('#clock-mode').textContent(), 'frozen')
  t.equal(await row(page, 'explorer', '29988').locator('.badge').textContent(), 'running')
  t.match(await page.locator('#explorer-workflows').textContent(), /^Workflows: #4 .+ · #5 /, 'the workflows jobs can be made from')
  t.equal(await row(page, 'modelarts', '7PoIhUzSk92OglQrTxr').locator('.badge').textContent(), 'completed')
  // The completed version's first samples, origin beside processed, downloaded through their signed URLs.
  const thumbnails = page.locator('#modelarts-rows tr[data-key="7PoIhUzSk92OglQrTxr-previews"] img')
  t.equal(await thumbnails.count(), 6, 'three samples, origin and processed')
  // Strings: they run in the page, whose types (the DOM's) the test's tsconfig does not have.
  const images = `[...document.querySelectorAll('#modelarts-rows tr[data-key="7PoIhUzSk92OglQrTxr-previews"] img')]`
  await page.waitForFunction(`${images}.every((image) => image.complete && image.naturalWidth > 0)`)
  const sizes = await page.evaluate(`${images}.map((image) => [image.naturalWidth, image.naturalHeight])`)
  t.strictSame(sizes, Array(6).fill([192, 144]), 'each decodes in the browser')
  t.match(await thumbnails.first().getAttribute('src'), /^\/obs\/test-obs\/classify\/data\/animals\/[^?]+\.jpg\?AccessKeyId=RESULTBOXSANDBOXAK01&Expires=\d+&x-obs-security-token=[^&]+&Signature=[^&]+&_resultbox=page$/, 'marked as the page\'s own: not journaled')

  // Work on each vendor's clock, a fault, and vendor requests for the journal (one of them faulted, one with markup in its path).
  const J = { 'content-type': 'application/json' }
  t.equal(await request(url, 'POST', '/_resultbox/scenarios/prpm', J, JSON.stringify({ result_key: 'Pending1', project_id: 3, plugins: [{ plugin: 'plugin-knn-next-activity', finishes_after_ms: 30_000 }, { plugin: 'plugin-random-forest-alarm', finishes_after_ms: 5000 }] })), 201)
  t.equal(await request(url, 'POST', '/_resultbox/scenarios/explorer', J, JSON.stringify({ job_id: 30001, tasks: [{ name: 'PageRank', runs_for_ms: 4000 }, { name: 'Louvain', runs_for_ms: 8000 }, { name: 'WCC', runs_for_ms: 8000 }] })), 201)
  t.equal(await request(url, 'POST', '/_resultbox/scenarios/modelarts', J, JSON.stringify({ version_id: 'DemoVersion', task_name: 'street-signs', starts_after_ms: 2000, runs_for_ms: 20_000 })), 201)
  t.equal(await request(url, 'POST', '/_resultbox/scenarios/prpm', J, JSON.stringify({ project_status: 'TRAINED', stream: 'simulating', result_key: 'Simulate', case_count: 1 })), 201)
  const rules = { seed: 7, rules: [{ vendor: 'modelarts', operation: 'getVersionResults', error: { status: 503 } }, { vendor: 'explorer', latency: { fixed_ms: 5 } }] }
  t.equal(await request(url, 'PUT', '/_resultbox/faults', J, JSON.stringify(rules)), 200)
  const prpm = { authorization: 'Bearer resultbox' }
  const explorer = { cookie: 'explorer_token=resultbox' }
  const modelarts = { 'x-auth-token': 'resultbox' }
  const version = '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr'
  t.equal(await request(url, 'GET', '/<i/id=injected>x</i>', prpm), 404, 'a path no vendor serves, journaled as PrPM\'s')
  t.equal(await request(url, 'GET', '/project/1/result/dVbQ3x7K', prpm), 200)
  t.equal(await request(url, 'GET', '/api-open/v1/jobs/29988', explorer), 200)
  t.equal(await request(url, 'GET', '/api-open/v1/jobs/30001', explorer), 200)
  t.equal(await request(url, 'GET', version, modelarts), 200)
  t.equal(await request(url, 'GET', `${version}/results?limit=3`, modelarts), 503, 'the fault rule answers')
  t.equal(await request(url, 'GET', '/project/3/result/Pending1', prpm), 200)

  // The scenario's project 4 simulates: the simulator posted its first row at once.
  const stream = row(page, 'prpm-streams', '4')
  await stream.waitFor()
  t.equal(await stream.locator('.badge').textContent(), 'streaming')
  t.match(await stream.textContent(), /^#4 SIMULATING/)
  const cells = async () => (await stream.locator('td').allTextContents()).slice(2, 6)
  t.strictSame(await cells(), ['1 · 1 case', '0', '0', 'none'], 'one event of one case, not yet prescribed, nothing sent, no reader')
  t.equal(await stream.locator('progress').getAttribute('value'), '1', 'the simulator at its first row')
  const rows = Number(await stream.locator('progress').getAttribute('max'))
  t.ok(rows > 10, `of the simulation cases' ${rows} events`)
  t.equal(await page.locator('#prpm-streams-count').textContent(), '1 stream')

  const faulted = page.locator('#journal-rows tr', { hasText: `GET ${version}/results` })
  await faulted.waitFor()
  t.match(await faulted.textContent(), /^\d\d:\d\d:\d\dmodelarts.*503fault/, 'the faulted request, its status and the fault mark')
  t.match(await page.locator('#journal-rows tr', { hasText: 'GET /project/1/result/dVbQ3x7K' }).textContent(), /prpm.*200/)
  t.match(await page.locator('#journal-rows tr', { hasText: 'GET /api-open/v1/jobs/29988' }).textContent(), /explorer.*200\+5 ms/, 'a request the latency rule delayed')
  const hostile = page.locator('#journal-rows tr', { hasText: '<i/id=injected>x</i>' })
  t.match(await hostile.textContent(), /GET \/<i\/id=injected>x<\/i>404/, 'a path with markup is shown as text')
  t.equal(await page.locator('#injected').count(), 0, 'and never becomes an element')
  t.equal(await page.locator('#journal-count').textContent(), '7 requests')

  const rule = page.locator('#fault-rows tr[data-key="0"]')
  await rule.locator('td:nth-child(5)', { hasText: /^1$/ }).waitFor()
  t.equal(await rule.textContent(), 'modelartsgetVersionResults50311', 'the rule with 1 matched and 1 injected')
  t.equal(await page.locator('#fault-count').textContent(), 'seed 7')

  await page.getByRole('button', { name: 'Advance clock 10 s', exact: true }).click()
  await result.locator('progress[value="3"]').waitFor()
  t.equal(await result.locator('.badge').textContent(), 'complete')
  t.match(await result.textContent(), /3 \/ 3 plugins/)
  t.equal(await page.locator('#clock-now').textContent(), '2026-01-01 00:00:10.000 UTC')
  t.equal(await row(page, 'prpm', 'Pending1').locator('progress').getAttribute('value'), '1', 'one plugin of the scenario has finished, one has not')
  await stream.locator('progress[value="3"]').waitFor()
  t.match(await cells(), ['3 · 1 case', /^[23]$/, '0', 'none'], 'two more rows, 5 s apart; prescribed 1 s after each (a case\'s last event at once)')
  t.equal(await row(page, 'explorer', '30001').locator('.badge').textContent(), 'running')
  t.equal(await row(page, 'modelarts', 'DemoVersion').locator('.badge').textContent(), 'running')

  // The screenshot: every panel has data, and the page says what happened.
  const shot = process.env.RESULTBOX_UPDATE_SCREENSHOT === '1' ? SCREENSHOT : path.join(tempDir(t), 'status-page.png')
  fs.mkdirSync(path.dirname(shot), { recursive: true })
  const png = await page.screenshot({ path: shot })
  t.equal(png.subarray(1, 4).toString('latin1'), 'PNG')
  t.equal(png.readUInt32BE(16), 1280, 'as wide as the viewport')
  t.equal(png.readUInt32BE(20), 900, 'as tall')
  t.comment(`screenshot: ${shot}`)

  await page.getByRole('button', { name: 'Unfreeze', exact: true }).click()
  await page.getByRole('button', { name: 'Freeze', exact: true }).waitFor()
  t.equal(await page.locator('#clock-mode').textContent(), 'running ×1', 'the clock runs again')
  t.strictSame(problems, [], 'no script error, no failed request')
})

t.test('with a control token the page asks for it, keeps it for the tab, and shows when the connection is lost', { skip }, async (t) => {
  const { app, url, page } = await open(t, { RESULTBOX_CONTROL_TOKEN: 's3cret' })
  await page.goto(`${url}/_resultbox/`)
  const form = page.locator('#auth')
  await form.waitFor()
  t.match(await page.locator('#auth-message').textContent(), /wants a token: RESULTBOX_CONTROL_TOKEN/)
  t.equal(await page.locator('#connection').textContent(), 'token needed')
  t.equal(await row(page, 'prpm', 'dVbQ3x7K').count(), 0, 'no data without the token')

  await page.getByLabel('Token', { exact: true }).fill('wrong')
  await page.getByRole('button', { name: 'Use token', exact: true }).click()
  await page.locator('#auth-message', { hasText: 'refused the token' }).waitFor()
  t.match(await page.locator('#auth-message').textContent(), /refused the token \(wrong control API token\)/)

  await page.getByLabel('Token', { exact: true }).fill('s3cret')
  await page.getByRole('button', { name: 'Use token', exact: true }).click()
  await row(page, 'prpm', 'dVbQ3x7K').waitFor()
  t.equal(await form.isHidden(), true, 'the form goes once the token is taken')
  t.equal(await page.evaluate('sessionStorage.getItem("resultbox.controlToken")'), 's3cret')

  // A link with the token in its fragment: the fragment is never sent, and leaves the address bar once read.
  const linked = await page.context().browser()?.newContext({ viewport: { width: 1280, height: 900 } })
  if (!linked) throw new Error('no browser')
  t.teardown(() => linked.close())
  const second = await linked.newPage()
  await second.goto(`${url}/_resultbox/#token=s3cret`)
  await row(second, 'prpm', 'dVbQ3x7K').waitFor()
  t.equal(new URL(second.url()).hash, '', 'the token is gone from the address bar')
  t.equal(await second.locator('#auth').isHidden(), true)

  await app.close()
  await page.locator('#connection.lost').waitFor()
  t.match(await page.locator('#connection').textContent(), /^connection lost: /)
  t.equal(await row(page, 'prpm', 'dVbQ3x7K').count(), 1, 'what was last read stays on the page')
})

t.test('the server\'s page lists its named sandboxes; each opens a page of its own world', { skip }, async (t) => {
  const { url, page, problems } = await open(t)
  const J = { 'content-type': 'application/json' }
  t.equal(await request(url, 'PUT', '/_resultbox/sandboxes/worker-1', J, JSON.stringify({ clock: { start: '2030-01-01T00:00:00Z', frozen: true }, port: 0 })), 201)
  t.equal(await request(url, 'GET', '/sandboxes/worker-1/project/1', { authorization: 'Bearer resultbox' }), 200)
  await page.goto(`${url}/_resultbox/`)
  const listed = page.locator('#sandboxes-rows tr[data-key="worker-1"]')
  await listed.waitFor()
  const cells = await listed.locator('td').allTextContents()
  t.equal(cells[0], 'worker-1')
  t.equal(cells[1], '2030-01-01 00:00:00 frozen', 'its own clock')
  t.match(cells[2], /^\d+$/, 'its port')
  t.equal(cells[3], '1', 'the request it has had')
  t.equal(await page.locator('#sandboxes-count').textContent(), '1 of at most 64')

  await listed.getByRole('link', { name: 'worker-1' }).click()
  await page.waitForURL(`${url}/sandboxes/worker-1/_resultbox/`)
  await page.locator('#clock-now', { hasText: '2030-01-01 00:00:00.000 UTC' }).waitFor()
  t.equal(await page.title(), 'resultbox · worker-1')
  t.match(await page.locator('#world').textContent(), /^sandbox worker-1 · the server's page$/)
  t.ok(await page.locator('#sandboxes').isHidden(), 'a sandbox holds no sandboxes')
  await row(page, 'prpm', 'dVbQ3x7K').waitFor()
  t.match(await page.locator('#journal-rows').textContent(), /GET \/project\/1200/, 'its own journal: the request made through its prefix')
  await page.getByRole('button', { name: 'Advance clock 10 s', exact: true }).click()
  await page.locator('#clock-now', { hasText: '2030-01-01 00:00:10.000 UTC' }).waitFor()
  await row(page, 'prpm', 'dVbQ3x7K').locator('progress[value="3"]').waitFor()
  const server = await (await fetch(`${url}/_resultbox/clock`)).json() as { now: string }
  t.equal(server.now, '2026-01-01T00:00:00.000Z', 'the server\'s own clock did not move')
  await page.getByRole('link', { name: 'the server\'s page' }).click()
  await page.waitForURL(`${url}/_resultbox/`)
  await page.locator('#clock-now', { hasText: '2026-01-01 00:00:00.000 UTC' }).waitFor()
  t.strictSame(problems, [], 'no script error, no failed request')
})

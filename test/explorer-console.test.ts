import t from 'tap'
import { loadConfig } from '../src/index.js'

/*
 * Explorer as the vendor's QA suite (explorer_auto) drives it, over a real socket and with configuration
 * only: the console login with its own spelling, wrong passwords, logout, workflows of the test's own and
 * the jobs made from them, rows the test knows, and Explorer's envelope on every path of its prefixes.
 *
 * With RESULTBOX_CONSOLE_VIA=sandbox (test/explorer-console-sandbox.test.ts) every test runs again against a
 * named sandbox, each request (the control API's included) under /sandboxes/{name} on the server's port.
 */

import { ADDRESS, bearer, consoleSandbox as sandbox } from './helpers/explorer-console.js'

t.test('login through either route, a wrong password, an empty address, and logout', async (t) => {
  const { basePath, call, login } = await sandbox(t)
  for (const path of ['/api-nebula/db/connect', '/api-open/v1/connect']) {
    const session = await login(path)
    t.equal(session.status, 200, path)
    t.strictSame(session.json, { code: 0, data: { success: true }, message: 'Success' })
    t.match(session.cookie, /^explorer_token=[^;]+;$/)
    t.match(session.headers.get('traceparent'), /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/)
    t.equal((await call('GET', '/api-open/v1/jobs', { cookie: session.cookie })).json.code, 0, 'the cookie, ";" and all, opens the workflow API')
  }
  const wrong = await login('/api-nebula/db/connect', '123')
  t.equal(wrong.status, 400)
  t.match(wrong.json, { code: 40004000, message: /^ErrBadRequest/ })
  t.equal(wrong.headers.get('set-cookie'), null)
  const empty = await call('POST', '/api-nebula/db/connect', { authorization: bearer('root', '123'), body: { address: '', port: ' ' } })
  t.equal(empty.status, 400)
  t.equal(empty.json.code, 40004001, 'the body is checked before the password')
  t.equal((await login('/api-nebula/db/connect', 'nebula~!@#$%^&*')).status, 400, 'an account of its own needs RESULTBOX_EXPLORER_ACCOUNTS')

  const session = await login()
  const job = await call('POST', '/api-open/v1/workflows/4/jobs', { cookie: session.cookie, body: {} })
  t.equal(job.json.code, 0)
  // Explorer's logout reads no body: one that is not even JSON changes nothing.
  const out = await call('POST', '/api-nebula/db/disconnect', { cookie: session.cookie, body: '<not json>' })
  t.equal(out.status, 200)
  t.equal(out.json.code, 0)
  t.equal(out.headers.get('set-cookie'), `explorer_token=; Path=${basePath || '/'}; Max-Age=0; HttpOnly`, 'the cookie cleared, at the path it was set for')
  // The disabled smoke test's expectations: every workflow-API call with the old cookie is refused.
  const id = job.json.data.id as number
  for (const [method, path] of [
    ['POST', '/api-open/v1/workflows/4/jobs'], ['PUT', `/api-open/v1/jobs/${id}/cancel`], ['GET', '/api-open/v1/jobs'],
    ['GET', '/api-open/v1/workflows/4/jobs'], ['GET', `/api-open/v1/jobs/${id}`], ['GET', `/api-open/v1/jobs/${id}/tasks/query_1/sample_result`],
  ] as const) {
    const refused = await call(method, path, { cookie: session.cookie })
    t.equal(refused.status, 401, `${method} ${path} after logout`)
    t.strictSame(refused.json, { code: 40104001, message: 'ErrSession::explorer_token is invalid or expired' })
  }
  t.equal((await call('POST', '/api-nebula/db/disconnect', { cookie: session.cookie })).status, 401, 'a second logout')
  t.equal((await call('POST', '/api-nebula/db/disconnect')).json.code, 40104001, 'logout without a cookie')
})

t.test('test_login: ALTER USER through /api-nebula/db/exec, then the new password\'s login; a reset restores the configured one', async (t) => {
  const { call, control, login } = await sandbox(t)
  const { cookie } = await login()
  const exec = (gql: string, body: unknown = { gql }) => call('POST', '/api-nebula/db/exec', { cookie, body })
  const changed = await exec("ALTER USER `root` WITH PASSWORD 'nebula~!@#$%^&*';")
  t.equal(changed.status, 200)
  t.strictSame(changed.json, { code: 0, data: { headers: [], tables: [], timeCost: 0 }, message: 'Success' })
  t.equal((await login('/api-nebula/db/connect', 'nebula~!@#$%^&*')).json.code, 0, 'the new password logs in')
  t.equal((await login('/api-nebula/db/connect', 'nebula')).json.code, 40004000, 'the old one no longer does')
  t.equal((await login('/api-open/v1/connect', 'nebula~!@#$%^&*')).json.code, 0, 'on the workflow API\'s login too')
  t.equal((await call('POST', '/api-nebula/db/connect', { authorization: bearer('root', '123'), body: { address: '', port: ' ' } })).json.code, 40004001, 'the body is checked before the password')
  t.equal((await call('GET', '/api-open/v1/jobs', { cookie })).json.code, 0, 'the session it was changed in lives on')

  t.equal((await exec("alter user root with password 'nebula'")).json.code, 0, 'keywords in any case, a bare name, no ;')
  t.equal((await login()).json.code, 0)
  t.equal((await exec('CHANGE PASSWORD root FROM "nebula" TO \'it\\\'s\'')).json.code, 0, 'CHANGE PASSWORD, a quote escaped')
  t.equal((await login('/api-nebula/db/connect', "it's")).json.code, 0)
  t.strictSame((await exec("CHANGE PASSWORD root FROM 'wrong' TO 'x'")).json, { code: 40004000, message: 'ErrBadRequest::Invalid password!' })
  t.strictSame((await exec("ALTER USER nobody WITH PASSWORD 'x'")).json, { code: 40004000, message: 'ErrBadRequest::User not existed!' })
  t.equal((await exec("ALTER USER IF EXISTS nobody WITH PASSWORD 'x'")).json.code, 0, 'IF EXISTS: nothing to do')
  t.equal((await login('/api-nebula/db/connect', 'x')).status, 400, 'and no account was made')

  // test_snapshot sends its statement as a JSON string (encoded twice); a statement the sandbox cannot run is refused.
  const use = await call('POST', '/api-nebula/db/exec', { cookie, body: JSON.stringify(JSON.stringify({ gql: 'use `nba`' })) })
  t.equal(use.status, 400)
  t.strictSame(use.json, { code: 40004000, message: 'ErrBadRequest::the sandbox runs no nGQL but ALTER USER … WITH PASSWORD and CHANGE PASSWORD' })
  const twice = await call('POST', '/api-nebula/db/exec', { cookie, body: JSON.stringify(JSON.stringify({ gql: "ALTER USER root WITH PASSWORD 'twice'" })) })
  t.equal(twice.json.code, 0, 'an account statement encoded twice runs')
  t.equal((await call('POST', '/api-nebula/db/exec', { cookie, body: JSON.stringify('not json') })).json.code, 40004001)
  t.equal((await call('POST', '/api-nebula/db/exec', { cookie, body: JSON.stringify('{"sql":"x"}') })).json.code, 40004001)
  t.equal((await call('POST', '/api-nebula/db/exec', { cookie, body: { space: 'nba' } })).json.code, 40004001, 'no gql')
  t.equal((await call('POST', '/api-nebula/db/exec', { body: { gql: "ALTER USER root WITH PASSWORD 'x'" } })).status, 401, 'a session is needed')

  t.equal((await control('POST', '/state/reset?vendor=explorer')).status, 200)
  t.equal((await login()).json.code, 0, 'after a reset the configured password holds again')
  t.equal((await login('/api-nebula/db/connect', 'twice')).json.code, 40004000)
})

t.test('accounts of your own: RESULTBOX_EXPLORER_ACCOUNTS', async (t) => {
  const { call } = await sandbox(t, { explorerAccounts: 'root:nebula~!@#$%^&*,qa:secret' })
  t.equal((await call('POST', '/api-nebula/db/connect', { authorization: bearer('root', 'nebula~!@#$%^&*'), body: ADDRESS })).json.code, 0)
  t.equal((await call('POST', '/api-nebula/db/connect', { authorization: bearer('root', 'nebula'), body: ADDRESS })).json.code, 40004000, 'the old password no longer')
  // The older releases' credentials: base64 of account:password.
  t.equal((await call('POST', '/api-open/v1/connect', { authorization: `Bearer ${Buffer.from('qa:secret').toString('base64')}`, body: ADDRESS })).json.code, 0)
  t.throws(() => loadConfig({ RESULTBOX_EXPLORER_ACCOUNTS: 'nopassword' }), /RESULTBOX_EXPLORER_ACCOUNTS/)
})

t.test('workflows of a test\'s own: jobs from the vendor route run its tasks, with its rows, and fail where it says', async (t) => {
  const { basePath, call, control, login, clock } = await sandbox(t)
  const { cookie } = await login()
  const apsp = Array.from({ length: 794 }, (_, index) => [`player${100 + (index % 51)}`, `player${100 + ((index * 7) % 51)}`, `${(index % 9) + 1}.000000`])
  const scenario = async (workflow: unknown) => control('POST', '/scenarios/explorer', { workflow })
  const created = await scenario({
    id: '9001',
    name: 'tp_ap_tp',
    tasks: [
      { id: 'query_1', name: 'Query', columns: ['name'], rows: [], params: { input0: { required: false } } },
      { id: 'analytics_bfs_2', name: 'BFS', params: { root: { required: true } }, row_count: 10, runs_for_ms: 1000 },
      { id: 'analytics_trianglecount_3', name: 'TriangleCount', columns: ['count'], rows: [['1024']] },
      { id: 'analytics_apsp_4', name: 'APSP', rows: apsp },
    ],
  })
  t.equal(created.status, 201)
  t.match(created.json, {
    workflow_id: '9001', workflow_name: 'tp_ap_tp',
    tasks: [{ id: 'query_1', row_count: 0, required_params: [] }, { id: 'analytics_bfs_2', columns: ['ROOT', 'VISITED'], row_count: 10, required_params: ['root'] }, { row_count: 1 }, { row_count: 794 }],
  })
  const jobs = '/api-open/v1/workflows/9001/jobs'
  t.equal(created.json.jobs_url, `${basePath}${jobs}`, 'jobs_url: a path back the way the test came, under the prefix if it came by one')
  const missing = await call('POST', jobs, { cookie, body: { input: {} } })
  t.equal(missing.status, 500)
  t.strictSame(missing.json, { code: 50004002, message: 'ErrInternalController::task analytics_bfs_2 needs input parameter root' })
  t.equal((await call('POST', jobs, { cookie, body: { input: { query_1: '11' } } })).json.code, 40004001, 'an input that is not an object of parameters')
  t.equal((await call('POST', jobs, { cookie, body: { input: { analytics_bfs_2: { root: { nested: true } } } } })).json.code, 40004001, 'a parameter neither string nor number')
  const emptyBody = await call('POST', jobs, { cookie, body: '' })
  t.equal(emptyBody.status, 500, 'an empty body where a task needs a value')
  t.strictSame(emptyBody.json, missing.json)

  const made = await call('POST', jobs, { cookie, body: { id: '9001', input: { analytics_bfs_2: { root: 34 } } } })
  t.equal(made.json.code, 0)
  const id = made.json.data.id as number
  const list = await call('GET', '/api-open/v1/jobs', { cookie })
  t.match(list.json.data.items[0], { id, workflowId: '9001', workflowName: 'tp_ap_tp', status: 0 }, 'the new job is items[0], preparing')
  clock.advance(60_000)
  const done = await call('GET', `/api-open/v1/jobs/${id}`, { cookie })
  t.equal(done.json.data.status, 2)
  const rows = async (task: string, query = '') => (await call('GET', `/api-open/v1/jobs/${id}/tasks/${task}/sample_result${query}`, { cookie })).json
  t.strictSame(await rows('query_1'), { code: 0, data: { items: [] }, message: 'Success' }, 'a query that matches nothing')
  t.equal((await rows('analytics_bfs_2')).data.items.length, 10, 'no limit: 10')
  t.equal((await rows('analytics_bfs_2', '?limit=1')).data.items.length, 1)
  t.strictSame((await rows('analytics_trianglecount_3')).data.items, [['1024']], 'one column')
  t.equal((await rows('analytics_apsp_4', '?limit=500')).data.items.length, 500)
  const all = (await rows('analytics_apsp_4', '?limit=1000')).data.items
  t.equal(all.length, 794, 'limit is a cap')
  t.strictSame(all[793], apsp[793])
  t.equal((await call('GET', jobs, { cookie })).json.data.total, 1, "the workflow's job list")

  await scenario({ id: '9002', name: 'ap_ap_ap', tasks: [{ name: 'PageRank' }, { name: 'SSSP', outcome: 'failed', runs_for_ms: 2000 }, { name: 'WCC' }] })
  const failing = (await call('POST', '/api-open/v1/workflows/9002/jobs', { cookie, body: { input: {} } })).json.data.id as number
  clock.advance(60_000)
  const failed = (await call('GET', `/api-open/v1/jobs/${failing}`, { cookie })).json.data
  t.equal(failed.status, 3, 'a failed task fails the job')
  t.strictSame(failed.tasks.map((task: { id: string; status: number }) => [task.id, task.status]), [['analytics_pagerank_1', 2], ['analytics_sssp_2', 3], ['analytics_wcc_3', 4]], 'and interrupts the rest')

  // As the real service was observed to answer an unknown job: a database error.
  const unknownJob = await call('GET', '/api-open/v1/jobs/11111111111000', { cookie })
  t.equal(unknownJob.status, 500)
  t.strictSame(unknownJob.json, { code: 50004001, message: 'ErrInternalDatabase::job 11111111111000 not found' })
  const unknownTask = await call('GET', `/api-open/v1/jobs/${id}/tasks/test1111/sample_result`, { cookie })
  t.equal(unknownTask.status, 500)
  t.strictSame(unknownTask.json, { code: 50004001, message: `ErrInternalDatabase::task test1111 not found in job ${id}` })
  t.equal((await scenario({ id: '9001', name: 'again', tasks: [{}] })).status, 409, 'a workflow id taken')
  t.equal((await scenario({ name: 'bad', tasks: [{ name: 'Unheard' }] })).status, 400, 'an algorithm without known columns needs columns')
  t.equal((await control('POST', '/state/reset?vendor=explorer')).status, 200, 'reset')
  t.equal((await call('POST', jobs, { cookie: 'explorer_token=resultbox', body: { input: {} } })).json.code, 50004001, 'a reset drops the workflow')
})

t.test("every path under Explorer's prefixes answers in its envelope", async (t) => {
  const { call } = await sandbox(t)
  for (const path of ['/api-open/nothing', '/api-open/v2/jobs', '/api-nebula/db/exec', '/api-nebula', '/api-open/v1/nothing']) {
    const answer = await call('GET', path)
    t.equal(answer.status, 404, path)
    t.strictSame(answer.json, { code: 40404000, message: 'ErrNotFound::no such API' })
    t.match(answer.headers.get('traceparent'), /^00-/)
  }
  t.strictSame((await call('GET', '/api-openx')).json, { detail: 'Not Found' }, "a path beside the prefix is PrCore's")
})

t.test("the console's other prefixes are Explorer's: its 404 where nothing is served, its journal, its fault rules", async (t) => {
  const { call, control, login } = await sandbox(t)
  const { cookie } = await login()
  const unserved = ['/api-snapshot/snapshots', '/api-icongroup/list', '/api-templates', '/api-config/global', '/api-analytics/nothing']
  for (const path of unserved) {
    const answer = await call('POST', path, { cookie, body: { name: 'x' } })
    t.equal(answer.status, 404, path)
    t.strictSame(answer.json, { code: 40404000, message: 'ErrNotFound::no such API' })
    t.match(answer.headers.get('traceparent'), /^00-/)
  }
  // A body Explorer cannot read is refused in its envelope too, before the 404.
  const malformed = await call('POST', '/api-analytics/flows', { cookie, body: '{' })
  t.equal(malformed.status, 400)
  t.strictSame(malformed.json, { code: 40004000, message: "ErrBadRequest::Body is not valid JSON but content-type is set to 'application/json'" })
  t.equal((await call('DELETE', '/api-config', { cookie })).status, 404, 'the prefix itself')
  const journal = (await control('GET', '/requests?limit=20')).json as { requests: { vendor: string; path: string; status: number }[] }
  const ofConsole = journal.requests.filter((request) => !request.path.startsWith('/api-nebula/'))
  t.strictSame(ofConsole.map((request) => [request.vendor, request.path, request.status]).reverse(), [
    ...unserved.map((path) => ['explorer', path, 404]), ['explorer', '/api-analytics/flows', 400], ['explorer', '/api-config', 404],
  ])
  t.equal((await control('PUT', '/faults', { rules: [{ vendor: 'explorer', error: { status: 503 } }] })).status, 200)
  const faulted = await call('GET', '/api-icongroup/list', { cookie })
  t.equal(faulted.status, 503)
  t.equal(faulted.json.code, 50304000, "Explorer's envelope for an injected fault")
  t.equal((await control('DELETE', '/faults')).status, 204)
})

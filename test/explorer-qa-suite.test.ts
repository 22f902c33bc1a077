import t, { type Test } from 'tap'
import { ADDRESS, bearer, consoleSandbox } from './helpers/explorer-console.js'
import { CONFTEST_WORKFLOWS, SCENARIO_WORKFLOWS } from './helpers/explorer-dags.js'

/*
 * The vendor's QA suite (explorer_auto at 665ed27) run against resultbox as it runs against the real service,
 * over a real socket, with configuration only: its conftest (the console's login, then its twelve workflows
 * made and saved through /api-analytics/flows), then its eleven workflow-API and login tests in its order,
 * each request as it sends it (its content type with the trailing ";", the cookie cut from Set-Cookie at the
 * first space, bodies as json.dumps writes them), each assertion as it makes it. Where the suite sleeps or
 * polls, the sandbox clock moves instead: its poll reads the console's job status every 3 s, up to 30 times.
 * The scenario tests' five workflows were never committed: they are made here through the console as well,
 * and the rows they read that the sandbox cannot know (a query matching nothing, a real APSP's 794 rows) are
 * attached by the control API, the configuration a run of the suite provides. Once at the server's root, once
 * in a named sandbox.
 */

/** json.dumps with its default ensure_ascii: every non-ASCII character as \uXXXX. */
const dumps = (value: unknown) => JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)

async function suite(t: Test, via: 'root' | 'sandbox') {
  const box = await consoleSandbox(t, {}, via)
  let cookie = ''
  const call = async (method: string, path: string, body?: unknown) => box.call(method, path, { cookie, ...(body === undefined ? {} : { body: dumps(body) }) })
  /** The suite's action_check_job_task_status: the console's status every 3 s, up to 30 tries, until above 1. */
  const poll = async (jobId: number) => {
    let status = -1
    for (let tries = 0; tries < 30; tries++) {
      status = (await call('GET', `/api-analytics/jobs/${jobId}`)).json.data.status as number
      if (status > 1) break
      box.clock.advance(3_000)
    }
    return status
  }
  const ids = new Map<string, string>()
  const createWorkflow = async (name: string, schema: string) => {
    const created = await call('POST', '/api-analytics/flows', { name, schema: '' })
    const id = String(Number(created.json.data.id))
    ids.set(name, id)
    await call('PUT', `/api-analytics/flows/${id}`, { name, schema })
    return id
  }
  const submit = async (workflowId: string | undefined, body: unknown) => call('POST', `/api-open/v1/workflows/${workflowId ?? 'None'}/jobs`, body)
  const newestJob = async () => (await call('GET', '/api-open/v1/jobs?')).json.data.items[0] as { id: number; status: number }
  const consoleJob = async (flowId: unknown) => call('POST', '/api-analytics/jobs', { flowId })
  const result = async (jobId: number, taskId: string, ctlJobId: number, pathTask = taskId) => (await call('POST', '/api-analytics/jobs/result', {
    jobId, taskId, type: 'hdfs', params: { hdfsPath: `hdfs://192.168.8.168:9000/ll_test/analytics/${ctlJobId}/tasks/${pathTask}/`, username: 'root' },
  })).json.data.items as string[][]
  const sample = async (jobId: number | string, taskId: string, query = '') => call('GET', `/api-open/v1/jobs/${jobId}/tasks/${taskId}/sample_result${query}`)

  // conftest.clear_config: the console's login, then the twelve workflows.
  const connected = await box.login()
  t.equal(connected.json.code, 0, 'conftest: login')
  cookie = connected.cookie
  for (const [name, schema] of CONFTEST_WORKFLOWS) await createWorkflow(name, schema)
  t.equal(ids.size, 12, 'conftest: twelve workflows')
  const saved = await call('GET', `/api-analytics/flows/${ids.get('TP-AP-TP')}`)
  t.equal(saved.json.data.schema, CONFTEST_WORKFLOWS[8]?.[1], 'a DAG comes back verbatim')

  await t.test('test_workflow: flows made, listed newest first, saved verbatim, their history by job runs, restored, deleted', async (t) => {
    const listFirst = async () => (await call('GET', '/api-analytics/flows?page=1&pageSize=10&filter=%7B%22name%22:%22%22%7D')).json.data.items[0].id as string
    const empty = await createWorkflow('QA_空workflow_123', '')
    t.equal(await listFirst(), empty)
    for (let n = 0; n < 200; n++) {
      const id = await createWorkflow(`QA_创建多个workflow_${n}`, '')
      if (await listFirst() !== id) t.fail(`flow ${n} is not the newest`)
    }
    const special = '219837219847.123.24.123！@#￥%……&*（）——+中文、英文'
    const flow = await createWorkflow(special, special)
    t.equal(await listFirst(), flow, 'two hundred and two more, each the newest in turn')
    const schemaOf = async () => (await call('GET', `/api-analytics/flows/${flow}`)).json.data.schema as string
    const apspDag = CONFTEST_WORKFLOWS[9]?.[1] as string
    const pagerankDag = CONFTEST_WORKFLOWS[0]?.[1] as string
    await call('PUT', `/api-analytics/flows/${flow}`, { name: special, schema: apspDag })
    t.equal(JSON.parse(await schemaOf()).tasks[0].id, 'analytics_apsp_1')
    await call('PUT', `/api-analytics/flows/${flow}`, { name: special, schema: '12342112312' })
    t.equal(await schemaOf(), '12342112312')
    await call('PUT', `/api-analytics/flows/${flow}`, { name: special, schema: special })
    t.equal(await schemaOf(), special)
    t.equal((await call('GET', `/api-analytics/flows/${flow}/history?page=1&pageSize=100`)).json.code, 0, 'a history with nothing in it')
    await call('PUT', `/api-analytics/flows/${flow}`, { name: special, schema: apspDag })
    t.equal((await consoleJob(Number(flow))).json.code, 0)
    box.clock.advance(2_000)
    await call('PUT', `/api-analytics/flows/${flow}`, { name: special, schema: pagerankDag })
    t.equal((await consoleJob(Number(flow))).json.code, 0)
    const history = (await call('GET', `/api-analytics/flows/${flow}/history?page=1&pageSize=100`)).json.data.items as Array<{ id: number }>
    t.equal(history.length, 2, 'a version for each job run')
    await call('POST', `/api-analytics/flows/${flow}/history/${history[1]?.id}/restore`)
    t.equal(JSON.parse(await schemaOf()).tasks[0].id, 'analytics_apsp_1', 'the older version restored')
    await call('POST', `/api-analytics/flows/${flow}/history/123456/restore`)
    t.equal(await schemaOf(), '', 'a version it does not have: an empty DAG')
    t.equal((await call('DELETE', `/api-analytics/flows/${flow}`)).json.code, 0)
    t.not(await listFirst(), flow, 'deleted')
    t.equal((await call('DELETE', '/api-analytics/flows/123532141234')).json.code, 0, 'deleting a flow that is not there')
  })

  await t.test('test_job: console and workflow-API jobs, refusals, the console cancel, every DAG run to success, results by HDFS path', async (t) => {
    t.equal(await poll((await consoleJob(ids.get('不需要参数_单tasks_不输入参数'))).json.data.id), 2, 'wf1 through the console: success')
    const noFlowId = await call('POST', '/api-analytics/jobs', { id: ids.get('不需要参数_单tasks_输入参数'), input: { query_1: { 1234: '1234' } } })
    t.equal(noFlowId.json.message, 'ErrParam', 'no flowId: exactly ErrParam')
    const wf3 = await submit(ids.get('需要1个参数_单tasks_不同类型参数'), {
      id: ids.get('需要1个参数_单tasks_不同类型参数'),
      input: {
        analytics_sssp_7: { root: 12.01 },
        query_8: { True: 'True', '"你好，新年快乐"': '"你好，新年快乐~~~"', '"123":"root"': '"123":"root"', '2022-8-19': '2022-8-19' },
        analytics_bfs_9: { root: 12 },
        analytics_bnc_11: { chosen: 1 },
        analytics_jaccard_similarity_12: { ids1: 11, ids2: 1 },
      },
    })
    t.equal(wf3.json.data.id, (await newestJob()).id, 'wf3 with every parameter: the newest job')
    t.equal((await submit(ids.get('需要1个参数_单tasks_不输入参数'), { id: ids.get('需要1个参数_单tasks_不输入参数') })).json.code, 50004002, 'wf4: its parameters empty')
    const wf5 = await submit(ids.get('需要多个参数_单tasks_不同类型参数'), {
      id: ids.get('需要多个参数_单tasks_不同类型参数'),
      input: { query_13: { '“你好”': '"你好"', '1.0000000000000001': '1.00000000001', '1000-01-01/9999-12': '1000-01-01/9999-12', True: 'True', '@！￥！@#%！#@%@！@#': '#!@$!#@%#@!%!#@%!#@' } },
    })
    t.equal(wf5.json.data.id, (await newestJob()).id, 'wf5')
    t.equal((await submit(ids.get('需要多个参数_单tasks_不输入参数'), { id: ids.get('需要多个参数_单tasks_不输入参数'), input: {} })).json.code, 50004002, 'wf6: Jaccard\'s ids empty')
    const wf7 = ids.get('创建job_不同组件的参数输入')
    const wf7Body = { id: wf7, input: { query_1: { '"你好"': '你好' } } }
    t.equal((await submit(wf7, wf7Body)).json.data.id, (await newestJob()).id, 'wf7')
    // The suite's key lookup fails here and sends None.
    t.equal((await submit(undefined, { id: 'None', input: { analytics_bfs_3: { root: 123 } } })).json.code, 50004001, 'POST /workflows/None/jobs')

    const cancelled = (await submit(wf7, wf7Body)).json.data.id as number
    const newest = await newestJob()
    t.same([newest.id, newest.status], [cancelled, 0], 'the newest job, preparing')
    const ctlJobId = (await call('GET', `/api-analytics/jobs/${cancelled}`)).json.data.ctlJobId as number
    t.type(ctlJobId, 'number', 'the console shows its ctlJobId')
    t.equal((await call('POST', '/api-analytics/controller', { method: 'POST', path: `/job/${ctlJobId}/cancel` })).json.code, 0)
    t.equal((await call('GET', `/api-open/v1/jobs/${cancelled}`)).json.data.status, 4, 'read at once after the cancel: interrupted')
    t.equal(await poll((await submit(wf7, wf7Body)).json.data.id), 2, 'wf7 runs to success')
    t.equal((await call('POST', '/api-analytics/controller', { method: 'POST', path: '/job/12344566678687687687576/cancel' })).json.code, 50004002, 'cancelling a job the controller does not have')
    t.equal((await call('GET', '/api-open/v1/jobs/123456')).json.code, 50004001, 'an unknown job')

    for (const name of ['TP-AP-TP', 'AP-AP-AP', '所有tasks']) {
      const jobId = (await consoleJob(String(ids.get(name)))).json.data.id as number
      t.equal(await poll(jobId), 2, `${name}: success`)
      if (name === '所有tasks') {
        const ctl = (await call('GET', `/api-analytics/jobs/${jobId}`)).json.data.ctlJobId as number
        t.equal((await result(jobId, 'query_1', ctl))[0]?.length, 1, 'its query\'s result: one column')
      }
    }
    const columnsJob = (await consoleJob(String(ids.get('workflow_列数')))).json.data.id as number
    const ctl = (await call('GET', `/api-analytics/jobs/${columnsJob}`)).json.data.ctlJobId as number
    t.equal((await result(columnsJob, 'query_5', ctl)).length, 0, 'read before it ran: nothing yet')
    t.equal(await poll(columnsJob), 2)
    // As the suite sends them: taskId query_5 throughout, the path naming the task read.
    const widths: Array<[string, number]> = [['query_6', 1], ['query_7', 2], ['query_8', 6], ['analytics_pagerank_9', 2], ['analytics_degree_with_time_10', 4], ['analytics_triangle_count_11', 1], ['analytics_apsp_12', 3]]
    for (const [task, width] of widths) t.equal((await result(columnsJob, 'query_5', ctl, task))[0]?.length, width, `${task}: ${width} column(s)`)
    let created = 0
    for (let n = 0; n < 200; n++) if ((await consoleJob(String(ids.get('TP-AP-TP')))).json.code === 0) created++
    t.equal(created, 200, 'two hundred console jobs')
    const disconnected = await call('POST', '/api-nebula/db/disconnect')
    t.equal(disconnected.json.code, 0)
    cookie = String(disconnected.headers.get('set-cookie')).split(' ')[0] as string
  })

  await t.test('test_login: ALTER USER, the new password\'s login, a wrong one, a bad address, and back', async (t) => {
    cookie = (await box.login()).cookie
    await call('POST', '/api-nebula/db/exec', { gql: "ALTER USER `root` WITH PASSWORD 'nebula~!@#$%^&*';" })
    box.clock.advance(10_000)
    t.equal((await box.call('POST', '/api-nebula/db/connect', { authorization: bearer('root', 'nebula~!@#$%^&*'), body: ADDRESS })).json.code, 0)
    t.equal((await box.call('POST', '/api-nebula/db/connect', { authorization: bearer('root', '123'), body: ADDRESS })).json.code, 40004000)
    t.equal((await box.call('POST', '/api-nebula/db/connect', { authorization: bearer('root', '123'), body: dumps({ address: '', port: ' ' }) })).json.code, 40004001)
    await call('POST', '/api-nebula/db/exec', { gql: "ALTER USER `root` WITH PASSWORD 'nebula';" })
    box.clock.advance(10_000)
    t.equal((await box.call('POST', '/api-nebula/db/connect', { authorization: bearer('root', 'nebula'), body: ADDRESS })).json.code, 0)
  })

  // The scenario tests' workflows, and what the sandbox cannot know of their rows.
  for (const [name, schema] of SCENARIO_WORKFLOWS) await createWorkflow(name, schema)
  const attach = async (workflowName: string, taskId: string, result: { rows?: string[][]; row_count?: number }) => {
    const attached = await box.control('POST', '/scenarios/explorer', { task_result: { workflow_name: workflowName, task_id: taskId, ...result } })
    t.equal(attached.status, 201, `rows for ${workflowName} ${taskId}`)
  }
  await attach('result_column', 'query_5', { rows: [] })
  await attach('result_column', 'analytics_apsp_12', { row_count: 794 })
  await attach('component_deps', 'query_1', { rows: [] })

  await t.test('test_submit_job_no_params: bodies that are not objects of input refused, {"input": {}} runs', async (t) => {
    const workflow = ids.get('no_params_workflow')
    for (const body of ['', { input: { query_1: '11' } }, { input: '' }]) t.not((await submit(workflow, body)).status, 200, JSON.stringify(body))
    t.equal(await poll((await submit(workflow, { input: {} })).json.data.id), 2)
  })

  await t.test('test_submit_job_one_params_one_task', async (t) => {
    t.equal(await poll((await submit(ids.get('one_params_one_task_workflow'), { input: { query_1: { input0: 'player102' } } })).json.data.id), 2)
  })

  await t.test('test_params_TP_data_type', async (t) => {
    const input = { query_1: { string: 'Tim Duncan', list: 'player101", "player102', int: 34 }, query_2: { date: '2022-01-01', float: 34.1, datetime: '2017-03-04 22:30:40', boolean: 'True' } }
    t.equal(await poll((await submit(ids.get('tp_data_type'), { input })).json.data.id), 2)
  })

  await t.test('test_params_AP_data_type', async (t) => {
    const input = { analytics_sssp_1: { root: 'player101' }, analytics_bnc_2: { chosen: 'player103' }, analytics_bfs_3: { root: 'player103' }, analytics_jaccard_similarity_4: { ids1: '100,101', ids2: '102,103' } }
    const jobId = (await submit(ids.get('ap_data_type'), { input })).json.data.id as number
    t.equal(await poll(jobId), 2)
    t.equal((await sample(jobId, 'analytics_jaccard_similarity_4', '?limit=100')).json.data.items.length, 4, 'a similarity for each pair of ids1 × ids2')
  })

  await t.test('test_params_component_deps: a parameter an upstream task feeds need not be given; given nothing, the task fails as it runs', async (t) => {
    const workflow = ids.get('component_deps')
    t.equal(await poll((await submit(workflow, { input: { analytics_sssp_2: { root: 'team204' }, analytics_bnc_3: { chosen: 'team208' } } })).json.data.id), 2, 'both given')
    const starved = await submit(workflow, { input: {} })
    t.equal(starved.json.code, 0, 'created')
    t.equal(await poll(starved.json.data.id), 3, 'then failed: the query upstream matched nothing')
    const job = (await call('GET', `/api-open/v1/jobs/${starved.json.data.id}`)).json.data
    t.strictSame(job.tasks.map((task: { id: string; status: number }) => [task.id, task.status]), [['query_1', 2], ['analytics_sssp_2', 3], ['analytics_bnc_3', 4]])
  })

  await t.test('test_sample_result_rows: 10 rows by default, limit=1 one', async (t) => {
    const jobId = (await submit(ids.get('no_params_workflow'), { input: {} })).json.data.id as number
    t.equal(await poll(jobId), 2)
    t.equal((await sample(jobId, 'query_1')).json.data.items.length, 10)
    t.equal((await sample(jobId, 'analytics_sssp_2', '?limit=1')).json.data.items.length, 1)
  })

  await t.test('test_sample_result_column: each task\'s width, an empty query, limit a cap', async (t) => {
    const jobId = (await submit(ids.get('result_column'), { input: {} })).json.data.id as number
    t.equal(await poll(jobId), 2)
    t.strictSame((await sample(jobId, 'query_5')).json, { code: 0, data: { items: [] }, message: 'Success' })
    const widths: Array<[string, number]> = [['query_6', 1], ['query_7', 2], ['query_8', 6], ['analytics_apsp_12', 3], ['analytics_pagerank_9', 2], ['analytics_degree_with_time_10', 4], ['analytics_triangle_count_11', 1]]
    for (const [task, width] of widths) t.equal((await sample(jobId, task)).json.data.items[0].length, width, task)
    t.equal((await sample(jobId, 'analytics_apsp_12', '?limit=500')).json.data.items.length, 500)
    t.equal((await sample(jobId, 'analytics_apsp_12', '?limit=1000')).json.data.items.length, 794)
  })

  await t.test('test_sample_result_get_failure: an unknown job, task or another user\'s job is not 200', async (t) => {
    const known = (await newestJob()).id
    for (const [job, task] of [['11111111111000', 'query_1'], ['None', 'test1111'], [String(known), 'test1111'], ['2529257662', 'query_1']] as const) {
      const answer = await sample(job, task)
      t.not(answer.status, 200, `${job}/${task}`)
      t.not(answer.json.code, 0)
    }
  })
}

t.test('the QA suite at the server\'s root', (t) => suite(t, 'root'))
t.test('the QA suite in a named sandbox', (t) => suite(t, 'sandbox'))

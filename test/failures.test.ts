import t from 'tap'
import { CREDENTIALS, get, startSandbox } from './helpers/sandbox.js'

t.test('an unhandled failure answers in each vendor\'s envelope, never a stack', async (t) => {
  const { app } = await startSandbox(t)
  // Losing the store mid-flight is the failure nothing in a handler expects.
  app.resultbox.db.close()

  const prpm = await get(app, '/project/1/result/dVbQ3x7K', CREDENTIALS.prpm)
  t.equal(prpm.statusCode, 500)
  t.match(prpm.headers['content-type'], /^text\/plain/)
  t.equal(prpm.body, 'Internal server error')

  const explorer = await get(app, '/api-open/v1/jobs/29987/tasks/8c171f70fb6f11ecac7e6da0662c195b/sample_result', CREDENTIALS.explorer)
  t.equal(explorer.statusCode, 500)
  t.strictSame(explorer.json(), { code: 50004000, message: 'ErrInternalServer' })

  const modelarts = await get(
    app,
    '/v2/c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60/processor-tasks/SNEJua7qdZZN8GvkcEr/versions/7PoIhUzSk92OglQrTxr/results',
    CREDENTIALS.modelarts,
  )
  t.equal(modelarts.statusCode, 500)
  t.strictSame(modelarts.json(), { error_code: 'ModelArts.0010', error_msg: 'Internal server error.' })
})

t.test('a body a vendor cannot read is refused in its envelope', async (t) => {
  const { app } = await startSandbox(t)
  const post = (url: string, payload: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } })
  const big = JSON.stringify({ filler: 'x'.repeat(1_100_000) })

  const explorerBroken = await post('/api-open/v1/workflows/4/jobs', '{"input":', CREDENTIALS.explorer)
  t.equal(explorerBroken.statusCode, 400)
  t.match(explorerBroken.json(), { code: 40004000, message: /^ErrBadRequest::/ })
  const explorerBig = await post('/api-open/v1/workflows/4/jobs', big, CREDENTIALS.explorer)
  t.equal(explorerBig.statusCode, 400, 'the framework calls any unreadable body a bad request')
  t.match(explorerBig.json(), { code: 40004000 })

  // ModelArts serves no POST: the gateway reads the body before it finds no API.
  const modelartsBroken = await post('/v2/p/processor-tasks', '{', CREDENTIALS.modelarts)
  t.equal(modelartsBroken.statusCode, 400)
  t.match(modelartsBroken.json(), { error_code: 'ModelArts.0101', error_msg: /^Invalid argument\. parameter \[body\]/ })
  const modelartsBig = await post('/v2/p/processor-tasks', big, CREDENTIALS.modelarts)
  t.equal(modelartsBig.statusCode, 413)
  t.strictSame(modelartsBig.json(), { error_code: 'ModelArts.0104', error_msg: 'Request entity too large.' })

  const prpmBig = await post('/project', big, CREDENTIALS.prpm)
  t.equal(prpmBig.statusCode, 413)
  t.strictSame(prpmBig.json(), { detail: 'Payload Too Large' })
  t.equal(prpmBig.headers['content-type'], 'application/json')
})

t.test('PrPM answers a body that is not JSON as FastAPI does: 422 at the character where parsing stopped', async (t) => {
  const { app } = await startSandbox(t)
  const post = (payload: string) =>
    app.inject({ method: 'POST', url: '/project', payload, headers: { ...CREDENTIALS.prpm, 'content-type': 'application/json' } })
  const cases: [string, number, string][] = [
    ['{bad', 1, 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
    ['{"event_log_id": 1,}', 19, 'Expecting property name enclosed in double quotes: line 1 column 20 (char 19)'],
    ['{"event_log_id" 1}', 16, "Expecting ':' delimiter: line 1 column 17 (char 16)"],
    ['{"event_log_id": 1 "x": 2}', 19, "Expecting ',' delimiter: line 1 column 20 (char 19)"],
    ['{"event_log_id": 1}\n}', 20, 'Extra data: line 2 column 1 (char 20)'],
    ['{\n  "event_log_id": ', 20, 'Expecting value: line 2 column 19 (char 20)'],
  ]
  for (const [payload, position, msg] of cases) {
    const res = await post(payload)
    t.equal(res.statusCode, 422, payload)
    t.equal(res.headers['content-type'], 'application/json')
    t.strictSame(res.json(), { detail: [{ loc: ['body', position], msg, type: 'value_error.jsondecode' }] }, payload)
  }
  const poisoned = await post('{"__proto__": {"x": 1}}')
  t.equal(poisoned.statusCode, 400, 'a prototype-poisoning body is refused, not parsed')
  t.strictSame(poisoned.json(), { detail: 'Bad Request' })
})

t.test('PrPM answers a multipart body it cannot parse as FastAPI does: 400, and stores nothing', async (t) => {
  const { app } = await startSandbox(t)
  const tables = app.resultbox.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'prpm_%'").all()
  const counts = () => tables.map(({ name }) => app.resultbox.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${name}`).get()?.n)
  const before = counts()
  const cases: [string, string, string][] = [
    ['no boundary', 'multipart/form-data', '--x\r\n'],
    ['cut short', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="file"; filename="log.csv"\r\n\r\ncase,activity\r\n'],
    ['no parts', 'multipart/form-data; boundary=x', '--x\r\nbroken'],
  ]
  for (const url of ['/event_log', '/project/1/result']) {
    for (const [name, contentType, payload] of cases) {
      const res = await app.inject({ method: 'POST', url, payload, headers: { ...CREDENTIALS.prpm, 'content-type': contentType } })
      t.equal(res.statusCode, 400, `${url}: ${name}`)
      t.strictSame(res.json(), { detail: 'There was an error parsing the body' }, `${url}: ${name}`)
    }
  }
  t.strictSame(counts(), before, 'every prpm table as it was')
})

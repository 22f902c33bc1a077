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

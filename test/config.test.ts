import path from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'
import { repoRoot } from './helpers/sandbox.js'

t.test('defaults', async (t) => {
  t.strictSame(loadConfig({}), {
    port: 8080,
    host: '127.0.0.1',
    dbPath: 'data/resultbox.sqlite',
    fixturesDir: path.join(repoRoot, 'fixtures'),
    fixtureScale: 'default',
    clock: { speed: 1, start: null },
    logLevel: 'info',
    prpm: { tokens: ['resultbox'], oneShotRead: true, resultTtlSeconds: 1800, preprocessingMs: 35000, trainingMs: 7000, prescriptionMs: 1000, simulationIntervalMs: 5000, streamPollMs: 1000, reuploadAnswer: 'faithful' },
    explorer: { tokens: ['resultbox'], accounts: [{ account: 'root', password: 'nebula' }], tokenTtlSeconds: 259200 },
    modelarts: {
      tokens: [{ token: 'resultbox', projectId: null }],
      accessKeys: [{ accessKeyId: 'RESULTBOXSANDBOXAK01', secretAccessKey: 'resultbox', projectId: null }],
      iamUsers: [{ name: 'resultbox', password: 'resultbox' }],
      tokenTtlSeconds: 86400,
      obsEndpoint: { kind: 'sandbox' },
      region: 'cn-north-4',
      signedUrlTtlSeconds: 3600,
    },
    uploadMaxBytes: 104857600,
    limits: { bodyMaxBytes: 1048576, scenarioMaxBytes: 33554432, headerMaxBytes: 65536 },
    control: { enabled: true, token: null },
    journalSize: 1000,
    sandboxes: { max: 64, idleSeconds: 1800, ports: null },
    given: {},
    validateResponses: false,
  })
})

t.test('named sandboxes: their limit, idle time and port range', async (t) => {
  const config = loadConfig({ RESULTBOX_SANDBOXES_MAX: '8', RESULTBOX_SANDBOX_IDLE_SECONDS: '0', RESULTBOX_SANDBOX_PORTS: '8100-8199' })
  t.strictSame(config.sandboxes, { max: 8, idleSeconds: 0, ports: { from: 8100, to: 8199 } })
  t.strictSame(config.given, { RESULTBOX_SANDBOXES_MAX: '8', RESULTBOX_SANDBOX_IDLE_SECONDS: '0', RESULTBOX_SANDBOX_PORTS: '8100-8199' }, 'the settings as given, for a sandbox to start from')
  t.strictSame(loadConfig({ RESULTBOX_SANDBOX_PORTS: '9000-9000' }).sandboxes.ports, { from: 9000, to: 9000 })
  t.throws(() => loadConfig({ RESULTBOX_SANDBOX_PORTS: '8199-8100' }), new ConfigError('RESULTBOX_SANDBOX_PORTS', '"8199-8100" is not a range of ports (want from-to, 1 to 65535, from not above to)'))
  t.throws(() => loadConfig({ RESULTBOX_SANDBOX_PORTS: '0-10' }), { name: 'ConfigError', variable: 'RESULTBOX_SANDBOX_PORTS' })
  t.throws(() => loadConfig({ RESULTBOX_SANDBOX_PORTS: '8100' }), { name: 'ConfigError', variable: 'RESULTBOX_SANDBOX_PORTS' })
  t.throws(() => loadConfig({ RESULTBOX_SANDBOXES_MAX: '-1' }), { name: 'ConfigError', variable: 'RESULTBOX_SANDBOXES_MAX' })
  t.equal(loadConfig({ RESULTBOX_FIXTURE_SCALE: 'none' }).fixtureScale, 'none')
})

t.test('values from the environment', async (t) => {
  const config = loadConfig({
    PORT: '0',
    HOST: '0.0.0.0',
    RESULTBOX_DB: ':memory:',
    RESULTBOX_CLOCK_SPEED: '2.5',
    RESULTBOX_CLOCK_START: '2026-01-01T00:00:00Z',
    LOG_LEVEL: 'warn',
    RESULTBOX_PRPM_TOKENS: 'a,b',
    RESULTBOX_PRPM_ONE_SHOT_READ: 'false',
    RESULTBOX_PRPM_RESULT_TTL_SECONDS: '0',
    RESULTBOX_PRPM_PREPROCESSING_SECONDS: '0.5',
    RESULTBOX_PRPM_TRAINING_SECONDS: '2',
    RESULTBOX_PRPM_PRESCRIPTION_SECONDS: '0.25',
    RESULTBOX_PRPM_SIMULATION_INTERVAL_SECONDS: '2',
    RESULTBOX_PRPM_STREAM_POLL_MS: '50',
    RESULTBOX_PRPM_REUPLOAD_ANSWER: 'intended',
    RESULTBOX_EXPLORER_TOKENS: 'eyJhbxxx',
    RESULTBOX_EXPLORER_TOKEN_TTL_SECONDS: '60',
    RESULTBOX_UPLOAD_MAX_BYTES: '4096',
    RESULTBOX_BODY_MAX_BYTES: '2048',
    RESULTBOX_SCENARIO_MAX_BYTES: '8192',
    RESULTBOX_HEADER_MAX_BYTES: '16384',
    RESULTBOX_CONTROL: 'false',
    RESULTBOX_CONTROL_TOKEN: 'sesame',
    RESULTBOX_JOURNAL_SIZE: '0',
    RESULTBOX_MODELARTS_TOKENS: 'open,scoped=c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60',
    RESULTBOX_MODELARTS_URL_TTL_SECONDS: '60',
    RESULTBOX_MODELARTS_ACCESS_KEYS: 'AK1:sk:with:colons,AK2:sk2=c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60',
    RESULTBOX_MODELARTS_IAM_USERS: 'alice:pass:word,bob:x',
    RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS: '120',
    RESULTBOX_MODELARTS_OBS_ENDPOINT: 'http://minio:9000/buckets',
    UNRELATED: 'ignored',
  })
  t.equal(config.port, 0)
  t.equal(config.host, '0.0.0.0')
  t.strictSame(config.clock, { speed: 2.5, start: Date.parse('2026-01-01T00:00:00Z') })
  t.equal(config.logLevel, 'warn')
  t.strictSame(config.prpm, { tokens: ['a', 'b'], oneShotRead: false, resultTtlSeconds: 0, preprocessingMs: 500, trainingMs: 2000, prescriptionMs: 250, simulationIntervalMs: 2000, streamPollMs: 50, reuploadAnswer: 'intended' })
  t.strictSame(config.explorer, { tokens: ['eyJhbxxx'], accounts: [{ account: 'root', password: 'nebula' }], tokenTtlSeconds: 60 })
  t.equal(config.uploadMaxBytes, 4096)
  t.strictSame(config.limits, { bodyMaxBytes: 2048, scenarioMaxBytes: 8192, headerMaxBytes: 16384 })
  t.strictSame(config.control, { enabled: false, token: 'sesame' })
  t.equal(config.journalSize, 0)
  t.strictSame(config.modelarts.tokens, [
    { token: 'open', projectId: null },
    { token: 'scoped', projectId: 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60' },
  ])
  t.equal(config.modelarts.signedUrlTtlSeconds, 60)
  t.strictSame(config.modelarts.accessKeys, [
    { accessKeyId: 'AK1', secretAccessKey: 'sk:with:colons', projectId: null },
    { accessKeyId: 'AK2', secretAccessKey: 'sk2', projectId: 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60' },
  ])
  t.strictSame(config.modelarts.iamUsers, [{ name: 'alice', password: 'pass:word' }, { name: 'bob', password: 'x' }])
  t.equal(config.modelarts.tokenTtlSeconds, 120)
  t.strictSame(config.modelarts.obsEndpoint, { kind: 'url', base: 'http://minio:9000/buckets' })
  t.strictSame(loadConfig({ RESULTBOX_MODELARTS_OBS_ENDPOINT: 'vendor' }).modelarts.obsEndpoint, { kind: 'vendor' })
  t.equal(loadConfig({ PORT: '' }).port, 8080, 'an empty variable means the default')
})

t.test('a bad value names its variable', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ RESULTBOX_CLOCK_SPEED: '0' }, 'RESULTBOX_CLOCK_SPEED'],
    [{ RESULTBOX_CLOCK_SPEED: 'fast' }, 'RESULTBOX_CLOCK_SPEED'],
    [{ RESULTBOX_CLOCK_START: 'yesterday' }, 'RESULTBOX_CLOCK_START'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ RESULTBOX_PRPM_TOKENS: 'a b' }, 'RESULTBOX_PRPM_TOKENS'],
    [{ RESULTBOX_PRPM_TOKENS: 'a,,b' }, 'RESULTBOX_PRPM_TOKENS'],
    [{ RESULTBOX_PRPM_ONE_SHOT_READ: 'maybe' }, 'RESULTBOX_PRPM_ONE_SHOT_READ'],
    [{ RESULTBOX_PRPM_RESULT_TTL_SECONDS: '-1' }, 'RESULTBOX_PRPM_RESULT_TTL_SECONDS'],
    [{ RESULTBOX_EXPLORER_TOKENS: ',' }, 'RESULTBOX_EXPLORER_TOKENS'],
    [{ RESULTBOX_MODELARTS_TOKENS: 'a=b=c' }, 'RESULTBOX_MODELARTS_TOKENS'],
    [{ RESULTBOX_MODELARTS_REGION: 'CN North' }, 'RESULTBOX_MODELARTS_REGION'],
    [{ RESULTBOX_MODELARTS_URL_TTL_SECONDS: '0' }, 'RESULTBOX_MODELARTS_URL_TTL_SECONDS'],
    [{ RESULTBOX_MODELARTS_ACCESS_KEYS: 'AKONLY' }, 'RESULTBOX_MODELARTS_ACCESS_KEYS'],
    [{ RESULTBOX_MODELARTS_ACCESS_KEYS: 'A:B,' }, 'RESULTBOX_MODELARTS_ACCESS_KEYS'],
    [{ RESULTBOX_MODELARTS_IAM_USERS: 'alice' }, 'RESULTBOX_MODELARTS_IAM_USERS'],
    [{ RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS: '0' }, 'RESULTBOX_MODELARTS_TOKEN_TTL_SECONDS'],
    [{ RESULTBOX_MODELARTS_OBS_ENDPOINT: 'http://x/' }, 'RESULTBOX_MODELARTS_OBS_ENDPOINT'],
    [{ RESULTBOX_MODELARTS_OBS_ENDPOINT: 'somewhere' }, 'RESULTBOX_MODELARTS_OBS_ENDPOINT'],
  ]
  for (const [env, variable] of cases) {
    const error = (() => {
      try {
        loadConfig(env)
      } catch (caught) {
        return caught
      }
      return null
    })()
    t.type(error, ConfigError, JSON.stringify(env))
    t.equal((error as ConfigError).variable, variable)
    t.match((error as ConfigError).message, new RegExp(`^${variable}: ".*" is not (valid \\(|an ISO)`))
    t.notMatch((error as ConfigError).message, /\n/, 'one line')
  }
})

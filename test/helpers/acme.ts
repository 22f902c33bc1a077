import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VendorError, mountedAt, providerState, useVendorErrors, type Db, type VendorContext, type VendorErrorMapping, type VendorModule, type VendorSimulation } from '../../src/index.js'

/*
 * A fourth vendor, written as an embedder would write one: from resultbox's public exports only. It has
 * what a real one has: routes under its own prefix, auth, an envelope, a header on every answer, timed
 * work, a scenario, a reset, a document part.
 */

export const ACME_PREFIX = '/acme/v1'
export const ACME_KEY = { 'x-acme-key': 'sesame' }

const ACME_HEADERS = { 'x-acme-region': 'test-1' }

const AcmeError = Type.Object({ acme_error: Type.Object({ code: Type.String(), message: Type.String() }) })
const Job = Type.Object({ id: Type.Integer(), status: Type.Union([Type.Literal('running'), Type.Literal('done')]) })
type Job = Static<typeof Job>

const acmeError = (statusCode: number, code: string, message: string) => new VendorError(statusCode, { acme_error: { code, message } }, ACME_HEADERS)

const acmeErrors: VendorErrorMapping = {
  invalidRequest: (failure) => acmeError(400, 'BAD_PARAMETER', `${failure.part} ${failure.parameter} is invalid`),
  notFound: () => acmeError(404, 'NO_SUCH_PATH', 'no such path'),
  clientError: (statusCode, message) => acmeError(statusCode, 'UNREADABLE', message),
  injected: (statusCode, body) => (body === undefined ? acmeError(statusCode, 'INJECTED', 'injected') : new VendorError(statusCode, body, ACME_HEADERS)),
  internal: () => acmeError(500, 'INTERNAL', 'internal'),
}

/**
 * The acme vendor. Its jobs live in the store like every vendor's (the scheduler sees a due time change
 * through the store's writes); an embedder's vendor brings its table with it, created when first needed.
 */
export function acmeVendor(): VendorModule {
  const store = (db: Db) => {
    db.exec('CREATE TABLE IF NOT EXISTS acme_jobs (id INTEGER PRIMARY KEY, status TEXT NOT NULL, done_at INTEGER)')
    const all = db.prepare<[], { id: number; status: Job['status']; done_at: number | null }>('SELECT id, status, done_at FROM acme_jobs ORDER BY id DESC')
    return {
      seed(ids: number[]) {
        for (const id of ids) db.prepare("INSERT INTO acme_jobs (id, status) VALUES (?, 'done')").run(id)
      },
      job: (id: number) => all.all().find((job) => job.id === id),
      all: () => all.all(),
      insertRunning: (doneAt: number) => Number(db.prepare("INSERT INTO acme_jobs (status, done_at) VALUES ('running', ?)").run(doneAt).lastInsertRowid),
      nextDue: () => db.prepare<[], number | null>("SELECT MIN(done_at) FROM acme_jobs WHERE status = 'running'").pluck().get() ?? null,
      finish: (now: number) => db.prepare("UPDATE acme_jobs SET status = 'done', done_at = NULL WHERE status = 'running' AND done_at <= ?").run(now),
      deleteAll: () => db.prepare('DELETE FROM acme_jobs').run(),
      delete: (id: number) => db.prepare('DELETE FROM acme_jobs WHERE id = ?').run(id),
    }
  }
  const view = ({ id, status }: { id: number; status: Job['status'] }): Job => ({ id, status })

  const api: FastifyPluginAsyncTypebox<VendorContext> = async (app, { db }) => {
    const jobs = store(db)
    useVendorErrors(app, acmeErrors)
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(ACME_HEADERS)
      if (request.headers['x-acme-key'] !== ACME_KEY['x-acme-key']) return done(acmeError(401, 'NO_KEY', 'x-acme-key is missing or wrong'))
      done()
    })
    app.get('/jobs/:id', {
      schema: { operationId: 'getAcmeJob', params: Type.Object({ id: Type.Integer() }), response: { 200: Job, 401: AcmeError, 404: AcmeError } },
    }, async (request) => {
      const job = jobs.job(request.params.id)
      if (job === undefined) throw acmeError(404, 'NO_SUCH_JOB', `no job ${request.params.id}`)
      return view(job)
    })
    app.post('/jobs', {
      schema: { operationId: 'countAcmeJobs', body: Type.Object({ count: Type.Integer() }), response: { 200: Type.Object({ count: Type.Integer() }), 400: AcmeError, 401: AcmeError } },
    }, async (request) => ({ count: request.body.count }))
  }

  const Created = Type.Object({ job_id: Type.Integer(), job_url: Type.String() })
  const Overview = Type.Object({ jobs: Type.Array(Job), total: Type.Integer() })

  return {
    name: 'acme',
    description: 'Acme jobs: a vendor of the tests\' own',
    prefixes: [ACME_PREFIX],
    plugin: mountedAt(ACME_PREFIX, api),
    errors: acmeErrors,
    coercesBodyTypes: false,
    seed: (db) => store(db).seed([1]),
    seedLarge: (db) => store(db).seed([2]),
    timedWork: ({ db }) => {
      const jobs = store(db)
      return [{ name: 'acme jobs finishing', nextDueAt: jobs.nextDue, runDue: (now) => void jobs.finish(now) }]
    },
    simulation: ({ db }): VendorSimulation => {
      const jobs = store(db)
      return {
        clear() {
          jobs.deleteAll()
        },
        scenario: {
          body: Type.Object({ finishes_after_ms: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
          created: Created,
          refusals: [],
          create(body, now) {
            const id = jobs.insertRunning(now + (body as { finishes_after_ms: number }).finishes_after_ms)
            return { job_id: id, job_url: `${ACME_PREFIX}/jobs/${id}` }
          },
        },
        overview: { schema: Overview, read: () => ({ jobs: jobs.all().map(view), total: jobs.all().length }) },
        // Its scenario has no undo: the generic scenario state's teardown leaves what it made.
        providerStates: [
          providerState({
            name: 'an acme job running',
            description: 'a job that finishes after the given time',
            params: Type.Object({
              finishes_after_ms: Type.Optional(Type.Integer({ minimum: 0, default: 60_000 })),
              label: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
              extra: Type.Optional(Type.Unknown()),
            }, { additionalProperties: false }),
            returns: { job_id: 'the job' },
            setup: (params, now) => {
              const id = jobs.insertRunning(now + (params.finishes_after_ms as number))
              return { values: { job_id: id }, undo: () => void jobs.delete(id) }
            },
          }),
          providerState({
            name: 'an acme store that fails',
            description: 'a setup that breaks as a store might',
            params: Type.Object({}),
            returns: {},
            setup: () => {
              throw new Error('acme store unavailable')
            },
          }),
        ],
      }
    },
    examples: () => ({ getAcmeJob: { 200: { done: { id: 1, status: 'done' } } } }),
    contract: {
      securitySchemes: { acmeKey: { type: 'apiKey', in: 'header', name: 'x-acme-key', description: 'the key' } },
      security: () => [{ acmeKey: [] }],
      headers: () => ({ 'X-Acme-Region': { description: 'on every answer', required: true, schema: { type: 'string', const: 'test-1' } } }),
    },
  }
}

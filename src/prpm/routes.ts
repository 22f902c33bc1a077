import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { useVendorErrors } from '../errors.js'
import { useBareJsonContentType } from '../content-type.js'
import { bearerAuth } from './auth.js'
import { prpmErrorMapping } from './errors.js'
import { AnswerCache, notModified } from '../answer-cache.js'
import { readResult, resultRules } from './results.js'
import { createProject, defineColumns, projectBody, uploadDataset, uploadEventLog } from './flows.js'
import {
  BodyErrors, ColumnsDefinitionRequest, CommonErrors, NotModified, CreateProjectRequest, CreateProjectResponse, DatasetForm, DatasetUploadResponse, DetailError, EventLogForm, EventLogParams,
  ProjectParams, ProjectResponse, ResultBody, ResultParams, UpdateEventLogResponse, UploadEventLogResponse,
} from './schemas.js'
import { PrpmStore } from './store.js'
import { StreamReaders } from './sse.js'
import { StreamStore } from './stream-store.js'
import { prpmManagementApi } from './api-routes.js'
import { withForm } from './upload.js'
import { checkRequest, jsonDecodeError } from './validation.js'

import type { VendorContext } from '../vendor-module.js'

/** PrPM (PrCore) at the root of the URL space, as the vendor serves it. */
export const prpmApi: FastifyPluginAsyncTypebox<VendorContext> = async (app, { config: { prpm: config, uploadMaxBytes }, db, clock, scheduler }) => {
  const store = new PrpmStore(db)
  const rules = resultRules(config)
  // Each file is capped, and so is the form: the most a PrCore form holds is a log, a test file and a separator,
  // so a client cannot fill the disk with thousands of parts of one request.
  await app.register(multipart, { limits: { fileSize: uploadMaxBytes, files: 2, fields: 8, parts: 10 } })
  useVendorErrors(app, prpmErrorMapping)
  useBareJsonContentType(app)
  // Fastify's own JSON parser says only "not valid JSON"; FastAPI says where, as a 422.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body)
    parseJson(request, text, (error, value) => {
      // An empty body is no body, as FastAPI reads it: a route that needs one answers 422 field required.
      if (text === '') return done(null, undefined)
      if (!error) return done(error, value)
      try {
        JSON.parse(text)
      } catch (syntax) {
        return done(jsonDecodeError(text, syntax as Error), undefined)
      }
      // Valid JSON the default parser still refused: a prototype-poisoning key.
      return done(error, undefined)
    })
  })
  const authenticate = bearerAuth(config.tokens)
  const streams = new StreamStore(db)
  // No reader survived a restart: each left as the sandbox started (PrCore's minute timer counts from then).
  streams.closeAllReaders(clock.now())
  const readers = new StreamReaders({ store, streams, db, scheduler, clock, pollMs: config.streamPollMs })
  // An open stream would hold the server open: it ends, as a closing Uvicorn ends it.
  app.addHook('preClose', (done) => {
    readers.closeAll()
    done()
  })
  await prpmManagementApi(app, { store, streams, readers, config, uploadMaxBytes, clock, scheduler, authenticate, startedAt: clock.now() })
  // A complete result never changes: serialized once, sent as bytes after.
  const completeResults = new AnswerCache(db)
  const processingAnswers = new AnswerCache(db)

  app.get(
    '/project/:project_id/result/:result_key',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'getResult',
        summary: 'Get the result of an ongoing dataset',
        params: ResultParams,
        // A one-shot result is gone once read: only results kept for re-reading can be held by a client.
        response: { 200: ResultBody, ...(rules.oneShotRead ? {} : { 304: NotModified }), 400: DetailError, 404: DetailError, ...CommonErrors },
      },
    },
    // Not async: the answer is at hand, and a promise per request was a tenth of what a cached answer allocates.
    (request, reply) => {
      const revision = scheduler.catchUp()
      const { project_id: projectId, result_key: resultKey } = request.params
      const now = clock.now()
      const cacheKey = `${projectId}/${resultKey}`
      // Pollers ask again and again while plugins run: the answer changes only when the runner writes, or at expiry.
      const processing = processingAnswers.get(cacheKey, now, revision)
      if (processing !== undefined) {
        reply.type('application/json').send(processing.bytes as never)
        return
      }
      let complete = completeResults.get(cacheKey, now, revision)
      if (complete === undefined) {
        const body = readResult(store, projectId, resultKey, now, rules)
        // A one-shot result is gone once read: nothing to keep.
        if (body.cases !== null && rules.oneShotRead) return body
        const createdAt = store.result(resultKey)?.created_at ?? now
        const expiresAt = rules.resultTtlSeconds > 0 ? createdAt + rules.resultTtlSeconds * 1000 : null
        if (body.cases === null) {
          reply.type('application/json').send(processingAnswers.put(cacheKey, String(reply.serialize(body)), expiresAt).bytes as never)
          return
        }
        complete = completeResults.put(cacheKey, String(reply.serialize(body)), expiresAt)
      }
      reply.header('etag', complete.etag)
      if (notModified(request.headers['if-none-match'], complete.etag)) {
        reply.code(304).send(null)
        return
      }
      // Bytes go out as they are: the route's serializer made them once.
      reply.type('application/json').send(complete.bytes as never)
    },
  )

  const limits = (tmpDir: string) => ({ maxBytes: uploadMaxBytes, tmpDir })

  app.post(
    '/event_log',
    {
      onRequest: authenticate,
      schema: {
        operationId: 'uploadEventLog',
        summary: 'Upload an event log (multipart: file, optional test, separator)',
        form: EventLogForm,
        response: { 200: UploadEventLogResponse, 400: DetailError, ...BodyErrors, ...CommonErrors },
      },
    },
    async (request) => withForm(request, ['file', 'test'], (form, tmpDir) => uploadEventLog(store, form, limits(tmpDir), clock.now())),
  )

  app.put(
    '/event_log/:event_log_id',
    {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'defineColumns',
        summary: 'Define the columns of an uploaded event log',
        params: EventLogParams,
        body: ColumnsDefinitionRequest,
        response: { 200: UpdateEventLogResponse, 400: DetailError, 404: DetailError, ...BodyErrors, ...CommonErrors },
      },
    },
    async (request) => {
      checkRequest(request, { body: true })
      scheduler.catchUp()
      return store.transaction(() => defineColumns(store, streams, request.params.event_log_id, request.body, clock.now()))
    },
  )

  app.post(
    '/project',
    {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'createProject',
        summary: 'Create a project from a defined event log (outcome, treatment)',
        body: CreateProjectRequest,
        response: { 200: CreateProjectResponse, 400: DetailError, ...BodyErrors, ...CommonErrors },
      },
    },
    async (request) => {
      checkRequest(request, { body: true })
      scheduler.catchUp()
      const now = clock.now()
      const created = store.transaction(() => createProject(store, request.body, now, config))
      scheduler.catchUp()
      return { message: 'Project created successfully', project: projectBody(store, created.project_id, now), result_key: created.result_key }
    },
  )

  app.get(
    '/project/:project_id',
    {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'getProject',
        summary: 'Get a project, its status and its plugins',
        params: ProjectParams,
        response: { 200: ProjectResponse, 400: DetailError, ...CommonErrors },
      },
    },
    async (request) => {
      checkRequest(request)
      scheduler.catchUp()
      return { message: 'Project retrieved successfully', project: projectBody(store, request.params.project_id, clock.now()) }
    },
  )

  app.post(
    '/project/:project_id/result',
    {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'uploadDataset',
        summary: 'Upload an ongoing dataset to a trained project (multipart: file, seperator)',
        form: DatasetForm,
        params: ProjectParams,
        response: { 200: DatasetUploadResponse, 400: DetailError, ...BodyErrors, ...CommonErrors },
      },
    },
    async (request) => {
      checkRequest(request)
      scheduler.catchUp()
      const answer = await withForm(request, ['file'], (form, tmpDir) =>
        uploadDataset(store, request.params.project_id, form, limits(tmpDir), clock.now()))
      scheduler.catchUp()
      return answer
    },
  )
}

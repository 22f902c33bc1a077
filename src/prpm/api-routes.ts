import { createHash } from 'node:crypto'
import { randomAlphanumeric } from '../random-key.js'
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { onRequestHookHandler } from 'fastify'
import type { Config } from '../config.js'
import type { SandboxClock } from '../clock.js'
import type { Scheduler } from '../scheduler.js'
import {
  AvailablePluginsAnswer, DatasetDownload, PRCORE_ROOT, DatasetParams, EscapedValidationError, EventLogAnswer, EventLogDefinitionAnswer, EventLogsAnswer, PageQuery,
  PluginAnswer, PluginParams, PluginTriggerParams, PluginUpdateRequest, PluginsAnswer, ProjectAnswer, ProjectIdAnswer, ProjectInfoRequest, ProjectPage,
  RedefineProjectRequest, RedefinedProject, ReuploadAnswer, ReuploadForm, RootResponse, SkipLimitQuery, StreamEventAnswer, StreamEventRequest, StreamResult,
  StreamTypeParams,
} from './api-schemas.js'
import { DATASET_CONTENT_TYPES, datasetFile } from './datasets.js'
import { takeBodiesAsText } from '../content-type.js'
import { prpmErrorMapping } from './errors.js'
import { eventLogDefinition, getEventLog, listEventLogs, reuploadEventLog } from './event-logs.js'
import { availablePlugins, getPlugin, listPlugins, switchPlugin, updatePlugin } from './plugin-settings.js'
import { deleteProject, listProjects, redefineProject, updateProjectInfo } from './projects.js'
import { BodyErrors, CommonErrors, DetailError, EventLogParams, ProjectParams } from './schemas.js'
import type { StreamReaders } from './sse.js'
import type { PrpmStore } from './store.js'
import type { StreamStore } from './stream-store.js'
import { clearStream, postEvent, startStream, stopStream } from './streams.js'
import { withForm } from './upload.js'
import { checkRequest } from './validation.js'

export interface PrpmApiOptions {
  store: PrpmStore
  streams: StreamStore
  readers: StreamReaders
  config: Config['prpm']
  uploadMaxBytes: number
  clock: SandboxClock
  scheduler: Scheduler
  authenticate: onRequestHookHandler
  /** Sandbox time the plugins began reporting (GET /plugin/available). */
  startedAt: number
}

/** The body of stream/event as PrCore's `await request.json()` reads it: no body, or text that is not JSON, is its 500. */
function parseEvent(body: unknown): unknown {
  if (typeof body !== 'string') throw prpmErrorMapping.internal()
  try {
    return JSON.parse(body)
  } catch {
    throw prpmErrorMapping.internal()
  }
}


/** PrCore's projects, event logs, plugins, dataset downloads and streaming, beside the workflow routes (in their scope: no plugin of its own). */
export const prpmManagementApi: FastifyPluginAsyncTypebox<PrpmApiOptions> = async (app, options) => {
  const { store, streams, readers, config, uploadMaxBytes, clock, scheduler, authenticate } = options
  const limits = (tmpDir: string) => ({ maxBytes: uploadMaxBytes, tmpDir })
  const read = <T>(work: () => T) => {
    scheduler.catchUp()
    return work()
  }
  const write = <T>(work: () => T) => {
    scheduler.catchUp()
    const answer = store.transaction(work)
    scheduler.catchUp()
    return answer
  }

  app.get('/', {
    schema: { operationId: 'getRoot', summary: 'Where PrCore lives (no token)', response: { 200: RootResponse, 500: CommonErrors[500] } },
  }, async () => PRCORE_ROOT)

  // ---- projects ----

  app.get('/project/all', {
    onRequest: authenticate,
    attachValidation: true,
    schema: { operationId: 'listProjects', summary: 'List projects, newest first, a page at a time', querystring: PageQuery, response: { 200: ProjectPage, ...CommonErrors } },
  }, async (request) => {
    checkRequest(request)
    return read(() => listProjects(store, request.query.page, request.query.size, clock.now()))
  })

  app.put('/project/:project_id', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'updateProject', summary: 'Set a project\'s name and description', params: ProjectParams, body: ProjectInfoRequest,
      response: { 200: ProjectAnswer, 400: DetailError, ...BodyErrors, ...CommonErrors },
    },
  }, async (request) => {
    checkRequest(request, { body: true })
    return write(() => updateProjectInfo(store, request.params.project_id, request.body, clock.now()))
  })

  app.put('/project/:project_id/definition', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'redefineProject', summary: 'Give a project a new outcome and treatment: it is pre-processed and trained again', params: ProjectParams,
      body: RedefineProjectRequest, response: { 200: RedefinedProject, 400: DetailError, ...BodyErrors, ...CommonErrors },
    },
  }, async (request) => {
    checkRequest(request, { body: true })
    return write(() => redefineProject(store, streams, request.params.project_id, request.body, clock.now(), config))
  })

  app.get('/project/:project_id/dataset/:dataset_type', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'downloadDataset', summary: 'Download a project\'s original, processed, simulation or ongoing dataset', params: DatasetParams,
      response: { 200: DatasetDownload, 400: DetailError, ...CommonErrors },
    },
  }, async (request, reply) => {
    checkRequest(request)
    scheduler.catchUp()
    const file = await datasetFile(store, request.params.project_id, request.params.dataset_type, uploadMaxBytes)
    // Starlette's FileResponse: the file's time and size make its ETag; the file was written now, on the sandbox clock.
    const modified = clock.now()
    const etag = createHash('md5').update(`${modified / 1000}-${file.bytes.length}`).digest('hex')
    return reply
      .header('content-type', DATASET_CONTENT_TYPES[file.extension] ?? 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${randomAlphanumeric(8)}.${file.extension}"`)
      .header('last-modified', new Date(modified).toUTCString())
      .header('etag', `"${etag}"`)
      .send(file.bytes)
  })

  // ---- event logs ----

  app.get('/event_log/all', {
    onRequest: authenticate,
    attachValidation: true,
    schema: { operationId: 'listEventLogs', summary: 'List event logs by id', querystring: SkipLimitQuery, response: { 200: EventLogsAnswer, ...CommonErrors } },
  }, async (request) => {
    checkRequest(request)
    return read(() => listEventLogs(store, request.query.skip, request.query.limit))
  })

  app.get('/event_log/:event_log_id', {
    onRequest: authenticate,
    attachValidation: true,
    schema: { operationId: 'getEventLog', summary: 'Get an event log and its definition', params: EventLogParams, response: { 200: EventLogAnswer, 404: DetailError, ...CommonErrors } },
  }, async (request) => {
    checkRequest(request)
    return read(() => getEventLog(store, request.params.event_log_id))
  })

  app.get('/event_log/:event_log_id/definition', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'getEventLogDefinition', summary: 'Get an event log\'s column definition beside its first rows', params: EventLogParams,
      response: { 200: EventLogDefinitionAnswer, 404: DetailError, ...CommonErrors },
    },
  }, async (request) => {
    checkRequest(request)
    return read(() => eventLogDefinition(store, request.params.event_log_id))
  })

  app.put('/event_log/:event_log_id/upload', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'reuploadEventLog', summary: 'Upload a new file for a project\'s event log (multipart: file, separator): the project trains again',
      params: EventLogParams, form: ReuploadForm,
      response: { 200: ReuploadAnswer, 400: EscapedValidationError, 404: DetailError, ...BodyErrors, ...CommonErrors },
    },
  }, async (request) => {
    checkRequest(request)
    scheduler.catchUp()
    const answer = await withForm(request, ['file'], (form, tmpDir) =>
      reuploadEventLog(store, streams, request.params.event_log_id, form, limits(tmpDir), () => clock.now(), config))
    scheduler.catchUp()
    return answer
  })

  // ---- plugins ----

  app.get('/plugin/all', {
    onRequest: authenticate,
    attachValidation: true,
    schema: { operationId: 'listPlugins', summary: 'List every project\'s plugins by id', querystring: SkipLimitQuery, response: { 200: PluginsAnswer, ...CommonErrors } },
  }, async (request) => {
    checkRequest(request)
    return read(() => listPlugins(store, request.query.skip, request.query.limit))
  })

  app.get('/plugin/available', {
    onRequest: authenticate,
    schema: { operationId: 'listAvailablePlugins', summary: 'The plugins online, by key', response: { 200: AvailablePluginsAnswer, 401: DetailError, 500: CommonErrors[500] } },
  }, async () => availablePlugins(clock.now(), options.startedAt))

  app.get('/plugin/:plugin_id', {
    onRequest: authenticate,
    attachValidation: true,
    schema: { operationId: 'getPlugin', summary: 'Get one plugin of a project', params: PluginParams, response: { 200: PluginAnswer, 404: DetailError, ...CommonErrors } },
  }, async (request) => {
    checkRequest(request)
    return read(() => getPlugin(store, request.params.plugin_id))
  })

  app.put('/plugin/:plugin_id', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'updatePlugin', summary: 'Change a trained plugin\'s parameters (it trains again) or additional info', params: PluginParams, body: PluginUpdateRequest,
      response: { 200: PluginAnswer, 400: DetailError, 404: DetailError, ...BodyErrors, ...CommonErrors },
    },
  }, async (request) => {
    checkRequest(request, { body: true })
    return write(() => updatePlugin(store, request.params.plugin_id, request.body, clock.now(), config))
  })

  // ---- streaming ----

  app.get('/project/:project_id/stream/result', {
    onRequest: authenticate,
    attachValidation: true,
    schema: {
      operationId: 'readStream', summary: 'Read a streaming project\'s prescriptions as Server-Sent Events', params: ProjectParams,
      response: { 200: StreamResult, 400: DetailError, ...CommonErrors },
    },
  }, async (request, reply) => {
    checkRequest(request)
    await readers.open(request.params.project_id, reply)
    return reply
  })

  // Routes whose PrCore handler reads no body (any body a client sends is dropped, never refused), and
  // stream/event, whose handler reads it itself: any content type, and JSON that does not parse is its 500.
  await app.register(async (untyped) => {
    const bodiless = untyped.withTypeProvider<TypeBoxTypeProvider>()
    takeBodiesAsText(bodiless)
    bodiless.delete('/project/:project_id', {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'deleteProject', summary: 'Delete a project, its plugins, events and event log (its stream ends)', params: ProjectParams,
        response: { 200: ProjectIdAnswer, 400: DetailError, ...CommonErrors },
      },
    }, async (request) => {
      checkRequest(request)
      return write(() => deleteProject(store, streams, request.params.project_id, clock.now()))
    })

    bodiless.put('/plugin/:plugin_id/:trigger', {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'switchPlugin', summary: 'Enable or disable a trained plugin', params: PluginTriggerParams,
        response: { 200: PluginAnswer, 400: DetailError, 404: DetailError, ...CommonErrors },
      },
    }, async (request) => {
      checkRequest(request)
      return write(() => switchPlugin(store, request.params.plugin_id, request.params.trigger, clock.now()))
    })

    const startSchema = (operationId: string, summary: string, params: typeof ProjectParams | typeof StreamTypeParams) => ({
      onRequest: authenticate,
      attachValidation: true,
      schema: { operationId, summary, params, response: { 200: ProjectIdAnswer, 400: DetailError, ...CommonErrors } },
    })
    bodiless.put('/project/:project_id/stream/start', startSchema('startStream', 'Start streaming a trained project', ProjectParams), async (request) => {
      checkRequest(request)
      scheduler.catchUp()
      const answer = await startStream(store, streams, request.params.project_id, 'streaming', () => clock.now(), uploadMaxBytes)
      scheduler.catchUp()
      return answer
    })
    bodiless.put('/project/:project_id/stream/start/:streaming_type', startSchema('startStreamOfType', 'Start streaming (streaming) or the simulator (simulating)', StreamTypeParams), async (request) => {
      checkRequest(request)
      scheduler.catchUp()
      const params = request.params as { project_id: number; streaming_type: string }
      const answer = await startStream(store, streams, params.project_id, params.streaming_type, () => clock.now(), uploadMaxBytes)
      scheduler.catchUp()
      return answer
    })
    bodiless.put('/project/:project_id/stream/stop', startSchema('stopStream', 'Stop a project\'s stream or simulation', ProjectParams), async (request) => {
      checkRequest(request)
      return write(() => stopStream(store, streams, request.params.project_id, clock.now()))
    })
    bodiless.put('/project/:project_id/stream/clear', startSchema('clearStream', 'Stop the stream and delete every streamed event and case', ProjectParams), async (request) => {
      checkRequest(request)
      return write(() => clearStream(store, streams, request.params.project_id, clock.now()))
    })

    bodiless.post('/project/:project_id/stream/event', {
      onRequest: authenticate,
      attachValidation: true,
      schema: {
        operationId: 'postStreamEvent', summary: 'Post one event of an ongoing case to a streaming project', params: ProjectParams, body: StreamEventRequest,
        // Any content type is read (no 415); only a body over the limit is refused.
        response: { 200: StreamEventAnswer, 400: EscapedValidationError, 413: DetailError, ...CommonErrors },
      },
    }, async (request) => {
      checkRequest(request, { body: false })
      const event = parseEvent(request.body)
      return write(() => postEvent(store, streams, request.params.project_id, event, clock.now(), config))
    })
  })
}

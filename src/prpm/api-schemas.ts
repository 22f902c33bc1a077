import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from '../schemas.js'
import { DATASET_TYPES } from './datasets.js'
import { PLUGIN_KEYS } from './plugins.js'
import { ColumnsDefinition, EventLog, Plugin, Project, ProjectDefinitionRequest } from './schemas.js'

// The rest of PrCore's client-facing API: projects, event logs, plugins, datasets, streaming.

const Message = (description?: string) => Type.String(description === undefined ? {} : { description })

/** GET /: where PrCore's own deployment lives, the four keys in its order. */
export const RootResponse = Type.Object({
  API: Type.String(),
  Documentation: Type.String(),
  'Swagger UI': Type.String(),
  'RabbitMQ Management': Type.String(),
})

/** What PrCore's root handler answers, written inline there: the one copy the route and the examples use. */
export const PRCORE_ROOT: Static<typeof RootResponse> = {
  API: 'https://prcore.chaos.run',
  Documentation: 'https://prcore-docs.chaos.run',
  'Swagger UI': 'https://prcore.chaos.run/docs',
  'RabbitMQ Management': 'https://prcore-rabbitmq.chaos.run',
}

export const PageQuery = Type.Object({
  page: Type.Integer({ minimum: 1, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
})

/** fastapi-pagination's Page: no message around it. */
export const ProjectPage = Type.Object({
  items: Type.Array(Project, { description: 'newest created_at first' }),
  total: Type.Integer(),
  page: Type.Integer(),
  size: Type.Integer(),
  pages: Type.Integer({ description: 'ceil(total / size)' }),
})

export const SkipLimitQuery = Type.Object({
  skip: Type.Integer({ default: 0, description: 'rows to skip (no bound checked, as PrCore)' }),
  limit: Type.Integer({ default: 100, description: 'rows at most (no bound checked, as PrCore)' }),
})

export const ProjectInfoRequest = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String({ default: '' })),
})

export const ProjectAnswer = Type.Object({ message: Message(), project: Project })
export const ProjectIdAnswer = Type.Object({ message: Message(), project_id: Type.Integer() })

export const RedefineProjectRequest = ProjectDefinitionRequest
export const RedefinedProject = Type.Object({
  message: Message(),
  project: Project,
  result_key: Type.Null({ description: 'always null: the response model has the key, the handler never sets it' }),
})

export const EventLogsAnswer = Type.Object({ message: Message(), event_logs: Type.Array(EventLog, { description: 'by id' }) })
export const EventLogAnswer = Type.Object({ message: Message(), event_log: EventLog })

export const EventLogDefinitionAnswer = Type.Object({
  message: Message(),
  event_log_id: Type.Integer(),
  columns_header: Type.Array(Type.String(), { description: 'the defined columns, in the stored (JSONB) order' }),
  columns_old_definition: Type.Array(Nullable(Type.String()), { description: 'their definitions, same order' }),
  columns_data: Type.Array(Type.Array(Type.String()), { description: 'the first five events, every column in file order' }),
})

/** PUT /event_log/{event_log_id}/upload's multipart form. */
export const ReuploadForm = Type.Object({
  file: Type.Optional(Type.String({ format: 'binary', description: 'the new log: .csv, .xes or .zip (without one: 400 No valid event log provided)' })),
  separator: Type.Optional(Type.String({ default: ',' })),
})

export const ReuploadAnswer = Type.Object({
  message: Message(),
  event_log_id: Type.Integer(),
  received_definition: ColumnsDefinition,
  activities_count: Type.Record(Type.String(), Type.Integer()),
  outcome_options: Type.Array(Type.String()),
  treatment_options: Type.Array(Type.String()),
}, { description: 'only with RESULTBOX_PRPM_REUPLOAD_ANSWER=intended; by default PrCore\'s 400' })

/** A pydantic ValidationError that escaped a handler: PrCore's middleware sends its list, indented, with no Content-Type. */
export const EscapedValidationError = {
  description: 'pydantic\'s error list as JSON indented by 2, sent with no Content-Type header (PrCore\'s middleware); or a FastAPI detail',
  content: {
    'application/json': {
      schema: Type.Union([
        Type.Object({ detail: Type.String() }),
        Type.Array(Type.Object({ loc: Type.Array(Type.Union([Type.String(), Type.Integer()])), msg: Type.String(), type: Type.String() })),
      ]),
    },
  },
}

export const PluginsAnswer = Type.Object({ message: Message(), plugins: Type.Array(Plugin, { description: 'every project\'s, by id' }) })
export const PluginAnswer = Type.Object({ message: Message(), plugin: Plugin })

export const AvailablePlugin = Type.Object({
  prescription_type: Type.String(),
  name: Type.String(),
  description: Type.String(),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  needed_columns: Type.Array(Type.String()),
  needed_info_for_training: Type.Array(Type.String()),
  needed_info_for_prediction: Type.Array(Type.String()),
  supported_encoding: Type.Array(Type.String()),
  online: Type.String({ description: 'its last report, a naive local ISO time (every five minutes on the sandbox clock)' }),
})
export const AvailablePluginsAnswer = Type.Object({
  message: Message(),
  plugins: Type.Record(Type.String(), AvailablePlugin, { description: `by key: ${PLUGIN_KEYS.join(', ')}` }),
})

export const PluginParams = Type.Object({ plugin_id: Type.Integer() })
export const PluginTriggerParams = Type.Object({ plugin_id: Type.Integer(), trigger: Type.String({ description: 'enable or disable' }) })
export const PluginUpdateRequest = Type.Object({
  parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'merged into the stored ones; any retrains the plugin' })),
  additional_info: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'merged into the stored ones' })),
})
export type PluginUpdateRequest = Static<typeof PluginUpdateRequest>

export const DatasetParams = Type.Object({
  project_id: Type.Integer(),
  dataset_type: Type.String({ description: DATASET_TYPES.join(', ') }),
})
const FileBytes = { type: 'string', format: 'binary' } as const
export const DatasetDownload = {
  description: 'the dataset as a file: Content-Disposition attachment; filename="<8 letters or digits>.<ext>", with Content-Length, Last-Modified and ETag',
  content: Object.fromEntries(['text/csv; charset=utf-8', 'application/zip', 'text/plain; charset=utf-8'].map((type) => [type, { schema: FileBytes }])),
}

export const StreamTypeParams = Type.Object({
  project_id: Type.Integer(),
  streaming_type: Type.String({ description: 'streaming or simulating (any case)' }),
})

export const StreamEventRequest = Type.Record(Type.String(), Type.Unknown(), {
  description: 'one event: a key for every column of the definition and every case attribute, plus an optional COMPLETE_INDICATOR (true on a case\'s last event)',
})

export const StreamEventAnswer = Type.Object({
  message: Message(),
  event: Type.Object({
    project_id: Type.Integer(),
    attributes: Type.Record(Type.String(), Nullable(Type.String()), { description: 'values as strings, JSONB key order' }),
    id: Type.Integer(),
    created_at: Type.String(),
    updated_at: Nullable(Type.String()),
  }),
})

export const StreamResult = {
  description: [
    'Server-Sent Events (lines end CRLF): `id: 0`/`event: notification`/`data: CONNECTED` at once;',
    'then `event: message` with ids 1, 2, … whose data is a JSON list of events',
    '({"id", "timestamp", "case_completed", "data", "prescriptions" by plugin key});',
    '`event: ping` with a UTC time every 15 polls; and `event: notification`/`data: FINISHED` when the stream ends.',
  ].join(' '),
  content: { 'text/event-stream': { schema: Type.String() } },
}

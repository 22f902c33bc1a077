import { jsonbOrdered, storedConditions, validateConditionGroups } from './definitions.js'
import { PrpmErrors } from './errors.js'
import { bad, projectBody, type TrainingTimes } from './flows.js'
import { PLUGIN_INFO } from './plugins.js'
import type { ProjectDefinitionRequest } from './schemas.js'
import type { PrpmStore, StoredDefinition } from './store.js'
import { stopForRedefinition } from './lifecycle.js'
import type { StreamStore } from './stream-store.js'

const REDEFINABLE = new Set(['WAITING', 'TRAINED', 'STREAMING', 'SIMULATING', 'ERROR'])

/** GET /project/all: fastapi-pagination's Page, newest project first. */
export function listProjects(store: PrpmStore, page: number, size: number, now: number) {
  const total = store.countProjects()
  const items = store.projectIds((page - 1) * size, size).map((id) => projectBody(store, id, now))
  return { items, total, page, size, pages: Math.ceil(total / size) }
}

/** PUT /project/{project_id}: name and description, in any status. */
export function updateProjectInfo(store: PrpmStore, projectId: number, body: { name: string; description?: string }, now: number) {
  if (!store.project(projectId)) throw PrpmErrors.projectNotFound()
  // Fastify fills the default description in: an omitted one becomes "", as pydantic's default.
  store.setProjectInfo(projectId, body.name, body.description ?? '', now)
  return { message: "Project's basic information updated successfully", project: projectBody(store, projectId, now) }
}

/** DELETE /project/{project_id}: its stream ends (a reader hears FINISHED), then it and its event log are gone. */
export function deleteProject(store: PrpmStore, streams: StreamStore, projectId: number, now: number) {
  if (!store.project(projectId)) throw PrpmErrors.projectNotFound()
  streams.finishProjectRuns(projectId, now)
  store.deleteProject(projectId)
  return { message: 'Project deleted successfully', project_id: projectId }
}

/** Pre-processing starts again: the project and the given plugins PREPROCESSING, then TRAINING and TRAINED on the clock. */
export function preprocessAgain(store: PrpmStore, projectId: number, now: number, times: TrainingTimes): void {
  store.setStatus(projectId, 'PREPROCESSING', now)
  store.movePlugins(projectId, ['WAITING'], 'PREPROCESSING', now)
  store.setTimeline(projectId, now + times.preprocessingMs, now + times.preprocessingMs + times.trainingMs)
  store.advanceTraining(now)
}

/**
 * PUT /project/{project_id}/definition: a new outcome and treatment for the project's log. The
 * stream ends as for a redefinition, and the existing plugins are pre-processed and trained again,
 * each with its defaults merged with this request's parameters and only this request's additional info.
 */
export function redefineProject(store: PrpmStore, streams: StreamStore, projectId: number, body: ProjectDefinitionRequest, now: number, times: TrainingTimes) {
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (!REDEFINABLE.has(project.status)) throw bad('Project not ready')
  const eventLogId = store.projectDetails(projectId)?.event_log_id ?? null
  const log = eventLogId === null ? undefined : store.eventLog(eventLogId)
  if (!log?.definition) throw bad('Event log not found')
  const definition = JSON.parse(log.definition) as StoredDefinition
  if (body.positive_outcome && body.negative_outcome) throw bad('Project definition conflict')
  const outcome = body.positive_outcome ?? body.negative_outcome ?? null
  if (outcome) validateConditionGroups(outcome, definition.columns_definition)
  if (body.treatment) validateConditionGroups(body.treatment, definition.columns_definition)

  stopForRedefinition(store, streams, projectId, now)
  definition.outcome_definition = jsonbOrdered(storedConditions(outcome))
  definition.outcome_definition_negative = !body.positive_outcome && Boolean(body.negative_outcome)
  definition.treatment_definition = jsonbOrdered(storedConditions(body.treatment))
  store.updateDefinition(log.id, definition, now)
  for (const plugin of store.projectPlugins(projectId)) {
    const parameters = { ...PLUGIN_INFO[plugin.plugin_key].parameters, ...(body.parameters?.[plugin.plugin_key] ?? {}) }
    store.setPluginSettings(plugin.id, jsonbOrdered(parameters), jsonbOrdered(body.additional_info?.[plugin.plugin_key] ?? {}), now)
  }
  preprocessAgain(store, projectId, now, times)
  return { message: 'Project definition updated successfully', project: projectBody(store, projectId, now), result_key: null }
}

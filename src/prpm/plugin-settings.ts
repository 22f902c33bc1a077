import type { Static } from '@sinclair/typebox'
import { VendorError } from '../errors.js'
import type { AvailablePlugin } from './api-schemas.js'
import { jsonbOrdered } from './definitions.js'
import { bad, pluginBody, type TrainingTimes } from './flows.js'
import { PLUGINS, PLUGIN_INFO, PLUGIN_KEYS, type PluginKey } from './plugins.js'
import type { ProjectPluginRow, PrpmStore } from './store.js'

const JSON_TYPE = { 'content-type': 'application/json' }

/** What each plugin reports of itself besides its name and parameters (plugins/*\/config.py). */
const REPORTED: Record<PluginKey, { needed_columns: string[]; needed_info_for_prediction: string[] }> = {
  'plugin-knn-next-activity': { needed_columns: [], needed_info_for_prediction: [] },
  'plugin-random-forest-alarm': { needed_columns: ['OUTCOME'], needed_info_for_prediction: [] },
  'plugin-causallift-treatment-effect': { needed_columns: ['OUTCOME', 'TREATMENT'], needed_info_for_prediction: ['treatment_definition'] },
  'plugin-causallift-resource-allocation': { needed_columns: ['OUTCOME', 'TREATMENT'], needed_info_for_prediction: ['available_resources', 'treatment_duration'] },
}
/** A plugin reports every five minutes; an additional_info key it needs for training would retrain it (none of the four needs one). */
const REPORT_INTERVAL_MS = 300_000
const NEEDED_INFO_FOR_TRAINING: string[] = []

/** A naive local ISO time as Python prints datetime.now() (the sandbox's local time is UTC). */
const naiveIso = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000`

/**
 * GET /plugin/available: every plugin of the sandbox is always online, its last report the latest
 * five-minute mark of the sandbox clock since `since` (the sandbox's start).
 */
export function availablePlugins(now: number, since: number) {
  const reported = now - ((((now - since) % REPORT_INTERVAL_MS) + REPORT_INTERVAL_MS) % REPORT_INTERVAL_MS)
  const plugins: Record<string, Static<typeof AvailablePlugin>> = {}
  for (const key of PLUGIN_KEYS) {
    plugins[key] = {
      prescription_type: PLUGINS[key].type,
      name: PLUGINS[key].name,
      description: PLUGIN_INFO[key].description,
      parameters: PLUGIN_INFO[key].parameters,
      needed_columns: REPORTED[key].needed_columns,
      needed_info_for_training: NEEDED_INFO_FOR_TRAINING,
      needed_info_for_prediction: REPORTED[key].needed_info_for_prediction,
      supported_encoding: ['BOOLEAN', 'FREQUENCY_BASED', 'SIMPLE_INDEX'],
      online: naiveIso(reported),
    }
  }
  return { message: 'Available plugins retrieved successfully', plugins }
}

export function listPlugins(store: PrpmStore, skip: number, limit: number) {
  return { message: 'Plugins retrieved successfully', plugins: store.allPlugins(skip, limit).map(pluginBody) }
}

// PrCore reads a missing plugin's project before it checks the plugin, and fails with a 500; resultbox answers the 404 it means.
const pluginNotFound = () => new VendorError(404, { detail: 'Plugin not found' }, JSON_TYPE)

export function getPlugin(store: PrpmStore, pluginId: number) {
  const plugin = store.plugin(pluginId)
  if (!plugin) throw pluginNotFound()
  return { message: 'Plugin retrieved successfully', plugin: pluginBody(plugin) }
}

/** A plugin may be changed only while it and its project are TRAINED. */
function changeablePlugin(store: PrpmStore, pluginId: number) {
  const plugin = store.plugin(pluginId)
  if (!plugin) throw pluginNotFound()
  if (store.project(plugin.project_id)?.status !== 'TRAINED') throw bad('Project not ready')
  if (plugin.status !== 'TRAINED') throw bad('Plugin not ready')
  return plugin
}

/**
 * PUT /plugin/{id}: parameters and additional info merged shallowly into the stored ones. New
 * parameters retrain the plugin: it and its project are TRAINING in the answer, TRAINED again
 * after the training time.
 */
export function updatePlugin(
  store: PrpmStore, pluginId: number, body: { parameters?: Record<string, unknown>; additional_info?: Record<string, unknown> }, now: number, times: TrainingTimes,
) {
  const plugin = changeablePlugin(store, pluginId)
  const sent = { parameters: body.parameters ?? {}, additional_info: body.additional_info ?? {} }
  const parameters = jsonbOrdered({ ...(JSON.parse(plugin.parameters) as Record<string, unknown>), ...sent.parameters })
  const additionalInfo = jsonbOrdered({ ...(JSON.parse(plugin.additional_info) as Record<string, unknown>), ...sent.additional_info })
  const retrains = Object.keys(sent.parameters).length > 0 || Object.keys(sent.additional_info).some((key) => NEEDED_INFO_FOR_TRAINING.includes(key))
  return store.transaction(() => {
    store.setPluginSettings(plugin.id, parameters, additionalInfo, now)
    if (retrains) {
      store.setPluginStatus(plugin.id, 'TRAINING', now)
      store.setStatus(plugin.project_id, 'TRAINING', now)
      store.setTimeline(plugin.project_id, null, now + times.trainingMs)
    }
    // The answer is made as the training starts, before even an instant one has ended.
    const answer = { message: 'Plugin is updated successfully', plugin: pluginBody(store.plugin(plugin.id) as ProjectPluginRow) }
    store.advanceTraining(now)
    return answer
  })
}

/** PUT /plugin/{id}/{enable|disable} */
export function switchPlugin(store: PrpmStore, pluginId: number, trigger: string, now: number) {
  if (trigger !== 'enable' && trigger !== 'disable') throw bad('Plugin trigger type not valid')
  const plugin = changeablePlugin(store, pluginId)
  const disable = trigger === 'disable'
  if (disable && plugin.disabled === 1) throw bad('Plugin already disabled')
  if (!disable && plugin.disabled === 0) throw bad('Plugin already enabled')
  store.setPluginDisabled(plugin.id, disable, now)
  return { message: `Plugin is ${trigger}d successfully`, plugin: pluginBody(store.plugin(plugin.id) as ProjectPluginRow) }
}

/**
 * PrCore's plugin catalogue: key, display name and the prescription type each
 * one gives. "CasualLift" is the vendor's own spelling.
 */
export const PLUGINS = {
  'plugin-knn-next-activity': { name: 'KNN next activity prediction', type: 'NEXT_ACTIVITY' },
  'plugin-random-forest-alarm': { name: 'Random forest negative outcome probability', type: 'ALARM' },
  'plugin-causallift-treatment-effect': { name: 'CasualLift treatment effect', type: 'TREATMENT_EFFECT' },
  'plugin-causallift-resource-allocation': { name: 'CasualLift resource allocation', type: 'RESOURCE_ALLOCATION' },
} as const

export type PluginKey = keyof typeof PLUGINS

/** What each plugin says of itself (its config.py): the project's plugin objects show these. */
export const PLUGIN_INFO: Record<PluginKey, { description: string; parameters: Record<string, unknown> }> = {
  'plugin-knn-next-activity': {
    description: 'This plugin predicts the next activity based on the KNN algorithm.',
    parameters: { encoding: 'SIMPLE_INDEX', n_neighbors: 3 },
  },
  'plugin-random-forest-alarm': {
    description: 'This plugin predicts the alarm probability based on the random forest algorithm.',
    parameters: { encoding: 'SIMPLE_INDEX' },
  },
  'plugin-causallift-treatment-effect': {
    description: 'This plugin uses Uplift Modeling package CasualLift to get the CATE and probability of outcome if treatment is applied or not',
    parameters: { encoding: 'SIMPLE_INDEX' },
  },
  'plugin-causallift-resource-allocation': {
    description: 'This plugin uses Uplift Modeling package CasualLift to get resource allocation base on CATE',
    parameters: { encoding: 'SIMPLE_INDEX' },
  },
}

/** The seed's order of expected plugins; a project lists its plugins in this order. */
export const PROJECT_PLUGIN_ORDER: PluginKey[] = [
  'plugin-causallift-treatment-effect', 'plugin-knn-next-activity', 'plugin-random-forest-alarm', 'plugin-causallift-resource-allocation',
]

/**
 * The plugins PrCore keeps for a project: each checks at training whether the
 * data has the columns it needs and drops out if not (OUTCOME for the alarm,
 * OUTCOME and TREATMENT for CausalLift). The resource allocation plugin also
 * needs `available_resources` and `treatment_duration` in its additional_info
 * (PrCore's docs); without them it is not enabled, which is why the seed's
 * results expect three plugins.
 */
export function applicablePlugins(hasOutcome: boolean, hasTreatment: boolean, additionalInfo: Record<string, Record<string, unknown>>): PluginKey[] {
  const allocation = additionalInfo['plugin-causallift-resource-allocation'] ?? {}
  return PROJECT_PLUGIN_ORDER.filter((plugin) => {
    if (plugin === 'plugin-knn-next-activity') return true
    if (plugin === 'plugin-random-forest-alarm') return hasOutcome
    if (plugin === 'plugin-causallift-treatment-effect') return hasOutcome && hasTreatment
    return hasOutcome && hasTreatment && Boolean(allocation.available_resources) && Boolean(allocation.treatment_duration)
  })
}
export type PrescriptionType = (typeof PLUGINS)[PluginKey]['type']

export const PLUGIN_KEYS = Object.keys(PLUGINS) as PluginKey[]

export function pluginForPrescriptionType(type: PrescriptionType): PluginKey {
  const key = PLUGIN_KEYS.find((candidate) => PLUGINS[candidate].type === type)
  /* c8 ignore next */
  if (!key) throw new Error(`no plugin gives ${type}`)
  return key
}

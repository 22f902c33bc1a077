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
export type PrescriptionType = (typeof PLUGINS)[PluginKey]['type']

export const PLUGIN_KEYS = Object.keys(PLUGINS) as PluginKey[]

export function pluginForPrescriptionType(type: PrescriptionType): PluginKey {
  const key = PLUGIN_KEYS.find((candidate) => PLUGINS[candidate].type === type)
  /* c8 ignore next */
  if (!key) throw new Error(`no plugin gives ${type}`)
  return key
}

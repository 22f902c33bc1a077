import { createHash } from 'node:crypto'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import { PLUGINS, type PluginKey } from './plugins.js'
import type { Prescription } from './schemas.js'
import type { StoredCondition } from './store.js'

/** A generator seeded by text (result key, plugin, case): the same input gives the same prescriptions. */
function seeded(...parts: string[]): RandomGenerator {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest()
  return xoroshiro128plus(digest.readInt32LE(0))
}

/** A number in [low, high] with four decimals, as PrCore rounds its outputs. */
const round4 = (rng: RandomGenerator, low: number, high: number) =>
  uniformInt(rng, Math.round(low * 10_000), Math.round(high * 10_000)) / 10_000

/** Python's datetime.now().isoformat(): no offset, microseconds. */
function pythonNaive(ms: number, rng: RandomGenerator): string {
  return `${new Date(ms).toISOString().slice(0, 23)}${String(uniformInt(rng, 0, 999)).padStart(3, '0')}`
}

export interface PrescriptionContext {
  resultKey: string
  /** Encoding parameter of each plugin, for the model name PrCore prints (`SIMPLE_INDEX-length-5`). */
  encoding: (plugin: PluginKey) => string
  /** Activities of the training log, else of the dataset: never empty (NEXT_ACTIVITY picks among them). */
  activities: string[]
  treatment: StoredCondition[][] | null
  /** When each plugin finishes; its prescriptions are dated then. */
  finishesAt: (plugin: PluginKey) => number
}

function metrics(context: PrescriptionContext, plugin: PluginKey) {
  const rng = seeded(context.resultKey, plugin, 'metrics')
  const accuracy = round4(rng, 0.55, 0.95)
  const precision = round4(rng, Math.max(0.5, accuracy - 0.05), Math.min(0.99, accuracy + 0.05))
  const recall = accuracy
  const f1 = Math.round(((2 * precision * recall) / (precision + recall)) * 10_000) / 10_000
  return { accuracy, precision, recall, f1_score: f1 }
}

/**
 * What one plugin prescribes for one case: deterministic in the result key,
 * the plugin and the case, consistent with the data (activities of the log,
 * the project's treatment). RESOURCE_ALLOCATION gives nothing on datasets.
 */
export function prescribe(context: PrescriptionContext, plugin: PluginKey, caseId: string, events: string[][]): Prescription[] {
  const rng = seeded(context.resultKey, plugin, caseId)
  const date = pythonNaive(context.finishesAt(plugin), rng)
  const model = `${context.encoding(plugin)}-length-${events.length}`
  const name = PLUGINS[plugin].name
  switch (plugin) {
    case 'plugin-random-forest-alarm':
      return [{ date, type: 'ALARM', output: round4(rng, 0, 1), plugin: { name, model, ...metrics(context, plugin) } }]
    case 'plugin-knn-next-activity': {
      const output = context.activities[uniformInt(rng, 0, context.activities.length - 1)] as string
      return [{ date, type: 'NEXT_ACTIVITY', output, plugin: { name, model, ...metrics(context, plugin) } }]
    }
    case 'plugin-causallift-treatment-effect': {
      if (!context.treatment) return []
      const treated = round4(rng, 0, 1)
      const untreated = round4(rng, 0, 1)
      const treatment = context.treatment.map((group) => group.map(({ column, operator, value }) => ({ value, column, operator })))
      return [{
        date,
        type: 'TREATMENT_EFFECT',
        output: { proba_if_treated: treated, proba_if_untreated: untreated, cate: Math.round((treated - untreated) * 10_000) / 10_000, treatment },
        plugin: { name, model },
      }]
    }
    default:
      return []
  }
}

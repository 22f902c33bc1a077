import { randomInt } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { columnNamed } from './definitions.js'
import { PrpmErrors } from './errors.js'
import { readEventLog } from './files.js'
import { bad, definitionOf, recognisedRows, timeOf, type Dataset } from './flows.js'
import { sampleFile } from './sample-log.js'
import type { EventLogFileRow, EventLogRow, PrpmStore, StoredCondition, StoredDefinition } from './store.js'
import { Table } from './upload.js'

export const DATASET_TYPES = ['original', 'processed', 'ongoing', 'simulation'] as const
export type DatasetType = (typeof DATASET_TYPES)[number]

/** PrCore's "processed" group: a project in one of these has been pre-processed. */
export const PROCESSED_STATUSES: ReadonlySet<string> = new Set(['TRAINING', 'TRAINED', 'STREAMING', 'SIMULATING'])

const NOT_PRODUCIBLE = 'There was an error processing the dataset'

/** The first upload's bytes; a fixture's sample log is made now from what its log row holds. */
async function firstUploadBytes(store: PrpmStore, eventLogId: number, file: EventLogFileRow): Promise<Buffer> {
  if (file.bytes !== null) return file.bytes
  // Sample logs are seeded defined (fixtures.ts, the scenario's project).
  const log = store.eventLog(eventLogId) as EventLogRow
  const definition = JSON.parse(log.definition as string) as StoredDefinition
  const activity = columnNamed(definition.columns_definition, 'ACTIVITY') as string
  return sampleFile(log.file_name, file.extension, {
    columns: JSON.parse(log.columns) as string[],
    definition: definition.columns_definition,
    caseAttributes: definition.case_attributes,
    activities: store.columnValues(eventLogId, activity).map((entry) => entry.value),
    seededAt: log.created_at,
  })
}

/** A project's log as pre-processing reads it: the first upload, whatever was uploaded since. */
export async function firstUpload(store: PrpmStore, eventLogId: number, maxBytes: number): Promise<Dataset | null> {
  const file = store.eventLogFile(eventLogId)
  if (!file) return null
  const bytes = await firstUploadBytes(store, eventLogId, file)
  const tmpDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'resultbox-prpm-log-'))
  try {
    const target = path.join(tmpDir, `log.${file.extension}`)
    await fs.promises.writeFile(target, bytes)
    const table = new Table()
    await readEventLog(target, file.extension, table, { separator: file.separator, maxBytes, tmpDir })
    return table.finish()
  } catch {
    // It was read once at upload; a store edited by hand may hold anything.
    return null
  } finally {
    await fs.promises.rm(tmpDir, { recursive: true, force: true })
  }
}

export interface SplitLog {
  columns: string[]
  definition: StoredDefinition
  /** Rows of the 80 % training cases and of the 20 % simulation cases, each case's in file order. */
  training: (string | null)[][]
  simulation: (string | null)[][]
}

/**
 * PrCore's split at pre-processing: GroupShuffleSplit by case, test_size 0.2, random_state 42.
 * The same cases always land on the same side; which ones is resultbox's own shuffle (seed 42),
 * not NumPy's, and the simulation side has ceil(20 %) of the cases, as scikit-learn rounds it.
 */
export function splitLog(dataset: Dataset, definition: StoredDefinition): SplitLog {
  const rows = recognisedRows(dataset, definition)
  const caseIndex = dataset.columns.indexOf(columnNamed(definition.columns_definition, 'CASE_ID') as string)
  const caseIds = [...new Set(rows.map((row) => String(row[caseIndex] ?? 'nan')))].sort()
  const rng = xoroshiro128plus(42)
  for (let index = caseIds.length - 1; index > 0; index--) {
    const other = uniformInt(rng, 0, index)
    ;[caseIds[index], caseIds[other]] = [caseIds[other] as string, caseIds[index] as string]
  }
  const simulated = new Set(caseIds.slice(0, Math.ceil(caseIds.length * 0.2)))
  const side = (row: (string | null)[]) => simulated.has(String(row[caseIndex] ?? 'nan'))
  return { columns: dataset.columns, definition, training: rows.filter((row) => !side(row)), simulation: rows.filter(side) }
}

/** The project's split log, or null when its log has no stored file. */
export async function projectSplit(store: PrpmStore, projectId: number, maxBytes: number): Promise<SplitLog | null> {
  const found = definitionOf(store, projectId)
  if (!found) return null
  const dataset = await firstUpload(store, found.eventLogId, maxBytes)
  return dataset === null ? null : splitLog(dataset, found.definition)
}

/** Rows grouped by case in order of first appearance, each case's events sorted by start time. */
export function byCase(split: Pick<SplitLog, 'columns' | 'definition'>, rows: (string | null)[][]): Map<string, (string | null)[][]> {
  const definition = split.definition.columns_definition
  const caseIndex = split.columns.indexOf(columnNamed(definition, 'CASE_ID') as string)
  const timeIndex = split.columns.indexOf((columnNamed(definition, 'TIMESTAMP') ?? columnNamed(definition, 'START_TIMESTAMP')) as string)
  const cases = new Map<string, (string | null)[][]>()
  for (const row of rows) {
    const id = String(row[caseIndex] ?? 'nan')
    const list = cases.get(id)
    if (list) list.push(row)
    else cases.set(id, [row])
  }
  for (const events of cases.values()) {
    const order = new Map(events.map((event, position) => [event, position]))
    events.sort((a, b) => timeOf(a[timeIndex]) - timeOf(b[timeIndex]) || (order.get(a) as number) - (order.get(b) as number))
  }
  return cases
}

/** A CSV as pandas' to_csv writes it (no index, a missing value empty); the writer is loaded on first use. */
async function csv(columns: string[], rows: (string | null)[][]): Promise<Buffer> {
  const { stringify } = await import('csv-stringify/sync')
  return Buffer.from(stringify([columns, ...rows.map((row) => row.map((value) => value ?? ''))]))
}

// ---- the processed dataset: PrCore's processor output, as far as a client reads it ----

const RENAMED = new Set(['CASE_ID', 'ACTIVITY', 'TIMESTAMP', 'START_TIMESTAMP', 'END_TIMESTAMP', 'RESOURCE', 'TRANSITION', 'DURATION', 'COST', 'COMPLETE_INDICATOR'])

const asNumber = (value: string | null) => (value === null || value.trim() === '' ? Number.NaN : Number(value))

/** Whether one event meets one condition (DURATION: the case's duration so far, in seconds). */
function holds(condition: StoredCondition, value: string | null, duration: number): boolean {
  const wanted = condition.value
  const actual = condition.column === 'DURATION' ? String(duration) : value
  const numeric = !Number.isNaN(asNumber(actual)) && !Number.isNaN(asNumber(wanted))
  const compare = numeric ? asNumber(actual) - asNumber(wanted) : timeOf(actual) - timeOf(wanted)
  switch (condition.operator) {
    case 'EQUAL': case 'IS': return numeric ? compare === 0 : actual === wanted
    case 'NOT_EQUAL': return numeric ? compare !== 0 : actual !== wanted
    case 'CONTAINS': return actual !== null && wanted !== null && actual.includes(wanted)
    case 'NOT_CONTAINS': return actual === null || wanted === null || !actual.includes(wanted)
    case 'IS_TRUE': return ['true', '1'].includes(String(actual).toLowerCase())
    case 'IS_FALSE': return ['false', '0'].includes(String(actual).toLowerCase())
    case 'LESS_THAN': case 'EARLIER_THAN': return compare < 0
    case 'LESS_THAN_OR_EQUAL': case 'EARLIER_THAN_OR_EQUAL': return compare <= 0
    case 'GREATER_THAN': case 'LATER_THAN': return compare > 0
    default: return compare >= 0
  }
}

/** A case meets a definition (OR of AND groups) once one of its events so far meets each condition of a group. */
function meets(groups: StoredCondition[][] | null, columns: string[], events: (string | null)[][], durations: number[]): boolean {
  if (groups === null) return false
  return groups.some((group) => group.every((condition) => {
    const index = columns.indexOf(condition.column)
    return events.some((event, position) => holds(condition, index === -1 ? null : event[index] ?? null, durations[position] as number))
  }))
}

/**
 * The training cases as PrCore's processor leaves them: special columns named by their type,
 * CATEGORICAL_<col>, CASE_ATTRIBUTE_<TYPE>_<col>, EVENT_ATTRIBUTE_<TYPE>_<col> (ignored columns
 * dropped), then DURATION (seconds since the case began), OUTCOME and TREATMENT (whether the case
 * so far meets the definition), and TREATMENT_RESOURCE where a treatment and a RESOURCE exist.
 */
export function processedRows(split: SplitLog): { columns: string[]; rows: (string | null)[][] } {
  const definition = split.definition
  const types = definition.columns_definition
  const attributes = new Set(definition.case_attributes ?? [])
  const kept = split.columns.flatMap((column, index) => {
    const type = types[column] ?? null
    if (type === null) return []
    if (RENAMED.has(type)) return [{ index, name: type }]
    if (type === 'CATEGORICAL') return [{ index, name: `CATEGORICAL_${column}` }]
    if (type === 'OUTCOME' || type === 'TREATMENT' || type === 'TREATMENT_RESOURCE') return []
    return [{ index, name: `${attributes.has(column) ? 'CASE_ATTRIBUTE' : 'EVENT_ATTRIBUTE'}_${type}_${column}` }]
  })
  const timeIndex = split.columns.indexOf((columnNamed(types, 'TIMESTAMP') ?? columnNamed(types, 'START_TIMESTAMP')) as string)
  const resourceIndex = split.columns.indexOf(columnNamed(types, 'RESOURCE') ?? '')
  const treatmentResource = definition.treatment_definition !== null && resourceIndex !== -1
  // A log with a DURATION column of its own keeps it; otherwise the processor computes one.
  const computesDuration = !kept.some((entry) => entry.name === 'DURATION')
  const columns = [...kept.map((entry) => entry.name), ...(computesDuration ? ['DURATION'] : []), 'OUTCOME', 'TREATMENT']
  if (treatmentResource) columns.push('TREATMENT_RESOURCE')
  const rows: (string | null)[][] = []
  for (const events of byCase(split, split.training).values()) {
    const began = timeOf(events[0]?.[timeIndex])
    const durations: number[] = []
    events.forEach((event, position) => {
      const at = timeOf(event[timeIndex])
      durations.push(Number.isFinite(at - began) ? (at - began) / 1000 : 0)
      const sofar = events.slice(0, position + 1)
      const treated = meets(definition.treatment_definition, split.columns, sofar, durations)
      const row = kept.map((entry) => event[entry.index] ?? null)
      if (computesDuration) row.push(String(durations[position]))
      row.push(meets(definition.outcome_definition, split.columns, sofar, durations) !== definition.outcome_definition_negative ? 'True' : 'False')
      row.push(treated ? 'True' : 'False')
      if (treatmentResource) row.push(treated ? event[resourceIndex] ?? null : null)
      rows.push(row)
    })
  }
  return { columns, rows }
}

/** The ongoing dataset PrCore makes on each request: simulation cases of 4 events or more, cut after k in 3..n−1. */
export function ongoingRows(split: SplitLog): (string | null)[][] {
  const rows: (string | null)[][] = []
  for (const events of byCase(split, split.simulation).values()) {
    if (events.length < 4) continue
    rows.push(...events.slice(0, randomInt(3, events.length)))
  }
  return rows
}

export interface DatasetFile {
  bytes: Buffer
  extension: string
}

/** GET /project/{project_id}/dataset/{type}, in PrCore's order of checks. */
export async function datasetFile(store: PrpmStore, projectId: number, type: string, maxBytes: number): Promise<DatasetFile> {
  const project = store.project(projectId)
  if (!project) throw PrpmErrors.projectNotFound()
  if (type !== 'original' && (DATASET_TYPES as readonly string[]).includes(type) && !PROCESSED_STATUSES.has(project.status)) {
    throw bad('Project not preprocessed')
  }
  if (!(DATASET_TYPES as readonly string[]).includes(type)) throw bad('Invalid dataset type')
  const eventLogId = store.projectDetails(projectId)?.event_log_id ?? null
  const file = eventLogId === null ? undefined : store.eventLogFile(eventLogId)
  if (eventLogId === null || !file) throw bad(NOT_PRODUCIBLE)
  if (type === 'original') {
    return file.latest_bytes !== null
      ? { bytes: file.latest_bytes, extension: file.latest_extension as string }
      : { bytes: await firstUploadBytes(store, eventLogId, file), extension: file.extension }
  }
  const split = await projectSplit(store, projectId, maxBytes)
  if (split === null) throw bad(NOT_PRODUCIBLE)
  if (type === 'processed') {
    const processed = processedRows(split)
    return { bytes: await csv(processed.columns, processed.rows), extension: 'csv' }
  }
  return { bytes: await csv(split.columns, type === 'simulation' ? split.simulation : ongoingRows(split)), extension: 'csv' }
}

/** Starlette's FileResponse guesses the type from the extension. */
export const DATASET_CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  zip: 'application/zip',
  xes: 'text/plain; charset=utf-8',
}

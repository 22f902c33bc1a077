import { VendorError } from '../errors.js'
import type { ProjectCondition } from './schemas.js'

const detail400 = (message: string) => new VendorError(400, { detail: message }, { 'content-type': 'application/json' })

/**
 * PostgreSQL's JSONB keeps object keys shortest first, then bytewise: PrCore
 * stores definitions, parameters and additional info as JSONB, which is why
 * the seed's columns_definition reads "Case ID", "Activity", "REG_DATE", ...
 */
export function jsonbOrdered<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => jsonbOrdered(item)) as T
  if (value === null || typeof value !== 'object') return value
  const keys = Object.keys(value).sort((a, b) => {
    const [left, right] = [Buffer.from(a), Buffer.from(b)]
    return left.length - right.length || Buffer.compare(left, right)
  })
  const ordered: Record<string, unknown> = {}
  for (const key of keys) ordered[key] = jsonbOrdered((value as Record<string, unknown>)[key])
  return ordered as T
}

/** A timestamptz as FastAPI prints it: `2023-03-04T09:26:36.572249+00:00` (milliseconds, then 000). */
export function pythonDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000+00:00`
}

export const nullablePythonDateTime = (ms: number | null) => (ms === null ? null : pythonDateTime(ms))

// ---- inference from column names (core/functions/event_log/analysis.py) ----

const STANDARD_NAMES: Record<string, string> = {
  'case:concept:name': 'CASE_ID',
  'concept:name': 'ACTIVITY',
  'time:timestamp': 'TIMESTAMP',
  'lifecycle:transition': 'TRANSITION',
  'org:resource': 'RESOURCE',
}
const RESOURCE_NAMES = ['resource', 'user', 'person', 'agent', 'employee', 'operator', 'representative', 'personnel',
  'specialist', 'worker', 'staff', 'technician', 'technologist']
const CONNECTORS = ['_', ' ', '-', ':', '.', '']
const timeName = (prefixes: string[], name: string) =>
  prefixes.some((prefix) => ['time', 'date', 'timestamp'].some((suffix) => CONNECTORS.some((c) => `${prefix}${c}${suffix}` === name)))

export function inferDefinition(name: string): string | null {
  const [namespace] = name.split(':')
  if (name.includes(':') && ['concept', 'lifecycle', 'org', 'time', 'case'].includes(namespace as string)) {
    return STANDARD_NAMES[name] ?? null
  }
  const lower = name.toLowerCase()
  if (['case id', 'case_id', 'caseid'].includes(lower)) return 'CASE_ID'
  if (['activity', 'task', 'action'].includes(lower)) return 'ACTIVITY'
  if (lower.includes('timestamp')) return 'TIMESTAMP'
  if (lower.includes('transition')) return 'TRANSITION'
  if (RESOURCE_NAMES.includes(lower)) return 'RESOURCE'
  if (timeName(['start', 'begin'], lower)) return 'START_TIMESTAMP'
  if (timeName(['end', 'finish', 'complete', 'stop'], lower)) return 'END_TIMESTAMP'
  if (lower.includes('duration')) return 'DURATION'
  if (lower.includes('cost')) return 'COST'
  return null
}

// ---- PUT /event_log checks (core/functions/event_log/validation.py), in PrCore's order ----

export type ColumnsDefinition = Record<string, string | null>

export function columnNamed(definition: ColumnsDefinition, wanted: string): string | null {
  return Object.keys(definition).find((column) => definition[column] === wanted) ?? null
}

export function validateColumnsDefinition(definition: ColumnsDefinition, caseAttributes: string[] | null | undefined, columns: string[]): void {
  if (Object.keys(definition).some((column) => !columns.includes(column))) throw detail400('Invalid column definition')
  const count = (type: string) => Object.values(definition).filter((value) => value === type).length
  if (count('CASE_ID') === 0) throw detail400('No case ID column found')
  if (count('CASE_ID') > 1) throw detail400('Multiple case ID columns found')
  if (count('ACTIVITY') === 0) throw detail400('No activity column found')
  if (count('ACTIVITY') > 1) throw detail400('Multiple activity columns found')
  const [timestamp, start, end] = [count('TIMESTAMP'), count('START_TIMESTAMP'), count('END_TIMESTAMP')]
  if (timestamp === 0 && start === 0 && end === 0) throw detail400('No timestamp column found')
  if (timestamp > 1) throw detail400('Multiple timestamp columns found')
  if (start > 1) throw detail400('Multiple start timestamp columns found')
  if (end > 1) throw detail400('Multiple end timestamp columns found')
  if (timestamp === 0 && (start === 0 || end === 0)) throw detail400('Invalid column definition')
  if (caseAttributes && caseAttributes.some((column) => !columns.includes(column))) throw detail400('Invalid case attributes')
}

const OPTION_TYPES = new Set(['TEXT', 'NUMBER', 'BOOLEAN', 'DATETIME', 'ACTIVITY', 'RESOURCE', 'DURATION', 'COST',
  'TIMESTAMP', 'START_TIMESTAMP', 'END_TIMESTAMP'])

/** Columns an outcome or treatment may use; outcomes may also use the computed DURATION. */
export function availableOptions(definition: ColumnsDefinition, kind: 'outcome' | 'treatment'): string[] {
  const options = Object.keys(definition).filter((column) => OPTION_TYPES.has(definition[column] ?? ''))
  if (kind === 'outcome' && !Object.values(definition).includes('DURATION')) options.push('DURATION')
  return options
}

// ---- POST /project checks (core/functions/project/validation.py) ----

const OPERATORS_BY_KIND: Record<string, string[]> = {
  TEXT: ['EQUAL', 'NOT_EQUAL', 'CONTAINS', 'NOT_CONTAINS'],
  NUMBER: ['EQUAL', 'NOT_EQUAL', 'LESS_THAN', 'LESS_THAN_OR_EQUAL', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL'],
  BOOLEAN: ['IS_TRUE', 'IS_FALSE'],
  DATETIME: ['EQUAL', 'NOT_EQUAL', 'EARLIER_THAN', 'EARLIER_THAN_OR_EQUAL', 'LATER_THAN', 'LATER_THAN_OR_EQUAL'],
  CATEGORICAL: ['EQUAL', 'NOT_EQUAL', 'IS'],
}
const KIND_OF: Record<string, string> = {
  NUMBER: 'NUMBER', DURATION: 'NUMBER', COST: 'NUMBER', BOOLEAN: 'BOOLEAN', CATEGORICAL: 'CATEGORICAL',
  DATETIME: 'DATETIME', TIMESTAMP: 'DATETIME', START_TIMESTAMP: 'DATETIME', END_TIMESTAMP: 'DATETIME',
}

/** PrCore's convert_to_seconds: a number, or a number and a unit ("2 hours", "1 d"). */
function isDuration(value: string): boolean {
  const text = value.trim().toLowerCase()
  if (/^\d+$/.test(text)) return true
  const match = /^(\d+(?:\.\d{0,2}(?!\d))?)\s*(\w+)$/.exec(text)
  return match !== null && ['months', 'month', 'mo', 'm', 'weeks', 'week', 'wk', 'w', 'days', 'day', 'd', 'hours', 'hour',
    'hr', 'h', 'minutes', 'minute', 'min', 'seconds', 'second', 'sec', 's'].includes(match[2] as string)
}

function validateCondition(condition: ProjectCondition, definition: ColumnsDefinition): void {
  const column = condition.column
  const type = column === 'DURATION' ? 'DURATION' : definition[column] ?? null
  if (type === null) throw detail400(`Column '${column}' is not defined`)
  const kind = KIND_OF[type] ?? 'TEXT'
  if (!(OPERATORS_BY_KIND[kind] as string[]).includes(condition.operator)) {
    throw detail400(`Operator '${condition.operator}' not supported for column '${column}'`)
  }
  const value = condition.value ?? null
  if (type === 'NUMBER' && (value === null || value.trim() === '' || !Number.isFinite(Number(value)))) {
    throw detail400(`Invalid number value for ${column}`)
  }
  if (type === 'DATETIME' && (value === null || Number.isNaN(Date.parse(value)))) throw detail400(`Invalid datetime value for ${column}`)
  if (type === 'CATEGORICAL' && value === null) throw detail400(`Invalid categorical value for ${column},value must be a string`)
  if (type === 'DURATION' && (value === null || !isDuration(value))) throw detail400(`Invalid duration value for ${column}`)
}

export function validateConditionGroups(groups: ProjectCondition[][], definition: ColumnsDefinition): void {
  if (groups.length < 1 || groups.some((group) => group.length < 1)) throw detail400('Invalid definition')
  for (const group of groups) for (const condition of group) validateCondition(condition, definition)
}

/** A condition as stored: every key present, value null when absent. */
export const storedConditions = (groups: ProjectCondition[][] | null | undefined) =>
  groups ? groups.map((group) => group.map(({ column, operator, value }) => ({ column, operator, value: value ?? null }))) : null

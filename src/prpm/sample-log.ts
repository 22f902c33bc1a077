import { strToU8, zipSync } from 'fflate'
import { stringify } from 'csv-stringify/sync'
import type { ColumnsDefinition } from './definitions.js'

/** How many cases a seeded log holds: enough for a simulation dataset of ten cases. */
const SAMPLE_CASES = 50
const HOUR = 3_600_000

export interface SampleLog {
  columns: string[]
  rows: string[][]
  /** The file as a client would have uploaded it, in the format its name says (.zip holds one .csv). */
  bytes: Buffer
  extension: string
}

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23)

/**
 * The training log behind a fixture project, which the fixture describes by its columns and
 * activities only: deterministic BPIC 2012-like cases (3 to 8 events, minutes apart), so that a
 * seeded project has datasets to download and to simulate. Each column gets values of its type.
 */
export function sampleLog(fileName: string, columns: string[], definition: ColumnsDefinition, caseAttributes: string[] | null, activities: string[], seededAt: number): SampleLog {
  const start = Math.floor((seededAt - 30 * 24 * HOUR) / HOUR) * HOUR
  const pool = activities.length > 0 ? activities : ['A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_APPROVED']
  const rows: string[][] = []
  for (let index = 0; index < SAMPLE_CASES; index++) {
    const caseStart = start + index * 7 * HOUR
    const length = 3 + ((index * 5) % 6)
    for (let step = 0; step < length; step++) {
      const at = caseStart + step * 11 * 60_000
      rows.push(columns.map((column) => {
        const type = definition[column] ?? null
        const attribute = caseAttributes?.includes(column) ?? false
        switch (type) {
          case 'CASE_ID': return String(173688 + index * 3)
          case 'ACTIVITY': return pool[(index + step * 3) % pool.length] as string
          case 'TIMESTAMP': case 'START_TIMESTAMP': return stamp(at)
          case 'END_TIMESTAMP': return stamp(at + 9 * 60_000)
          case 'RESOURCE': return String(10_000 + ((index + step) % 7) * 17)
          case 'NUMBER': case 'COST': case 'DURATION': return String(attribute ? 5_000 + index * 500 : 100 + step)
          case 'DATETIME': return new Date(caseStart).toISOString()
          case 'BOOLEAN': return index % 2 === 0 ? 'True' : 'False'
          default: return attribute ? `value-${index}` : `value-${step}`
        }
      }))
    }
  }
  const csv = stringify([columns, ...rows])
  if (fileName.toLowerCase().endsWith('.zip')) {
    const inner = `${fileName.slice(0, -'.zip'.length)}.csv`
    // A fixed modification time: the same fixture gives the same bytes.
    const zipped = zipSync({ [inner]: [strToU8(csv), { mtime: new Date('2023-03-01T00:00:00Z') }] })
    return { columns, rows, bytes: Buffer.from(zipped), extension: 'zip' }
  }
  // Any other name gets the CSV itself (a fixture named .xes too: resultbox writes no XES).
  return { columns, rows, bytes: Buffer.from(csv), extension: 'csv' }
}

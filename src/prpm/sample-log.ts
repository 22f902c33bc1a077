import type { ColumnsDefinition } from './definitions.js'

/** How many cases a seeded log holds: enough for a simulation dataset of ten cases. */
const SAMPLE_CASES = 50
const HOUR = 3_600_000

const stamp = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23)

/** What makes a sample log: it is made again from these whenever its file is needed, and comes out the same. */
export interface SampleLogSource {
  columns: string[]
  definition: ColumnsDefinition
  caseAttributes: string[] | null
  activities: string[]
  /** When the log was seeded: its cases lie in the 30 days before. */
  seededAt: number
}

/**
 * The training log behind a fixture project, which the fixture describes by its columns and
 * activities only: deterministic BPIC 2012-like cases (3 to 8 events, minutes apart), so that a
 * seeded project has datasets to download and to simulate. Each column gets values of its type.
 */
export function sampleRows({ columns, definition, caseAttributes, activities, seededAt }: SampleLogSource): string[][] {
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
  return rows
}

/** A sample log's file type by its name: a .zip holds one CSV; any other name is the CSV itself (resultbox writes no XES). */
export const sampleExtension = (fileName: string) => (fileName.toLowerCase().endsWith('.zip') ? 'zip' : 'csv')

/**
 * The file a client would have uploaded: made only when a download or the simulator needs it, so
 * that seeding (every start on :memory:) does not load a CSV writer and a zip writer.
 */
export async function sampleFile(fileName: string, extension: string, source: SampleLogSource): Promise<Buffer> {
  const [{ stringify }, { strToU8, zipSync }] = await Promise.all([import('csv-stringify/sync'), import('fflate')])
  const csv = stringify([source.columns, ...sampleRows(source)])
  if (extension !== 'zip') return Buffer.from(csv)
  const inner = `${fileName.replace(/\.[^.]*$/, '')}.csv`
  // A fixed modification time: the same log gives the same bytes.
  return Buffer.from(zipSync({ [inner]: [strToU8(csv), { mtime: new Date('2023-03-01T00:00:00Z') }] }))
}

import { strFromU8, unzipSync } from 'fflate'
import t from 'tap'
import { processedRows, splitLog } from '../src/prpm/datasets.js'
import { sampleExtension, sampleFile, sampleRows } from '../src/prpm/sample-log.js'
import type { StoredCondition, StoredDefinition } from '../src/prpm/store.js'
import { CREDENTIALS, START, get, startSandbox } from './helpers/sandbox.js'

/*
 * What PrCore's dataset downloads are made of, function by function: the sample log behind a
 * fixture project, the 80/20 split by case, and the processor's columns with OUTCOME and
 * TREATMENT as each kind of condition decides them.
 */

const definition = (overrides: Partial<StoredDefinition> = {}): StoredDefinition => ({
  columns_definition: { case: 'CASE_ID', activity: 'ACTIVITY', time: 'TIMESTAMP', amount: 'NUMBER', note: 'TEXT', colour: 'CATEGORICAL', flag: 'BOOLEAN', when: 'DATETIME', who: 'RESOURCE', skip: null },
  case_attributes: ['amount'],
  fast_mode: true,
  start_transition: 'START',
  complete_transition: 'COMPLETE',
  abort_transition: 'ATE_ABORT',
  outcome_definition: null,
  outcome_definition_negative: false,
  treatment_definition: null,
  ...overrides,
})

const COLUMNS = ['case', 'activity', 'time', 'amount', 'note', 'colour', 'flag', 'when', 'who', 'skip']
/** Case c1: amount 50, events A then B; case c2: amount 500, events A, C, D (note "urgent" on C). */
const ROWS: (string | null)[][] = [
  ['c1', 'A', '2024-01-01 10:00:00', '50', 'calm', 'red', 'True', '2024-01-01', 'u1', 'x'],
  ['c1', 'B', '2024-01-01 10:30:00', '50', null, 'red', 'False', '2024-02-01', 'u2', 'x'],
  ['c2', 'A', '2024-01-02 09:00:00', '500', 'calm', 'blue', 'False', '2024-01-05', 'u1', 'x'],
  ['c2', 'C', '2024-01-02 09:10:00', '500', 'urgent', 'blue', '1', '2024-03-01', 'u3', 'x'],
  ['c2', 'D', '2024-01-02 12:00:00', '500', 'calm', 'blue', 'False', '2024-03-02', 'u3', 'x'],
]

/** Every event on the training side: one case in simulation is unavoidable (ceil(20 %) of 2), so only the processed rows are read. */
function processed(groups: StoredCondition[][] | null, treatment: StoredCondition[][] | null = null, negative = false) {
  const split = splitLog({ columns: COLUMNS, rows: ROWS }, definition({ outcome_definition: groups, treatment_definition: treatment, outcome_definition_negative: negative }))
  // Both cases processed: the processor reads split.training, so put every row there.
  const result = processedRows({ ...split, training: ROWS })
  const column = (name: string) => result.rows.map((row) => row[result.columns.indexOf(name)])
  return { result, column }
}

const when = (column: string, operator: StoredCondition['operator'], value: string | null): StoredCondition[][] => [[{ column, operator, value }]]

t.test('the processor names columns by their type and computes DURATION', async (t) => {
  const { result, column } = processed(null)
  t.strictSame(result.columns, [
    'CASE_ID', 'ACTIVITY', 'TIMESTAMP', 'CASE_ATTRIBUTE_NUMBER_amount', 'EVENT_ATTRIBUTE_TEXT_note', 'CATEGORICAL_colour',
    'EVENT_ATTRIBUTE_BOOLEAN_flag', 'EVENT_ATTRIBUTE_DATETIME_when', 'RESOURCE', 'DURATION', 'OUTCOME', 'TREATMENT',
  ], 'an ignored column is dropped; no treatment, no TREATMENT_RESOURCE')
  t.strictSame(column('DURATION'), ['0', '1800', '0', '600', '10800'], 'seconds since the case began')
  t.strictSame(column('OUTCOME'), ['False', 'False', 'False', 'False', 'False'], 'no outcome: never met')
  t.strictSame(column('EVENT_ATTRIBUTE_TEXT_note'), ['calm', null, 'calm', 'urgent', 'calm'])
  const own = processedRows({ ...splitLog({ columns: ['case', 'activity', 'time', 'length'], rows: [['c', 'A', '2024-01-01', '9']] }, definition({ columns_definition: { case: 'CASE_ID', activity: 'ACTIVITY', time: 'TIMESTAMP', length: 'DURATION' }, case_attributes: null })), training: [['c', 'A', '2024-01-01', '9']] })
  t.strictSame(own.columns, ['CASE_ID', 'ACTIVITY', 'TIMESTAMP', 'DURATION', 'OUTCOME', 'TREATMENT'], 'a DURATION column of the log\'s own is kept, not computed')
  t.strictSame(own.rows, [['c', 'A', '2024-01-01', '9', 'False', 'False']])
})

t.test('OUTCOME and TREATMENT: whether the case so far meets the definition, operator by operator', async (t) => {
  const cases: [string, StoredCondition[][], (string | undefined)[]][] = [
    ['EQUAL on text', when('activity', 'EQUAL', 'C'), ['False', 'False', 'False', 'True', 'True']],
    ['EQUAL on numbers', when('amount', 'EQUAL', '500.0'), ['False', 'False', 'True', 'True', 'True']],
    ['NOT_EQUAL on text', when('activity', 'NOT_EQUAL', 'A'), ['False', 'True', 'False', 'True', 'True']],
    ['NOT_EQUAL on numbers', when('amount', 'NOT_EQUAL', '50'), ['False', 'False', 'True', 'True', 'True']],
    ['IS (categorical)', when('colour', 'IS', 'red'), ['True', 'True', 'False', 'False', 'False']],
    ['CONTAINS', when('note', 'CONTAINS', 'urg'), ['False', 'False', 'False', 'True', 'True']],
    ['NOT_CONTAINS (a missing value does not contain)', when('note', 'NOT_CONTAINS', 'calm'), ['False', 'True', 'False', 'True', 'True']],
    ['IS_TRUE', when('flag', 'IS_TRUE', null), ['True', 'True', 'False', 'True', 'True']],
    ['IS_FALSE', when('flag', 'IS_FALSE', null), ['False', 'True', 'True', 'True', 'True']],
    ['LESS_THAN', when('amount', 'LESS_THAN', '100'), ['True', 'True', 'False', 'False', 'False']],
    ['LESS_THAN_OR_EQUAL', when('amount', 'LESS_THAN_OR_EQUAL', '500'), ['True', 'True', 'True', 'True', 'True']],
    ['GREATER_THAN', when('amount', 'GREATER_THAN', '500'), ['False', 'False', 'False', 'False', 'False']],
    ['GREATER_THAN_OR_EQUAL', when('amount', 'GREATER_THAN_OR_EQUAL', '500'), ['False', 'False', 'True', 'True', 'True']],
    ['EARLIER_THAN', when('when', 'EARLIER_THAN', '2024-01-03'), ['True', 'True', 'False', 'False', 'False']],
    ['EARLIER_THAN_OR_EQUAL', when('when', 'EARLIER_THAN_OR_EQUAL', '2024-01-05'), ['True', 'True', 'True', 'True', 'True']],
    ['LATER_THAN', when('when', 'LATER_THAN', '2024-02-15'), ['False', 'False', 'False', 'True', 'True']],
    ['LATER_THAN_OR_EQUAL', when('when', 'LATER_THAN_OR_EQUAL', '2024-02-01'), ['False', 'True', 'False', 'True', 'True']],
    ['DURATION, the case\'s seconds so far', when('DURATION', 'GREATER_THAN', '3600'), ['False', 'False', 'False', 'False', 'True']],
    ['a column the log lacks never holds', when('missing', 'EQUAL', 'x'), ['False', 'False', 'False', 'False', 'False']],
    ['OR of AND groups', [[{ column: 'activity', operator: 'EQUAL', value: 'B' }], [{ column: 'activity', operator: 'EQUAL', value: 'C' }, { column: 'amount', operator: 'EQUAL', value: '500' }]],
      ['False', 'True', 'False', 'True', 'True']],
  ]
  for (const [name, groups, expected] of cases) {
    t.strictSame(processed(groups).column('OUTCOME'), expected, `OUTCOME: ${name}`)
    t.strictSame(processed(null, groups).column('TREATMENT'), expected, `TREATMENT: ${name}`)
  }
  t.strictSame(processed(when('activity', 'EQUAL', 'C'), null, true).column('OUTCOME'), ['True', 'True', 'True', 'False', 'False'], 'a negative outcome: met when the condition is not')
  const treated = processed(null, when('note', 'EQUAL', 'urgent'))
  t.strictSame(treated.column('TREATMENT_RESOURCE'), [null, null, null, 'u3', 'u3'], 'the resource of a treated event')
})

t.test('the split: ceil(20 %) of the cases, the same every time, each case whole on one side', async (t) => {
  const rows = Array.from({ length: 23 }, (_, index) => [`case-${index}`, 'A', `2024-01-01 00:00:${String(index).padStart(2, '0')}`, '1', null, null, null, null, null, null])
  const split = splitLog({ columns: COLUMNS, rows: [...rows, ...rows] }, definition())
  const simulated = new Set(split.simulation.map((row) => row[0]))
  t.equal(simulated.size, 5, 'ceil(0.2 × 23)')
  t.equal(split.simulation.length, 10, 'both events of each simulated case')
  t.equal(split.training.length, 36)
  t.ok(split.training.every((row) => !simulated.has(row[0])))
  t.strictSame(splitLog({ columns: COLUMNS, rows: [...rows, ...rows] }, definition()).simulation, split.simulation, 'deterministic')
})

t.test('a fixture project\'s sample log: values of each column\'s type, as CSV or a zip holding one', async (t) => {
  const columns = ['id', 'act', 'ts', 'start', 'end', 'who', 'amount', 'cost', 'length', 'date', 'ok', 'text', 'attr']
  const types = { id: 'CASE_ID', act: 'ACTIVITY', ts: 'TIMESTAMP', start: 'START_TIMESTAMP', end: 'END_TIMESTAMP', who: 'RESOURCE', amount: 'NUMBER', cost: 'COST', length: 'DURATION', date: 'DATETIME', ok: 'BOOLEAN', text: 'TEXT', attr: null }
  const source = { columns, definition: types, caseAttributes: ['amount', 'attr'], activities: [], seededAt: START }
  const rows = sampleRows(source)
  t.strictSame(sampleRows(source), rows, 'the same source gives the same rows')
  const cases = new Map<string, string[][]>()
  for (const row of rows) cases.set(row[0] as string, [...(cases.get(row[0] as string) ?? []), row])
  t.equal(cases.size, 50)
  t.ok([...cases.values()].every((events) => events.length >= 3 && events.length <= 8), '3 to 8 events a case')
  const [first, second] = [...cases.values()][0] as string[][]
  t.match(first, ['173688', /^A_(SUBMITTED|PARTLYSUBMITTED|APPROVED)$/, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/], 'no activities given: three of BPIC\'s')
  t.equal(first?.[2], first?.[3], 'a TIMESTAMP and a START_TIMESTAMP alike')
  t.equal(Date.parse(`${first?.[4]}Z`.replace(' ', 'T')) - Date.parse(`${first?.[3]}Z`.replace(' ', 'T')), 9 * 60_000, 'each event lasts 9 minutes')
  t.equal(first?.[6], second?.[6], 'a case attribute is the same for every event of its case')
  t.not(first?.[7], second?.[7], 'an event attribute is not')
  t.match(first?.[9], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  t.ok(['True', 'False'].includes(first?.[10] as string))
  t.strictSame([first?.[11], first?.[12]], ['value-0', 'value-0'], 'text: by step, or by case for an attribute')

  t.strictSame([sampleExtension('train.ZIP'), sampleExtension('train.xes'), sampleExtension('train.csv')], ['zip', 'csv', 'csv'], 'resultbox writes no XES: the CSV itself')
  const plain = await sampleFile('train.csv', 'csv', { ...source, activities: ['X'] })
  t.equal(plain.toString().split('\n')[0], columns.join(','))
  t.equal(plain.toString().split('\n')[1]?.split(',')[1], 'X', 'the fixture\'s activities')
  const zipped = await sampleFile('train.ZIP', 'zip', source)
  t.strictSame(Object.keys(unzipSync(new Uint8Array(zipped))), ['train.csv'])
  t.strictSame(zipped, await sampleFile('train.ZIP', 'zip', source), 'the same log gives the same bytes')
  t.equal(strFromU8(unzipSync(new Uint8Array(zipped))['train.csv'] as Uint8Array).trim().split('\n').length, rows.length + 1)
})

t.test('a stored log that no longer parses gives no dataset, as a file PrCore cannot produce', async (t) => {
  const { app } = await startSandbox(t)
  app.resultbox.db.prepare("UPDATE prpm_event_log_files SET bytes = X'504b0304' WHERE event_log_id = 1").run()
  // A seeded log's file is made when needed: none is stored.
  t.equal((app.resultbox.db.prepare('SELECT COUNT(*) AS n FROM prpm_event_log_files WHERE bytes IS NULL').get() as { n: number }).n, 1, 'the other seeded log has no bytes stored')
  for (const type of ['simulation', 'processed', 'ongoing']) {
    const refused = await get(app, `/project/1/dataset/${type}`, CREDENTIALS.prpm)
    t.strictSame([refused.statusCode, refused.json()], [400, { detail: 'There was an error processing the dataset' }], type)
  }
  t.equal((await get(app, '/project/1/dataset/original', CREDENTIALS.prpm)).statusCode, 200, 'the original is the bytes as stored')
  const simulating = await app.inject({ method: 'PUT', url: '/project/1/stream/start/simulating', headers: CREDENTIALS.prpm })
  t.equal(simulating.statusCode, 200, 'a simulation with nothing to replay')
})

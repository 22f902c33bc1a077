import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import type { Db } from '../database.js'
import { seedPrpm } from './fixtures.js'
import { PLUGIN_FINISH_MS, definitionOf } from './flows.js'
import { prescribe, type PrescriptionContext } from './prescriptions.js'
import type { FixtureEventLog } from './schemas.js'
import { PrpmStore, type NewResult } from './store.js'

/** The large set's ids, agreed with the benchmark and the README: the same in every store. */
export const LARGE_PROJECT_ID = 2012
export const LARGE_RESULT_KEY = 'BPIC2012'
/** The ongoing cases of BPI Challenge 2012's test split, as PrCore answers for it. */
export const LARGE_CASE_COUNT = 2618

/** BPI Challenge 2012's activity alphabet: 10 application (A_), 7 offer (O_) and 7 work item (W_) activities. */
export const BPIC_2012_ACTIVITIES = [
  'A_SUBMITTED', 'A_PARTLYSUBMITTED', 'A_PREACCEPTED', 'A_ACCEPTED', 'A_FINALIZED',
  'A_REGISTERED', 'A_APPROVED', 'A_ACTIVATED', 'A_DECLINED', 'A_CANCELLED',
  'O_SELECTED', 'O_CREATED', 'O_SENT', 'O_SENT_BACK', 'O_ACCEPTED', 'O_DECLINED', 'O_CANCELLED',
  'W_Afhandelen leads', 'W_Completeren aanvraag', 'W_Nabellen offertes', 'W_Valideren aanvraag',
  'W_Nabellen incomplete dossiers', 'W_Beoordelen fraude', 'W_Wijzigen contractgegevens',
] as const
type Activity = (typeof BPIC_2012_ACTIVITIES)[number]

/** The training log, shaped as fixture project 1's (the BPIC 2012 CSV PrCore's docs use). */
const EVENT_LOG: FixtureEventLog = {
  file_name: 'BPIC_2012.csv',
  columns: ['Case ID', 'start_time', 'end_time', 'AMOUNT_REQ', 'REG_DATE', 'Activity', 'Resource'],
  columns_definition: {
    'Case ID': 'CASE_ID', Activity: 'ACTIVITY', REG_DATE: 'DATETIME', Resource: 'RESOURCE',
    end_time: 'END_TIMESTAMP', AMOUNT_REQ: 'NUMBER', start_time: 'START_TIMESTAMP',
  },
  case_attributes: ['AMOUNT_REQ', 'REG_DATE'],
  outcome_definition: [[{ value: 'A_APPROVED', column: 'Activity', operator: 'EQUAL' }]],
  treatment_definition: [[{ value: 'O_SENT_BACK', column: 'Activity', operator: 'EQUAL' }]],
  activities: [...BPIC_2012_ACTIVITIES],
}

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** BPIC 2012's first application, 173688 (as in the fixture), and its pace: 13,087 applications over about 166 days. */
const FIRST_CASE_ID = 173688
const FIRST_SUBMISSION = Date.parse('2011-09-30T22:38:44.546Z')
const SUBMISSION_SPACING_MS = Math.floor((166 * DAY) / 13_087)
/** The bank's employees, by their BPIC ids; 112 is the system that takes applications in. */
const SYSTEM = '112'
const EMPLOYEES = [
  '10124', '10138', '10188', '10228', '10609', '10629', '10779', '10789', '10809', '10821', '10859', '10861', '10862', '10863',
  '10880', '10881', '10889', '10899', '10909', '10910', '10912', '10913', '10914', '10929', '10931', '10932', '10933', '10935',
  '10939', '10971', '10972', '10982', '11000', '11001', '11002', '11003', '11009', '11019', '11029', '11049', '11111', '11119',
  '11120', '11121', '11122', '11169', '11180', '11181', '11189', '11200', '11201', '11202', '11203', '11259', '11289', '11300',
]
const AMOUNTS = [2500, 5000, 6000, 7500, 10000, 12000, 15000, 20000, 25000, 30000, 35000, 40000, 50000]

/** "2011-09-30 22:38:44.546", as BPIC 2012's CSV writes times. */
const csvTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23)

/** One application as it goes through the bank's process, its events in start time order. */
class Application {
  readonly events: string[][] = []
  private time: number
  private readonly amount: string
  private readonly registered: string

  constructor(private readonly rng: RandomGenerator, private readonly caseId: string, submittedAt: number) {
    this.time = submittedAt
    this.amount = String(this.pick(AMOUNTS))
    this.registered = new Date(submittedAt).toISOString()
  }

  between(low: number, high: number): number {
    return uniformInt(this.rng, low, high)
  }

  chance(percent: number): boolean {
    return this.between(0, 99) < percent
  }

  pick<T>(list: readonly T[]): T {
    return list[this.between(0, list.length - 1)] as T
  }

  seconds(low: number, high: number): number {
    return this.between(low * SECOND, high * SECOND)
  }

  minutes(low: number, high: number): number {
    return this.between(low * MINUTE, high * MINUTE)
  }

  /** An A_ or O_ event: a state change at one instant, `afterMs` after the previous event began. */
  state(activity: Activity, afterMs: number, resource = this.pick(EMPLOYEES)): void {
    this.time += afterMs
    this.push(activity, this.time, this.time, resource)
  }

  /**
   * `count` W_ work items, each begun a wait after the previous event and
   * worked on for a while (minutes from the ranges); the state changes that
   * follow begin inside the last. Some carry no resource, as in the log.
   */
  work(activity: Activity, count: number, waitMinutes: [number, number], workMinutes: [number, number]): void {
    for (let item = 0; item < count; item++) {
      this.time += this.minutes(...waitMinutes)
      this.push(activity, this.time, this.time + this.minutes(...workMinutes), this.chance(12) ? 'nan' : this.pick(EMPLOYEES))
    }
  }

  /**
   * The whole way: submitted, then declined at once, or pre-accepted,
   * completed, offered (perhaps more than once), sent back, validated (with
   * calls for missing documents), and approved, declined or cancelled.
   */
  goThrough(): void {
    this.state('A_SUBMITTED', 0, SYSTEM)
    this.state('A_PARTLYSUBMITTED', this.between(100, 900), SYSTEM)
    if (this.chance(6)) return this.state('A_DECLINED', this.seconds(20, 120), SYSTEM)
    if (this.chance(45)) this.work('W_Afhandelen leads', this.between(1, 2), [5, 600], [1, 20])
    this.state('A_PREACCEPTED', this.seconds(30, 300))
    this.work('W_Completeren aanvraag', this.between(2, 8), [30, 1440], [1, 15])
    if (this.chance(15)) return this.state('A_DECLINED', this.seconds(10, 300))
    this.state('A_ACCEPTED', this.seconds(60, 400))
    this.state('O_SELECTED', this.seconds(60, 300))
    this.state('A_FINALIZED', 0)
    this.state('O_CREATED', this.seconds(1, 3))
    this.state('O_SENT', this.seconds(0, 1))
    this.work('W_Nabellen offertes', this.between(2, 8), [60, 4320], [1, 10])
    for (let offer = this.chance(25) ? this.between(1, 2) : 0; offer > 0; offer--) {
      this.state('O_CANCELLED', this.minutes(1, 60))
      this.state('O_SELECTED', this.seconds(1, 30))
      this.state('O_CREATED', this.seconds(1, 3))
      this.state('O_SENT', this.seconds(0, 1))
      this.work('W_Nabellen offertes', this.between(1, 4), [60, 4320], [1, 10])
    }
    if (this.chance(20)) {
      this.state('A_CANCELLED', this.minutes(60, 14_400))
      return this.state('O_CANCELLED', 0)
    }
    this.state('O_SENT_BACK', this.minutes(10, 4320))
    this.work('W_Valideren aanvraag', 1, [60, 2880], [5, 40])
    if (this.chance(4)) this.work('W_Beoordelen fraude', 1, [30, 1440], [10, 60])
    for (let round = this.chance(40) ? this.between(1, 3) : 0; round > 0; round--) {
      this.work('W_Nabellen incomplete dossiers', this.between(1, 4), [60, 2880], [1, 10])
      this.work('W_Valideren aanvraag', 1, [60, 2880], [5, 40])
    }
    if (this.chance(30)) {
      this.state('A_DECLINED', this.seconds(10, 300))
      return this.state('O_DECLINED', 0)
    }
    this.state('A_REGISTERED', this.seconds(10, 300))
    this.state('A_APPROVED', 0)
    this.state('A_ACTIVATED', 0)
    this.state('O_ACCEPTED', 0)
    if (this.chance(8)) this.work('W_Wijzigen contractgegevens', 1, [1440, 20_160], [2, 20])
  }

  private push(activity: Activity, start: number, end: number, resource: string): void {
    this.events.push([this.caseId, csvTime(start), csvTime(end), this.amount, this.registered, activity, resource])
  }
}

/** A BPIC 2012-like ongoing case: an application some way along, most of its way there. */
function ongoingCase(rng: RandomGenerator, caseId: string, submittedAt: number): string[][] {
  const application = new Application(rng, caseId, submittedAt)
  application.goThrough()
  const { events } = application
  return events.slice(0, application.between(Math.ceil(events.length * 0.6), events.length))
}

/** The 2,618 cases in case id order (ids of BPIC 2012's kind: six digits, so text order is number order). */
function* ongoingCases(rng: RandomGenerator): Generator<{ case_id: string; events: string[][] }> {
  let position = 0
  for (let index = 0; index < LARGE_CASE_COUNT; index++) {
    const caseId = String(FIRST_CASE_ID + 3 * position)
    const submittedAt = FIRST_SUBMISSION + position * SUBMISSION_SPACING_MS + (index === 0 ? 0 : uniformInt(rng, 0, SUBMISSION_SPACING_MS - 1))
    yield { case_id: caseId, events: ongoingCase(rng, caseId, submittedAt) }
    position += uniformInt(rng, 1, 8)
  }
}

/**
 * Seeds the large PrPM set: project 2012 (TRAINED, on BPIC_2012.csv) and
 * its result BPIC2012 of 2,618 ongoing cases, whose plugins (the project's
 * three, as for any uploaded dataset) all finish at `seededAt`, so it is
 * complete at once. Cases are generated and stored one at a time.
 */
export function seedLargePrpm(db: Db, seededAt: number): void {
  const store = new PrpmStore(db)
  seedPrpm(db, { projects: [{ id: LARGE_PROJECT_ID, status: 'TRAINED', event_log: EVENT_LOG }], results: [] }, seededAt)
  // The project and its definition just stored.
  const { definition, eventLogId } = definitionOf(store, LARGE_PROJECT_ID) as NonNullable<ReturnType<typeof definitionOf>>
  const plugins = store.projectPlugins(LARGE_PROJECT_ID)
  const parameters = new Map(plugins.map((plugin) => [plugin.plugin_key, JSON.parse(plugin.parameters) as Record<string, unknown>]))
  // As dispatchResult prescribes for an uploaded dataset, with every plugin due at seeding.
  const context: PrescriptionContext = {
    resultKey: LARGE_RESULT_KEY,
    encoding: (plugin) => String(parameters.get(plugin)?.encoding ?? 'SIMPLE_INDEX'),
    activities: store.columnValues(eventLogId, 'Activity').map((entry) => entry.value),
    treatment: definition.treatment_definition,
    finishesAt: () => seededAt,
  }
  const expected = plugins.map((plugin) => plugin.plugin_key)
  const result: NewResult = {
    result_key: LARGE_RESULT_KEY,
    project_id: LARGE_PROJECT_ID,
    created_at: seededAt,
    cases_count: LARGE_CASE_COUNT,
    columns: EVENT_LOG.columns,
    columns_definition: definition.columns_definition,
    case_attributes: definition.case_attributes,
    expected_plugins: expected,
    // Due together, they finish in the order they answer an uploaded dataset: alarm, next activity, treatment effect.
    schedule: [...expected].sort((a, b) => PLUGIN_FINISH_MS[a] - PLUGIN_FINISH_MS[b]).map((plugin) => ({ plugin, due_at: seededAt })),
    cases: [],
  }
  store.insertResult(result)
  const rng = xoroshiro128plus(2012)
  const cases = function* () {
    for (const item of ongoingCases(rng)) {
      const prescriptions = expected.flatMap((plugin) => prescribe(context, plugin, item.case_id, item.events).map((body) => ({ plugin, body })))
      yield { ...item, prescriptions }
    }
  }
  store.insertCases(LARGE_RESULT_KEY, cases())
  // What the plugin runner does at its first run, done now: the result is complete once seeded.
  store.finishDuePlugins(seededAt)
}

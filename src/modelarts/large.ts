import { createHash } from 'node:crypto'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { Db } from '../database.js'
import { VERSION_STATUS, type FixtureSample } from './schemas.js'
import { ModelArtsStore } from './store.js'

/** The large set's ids, agreed with the benchmark and the README: the same in every store. */
export const LARGE_PROJECT_ID = 'c2d5e1a08f7b4e3c9d6a1b2c3d4e5f60'
export const LARGE_TASK_ID = 'BenchTask100k'
export const LARGE_VERSION_ID = 'BenchVersion100k'
export const LARGE_SAMPLE_COUNT = 100_000

const INPUT_PATH = '/test-obs/bench/data/'
const WORK_PATH = '/test-obs/bench/output/'
/** Percent of samples of each result_property (0 retained, 1 modified, 2 deleted, 3 added), as an augmentation run leaves them. */
const SHARES = [55, 20, 10, 15] as const
/** The fixture's wording of what was done to a sample of each result_property. */
const DESCRIPTIONS: readonly string[][][] = [
  [],
  [['use Resize augmentation'], ['result_description to translate']],
  [['deleted as a near-duplicate'], ['result_description to translate']],
  [['use AddNoise augmentation'], ['result_description to translate']],
]

/** The vendor's sample_id: md5 of the object path (bucket/key, no scheme). */
const sampleIdOf = (originSource: string) => createHash('md5').update(originSource.replace(/^s3:\/\//, '')).digest('hex')

/**
 * The version's samples in sample_id order, as the store ranks them: image
 * n.jpg of the input folder for n = 1 … 100,000, each drawn a
 * result_property. Only the ids and properties are held (to sort them); each
 * sample is built as it is stored.
 */
function* largeSamples(): Generator<FixtureSample> {
  const rng = xoroshiro128plus(100_000)
  const origin = (index: number) => `s3:/${INPUT_PATH}${index + 1}.jpg`
  const ids: string[] = []
  const properties = new Uint8Array(LARGE_SAMPLE_COUNT)
  for (let index = 0; index < LARGE_SAMPLE_COUNT; index++) {
    ids.push(sampleIdOf(origin(index)))
    let draw = uniformInt(rng, 0, 99)
    let property = 0
    while (draw >= (SHARES[property] as number)) draw -= SHARES[property++] as number
    properties[index] = property
  }
  const ranked = new Uint32Array(LARGE_SAMPLE_COUNT).map((_, index) => index)
  ranked.sort((a, b) => ((ids[a] as string) < (ids[b] as string) ? -1 : 1))
  for (const index of ranked) {
    const property = properties[index] as number
    yield {
      sample_id: ids[index] as string,
      origin_source: origin(index),
      new_source: property === 2 ? '' : `obs:/${WORK_PATH}${LARGE_VERSION_ID}/Data/${index + 1}.jpg`,
      result_property: property,
      result_description: DESCRIPTIONS[property] as string[][],
    }
  }
}

/**
 * Seeds the large ModelArts set: task BenchTask100k of the fixture's
 * project, with version BenchVersion100k, which completed long ago with
 * 100,000 samples across every result_property, stored one at a time.
 */
export function seedLargeModelArts(db: Db): void {
  const store = new ModelArtsStore(db)
  const created = Date.parse('2020-11-26T09:00:00.000Z')
  store.insertTask({
    project_id: LARGE_PROJECT_ID,
    task_id: LARGE_TASK_ID,
    name: 'bench-augmentation',
    description: 'AddNoise and Resize augmentation of 100,000 generated images',
    create_time: created,
    template_id: 'sys_data_augmentation',
    input_path: INPUT_PATH,
    work_path: WORK_PATH,
    versions: [{
      version_id: LARGE_VERSION_ID,
      version_name: 'V001',
      description: 'the large fixture set',
      create_time: created + 60_000,
      status: VERSION_STATUS.completed,
      // As the fixture's versions, it goes there on the clock: at the first catch-up, these are long past.
      status_changes: [
        { status: VERSION_STATUS.running, at: created + 65_000 },
        { status: VERSION_STATUS.completed, at: created + 3_665_000 },
      ],
      samples: [],
    }],
  })
  store.insertRankedSamples(LARGE_VERSION_ID, largeSamples())
}

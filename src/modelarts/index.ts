import type { VendorModule } from '../vendor-module.js'
import { IAM_PREFIX, iamApi, iamErrorMapping } from './iam.js'
import { OBS_PREFIX } from './obs.js'
import { obsUrlOf } from './obs-auth.js'
import { objectsApi, obsErrorMapping } from './objects.js'
import { modelartsContract } from './contract.js'
import { modelartsErrorMapping } from './errors.js'
import { modelartsExamples } from './examples.js'
import { loadModelArtsFixture, seedModelArts } from './fixtures.js'
import { seedLargeModelArts } from './large.js'
import { MODELARTS_PREFIX, modelartsApi } from './routes.js'
import { modelartsRunner } from './runner.js'
import { modelartsProviderStates } from './provider-states.js'
import { modelartsSimulation } from './simulation.js'
import { ModelArtsStore } from './store.js'

/** ModelArts data processing ("old version" API), under /v2 as the vendor serves it. */
export const modelarts: VendorModule = {
  name: 'modelarts',
  description: 'ModelArts data processing (v2): processor tasks, their versions and the versions\' results; IAM tokens (v3) and OBS downloads of the signed URLs',
  // The data processing API; IAM's token API, which its clients get tokens from; and the OBS its signed URLs download from.
  prefixes: [MODELARTS_PREFIX, IAM_PREFIX, OBS_PREFIX],
  // OBS's SDKs call their server's root: /{bucket}/{key} with OBS's signature is OBS's, wherever it lands.
  claims: ({ db }) => {
    const store = new ModelArtsStore(db)
    return (request) => obsUrlOf(request, (bucket) => store.bucketExists(bucket))
  },
  plugin: async (app, context) => {
    await app.register(modelartsApi, { ...context, prefix: MODELARTS_PREFIX })
    await app.register(iamApi, { ...context, prefix: IAM_PREFIX })
    await app.register(objectsApi, { ...context, prefix: OBS_PREFIX })
  },
  errors: modelartsErrorMapping,
  errorsAt: { [IAM_PREFIX]: iamErrorMapping, [OBS_PREFIX]: obsErrorMapping },
  // Its routes take no JSON body; were one added, Huawei's gateway would take its values as sent.
  coercesBodyTypes: false,
  seed: (db, fixturesDir) => seedModelArts(db, loadModelArtsFixture(fixturesDir)),
  seedLarge: (db) => seedLargeModelArts(db),
  timedWork: ({ db }) => [modelartsRunner(new ModelArtsStore(db))],
  simulation: ({ db, config, clock }) => {
    const simulation = modelartsSimulation({ db, clock, urls: config.modelarts })
    const user = config.modelarts.iamUsers[0]?.name ?? 'resultbox'
    return { ...simulation, providerStates: modelartsProviderStates(simulation, { db, user, tokenTtlSeconds: config.modelarts.tokenTtlSeconds }) }
  },
  examples: ({ fixturesDir }) => modelartsExamples(fixturesDir),
  contract: modelartsContract,
}

import type { HeaderObject } from '../contract/types.js'
import type { VendorContract } from '../vendor-module.js'

/** ModelArts' auth and headers, as the document describes them. */
export const modelartsContract: VendorContract = {
  securitySchemes: {
    modelartsToken: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Auth-Token',
      description: 'An IAM token; resultbox accepts RESULTBOX_MODELARTS_TOKENS (optionally scoped to one project).',
    },
  },
  security: () => [{ modelartsToken: [] }],
  headers: (): Record<string, HeaderObject> => ({
    'X-Request-Id': { description: 'the request\'s id, which an error body repeats', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{32}$', examples: ['9d0c3b4f1e2a47c6b8a5d7e6f0a1b2c3'] } },
  }),
}

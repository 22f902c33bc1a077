import type { HeaderObject } from '../contract/types.js'
import type { VendorContract } from '../vendor-module.js'

const bearerChallenge = { 'WWW-Authenticate': { description: 'the scheme to authenticate with', required: true, schema: { type: 'string', const: 'Bearer' } } } as const

/** PrCore's auth and headers, as the document describes them. */
export const prpmContract: VendorContract = {
  securitySchemes: {
    prpmBearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'PrCore\'s OAuth2PasswordBearer: `Authorization: Bearer <token>`; resultbox accepts RESULTBOX_PRPM_TOKENS.',
    },
  },
  // PrCore's root answers anyone; every other route wants the token.
  security: (operationId) => (operationId === 'getRoot' ? [] : [{ prpmBearer: [] }]),
  headers(operation, status): Record<string, HeaderObject> {
    if (status === '401') return { ...bearerChallenge }
    // resultbox's addition: a complete result kept for re-reading has an ETag, for If-None-Match.
    if (operation.operationId === 'getResult' && operation.responses?.['304'] !== undefined && (status === '200' || status === '304')) {
      return {
        ETag: {
          description: 'a complete result\'s ETag, when RESULTBOX_PRPM_ONE_SHOT_READ is false (not PrCore\'s)',
          required: status === '304',
          schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]{32}"$', examples: ['"q0wV7m1X3kTtY9fRzP2sLc8bN4hJ6dGe"'] },
        },
      }
    }
    return {}
  },
}

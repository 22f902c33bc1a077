import type { HeaderObject, SecurityRequirement } from '../contract/types.js'
import type { VendorContract } from '../vendor-module.js'

const LOGINS = new Set(['connect', 'consoleConnect'])

/** Explorer's auth and headers, as the document describes them. */
export const explorerContract: VendorContract = {
  securitySchemes: {
    explorerCredentials: {
      type: 'http',
      scheme: 'bearer',
      description: 'POST /connect and /api-nebula/db/connect only: `Authorization: Bearer <base64 of account:password>` (or of the JSON ["account","password"]), an account of RESULTBOX_EXPLORER_ACCOUNTS.',
    },
    explorerToken: {
      type: 'apiKey',
      in: 'cookie',
      name: 'explorer_token',
      description: 'The cookie POST /connect sets; resultbox also accepts RESULTBOX_EXPLORER_TOKENS.',
    },
    explorerTokenHeader: {
      type: 'apiKey',
      in: 'header',
      name: 'explorer_token',
      description: 'The same token as a header, as the vendor\'s parameter table allows.',
    },
  },
  security: (operationId): SecurityRequirement[] => (LOGINS.has(operationId ?? '') ? [{ explorerCredentials: [] }] : [{ explorerToken: [] }, { explorerTokenHeader: [] }]),
  headers(operation, status): Record<string, HeaderObject> {
    return {
      traceparent: {
        description: 'W3C trace context, on every answer as the vendor sends it',
        required: true,
        schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-00$', examples: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'] },
      },
      ...(LOGINS.has(operation.operationId ?? '') && status === '200'
        ? {
            'Set-Cookie': {
              description: 'explorer_token=<token>; Path=/; Max-Age=<seconds>; HttpOnly (under a named sandbox\'s prefix, Path is that prefix)',
              required: true,
              schema: { type: 'string', pattern: '^explorer_token=[^;]+; Path=/[^;]*; Max-Age=[0-9]+; HttpOnly$', examples: ['explorer_token=eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl; Path=/; Max-Age=259200; HttpOnly'] },
            },
          }
        : {}),
      ...(operation.operationId === 'consoleDisconnect' && status === '200'
        ? { 'Set-Cookie': { description: 'clears the cookie: explorer_token=; Path=/; Max-Age=0; HttpOnly (under a named sandbox\'s prefix, Path is that prefix)', required: true, schema: { type: 'string', pattern: '^explorer_token=; Path=/[^;]*; Max-Age=0; HttpOnly$', examples: ['explorer_token=; Path=/; Max-Age=0; HttpOnly'] } } }
        : {}),
    }
  },
}

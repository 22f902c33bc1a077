// The packages the server bundle (dist/server.cjs) loads from node_modules rather than holding:
// better-sqlite3 finds its native binary beside its own files; Swagger UI serves its files from its package.
export const EXTERNAL_PACKAGES = ['better-sqlite3', '@fastify/swagger-ui']

# resultbox as a container: docker build -t resultbox . && docker run -p 8080:8080 resultbox
ARG NODE_IMAGE=node:24-bookworm-slim

# Build: dev dependencies and TypeScript. Nothing is compiled: better-sqlite3 13 ships a prebuilt
# Node-API binary for each platform, and .npmrc runs no install script.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs scripts/external-packages.mjs scripts/prune-bundled.mjs ./scripts/
COPY src ./src
# The runtime needs only the packages the bundle leaves outside it (scripts/prune-bundled.mjs), and of
# better-sqlite3 its JavaScript and the one prebuilt binary this image's Node loads (glibc or musl, this
# architecture), not its SQLite sources nor the other platforms' binaries.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && node scripts/prune-bundled.mjs \
 && cd node_modules/better-sqlite3 \
 && rm -rf deps src binding.gyp \
 && keep="$(node -p "(process.report.getReport().header.glibcVersionRuntime ? 'linux' : 'linuxmusl') + '-' + process.arch").node" \
 && find prebuilds -type f ! -name "$keep" -delete \
 && node -e "new (require('/app/node_modules/better-sqlite3'))(':memory:').close()"

# Runtime: production dependencies, dist/, migrations/ and fixtures/ only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    RESULTBOX_DB=/data/resultbox.sqlite \
    RESULTBOX_SANDBOX_PORTS=8100-8199 \
    NODE_COMPILE_CACHE=/app/code-cache
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY fixtures ./fixtures
# The start-up code cache, made here once with the flags CMD runs with, so that every container's first
# start is as fast as a second one. It stays root's: the server only reads it (a start that cannot use it,
# say under other V8 flags, compiles as usual and cannot write, which costs time, nothing else).
RUN node --max-semi-space-size=16 dist/resultbox.mjs --write-code-cache \
 && chmod -R a+rX /app/code-cache \
 && mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# The server, and the ports named sandboxes take when asked for one of their own (publish the range to use them).
EXPOSE 8080 8100-8199
# Slim images have no curl: node asks the readiness endpoint itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/_resultbox/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# resultbox.mjs handles SIGTERM and SIGINT itself, so it is safe as PID 1.
CMD ["node", "--max-semi-space-size=16", "dist/resultbox.mjs"]

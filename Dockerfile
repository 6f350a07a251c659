# movierec image: the Rust ALS core behind a napi-rs addon, served by the Koa service on port 5000.
#
#   docker build -t movie-recommender \
#     --build-arg BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" --build-arg GIT_SHA="$(git rev-parse HEAD)" .
#
# Stages: `cargo-skeleton` prepares the Rust dependency layer, `build` compiles the addon and the TypeScript (needs
# rust + node + dev dependencies), `prod-deps` installs the production node_modules only, and the final stage copies
# the results onto a slim node image and runs as `node`.
# Layers go from least to most often changed (lock files, then sources, then build facts) so they cache.
# No heredocs: buildah 1.28 (used by CI's container test) cannot parse them.

# The Node.js release line: the major of .nvmrc (test/tooling/node-version.test.ts checks that they agree).
ARG NODE_MAJOR=24

# ---------------------------------------------------------------------------------------------------------------------
# The official node image, named once: the build stage copies its node and npm, the last two stages start from it.
FROM node:${NODE_MAJOR}-bookworm-slim AS node-base

# ---------------------------------------------------------------------------------------------------------------------
# The cargo workspace reduced to its manifests (+ build scripts) and placeholder sources: what the dependency layer of
# the build stage needs. Its output only changes when a manifest does, so that layer stays cached across code edits.
FROM rust:1-bookworm AS cargo-skeleton
WORKDIR /src
COPY native ./native
RUN find native -type f ! -name Cargo.toml ! -name build.rs -delete \
 && for manifest in $(find native -name Cargo.toml); do \
      dir=$(dirname "$manifest"); \
      mkdir -p "$dir/src" && touch "$dir/src/lib.rs"; \
      for target in $(sed -n 's/^[[:space:]]*path[[:space:]]*=[[:space:]]*"\([^"]*\.rs\)".*/\1/p' "$manifest"); do \
        mkdir -p "$(dirname "$dir/$target")" && echo 'fn main() {}' > "$dir/$target"; \
      done; \
    done \
 && find native -type d -empty -delete \
 && find native -exec touch -d 2000-01-01T00:00:00Z {} +

# ---------------------------------------------------------------------------------------------------------------------
FROM rust:1-bookworm AS build
# napi-rs builds the addon with cargo and writes the JS loader with node: bring the image's node into the rust image.
COPY --from=node-base /usr/local/ /usr/local/
ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
WORKDIR /src

# 1. Rust dependencies, compiled against the placeholder crates so this layer only changes with the manifests and
#    Cargo.lock. napi passes --target explicitly, so the same triple is used here for the artifacts to be reused.
COPY Cargo.toml Cargo.lock ./
COPY --from=cargo-skeleton /src/native ./native
RUN cargo fetch --locked \
 && cargo build --release --locked -p movierec-node --target "$(rustc -vV | sed -n 's/^host: //p')" \
 && rm -rf native

# 2. Node dependencies (dev included: napi cli, typescript). Scripts off: `prepare` would build before the sources exist.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

# 3. The sources, then the real build (the same steps as `npm run build`, with cargo --locked). The placeholder crates' artifacts are removed first: the copied sources may be
#    older than them, and cargo decides by modification time.
COPY native ./native
COPY tsconfig*.json ./
COPY src ./src
COPY bin ./bin
COPY web ./web
RUN cargo clean --release -p movierec-core -p movierec-node --target "$(rustc -vV | sed -n 's/^host: //p')" \
 && npm run build:native -- -- --locked \
 && npm run build:ts \
 && npm run build:web \
 && node -e "require('./native/node/index.js')" \
 && for f in dist/src/server/main.js dist/src/cli/index.js web/dist/index.html; do \
      test -f "$f" || { echo "build: $f was not produced" >&2; exit 1; }; \
    done

# ---------------------------------------------------------------------------------------------------------------------
FROM node-base AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------------------------------
FROM node-base AS runtime
ENV NODE_ENV=production \
    PORT=5000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    BOOTSTRAP=demo \
    BUILD_INFO_PATH=/app/build-info.json \
    npm_config_update_notifier=false
WORKDIR /app

COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY scripts/docker-entrypoint.sh /usr/local/bin/movierec-entrypoint
COPY scripts/write-build-info.cjs ./scripts/write-build-info.cjs
COPY --from=build /src/native/node/index.js ./native/node/index.js
COPY --from=build /src/native/node/*.node ./native/node/
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
# `movierec` on PATH (the CLI: docker compose run --rm app movierec train ...); the data folder belongs to `node`
# (an empty named volume starts with this owner; a host folder needs `chown 1000:1000`, see the README).
RUN chmod 0755 /usr/local/bin/movierec-entrypoint bin/movierec.js \
 && ln -s /app/bin/movierec.js /usr/local/bin/movierec \
 && mkdir -p /app/data \
 && chown node:node /app/data

# Build facts last: they change on every build and must not invalidate the layers above.
ARG VERSION=""
ARG GIT_SHA=""
ARG BUILD_DATE=""
RUN VERSION="$VERSION" GIT_SHA="$GIT_SHA" BUILD_DATE="$BUILD_DATE" \
    node scripts/write-build-info.cjs --out /app/build-info.json \
 && cat /app/build-info.json
LABEL org.opencontainers.image.title="movie-recommender" \
      org.opencontainers.image.description="Movie recommendations from a Rust ALS model behind a Koa REST service" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$GIT_SHA" \
      org.opencontainers.image.created="$BUILD_DATE"

USER node
VOLUME ["/app/data"]
EXPOSE 5000
# No curl in the slim image: node's fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||5000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["movierec-entrypoint"]
CMD ["node", "dist/src/server/main.js"]

# The Aerolite image. One image for every role; the command picks it: `start` runs a data node.
# Build: podman build -t aerolite . (or docker build); where no registry is reachable, make a local
# base first with deploy/container/make-base-image.sh and pass --build-arg BASE_IMAGE=<its name>.
ARG BASE_IMAGE=node:20-bookworm-slim

# Bundles the TypeScript sources into one CommonJS file with esbuild, at build time, with its V8
# code cache (packages/server/load-bundle.cjs): a node that runs past its first second writes it.
# The running container cannot write it: its root filesystem may be read-only.
FROM ${BASE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/client/package.json packages/client/
COPY packages/server/package.json packages/server/
COPY packages/cli/package.json packages/cli/
COPY packages/operator/package.json packages/operator/
COPY packages/sim/package.json packages/sim/
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY packages packages
# The first start builds the bundle; once it has written the code cache, SIGTERM drains it (exit 0).
RUN node packages/cli/bin/aerolite.cjs start --port 0 --log-level warn & node=$! \
 && for _ in $(seq 1 300); do ls packages/server/dist/aerolite.cjs.*.cache > /dev/null 2>&1 && break; sleep 0.1; done \
 && kill -TERM $node && wait $node \
 && mkdir /src/image \
 && cp packages/server/load-bundle.cjs /src/image/ \
 && cp packages/server/dist/aerolite.cjs /src/image/cli.cjs \
 && for cache in packages/server/dist/aerolite.cjs.*.cache; do cp "$cache" "/src/image/cli.cjs.${cache#packages/server/dist/aerolite.cjs.}"; done

# The production dependencies the bundle loads at run time (etcd3, the WebAssembly codecs and
# Lua VM, the Kubernetes client), without the workspace links (their code is in the bundle),
# without esbuild (nothing is built at run time), and without type declarations, source maps and
# docs (half the size of the dependencies).
FROM ${BASE_IMAGE} AS runtime-deps
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages/protocol/package.json packages/protocol/
COPY --from=build /src/packages/client/package.json packages/client/
COPY --from=build /src/packages/server/package.json packages/server/
COPY --from=build /src/packages/cli/package.json packages/cli/
COPY --from=build /src/packages/operator/package.json packages/operator/
COPY --from=build /src/packages/sim/package.json packages/sim/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error \
 && rm -rf node_modules/.bin node_modules/aerolite node_modules/@aerolite node_modules/esbuild node_modules/@esbuild \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete

FROM ${BASE_IMAGE}
WORKDIR /app
COPY --from=runtime-deps /app/node_modules node_modules
COPY --from=build /src/image/ ./
COPY --from=build /src/packages/server/src/metrics/console console
COPY deploy/container/aerolite.mjs deploy/container/healthcheck.mjs ./
COPY deploy/container/aerolite.conf /etc/aerolite/aerolite.conf
# The data volume belongs to the numeric non-root user the node runs as (Kubernetes' runAsNonRoot
# needs a number); nothing else in the image is writable by it.
RUN mkdir -p /var/lib/aerolite && chown 10001:10001 /var/lib/aerolite
USER 10001:10001
ENV NODE_ENV=production \
    AEROLITE_CONFIG=/etc/aerolite/aerolite.conf \
    AEROLITE_HTTP_PORT=9145
VOLUME /var/lib/aerolite
# 3000: clients; 3001: node to node (fabric); 9145: /metrics, /health, /ready, the console.
EXPOSE 3000 3001 9145
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
# The node drains on SIGTERM (stops accepting, finishes replies, closes its files) and exits 0.
STOPSIGNAL SIGTERM
# V8 flags of a serving node: packages/cli/src/serving-node-flags.ts.
ENTRYPOINT ["node", "--single-threaded-gc", "--min-semi-space-size=8", "/app/aerolite.mjs"]
CMD ["start"]

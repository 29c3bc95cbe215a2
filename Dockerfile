# syntax=docker/dockerfile:1
# One image for all five FediFlow services. Its entrypoint takes the service to start:
#   docker run IMAGE delivery        (or ingress, outbox, fan-out, host-health)
#   docker run IMAGE migrate         (applies pending migrations to FEDIFLOW_DATABASE_URL)
# Build from the repository root: docker build -t fediflow .

# Node 24 LTS (Node 20 left support in April 2026). CI runs the unit tests and an end-to-end test
# under Node 24 too (scripts/test.sh); package.json's engines keep Node 20.6 as the minimum.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# The pnpm version of package.json's packageManager, installed with npm: corepack cannot verify
# pnpm's signatures everywhere.
RUN npm install --global --no-audit --no-fund pnpm@9.15.9
WORKDIR /src
# Every dependency into pnpm's store, keyed by the lockfile alone: code changes reuse this layer.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
# The full install brings the build-time tools (TypeScript, buf and ts-proto for the generated
# gRPC stubs); only the services and what they depend on are built.
RUN pnpm install --offline --frozen-lockfile \
 && pnpm --filter "{./services/*}..." build
# dist/ of every package and service plus production dependencies only, into /app.
RUN sh deploy/image/install-production.sh /src /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# The node user (uid 1000) of the base image, numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# ingress API, ops endpoints (/healthz, /readyz, /metrics), outbox and host-health gRPC.
EXPOSE 8080 9090 50051 50052
ENTRYPOINT ["/app/bin/fediflow"]

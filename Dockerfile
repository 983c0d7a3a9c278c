# syntax=docker/dockerfile:1
# Builds the three Obstack services as single binaries (deno compile, via `deno task build`,
# the same task operators run) and puts each in a small runtime image:
#   docker build --target ingest -t obstack-ingest .     (also: forwarder, console)
# compose.yaml builds the three targets. Inside a normal Docker build `deno compile` can
# download its runtime (denort); pass DENORT_BIN as a build arg only for offline builds
# whose context contains the runtime.

ARG DENO_VERSION=2.9.6

FROM denoland/deno:debian-${DENO_VERSION} AS build
ARG DENORT_BIN=""
ENV DENORT_BIN=${DENORT_BIN}
WORKDIR /src
COPY . .
RUN deno task build

FROM debian:12.12-slim AS runtime
# curl: for the compose health checks. ca-certificates: for https backends.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin obstack
USER 10001:10001

FROM runtime AS ingest
COPY --from=build /src/dist/obstack-ingest /usr/local/bin/obstack-ingest
EXPOSE 4318
ENTRYPOINT ["/usr/local/bin/obstack-ingest"]

FROM runtime AS forwarder
COPY --from=build /src/dist/obstack-forwarder /usr/local/bin/obstack-forwarder
EXPOSE 9465
ENTRYPOINT ["/usr/local/bin/obstack-forwarder"]

FROM runtime AS console
COPY --from=build /src/dist/obstack-console /usr/local/bin/obstack-console
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/obstack-console"]

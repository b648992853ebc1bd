# syntax=docker/dockerfile:1
#
# Sluice image: one `sluice` binary; the subcommand picks the role (`edge`, `worker`, ...).
#   docker build -t sluice .
#   docker run --rm sluice --help
# Runs as a non-root user (uid 10001) and works with a read-only root filesystem
# (only /tmp needs to be writable).

ARG SWIFT_VERSION=6.3
ARG DEBIAN_RELEASE=bookworm

# ---- build -------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-${DEBIAN_RELEASE} AS build

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis-dev libcurl4-openssl-dev libjemalloc-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so source edits do not refetch them (Package.resolved when present).
COPY Package.* ./
RUN swift package resolve

COPY Sources ./Sources
COPY Tests ./Tests
# The Swift standard library and Foundation are linked in, so the runtime image needs no
# Swift toolchain; libhiredis, libcurl and jemalloc (malloc for the whole process) stay shared
# system libraries.
RUN swift build -c release --static-swift-stdlib --product sluice \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/sluice" /out/sluice

# ---- runtime -----------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libhiredis0.14 libcurl4 libjemalloc2 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 sluice \
    && useradd --system --uid 10001 --gid sluice --home-dir /home/sluice --create-home \
        --shell /usr/sbin/nologin sluice

COPY --from=build /out/sluice /usr/local/bin/sluice

USER 10001:10001
WORKDIR /home/sluice

# edge: webhooks, /healthz, /readyz, /metrics · worker: /healthz, /readyz, /metrics
EXPOSE 8080 9090

ENTRYPOINT ["sluice"]
CMD ["--help"]

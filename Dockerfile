# gateway-loadtest in an image, for running shards on a cluster (docs/distributed.md).
# Build stage: compiles against the committed snapshot in generated/ (GATEWAY_OFFLINE), so
# the build needs crates.io but never the gateway. Runtime stage: the binary alone on a
# slim Debian with CA certificates, as a non-root user.
#
#     docker build -t gateway-loadtest:1 .
FROM rust:1-slim-bookworm AS build
# aws-lc-sys (rustls's crypto) builds C with cmake.
RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV GATEWAY_OFFLINE=true
RUN cargo build --release --locked --bin gateway-loadtest

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/gateway-loadtest /usr/local/bin/gateway-loadtest
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["gateway-loadtest"]

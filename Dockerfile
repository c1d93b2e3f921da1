# Multi-stage build of the CMP gateway: SQLite by default (a volume at /data),
# PostgreSQL with DATABASE_URL=postgres://…
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p cmp-gateway && strip target/release/cmp-gateway

FROM debian:bookworm-slim
RUN useradd --system --home /data cmp && mkdir -p /data && chown cmp /data
COPY --from=build /src/target/release/cmp-gateway /usr/local/bin/cmp-gateway
COPY --from=build /src/fixtures /opt/cmp/fixtures
USER cmp
WORKDIR /data
ENV DATABASE_URL=sqlite:///data/cmp.db \
    CMP_BIND=0.0.0.0:8080 \
    CMP_DEMO_PATH=/opt/cmp/fixtures/demo \
    RUST_LOG=info
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["cmp-gateway"]
CMD ["serve"]

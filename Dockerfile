# rampart in a container: built from this repository, run as a non-root user.
#
#   docker build -t rampart .
#   docker run --rm -v "$PWD:/work" -w /work rampart scan .
#
# The sandbox (`rampart exec`) needs user namespaces inside the container:
# run it with `--security-opt seccomp=unconfined --security-opt
# apparmor=unconfined` (or a profile that allows `clone(CLONE_NEWUSER)`), or
# use the image for `scan`, `check`, `audit` and `redact`, which need none.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p rampart \
 && install -D -m 0755 target/release/rampart /out/rampart

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin rampart
COPY --from=build /out/rampart /usr/local/bin/rampart
USER 10001:10001
WORKDIR /home/rampart
ENTRYPOINT ["rampart"]
CMD ["--help"]

# Pulse container image, made from the release tarball (build it first: npm run package).
#
#   npm run package
#   docker build -t pulse .
#   docker run -d --name pulse -p 7655:7655 -v pulse-data:/data pulse
#
# BASE_IMAGE must provide the Node.js major version the release was built with (`npm run package`
# uses the Node it runs on and records it in the tarball's NODE_ABI: the native modules load on
# no other), on glibc (Alpine/musl images do not work), and a POSIX shell. The default suits a
# release built with Node 20; for one built with Node 24: --build-arg BASE_IMAGE=node:24-bookworm-slim.
# The first stage stops with the reason when the two differ.
ARG BASE_IMAGE=node:20-bookworm-slim

# Stage 1: check the tarball against its .sha256 and against its own manifest, then unpack it.
FROM ${BASE_IMAGE} AS release
WORKDIR /build
COPY dist/release/ ./
# RELEASE picks one tarball by name; by default the newest in dist/release.
ARG RELEASE=
RUN set -e; \
    tarball=${RELEASE:-$(ls -t pulse-*-linux-*.tar.gz | head -n 1)}; \
    [ -n "$tarball" ] || { echo "no release tarball in dist/release: run npm run package first" >&2; exit 1; }; \
    sha256sum -c "$tarball.sha256"; \
    mkdir /release; \
    tar -xzf "$tarball" -C /release --strip-components=1; \
    cd /release && sha256sum -c SHA256SUMS >/dev/null; \
    if [ -f NODE_ABI ]; then \
      read -r abi built <NODE_ABI; have="$(node -p process.versions.modules)"; \
      [ "$abi" = "$have" ] || { echo "this release was built for Node.js $built (module ABI $abi), the base image has Node.js $(node --version) (ABI $have): build with --build-arg BASE_IMAGE=node:<the release's major>-bookworm-slim, or package the release with that image's Node" >&2; exit 1; }; \
    fi

# Stage 2: the runtime holds only the unpacked release and an empty data directory.
FROM ${BASE_IMAGE}
ARG PULSE_UID=10001
COPY --from=release /release /opt/pulse
RUN mkdir -p /data && chown ${PULSE_UID}:${PULSE_UID} /data && chmod 0700 /data
ENV PULSE_DATA_DIR=/data \
    PULSE_DOCKER=true \
    FRONTEND_PORT=7655 \
    NODE_ENV=production
VOLUME /data
EXPOSE 7655
USER ${PULSE_UID}:${PULSE_UID}
WORKDIR /data
# Node is the one tool every base image here has, so it does the HTTP check itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.FRONTEND_PORT||7655)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/opt/pulse/bin/pulse"]

# The sensorwatch image: one image for every service; the command picks the
# verb (ingest, scorer, train, simulate …). TypeScript runs through tsx, so
# there is no build step. TensorFlow.js uses the wasm backend by default; with
# --build-arg NATIVE=true the optional @tensorflow/tfjs-node is installed too
# (its install script downloads libtensorflow, several hundred MB) and the
# native backend is picked automatically (docs/native.md).
FROM node:20-bookworm-slim
ARG NATIVE=false

ENV NODE_ENV=production \
    SENSORWATCH_CONFIG=/etc/sensorwatch/sensorwatch.yml \
    SENSORWATCH_METRICS_HOST=0.0.0.0 \
    SENSORWATCH_METRICS_PORT=9464
WORKDIR /app

COPY package.json package-lock.json ./
RUN if [ "$NATIVE" = true ]; then npm ci --omit=dev --no-fund --no-audit; \
    else npm ci --omit=dev --omit=optional --no-fund --no-audit; fi \
    && npm cache clean --force

COPY bin ./bin
COPY cli ./cli
COPY common ./common
COPY schemas ./schemas
COPY ingest ./ingest
COPY scorer ./scorer
COPY trainer ./trainer
COPY eval ./eval
COPY bench ./bench
COPY tsconfig.json ./

# Models the trainer keeps on disk (trainer.modelDir in the config).
RUN mkdir -p /data/models && chown -R node:node /data
USER node

EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.SENSORWATCH_METRICS_PORT || 9464) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

ENTRYPOINT ["node", "bin/sensorwatch.mjs"]
CMD ["--help"]

# syntax=docker/dockerfile:1
# OneWindow API image. Build: docker build -t onewindow .
# Run: docker run -e DATABASE_URL=postgresql://... -e JWT_SECRET=... -e FIELD_KEYS=... \
#        -e BLIND_INDEX_KEY=... -e SIGNING_KEY=... -e PUBLIC_BASE_URL=https://api.example.gov -p 3000:3000 onewindow
# The container applies pending migrations, then starts the server (production refuses the
# embedded database and development secrets; see src/config/config.ts).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only: the `node` devDependency (Node 24 for local use) is not needed here.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# The slim image has no curl: ask Node's fetch. Readiness includes the database.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations first; `exec` makes the server PID 1 so it receives SIGTERM and drains requests.
CMD ["/bin/sh", "-c", "node dist/scripts/migration-run.js && exec node --max-semi-space-size=16 --max-old-space-size=${NODE_HEAP_MB:-256} dist/src/main.js"]

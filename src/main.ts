import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';

/** 78 = EX_CONFIG (sysexits.h): supervisors can tell a bad setting from a crash. Anything else is rethrown. */
function exitOnConfigError(e: unknown): never {
  if (e instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${e.message}\n`);
    process.exit(78);
  }
  throw e;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    exitOnConfigError(e);
  }
  // Loaded only after the configuration passed: the app's module graph takes seconds to load, and
  // a misconfigured start should fail at once.
  const { prepareDatabase } = await import('./database/prepare');
  const { createApp } = await import('./bootstrap');
  const { HealthService } = await import('./modules/platform/health/health.service');
  const { MetricsServer } = await import('./modules/platform/metrics/metrics-server');
  const { seedDemoData, demoBanner } = await import('./modules/platform/demo/demo-seed');
  const db = await prepareDatabase(config);
  let app;
  try {
    app = await createApp(config, db.url, db.poolSize);
  } catch (e) {
    // A setting only a module can check (e.g. STAFF_SECOND_FACTOR_ROLES against the role catalogue).
    exitOnConfigError(e);
  }
  const seeded = config.seedDemoData ? await seedDemoData(app) : null;
  await app.listen(config.port, config.host);

  const url = await app.getUrl();
  // A supervisor that stopped reading our output (a closed pipe) must not turn a log line into a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const log = (s: string) => process.stdout.write(`${s}\n`);
  const banner = [
    `OneWindow ready in ${Date.now() - startedAt} ms on ${url} (${db.embedded ? 'embedded PGlite in ' + config.dataDir : 'PostgreSQL'})`,
  ];
  if (config.docsEnabled)
    banner.push(`  API docs: ${url}/docs   OpenAPI: ${url}/openapi.json   GraphQL: ${url}/graphql`);
  const metricsPort = app.get(MetricsServer).port;
  if (metricsPort !== null) banner.push(`  Metrics: http://${config.metrics.host}:${metricsPort}/metrics`);
  // Last: the accounts a developer copies from must not scroll away under later lines.
  if (config.env === 'development' && seeded) banner.push(demoBanner(seeded));
  // One write: whoever waits for the ready line (a supervisor, a test) sees the whole banner with it.
  log(banner.join('\n'));

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal} received: draining requests`);
    // Readiness turns 503 and every answer carries Connection: close, while the listener still
    // serves: the load balancer takes the instance out and keep-alive clients reconnect elsewhere
    // before anything is refused.
    app.get(HealthService).markShuttingDown();
    // A request that never finishes must not keep the process from stopping.
    const force = setTimeout(() => {
      process.stderr.write('Shutdown did not finish within 15 s of the drain; exiting\n');
      process.exit(1);
    }, config.shutdownDrainMs + 15_000);
    force.unref();
    if (config.shutdownDrainMs > 0) {
      await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
      log(`Drained for ${config.shutdownDrainMs} ms: closing the listener`);
    }
    try {
      // Nest stops accepting connections, waits for in-flight requests, then closes the pool.
      await app.close();
      // Closes PGlite cleanly so the data directory is consistent for the next start.
      await db.embedded?.close();
    } catch (err) {
      process.stderr.write(
        `Shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    }
    log('OneWindow stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `OneWindow failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});

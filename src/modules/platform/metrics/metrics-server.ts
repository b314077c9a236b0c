import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpMetrics, PROMETHEUS_CONTENT_TYPE } from '../../../api/http/metrics';
import { scrapeTokenCheck } from '../../../api/http/metrics-access';
import { APP_CONFIG, AppConfig } from '../../../config/config';

/**
 * The separate scrape listener (METRICS_PORT, bound to METRICS_HOST): GET /metrics and nothing
 * else, so the API's port never exposes process internals and the scrape port can stay on a
 * private interface. Started with the application (tests included), closed with it. With
 * METRICS_TOKEN set, the token is asked here too.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Metrics');
  private server: Server | null = null;
  private readonly tokenOk: ((authorization: string | undefined) => boolean) | null;

  constructor(
    private readonly metrics: HttpMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.tokenOk = config.metrics.token === null ? null : scrapeTokenCheck(config.metrics.token);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    if (port === null) return;
    const server = createServer((req, res) => void this.answer(req, res));
    // A scraper that holds its connection open must not hold up shutdown.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.log.log(`Metrics on http://${host}:${this.port}/metrics`);
  }

  /** The bound port (METRICS_PORT=0 picks a free one), or null when there is no separate listener. */
  get port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    if (this.tokenOk && !this.tokenOk(req.headers.authorization)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="metrics"' }).end();
      return;
    }
    try {
      const body = await this.metrics.render();
      res
        .writeHead(200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' })
        .end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      this.log.error(err instanceof Error ? err.message : String(err));
      res.writeHead(500).end();
    }
  }
}

import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../api/auth/allow.decorator';
import { HttpMetrics, PROMETHEUS_CONTENT_TYPE } from '../../../api/http/metrics';
import { SkipRateLimit } from '../../../api/http/rate-limit.guard';

/**
 * Prometheus scrape endpoint on the main port; kept out of the public API contract. Who may reach it
 * (a bearer token, nobody in production without one) is decided before the guards, in
 * api/http/metrics-access.ts; METRICS_PORT serves it on a separate listener instead (metrics-server.ts).
 */
@ApiExcludeController()
@SkipRateLimit()
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(private readonly metrics: HttpMetrics) {}

  @Public()
  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}

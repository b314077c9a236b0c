import { Module } from '@nestjs/common';
import { HttpMetrics } from '../../../api/http/metrics';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';

/**
 * Owns the app's metrics registry; configure-http.ts fetches HttpMetrics to install the timing
 * middleware (and metricsAccess, which decides who may scrape the main port). MetricsServer is the
 * separate scrape listener when METRICS_PORT is set.
 */
@Module({ controllers: [MetricsController], providers: [HttpMetrics, MetricsServer], exports: [HttpMetrics] })
export class MetricsModule {}

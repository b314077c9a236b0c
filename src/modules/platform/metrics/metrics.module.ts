import { Module } from '@nestjs/common';
import { HttpMetricsModule } from '../../../api/http/http-metrics.module';
import { MetricsController } from './metrics.controller';
import { MetricsServer } from './metrics-server';

/**
 * Serves the app's metrics registry (HttpMetricsModule, in the api layer); configure-http.ts fetches HttpMetrics to install the timing
 * middleware (and metricsAccess, which decides who may scrape the main port). MetricsServer is the
 * separate scrape listener when METRICS_PORT is set.
 */
@Module({
  imports: [HttpMetricsModule],
  controllers: [MetricsController],
  providers: [MetricsServer],
  exports: [HttpMetricsModule],
})
export class MetricsModule {}

import { Module } from '@nestjs/common';
import { HttpMetrics } from '../../../api/http/metrics';
import { MetricsController } from './metrics.controller';

/** Owns the app's metrics registry; configure-http.ts fetches HttpMetrics to install the timing middleware. */
@Module({ controllers: [MetricsController], providers: [HttpMetrics], exports: [HttpMetrics] })
export class MetricsModule {}

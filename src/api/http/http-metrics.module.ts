import { Module } from '@nestjs/common';
import { HttpMetrics } from './metrics';

/**
 * Holds the app's one metrics registry (HttpMetrics) in the api layer, so the GraphQL endpoint can
 * time resolvers without importing the platform's MetricsModule, which imports this module and
 * renders the same instance on /metrics.
 */
@Module({ providers: [HttpMetrics], exports: [HttpMetrics] })
export class HttpMetricsModule {}

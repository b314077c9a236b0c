import { Injectable } from '@nestjs/common';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { answersEveryMethod } from './method-not-allowed';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Paths served by mounted middleware rather than a route; named so they do not fall into "unmatched". */
const MOUNTED_PATHS = new Set(['/graphql']);

/**
 * The application's Prometheus registry: default process metrics, RED metrics per route pattern,
 * GraphQL operations. One per application instance (not prom-client's global registry), so apps
 * booted side by side in tests do not collide or read each other's counts.
 */
@Injectable()
export class HttpMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, matched route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly graphqlOperations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by type (query, mutation, subscription, unknown when unparsable) and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Times every request and labels it with the route pattern Express matched (`/v1/applications/:id`),
 * never the raw URL, so ids and probes cannot blow up the series count.
 */
export function metricsMiddleware(metrics: HttpMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () =>
      end({ method: req.method, route: routeLabel(req), status: String(res.statusCode) }),
    );
    next();
  };
}

const ROUTE_LABEL = Symbol('onewindow:route-label');

/** For an answer given before Express's router (the public-read front): the pattern it stands for. */
export function setRouteLabel(req: Request, label: string): void {
  (req as unknown as { [ROUTE_LABEL]?: string })[ROUTE_LABEL] = label;
}

export function routeLabel(req: Pick<Request, 'route' | 'baseUrl' | 'originalUrl'>): string {
  const preset = (req as unknown as { [ROUTE_LABEL]?: string })[ROUTE_LABEL];
  if (preset) return preset;
  const route = req.route as { path?: unknown; methods?: Record<string, boolean> } | undefined;
  // A route answering every method is Nest's mount of global middleware (`{/*splat}`), not an endpoint.
  if (typeof route?.path === 'string' && !answersEveryMethod(route.methods ?? {}))
    return (req.baseUrl ?? '') + route.path;
  const path = (req.originalUrl ?? '').split('?')[0];
  return MOUNTED_PATHS.has(path) ? path : 'unmatched';
}

/** Apollo plugin counting operations; add it to the GraphQL driver's `plugins` list. */
export function graphqlMetricsPlugin(metrics: HttpMetrics): ApolloServerPlugin {
  return {
    requestDidStart() {
      let failed = false;
      return Promise.resolve({
        didEncounterErrors() {
          failed = true;
          return Promise.resolve();
        },
        willSendResponse(rc) {
          metrics.graphqlOperations.inc({
            type: rc.operation?.operation ?? 'unknown',
            outcome: failed ? 'error' : 'ok',
          });
          return Promise.resolve();
        },
      });
    },
  };
}

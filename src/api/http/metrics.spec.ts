import { METHODS } from 'node:http';
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { graphqlMetricsPlugin, HttpMetrics, routeLabel } from './metrics';

describe('metrics', () => {
  it('labels requests by route pattern, never by raw URL', () => {
    const get = { get: true };
    expect(
      routeLabel({
        route: { path: '/v1/organisations/:id', methods: get },
        baseUrl: '',
        originalUrl: '/v1/organisations/0190-abc?x=1',
      }),
    ).toBe('/v1/organisations/:id');
    // Nest's catch-all mount of global middleware is not an endpoint
    const every = Object.fromEntries(METHODS.map((m) => [m.toLowerCase(), true]));
    expect(
      routeLabel({ route: { path: '{/*splat}', methods: every }, baseUrl: '', originalUrl: '/nope' }),
    ).toBe('unmatched');
    expect(
      routeLabel({
        route: { path: '{/*splat}', methods: { _all: true } },
        baseUrl: '',
        originalUrl: '/nope',
      }),
    ).toBe('unmatched');
    expect(routeLabel({ route: undefined, baseUrl: '', originalUrl: '/wp-admin/../etc/passwd' })).toBe(
      'unmatched',
    );
    expect(routeLabel({ route: undefined, baseUrl: '', originalUrl: '/graphql?x=1' })).toBe('/graphql');
  });

  it('keeps one registry per instance', async () => {
    const a = new HttpMetrics();
    const b = new HttpMetrics();
    a.httpDuration.observe({ method: 'GET', route: '/x', status: '200' }, 0.01);
    expect(await a.render()).toContain(
      'http_request_duration_seconds_count{method="GET",route="/x",status="200"} 1',
    );
    expect(await b.render()).not.toContain('route="/x"');
    expect(await b.render()).toContain('process_cpu_user_seconds_total');
  });

  it('counts GraphQL operations by type and outcome', async () => {
    const m = new HttpMetrics();
    const plugin = graphqlMetricsPlugin(m) as Required<ApolloServerPlugin>;
    const run = async (operation: 'query' | 'mutation' | undefined, fail: boolean) => {
      const listener = (await plugin.requestDidStart({} as never)) as Required<GraphQLRequestListener<never>>;
      if (fail) await listener.didEncounterErrors({} as never);
      await listener.willSendResponse({ operation: operation ? { operation } : undefined } as never);
    };
    await run('query', false);
    await run('query', false);
    await run('mutation', true);
    await run(undefined, true);
    const text = await m.render();
    expect(text).toContain('graphql_operations_total{type="query",outcome="ok"} 2');
    expect(text).toContain('graphql_operations_total{type="mutation",outcome="error"} 1');
    expect(text).toContain('graphql_operations_total{type="unknown",outcome="error"} 1');
  });
});

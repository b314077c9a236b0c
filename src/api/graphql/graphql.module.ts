import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { INestApplication, Module } from '@nestjs/common';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { HttpMetricsModule } from '../http/http-metrics.module';
import { graphqlMetricsPlugin, HttpMetrics } from '../http/metrics';
import { ApiInfoResolver } from './api-info.resolver';
import { ApiInfoService } from './api-info.service';
import { graphqlOptions } from './graphql-options';

/** The GraphQL endpoint (/graphql). Resolvers of feature modules are discovered from their modules. */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      // The app's one metrics registry (a plain module, so this is the same instance /metrics renders).
      imports: [HttpMetricsModule],
      inject: [APP_CONFIG, HttpMetrics],
      useFactory: (config: AppConfig, metrics: HttpMetrics) => {
        const options = graphqlOptions(config);
        return { ...options, plugins: [...(options.plugins ?? []), graphqlMetricsPlugin(metrics)] };
      },
    }),
  ],
  providers: [ApiInfoService, ApiInfoResolver],
})
export class GraphqlApiModule {}

/** The schema in SDL with types and fields sorted, for the committed openapi/schema.graphql. */
export function printSortedSchema(app: INestApplication): string {
  return printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema));
}

import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { INestApplication, Module } from '@nestjs/common';
import { GraphQLModule, GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { ApiInfoResolver } from './api-info.resolver';
import { ApiInfoService } from './api-info.service';
import { graphqlOptions } from './graphql-options';

/** The GraphQL endpoint (/graphql). Resolvers of feature modules are discovered from their modules. */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => graphqlOptions(config),
    }),
  ],
  providers: [ApiInfoService, ApiInfoResolver],
})
export class GraphqlApiModule {}

/** The schema in SDL with types and fields sorted, for the committed openapi/schema.graphql. */
export function printSortedSchema(app: INestApplication): string {
  return printSchema(lexicographicSortSchema(app.get(GraphQLSchemaHost).schema));
}

import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { AppConfig } from '../../config/config';
import { restEnumNames } from './enum-names';
import { formatGraphqlError } from './format-error';
import { inputTextPlugin } from './input-text';
import { costLimitPlugin, depthAndAliasRules, QUERY_LIMITS } from './limits';
import { createLoaders, GqlContext } from './loaders';
import { DateTimeScalar } from './scalars';
import { sharedAnswerPlugin } from './shared-answer';

/**
 * Apollo Server 5 on the Express adapter, code-first. Everything security-relevant is explicit
 * rather than left to Apollo's NODE_ENV-dependent defaults.
 */
export function graphqlOptions(
  config: Pick<AppConfig, 'graphqlIntrospection' | 'bodyShape'>,
): ApolloDriverConfig {
  const open = config.graphqlIntrospection;
  return {
    path: '/graphql',
    // In memory; `npm run contracts` prints it (printSortedSchema) to openapi/schema.graphql.
    autoSchemaFile: true,
    sortSchema: true,
    // `Date` members are instants: our DateTime (scalars.ts), which also accepts REST's ISO strings.
    buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
    // Enum values are named after their REST strings (enum-names.ts), not the TypeScript keys.
    transformSchema: restEnumNames,
    introspection: open,
    // No landing page from Apollo or Nest: theirs load GraphiQL from a CDN, which the CSP forbids and
    // an offline network cannot reach. graphql-ide.ts serves GraphiQL from the package instead,
    // where introspection is allowed (it needs it).
    graphiql: false,
    // Without introspection, "Did you mean ...?" suggestions would leak the schema field by field.
    hideSchemaDetailsFromClientErrors: !open,
    includeStacktraceInErrorResponses: false,
    // Requires a non-simple content type or the apollo-require-preflight header (Apollo's default; kept explicit).
    csrfPrevention: true,
    // One operation per HTTP request, so rate limits and cost limits count what they should.
    allowBatchedHttpRequests: false,
    // APQ lets any client fill the server's cache with arbitrary queries; a persisted-operation
    // allowlist, when wanted, is a separate plugin.
    persistedQueries: false,
    // Our GlobalExceptionFilter and formatError map every error; Nest's HttpException mapping would interfere.
    autoTransformHttpErrors: false,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    validationRules: depthAndAliasRules(),
    // Apollo's cache-control plugin is on by default and wraps every field's resolver to collect
    // cache hints we never use (HTTP caching is ours: ETags, Cache-Control, the shared read
    // caches); off, a 20-row list resolves ~10 % faster. Its one visible effect, `no-store` on
    // every answer, is kept by noStorePlugin.
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      noStorePlugin(),
      costLimitPlugin(),
      inputTextPlugin(config.bodyShape),
      sharedAnswerPlugin(),
    ],
    formatError: formatGraphqlError,
    // Apollo's default pretty-prints every response (2-space indent); compact JSON is smaller and faster.
    stringifyResult: (result) => JSON.stringify(result),
    context: ({ req, res }: Pick<GqlContext, 'req' | 'res'>): GqlContext => ({
      req,
      res,
      loaders: createLoaders(),
    }),
  };
}

/**
 * `Cache-Control: no-store` on every GraphQL answer: one POST may mix public fields with the
 * caller's own data or a secret shown once (a new API key), so no cache may keep it.
 */
function noStorePlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        willSendResponse: ({ response }) => {
          response.http.headers.set('cache-control', 'no-store');
          return Promise.resolve();
        },
      }),
  };
}

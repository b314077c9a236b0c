import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  DocumentNode,
  getNamedType,
  GraphQLError,
  GraphQLSchema,
  isLeafType,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import {
  ComplexityEstimator,
  ComplexityEstimatorArgs,
  fieldExtensionsEstimator,
  getComplexity,
} from 'graphql-query-complexity';
import type { Language } from '../context/request-context';
import { MAX_PAGE_SIZE } from './connection';

/**
 * Resource limits for GraphQL (OWASP API4:2023). Every rejection answers 400 with
 * extensions.code QUERY_TOO_COMPLEX before any resolver runs.
 */
export const QUERY_LIMITS = {
  /** nesting of selections; a fragment spread counts as a level */
  maxDepth: 10,
  /** aliased fields per operation (aliases multiply work without more depth) */
  maxAliases: 15,
  maxDirectives: 20,
  /** lexer tokens per document; graphql-js stops parsing beyond this */
  maxTokens: 2000,
  /** estimated objects returned; see costEstimator */
  maxCost: 1000,
} as const;

/** Argument names that size a list field (connections use `first`; `limit`/`take` for plain lists). */
const SIZE_ARGS = ['first', 'last', 'limit', 'take'] as const;

export type LimitKind = 'depth' | 'aliases' | 'directives' | 'tokens' | 'cost';

/** A limit rejection; formatError turns it into QUERY_TOO_COMPLEX with a localized reason. */
export class QueryLimitError extends GraphQLError {
  constructor(
    readonly kind: LimitKind,
    readonly max: number,
    readonly found: number | null,
  ) {
    super(limitReason('en', kind, max, found), { extensions: { http: { status: 400 } } });
    this.name = 'QueryLimitError';
  }
}

const REASONS: Record<Language, Record<LimitKind, string>> = {
  'zh-CN': {
    depth: '查询嵌套深度 {found} 超过上限 {max}。',
    aliases: '查询使用了 {found} 个别名，上限为 {max} 个。',
    directives: '查询使用了 {found} 个指令，上限为 {max} 个。',
    tokens: '查询超过 {max} 个词法单元的上限。',
    cost: '查询估算成本 {found} 超过上限 {max}，请减小分页大小（first）或减少嵌套列表。',
  },
  en: {
    depth: 'Query depth {found} exceeds the limit of {max}.',
    aliases: 'The query uses {found} aliases; at most {max} are allowed.',
    directives: 'The query uses {found} directives; at most {max} are allowed.',
    tokens: 'The query exceeds the limit of {max} tokens.',
    cost: 'Estimated query cost {found} exceeds the limit of {max}; request smaller pages (first) or fewer nested lists.',
  },
};

export function limitReason(lang: Language, kind: LimitKind, max: number, found: number | null): string {
  return REASONS[lang][kind].replace('{max}', String(max)).replace('{found}', String(found ?? ''));
}

/** graphql-js's own parse error when parseOptions.maxTokens is exceeded (16.x spells it "more that"). */
export const TOO_MANY_TOKENS_RE = /Document contains more th(?:at|an) \d+ tokens/;

/**
 * Estimated cost = objects the query can return (the GitHub/Shopify idea): a composite field
 * costs 1 plus its selection, a scalar or enum field costs 0, and a field sized by
 * first/last/limit/take multiplies its selection by that size (capped at MAX_PAGE_SIZE; when the
 * argument is absent it counts as MAX_PAGE_SIZE, the worst case). Counting scalars as 0 keeps a
 * full page of 100 nodes affordable, while nested pages (100 x 100) are refused; aliases, depth
 * and tokens bound how many scalars a document can name anyway. Unsized lists (e.g. `edges`)
 * are not multiplied: their parent connection already was. A field can override with
 * `@Field({ complexity })` / `@Query({ complexity })` (read by fieldExtensionsEstimator).
 */
export const costEstimator: ComplexityEstimator = ({
  field,
  args,
  childComplexity,
}: ComplexityEstimatorArgs) => {
  const own = isLeafType(getNamedType(field.type)) ? 0 : 1;
  const sizeArg = field.args.find((a) => (SIZE_ARGS as readonly string[]).includes(a.name));
  if (!sizeArg) return own + childComplexity;
  const requested = args[sizeArg.name] as unknown;
  const size =
    typeof requested === 'number' && requested >= 0 ? Math.min(requested, MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
  return own + size * childComplexity;
};

export const COST_ESTIMATORS: ComplexityEstimator[] = [fieldExtensionsEstimator(), costEstimator];

export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  operationName?: string,
): number {
  return getComplexity({ schema, query: document, variables, operationName, estimators: COST_ESTIMATORS });
}

/**
 * Costs per parsed document (Apollo hands the same DocumentNode for the same query text), operation
 * and variables: a hot query is costed once. At most 64 variable sets per document are kept.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();

function cachedCost(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  compute: () => number,
): number {
  let byInput = costs.get(document);
  if (!byInput) costs.set(document, (byInput = new Map<string, number>()));
  const key = `${operationName ?? ''}\u0000${variables ? JSON.stringify(variables) : ''}`;
  let cost = byInput.get(key);
  if (cost === undefined) {
    cost = compute();
    if (byInput.size >= 64) byInput.delete(byInput.keys().next().value as string);
    byInput.set(key, cost);
  }
  return cost;
}

/**
 * Cost depends on variables (`first: $n`), so it is checked per request after the operation is
 * resolved, not as a cached validation rule.
 */
export function costLimitPlugin(maxCost: number = QUERY_LIMITS.maxCost): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ request, document, schema, operationName }) => {
          let cost: number;
          try {
            cost = cachedCost(document, operationName, request.variables, () =>
              queryCost(schema, document, request.variables ?? {}, operationName ?? undefined),
            );
          } catch {
            // Bad variables: execution reports them as a 400 with the proper message.
            return Promise.resolve();
          }
          return cost > maxCost
            ? Promise.reject(new QueryLimitError('cost', maxCost, cost))
            : Promise.resolve();
        },
      }),
  };
}

/** Turns graphql-armor's rejection into our error, keeping the numbers it found. */
function reject(kind: LimitKind) {
  return (ctx: ValidationContext | null, err: GraphQLError): void => {
    const m = /limit of (\d+) exceeded, found (\d+)/.exec(err.message);
    ctx?.reportError(new QueryLimitError(kind, Number(m?.[1] ?? 0), m ? Number(m[2]) : null));
  };
}

/**
 * Depth, alias and directive limits from graphql-armor (peer @apollo/server ^4 || ^5; its visitors
 * follow fragments). Its cost limit is off because it ignores list sizes (graphql-query-complexity
 * does that above); its token limit is off because graphql-js enforces parseOptions.maxTokens
 * natively; field suggestions are hidden by Apollo's hideSchemaDetailsFromClientErrors.
 */
export function depthAndAliasRules(
  limits: Pick<typeof QUERY_LIMITS, 'maxDepth' | 'maxAliases' | 'maxDirectives'> = QUERY_LIMITS,
): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [reject('depth')],
    },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: [reject('aliases')] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [reject('directives')] },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect().validationRules;
}

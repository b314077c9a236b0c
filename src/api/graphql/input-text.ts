import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { contextStore } from '../context/context-store';
import { DomainError, FieldError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { renderProblem } from '../errors/problem';
import { isUsableText, unusableInput, unusableTextAt } from '../errors/unusable-input';

/** VALIDATION_FAILED for `problem`, rendered like the GlobalExceptionFilter renders a DomainError for GraphQL. */
function refusal(problem: FieldError): GraphQLError {
  const ctx = contextStore.current();
  const p = renderProblem(
    new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [problem]),
    ctx?.language ?? 'zh-CN',
    undefined,
    ctx?.requestId ?? 'unknown',
  );
  return new GraphQLError(p.detail, {
    extensions: {
      code: p.code,
      status: p.status,
      type: p.type,
      title: p.title,
      errors: p.errors,
      http: { status: 400 },
    },
  });
}

/** The literal check per parsed document: Apollo hands the same DocumentNode for the same query text. */
const checkedLiterals = new WeakMap<DocumentNode, FieldError | null>();

/**
 * The GraphQL side of the HTTP input guard (input-guard.ts): unusable text (NUL, lone surrogates)
 * in variables or in string literals of the document is refused before any resolver runs. The
 * HTTP guard cannot see literals: `"a\u0000b"` in a query is a GraphQL escape, decoded only by
 * the GraphQL parser, and it reached SQL as a NUL (500).
 */
export function inputTextPlugin(): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ request, document }) => {
          const inVariables = unusableInput(request.variables ?? {});
          if (inVariables)
            return Promise.reject(refusal({ ...inVariables, pointer: `/variables${inVariables.pointer}` }));
          let literal = checkedLiterals.get(document);
          if (literal === undefined) {
            let found: FieldError | null = null;
            visit(document, {
              [Kind.STRING]: (node) => {
                if (!found && !isUsableText(node.value)) found = unusableTextAt('/query');
              },
            });
            checkedLiterals.set(document, (literal = found));
          }
          return literal ? Promise.reject(refusal(literal)) : Promise.resolve();
        },
      }),
  };
}

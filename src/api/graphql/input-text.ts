import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import { contextStore } from '../context/context-store';
import { bodyTooComplex, BodyShapeLimits, DEFAULT_BODY_SHAPE } from '../errors/body-shape';
import { DomainError, FieldError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { renderProblem } from '../errors/problem';
import { isUsableText, unusableInput, unusableTextAt } from '../errors/unusable-input';

const invalid = (problem: FieldError): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [problem]);

/** `error` rendered like the GlobalExceptionFilter renders a DomainError for GraphQL. */
function refusal(error: DomainError): GraphQLError {
  const ctx = contextStore.current();
  const p = renderProblem(error, ctx?.language ?? 'zh-CN', undefined, ctx?.requestId ?? 'unknown');
  return new GraphQLError(p.detail, {
    extensions: {
      code: p.code,
      status: p.status,
      type: p.type,
      title: p.title,
      errors: p.errors,
      http: { status: p.status },
    },
  });
}

/** The literal check per parsed document: Apollo hands the same DocumentNode for the same query text. */
const checkedLiterals = new WeakMap<DocumentNode, FieldError | null>();

/**
 * The GraphQL side of the HTTP input guard (input-guard.ts): variables over the BODY_MAX_* caps
 * (a GET request's variables come from the URL, which the HTTP guard sees only as text), and
 * unusable text (NUL, lone surrogates) in variables or in string literals of the document, are
 * refused before any resolver runs. The HTTP guard cannot see literals: `"a\u0000b"` in a query
 * is a GraphQL escape, decoded only by the GraphQL parser, and it reached SQL as a NUL (500).
 */
export function inputTextPlugin(shape: BodyShapeLimits = DEFAULT_BODY_SHAPE): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ request, document }) => {
          const tooComplex = bodyTooComplex(request.variables ?? {}, shape);
          if (tooComplex) return Promise.reject(refusal(underVariables(tooComplex)));
          const inVariables = unusableInput(request.variables ?? {}, shape.maxDepth);
          if (inVariables)
            return Promise.reject(
              refusal(invalid({ ...inVariables, pointer: `/variables${inVariables.pointer}` })),
            );
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
          return literal ? Promise.reject(refusal(invalid(literal))) : Promise.resolve();
        },
      }),
  };
}

/** The same refusal, its pointers moved under /variables (where they are in the request). */
function underVariables(e: DomainError): DomainError {
  const pointer = `/variables${e.params.pointer === '/' ? '' : String(e.params.pointer)}`;
  return new DomainError(
    e.code,
    { ...e.params, pointer },
    e.errors.map((f) => ({ ...f, pointer: `/variables${f.pointer}` })),
  );
}

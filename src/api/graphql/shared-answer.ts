import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode } from 'graphql';
import { contextStore } from '../context/context-store';
import { isLive, markShared } from '../http/representation';
import type { GqlContext } from './loaders';

/**
 * Root query fields whose answers are built wholly from shared caches (the published catalogue,
 * the organisation directory), registered by the modules that own them. Anything else (a
 * database read, a signed-in view) keeps an operation out of the public-read front.
 */
export const SHARED_QUERY_FIELDS = new Set<string>(['__typename']);

/**
 * Marks an anonymous query answer as shared when every root field is a shared one, nothing
 * failed, and every cache entry it drew from is still live, so the public-read front
 * (src/api/http/public-read-front.ts) can replay the same bytes for the same query.
 */
export function sharedAnswerPlugin(): ApolloServerPlugin<GqlContext> {
  return {
    requestDidStart() {
      return Promise.resolve({
        willSendResponse({ operation, errors, response, contextValue }) {
          const ctx = contextStore.current();
          if (
            operation?.operation !== OperationTypeNode.QUERY ||
            errors?.length ||
            response.body.kind !== 'single' ||
            !ctx?.isAnonymous ||
            !ctx.sharedReads.length ||
            !ctx.sharedReads.every((r) => isLive(r)) ||
            !operation.selectionSet.selections.every(
              (s) => s.kind === Kind.FIELD && SHARED_QUERY_FIELDS.has(s.name.value),
            )
          )
            return Promise.resolve();
          markShared(contextValue.res, {
            text: JSON.stringify(response.body.singleResult),
            from: [...ctx.sharedReads],
          });
          return Promise.resolve();
        },
      });
    },
  };
}

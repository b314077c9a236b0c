import { createParamDecorator } from '@nestjs/common';
import { contextStore } from './context-store';
import { RequestContext } from './request-context';

/** Injects the RequestContext of the current call, REST or GraphQL alike. */
export const Ctx = createParamDecorator(
  (): RequestContext => contextStore.current() ?? RequestContext.system('unbound'),
);

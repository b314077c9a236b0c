import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * If-Match made optional for state transitions: repeating one blind is refused by the state check
 * anyway, but a console that read the service can still say which version it saw.
 */
export const OptionalIfMatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): number | undefined => {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[
      'if-match'
    ];
    if (header === undefined) return undefined;
    const m = typeof header === 'string' ? /^\s*"v(\d{1,9})"\s*$/.exec(header) : null;
    return m ? Number(m[1]) : -1;
  },
);

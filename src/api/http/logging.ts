import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/config';
import { contextStore } from '../context/context-store';

/** Levels at which pino-http's per-request line (level info) is written at all. */
const REQUEST_LINE_LEVELS = new Set(['info', 'debug', 'trace']);

/**
 * JSON logs with the request id on every line. Credentials and personal data are redacted by
 * path; bodies are never logged.
 */
export function loggingParams(config: AppConfig): Params {
  // Below info (warn, error, silent) the request lines are dropped anyway: not registering the
  // finish hook saves its per-request child logger and serialisation.
  const requestLines = REQUEST_LINE_LEVELS.has(config.logLevel);
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req, res) =>
        contextStore.current()?.requestId ?? String(res.getHeader('X-Request-Id') ?? ''),
      // The request id is bound once, by the quiet request logger, under `requestId`; the actor is
      // only known after the guard, so it is added at the response line (no child logger before).
      customAttributeKeys: { reqId: 'requestId' },
      // pino-http skips a falsy result (no child logger); its typings only admit an object.
      customProps: () => {
        const actor = contextStore.current()?.actor.id;
        return (actor ? { actor } : undefined) as unknown as Record<string, string>;
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          'req.headers["idempotency-key"]',
          'res.headers["set-cookie"]',
          '*.password',
          '*.nationalId',
          '*.phone',
          '*.email',
          '*.token',
          '*.refreshToken',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
        }),
      },
      autoLogging: requestLines
        ? { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' }
        : false,
      quietReqLogger: true,
    },
  };
}

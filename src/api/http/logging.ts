import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../../config/config';
import { contextStore } from '../context/context-store';

/**
 * JSON logs with the request id on every line. Credentials and personal data are redacted by
 * path; bodies are never logged.
 */
export function loggingParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: (req, res) => contextStore.current()?.requestId ?? String(res.getHeader('X-Request-Id') ?? ''),
      customProps: () => ({ requestId: contextStore.current()?.requestId, actor: contextStore.current()?.actor.id ?? undefined }),
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
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
      },
      autoLogging: { ignore: (req) => req.url === '/health/live' || req.url === '/metrics' },
      quietReqLogger: true,
    },
  };
}

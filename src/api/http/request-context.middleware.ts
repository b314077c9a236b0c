import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { contextStore } from '../context/context-store';
import { RequestContext } from '../context/request-context';
import { negotiateLanguage } from '../errors/messages';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const CHANNEL_RE = /^[a-z0-9-]{1,32}$/;

/**
 * Opens the request's context: an accepted or generated X-Request-Id (echoed back), the language
 * from Accept-Language, the channel a frontend declares (web, app, miniprogram, kiosk...).
 */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
  const channel = req.headers['x-channel'];
  const ctx = new RequestContext(
    requestId,
    negotiateLanguage(req.headers['accept-language']),
    typeof channel === 'string' && CHANNEL_RE.test(channel) ? channel : null,
    req.ip ?? null,
  );
  res.setHeader('X-Request-Id', requestId);
  res.setHeader('Content-Language', ctx.language);
  res.vary('Accept-Language');
  contextStore.run(ctx, next);
}

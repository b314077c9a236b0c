import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * The instance is shutting down (SIGTERM): readiness answers 503 so the load balancer stops sending
 * new work, and every response asks its client to close the connection, so keep-alive clients
 * reconnect (to another instance) rather than keep reusing this one until the listener closes.
 */
@Injectable()
export class DrainState {
  private startedAt: number | null = null;

  start(now = Date.now()): void {
    this.startedAt ??= now;
  }

  get draining(): boolean {
    return this.startedAt !== null;
  }
}

/** Installed first in configure-http.ts, so every answer during the drain carries it, errors included. */
export function drainMiddleware(state: DrainState) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    // Node closes the socket after a response sent with Connection: close.
    if (state.draining) res.setHeader('Connection', 'close');
    next();
  };
}

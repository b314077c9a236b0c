import { METHODS } from 'node:http';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

let layers: RouteLayer[] = [];

/** Remembers Express's route layers after init so a 404 can tell "wrong method" (405) apart. */
export function indexRoutes(expressApp: { router?: { stack: RouteLayer[] } }): void {
  layers = (expressApp.router?.stack ?? []).filter((l) => l.route && !answersEveryMethod(l.route.methods));
}

/**
 * Nest mounts middleware bound to all routes (nestjs-pino's, for one) as `{/*splat}` routes for every
 * method; counting those would make every path "allow" every method and hide all 405s.
 */
export function answersEveryMethod(methods: Record<string, boolean>): boolean {
  return methods._all === true || METHODS.every((m) => methods[m.toLowerCase()]);
}

export function methodNotAllowed(req: Request): DomainError | null {
  const allowed = new Set<string>();
  for (const layer of layers) {
    if (layer.route && layer.match(req.path)) {
      for (const [m, on] of Object.entries(layer.route.methods))
        if (on && m !== '_all') allowed.add(m.toUpperCase());
    }
  }
  if (!allowed.size || allowed.has(req.method)) return null;
  if (allowed.has('GET')) allowed.add('HEAD');
  const allow = [...allowed].sort().join(', ');
  return new DomainError(ErrorCode.MethodNotAllowed, { method: req.method, path: req.path, allow }, [], {
    Allow: allow,
  });
}

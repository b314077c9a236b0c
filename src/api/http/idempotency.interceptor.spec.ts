import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import { contextStore } from '../context/context-store';
import { RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { Idempotent, requestFingerprint } from './idempotency';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import type { IdempotencyService, IdempotentAnswer } from './idempotency.service';

class Handlers {
  @Idempotent()
  optional(): void {}

  @Idempotent({ required: true })
  required(): void {}

  @Idempotent({ streamed: true })
  streamed(): void {}

  plain(): void {}
}

/** A store that runs the work (as the real one does inside its transaction) or replays `stored`. */
function fakeStore(stored: IdempotentAnswer | Error | null) {
  return {
    execute: jest.fn(async (_s: string, _k: string, _h: string, work: () => Promise<IdempotentAnswer>) => {
      if (stored instanceof Error) throw stored;
      if (stored) return { replayed: true, answer: stored };
      return { replayed: false, answer: await work() };
    }),
    wasReplayed: jest.fn(() => false),
  };
}

function fakeHttp(handler: keyof Handlers, headers: Record<string, string> = {}) {
  const headersOut: Record<string, string> = {};
  const res = {
    statusCode: 201,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    setHeader: (k: string, v: string) => void (headersOut[k] = v),
    getHeader: (k: string) => headersOut[k],
  };
  const req = { method: 'POST', originalUrl: '/v1/things?x=1', headers, body: { b: 2, a: 1 } };
  const context = {
    getType: () => 'http',
    getHandler: () => Handlers.prototype[handler],
    getClass: () => Handlers,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, res, headersOut };
}

function run<T>(fn: () => Promise<T>): Promise<T> {
  const ctx = new RequestContext('req-1', 'en', null, '192.0.2.1');
  ctx.actor = { kind: 'staff', id: 'u-1', grants: new Map() };
  return contextStore.run(ctx, fn);
}

const handlerReturning = (value: unknown): CallHandler & { handle: jest.Mock } => ({
  handle: jest.fn(() => of(value)),
});

describe('IdempotencyInterceptor', () => {
  const hash = requestFingerprint('POST', '/v1/things', { a: 1, b: 2 });

  it('leaves handlers without @Idempotent() alone', async () => {
    const store = fakeStore(null);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context } = fakeHttp('plain', { 'idempotency-key': 'k1' });
    const next = handlerReturning({ id: 'x' });
    await expect(run(() => lastValueFrom(interceptor.intercept(context, next)))).resolves.toEqual({
      id: 'x',
    });
    expect(store.execute).not.toHaveBeenCalled();
  });

  it('runs the handler without a record when the optional key is absent, refuses when it is required', async () => {
    const store = fakeStore(null);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const next = handlerReturning({ id: 'x' });
    await expect(
      run(() => lastValueFrom(interceptor.intercept(fakeHttp('optional').context, next))),
    ).resolves.toEqual({ id: 'x' });
    expect(() => interceptor.intercept(fakeHttp('required').context, next)).toThrow(DomainError);
    expect(store.execute).not.toHaveBeenCalled();
  });

  it('runs the handler through the store with the caller scope and fingerprint, keeping status, body and Location', async () => {
    const store = fakeStore(null);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context, headersOut } = fakeHttp('optional', { 'idempotency-key': '"k1"' });
    headersOut.Location = '/v1/things/x';
    const body = await run(() =>
      lastValueFrom(interceptor.intercept(context, handlerReturning({ id: 'x' }))),
    );
    expect(body).toEqual({ id: 'x' });
    expect(store.execute).toHaveBeenCalledWith('staff:u-1', 'k1', hash, expect.any(Function));
    const work = store.execute.mock.calls[0][3];
    await expect(work()).resolves.toEqual({ status: 201, body: { id: 'x' }, location: '/v1/things/x' });
    // Not a replay: no Idempotent-Replayed.
    expect(headersOut['Idempotent-Replayed']).toBeUndefined();
  });

  it('replays a stored response without calling the handler', async () => {
    const store = fakeStore({ status: 201, body: { id: 'first' }, location: '/v1/things/first' });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context, res, headersOut } = fakeHttp('optional', { 'idempotency-key': 'k1' });
    res.statusCode = 200;
    const next = handlerReturning({ id: 'second' });
    const body = await run(() => lastValueFrom(interceptor.intercept(context, next)));
    expect(body).toEqual({ id: 'first' });
    expect(res.statusCode).toBe(201);
    expect(headersOut).toEqual({ 'Idempotent-Replayed': 'true', Location: '/v1/things/first' });
    expect(next.handle).not.toHaveBeenCalled();
  });

  it('passes a failure of the handler on (the store rolls its transaction back)', async () => {
    const store = fakeStore(null);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context } = fakeHttp('optional', { 'idempotency-key': 'k1' });
    const failure = new DomainError(ErrorCode.ValidationFailed);
    const next = { handle: () => throwError(() => failure) };
    await expect(run(() => lastValueFrom(interceptor.intercept(context, next)))).rejects.toBe(failure);
    expect(store.execute).toHaveBeenCalledTimes(1);
  });

  it('answers with the store refusal (422/409) without calling the handler', async () => {
    const refusal = new DomainError(ErrorCode.IdempotencyKeyReused);
    const store = fakeStore(refusal);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const next = handlerReturning({});
    await expect(
      run(() =>
        lastValueFrom(interceptor.intercept(fakeHttp('optional', { 'idempotency-key': 'k1' }).context, next)),
      ),
    ).rejects.toBe(refusal);
    expect(next.handle).not.toHaveBeenCalled();
  });

  it('on a streamed route leaves the key to the handler and marks a replay it reports', async () => {
    const store = fakeStore(null);
    store.wasReplayed.mockReturnValue(true);
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context, headersOut } = fakeHttp('streamed', { 'idempotency-key': 'k1' });
    const body = await run(() =>
      lastValueFrom(interceptor.intercept(context, handlerReturning({ id: 'f' }))),
    );
    expect(body).toEqual({ id: 'f' });
    expect(store.execute).not.toHaveBeenCalled();
    expect(headersOut).toEqual({ 'Idempotent-Replayed': 'true' });
  });
});

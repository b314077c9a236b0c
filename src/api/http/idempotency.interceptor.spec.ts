import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of, throwError } from 'rxjs';
import { contextStore } from '../context/context-store';
import { RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';
import { Idempotent, requestFingerprint } from './idempotency';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import type { ClaimResult, IdempotencyService } from './idempotency.service';

class Handlers {
  @Idempotent()
  optional(): void {}

  @Idempotent({ required: true })
  required(): void {}

  plain(): void {}
}

function fakeStore(claim: ClaimResult | Error) {
  return {
    claim: jest.fn(async () => {
      if (claim instanceof Error) throw claim;
      return claim;
    }),
    complete: jest.fn(async () => undefined),
    release: jest.fn(async () => undefined),
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
    const store = fakeStore({ kind: 'claimed' });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context } = fakeHttp('plain', { 'idempotency-key': 'k1' });
    const next = handlerReturning({ id: 'x' });
    await expect(run(() => lastValueFrom(interceptor.intercept(context, next)))).resolves.toEqual({
      id: 'x',
    });
    expect(store.claim).not.toHaveBeenCalled();
  });

  it('runs the handler without a record when the optional key is absent, refuses when it is required', async () => {
    const store = fakeStore({ kind: 'claimed' });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const next = handlerReturning({ id: 'x' });
    await expect(
      run(() => lastValueFrom(interceptor.intercept(fakeHttp('optional').context, next))),
    ).resolves.toEqual({ id: 'x' });
    expect(() => interceptor.intercept(fakeHttp('required').context, next)).toThrow(DomainError);
    expect(store.claim).not.toHaveBeenCalled();
  });

  it('claims with the caller scope and request fingerprint, then stores status, body and Location', async () => {
    const store = fakeStore({ kind: 'claimed' });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context, headersOut } = fakeHttp('optional', { 'idempotency-key': '"k1"' });
    headersOut.Location = '/v1/things/x';
    const body = await run(() =>
      lastValueFrom(interceptor.intercept(context, handlerReturning({ id: 'x' }))),
    );
    expect(body).toEqual({ id: 'x' });
    expect(store.claim).toHaveBeenCalledWith('staff:u-1', 'k1', hash);
    expect(store.complete).toHaveBeenCalledWith('staff:u-1', 'k1', hash, 201, { id: 'x' }, '/v1/things/x');
    expect(store.release).not.toHaveBeenCalled();
  });

  it('replays a stored response without calling the handler', async () => {
    const store = fakeStore({
      kind: 'replay',
      status: 201,
      body: { id: 'first' },
      location: '/v1/things/first',
    });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context, res, headersOut } = fakeHttp('optional', { 'idempotency-key': 'k1' });
    res.statusCode = 200;
    const next = handlerReturning({ id: 'second' });
    const body = await run(() => lastValueFrom(interceptor.intercept(context, next)));
    expect(body).toEqual({ id: 'first' });
    expect(res.statusCode).toBe(201);
    expect(headersOut).toEqual({ 'Idempotent-Replayed': 'true', Location: '/v1/things/first' });
    expect(next.handle).not.toHaveBeenCalled();
    expect(store.complete).not.toHaveBeenCalled();
  });

  it('releases the claim when the handler fails, and passes the error on', async () => {
    const store = fakeStore({ kind: 'claimed' });
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    const { context } = fakeHttp('optional', { 'idempotency-key': 'k1' });
    const failure = new DomainError(ErrorCode.ValidationFailed);
    const next = { handle: () => throwError(() => failure) };
    await expect(run(() => lastValueFrom(interceptor.intercept(context, next)))).rejects.toBe(failure);
    expect(store.release).toHaveBeenCalledWith('staff:u-1', 'k1', hash);
    expect(store.complete).not.toHaveBeenCalled();
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
    expect(store.release).not.toHaveBeenCalled();
  });

  it('still answers the client when storing the response fails', async () => {
    const store = fakeStore({ kind: 'claimed' });
    store.complete.mockRejectedValueOnce(new Error('connection lost'));
    const interceptor = new IdempotencyInterceptor(new Reflector(), store as unknown as IdempotencyService);
    (interceptor as unknown as { log: { error: jest.Mock } }).log = { error: jest.fn() };
    const body = await run(() =>
      lastValueFrom(
        interceptor.intercept(
          fakeHttp('optional', { 'idempotency-key': 'k1' }).context,
          handlerReturning({ id: 'x' }),
        ),
      ),
    );
    expect(body).toEqual({ id: 'x' });
    expect(store.release).not.toHaveBeenCalled();
  });
});

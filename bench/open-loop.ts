/**
 * An open-loop load generator: requests leave on a fixed schedule (one every 1/rate s) whether or
 * not earlier ones have been answered, and each latency is measured from the moment the request
 * was due, not from when it could be sent. A closed-loop tool (autocannon, even with overallRate)
 * waits for an answer before a connection sends again, so a slow server slows its own load down
 * and the queueing it causes never shows in the figures (coordinated omission); here it does.
 *
 * node:http with a keep-alive agent; a request due while every socket is busy opens another (up to
 * maxSockets), then waits in the agent's queue, and that wait counts in its latency.
 */
import { Agent, request } from 'node:http';

export interface OpenLoopRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface OpenLoopResult {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  /** answered with a status ≥ 400, or failed at the socket, or timed out */
  failed: number;
  /** sent more than 10 ms after it was due (the generator itself fell behind) */
  late: number;
  p50: number;
  p99: number;
  max: number;
}

const LATE_MS = 10;
const TIMEOUT_MS = 30_000;

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Sends `rate` requests per second for `seconds` to http://127.0.0.1:`port`, the i-th one made by
 * `next(i)` when due, and waits for every answer (or its timeout).
 */
export async function openLoop(
  port: number,
  rate: number,
  seconds: number,
  next: (i: number) => OpenLoopRequest,
): Promise<OpenLoopResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let late = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;

  const fire = (i: number, due: number): Promise<void> => {
    const r = next(i);
    if (performance.now() - due > LATE_MS) late++;
    return new Promise<void>((done) => {
      const finish = (good: boolean) => {
        latencies.push(performance.now() - due);
        if (good) ok++;
        else failed++;
        done();
      };
      const req = request(
        {
          host: '127.0.0.1',
          port,
          agent,
          method: r.method,
          path: r.path,
          headers: r.body ? { ...r.headers, 'content-length': Buffer.byteLength(r.body) } : r.headers,
          timeout: TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => finish((res.statusCode ?? 500) < 400));
          res.on('error', () => finish(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => finish(false));
      req.end(r.body);
    });
  };

  // A timer tick sends every request that has come due since the last one, so a late tick does not
  // thin the load out: the requests go, late, and their latency includes the delay.
  let i = 0;
  await new Promise<void>((allSent) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + i * interval <= now) {
        pending.push(fire(i, start + i * interval));
        i++;
      }
      if (i >= total) return allSent();
      setTimeout(tick, Math.max(0, Math.min(interval, start + i * interval - performance.now())));
    };
    setTimeout(tick, 5);
  });
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    rate,
    seconds,
    sent: total,
    ok,
    failed,
    late,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
  };
}

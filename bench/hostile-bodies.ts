/**
 * Issue 10 §2, under load: one autocannon sends hostile JSON bodies (the 60,000 keys in one
 * object, a 100,000-element array, 45,000 members in 50 objects) to the anonymous form validation,
 * while a second one measures a normal read (the catalogue list). The read is measured alone first,
 * then under attack: its p99 is what the other clients of the same process feel. Before the fix, a
 * single such body held the event loop for 5 s, so the read's p99 under attack was seconds.
 */
import autocannon from 'autocannon';

export interface HostileRun {
  readAlone: { rps: number; p50: number; p99: number };
  readUnderAttack: { rps: number; p50: number; p99: number; non2xx: number };
  hostile: { rps: number; p50: number; p99: number; refused413: number; other: number; bytes: number };
}

const keys = (n: number): Record<string, number> => {
  const o: Record<string, number> = {};
  for (let i = 0; i < n; i++) o[`k${i}`] = i;
  return o;
};

/** The bodies the attacker cycles through, serialised once. */
export function hostileBodies(): string[] {
  return [
    JSON.stringify(keys(60_000)),
    JSON.stringify({ data: { list: new Array<number>(100_000).fill(0) } }),
    JSON.stringify({ data: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`o${i}`, keys(900)])) }),
  ];
}

const summary = (r: autocannon.Result) => ({
  rps: Math.round(r.requests.average),
  p50: r.latency.p50,
  p99: r.latency.p99,
});

/**
 * `base`: the API's origin; `serviceId`: a published service (any id will do on the embedded
 * database, the body is refused before routing). `readConnections` for the read, `hostileConnections`
 * for the attacker, each for `seconds`.
 */
export async function hostileBodiesUnderLoad(
  base: string,
  serviceId: string,
  seconds: number,
  readConnections = 10,
  hostileConnections = 4,
): Promise<HostileRun> {
  const readUrl = `${base}/v1/services?limit=20`;
  await autocannon({ url: readUrl, connections: readConnections, duration: Math.min(3, seconds) });
  const alone = await autocannon({ url: readUrl, connections: readConnections, duration: seconds });
  const bodies = hostileBodies();
  // In a worker thread, so sending megabytes of bodies does not slow the read's own measurement.
  const attack = autocannon({
    url: `${base}/v1/services/${serviceId}/form-validation`,
    connections: hostileConnections,
    duration: seconds,
    workers: 1,
    requests: bodies.map((body) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body,
    })),
  });
  const read = autocannon({ url: readUrl, connections: readConnections, duration: seconds });
  const [hostile, underAttack] = await Promise.all([attack, read]);
  const statuses = Object.entries(hostile.statusCodeStats ?? {});
  const refused413 = statuses.reduce((n, [code, s]) => n + (code === '413' ? (s.count ?? 0) : 0), 0);
  const other =
    statuses.reduce((n, [code, s]) => n + (code === '413' ? 0 : (s.count ?? 0)), 0) + hostile.errors;
  return {
    readAlone: summary(alone),
    readUnderAttack: { ...summary(underAttack), non2xx: underAttack.non2xx + underAttack.errors },
    hostile: {
      ...summary(hostile),
      refused413,
      other,
      bytes: Math.round(bodies.reduce((n, b) => n + b.length, 0) / bodies.length),
    },
  };
}

import type { INestApplication } from '@nestjs/common';

/** What the runner hands each seeder: the app, the units seeded so far and the demo password. */
export interface DemoSeedContext {
  app: INestApplication;
  /** the demo seed's unit keys → organisation ids; a seeder may add its own units */
  units: Map<string, string>;
  /** the demo password's hash, computed once for every seeder */
  passwordHash: () => Promise<string>;
  password: string;
  /** accounts to print in the start-up banner */
  summary: { accounts: { role: string; login: string; password: string; totpSecret?: string }[] };
}

/**
 * A module's demo data. Seeders run after the platform's own seed (regions, units, staff, citizens,
 * clients), in `order` then registration order, and must be idempotent: a second start skips what
 * exists.
 */
export interface DemoSeeder {
  name: string;
  /** lower runs first (default 100): a seeder using another's data runs after it */
  order?: number;
  /** the logins the seeder creates, all with the published demo password: production refuses them */
  logins?: readonly string[];
  seed(c: DemoSeedContext): Promise<void>;
}

const seeders = new Map<string, DemoSeeder>();

/**
 * Registers a module's demo seeder. Called at load time by the module that owns the data (its
 * module file imports the seeder file), so the platform's demo runner imports no front.
 */
export function registerDemoSeeder(seeder: DemoSeeder): void {
  seeders.set(seeder.name, seeder);
}

/** The registered seeders in run order. */
export function demoSeeders(): DemoSeeder[] {
  return [...seeders.values()]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (a.s.order ?? 100) - (b.s.order ?? 100) || a.i - b.i)
    .map(({ s }) => s);
}

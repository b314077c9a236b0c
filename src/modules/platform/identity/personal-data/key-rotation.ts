// Re-encryption after a FIELD_KEYS rotation: every envelope column rewritten under the active key,
// in batches, so the retired key can then be dropped. Run by `npm run keys:rotate` (scripts/).
import type { Db } from '../../../../database/db';
import { PersonalDataService, PersonalField } from './personal-data.service';

/** One column of envelopes: its table (keyed by a uuid `id`), its column and its AEAD field. */
export interface EnvelopeColumn {
  table: string;
  column: string;
  field: PersonalField;
}

/**
 * The platform's envelope columns. Modules declare theirs with declareEnvelopeColumns; modules with
 * a format of their own (applications' form_personal, the api layer's idempotency answers) rotate
 * their own; scripts/keys-rotate.ts runs them all.
 */
export const IDENTITY_ENVELOPE_COLUMNS: readonly EnvelopeColumn[] = [
  { table: 'account', column: 'national_id_enc', field: PersonalField.NationalId },
  { table: 'account', column: 'totp_secret_enc', field: PersonalField.TotpSecret },
  { table: 'account', column: 'totp_pending_enc', field: PersonalField.TotpSecret },
  { table: 'channel_identity', column: 'openid_enc', field: PersonalField.ChannelOpenid },
];

const declared: EnvelopeColumn[] = [];

/**
 * A module's envelope columns (personal data sealed with PersonalDataService.encrypt(field, value)
 * in a table keyed by a uuid `id`), rotated by `npm run keys:rotate` with the platform's.
 */
export function declareEnvelopeColumns(list: readonly EnvelopeColumn[]): void {
  for (const c of list)
    if (!declared.some((d) => d.table === c.table && d.column === c.column)) declared.push(c);
}

/** Every envelope column the loaded modules declared, the platform's first. */
export function envelopeColumns(): EnvelopeColumn[] {
  return [...IDENTITY_ENVELOPE_COLUMNS, ...declared];
}

export interface RotationCount {
  /** `table.column` */
  column: string;
  /** rows rewritten under the active key */
  rewritten: number;
  /** rows already under the active key, left alone */
  current: number;
  /** rows that could not be decrypted with any key in FIELD_KEYS (left as they are) */
  failed: number;
  /** why a column's rotation stopped, when it did (never key material or plaintext) */
  error?: string;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Rewrites the column's envelopes that are not under the active key. Keyset batches by id; each row
 * is updated only if it still holds the envelope read (a concurrent write of a fresh value wins),
 * so the command is safe to run while the service runs and to run again (it then rewrites nothing).
 * A column the schema does not have (yet) counts as empty.
 */
export async function reEncryptColumn(
  db: Db,
  pd: PersonalDataService,
  target: EnvelopeColumn,
  batch = 500,
): Promise<RotationCount> {
  const { table, column, field } = target;
  if (!IDENT.test(table) || !IDENT.test(column)) throw new Error(`bad column name ${table}.${column}`);
  const count: RotationCount = { column: `${table}.${column}`, rewritten: 0, current: 0, failed: 0 };
  const exists = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
    [table, column],
  );
  if (!exists[0]?.n) return count;
  const active = pd.activeKeyId;
  const [{ n: current }] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" IS NOT NULL AND split_part("${column}", '.', 2) = $1`,
    [active],
  );
  count.current = current;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db.query<{ id: string; env: string }>(
      `SELECT id, "${column}" AS env FROM "${table}"
       WHERE "${column}" IS NOT NULL AND split_part("${column}", '.', 2) <> $1 AND id > $2
       ORDER BY id LIMIT ${Number(batch)}`,
      [active, after],
    );
    // One transaction per batch: one commit (one WAL flush) per batch instead of per row.
    await db.transaction(async () => {
      for (const row of rows) {
        let fresh: string | null;
        try {
          fresh = pd.reEncrypt(field, row.env);
        } catch {
          count.failed++;
          continue;
        }
        if (fresh === null) continue;
        await db.query(`UPDATE "${table}" SET "${column}" = $1 WHERE id = $2 AND "${column}" = $3`, [
          fresh,
          row.id,
          row.env,
        ]);
        count.rewritten++;
      }
    });
    if (rows.length < batch) return count;
    after = rows[rows.length - 1].id;
  }
}

// How an application's form is stored and shown. Fields the service's form marks `x-personal` never
// reach `form_data`: they are kept together in one AES-256-GCM envelope (`form_personal`), each with
// its kind so it can be masked without the schema. The rest stays plain jsonb, and only that plain
// part is ever handed on (the case's data, workflow guards, licence content, notifications).
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import {
  maskEmail,
  maskNationalId,
  maskPersonal,
  maskPhone,
  PersonalDataKind,
} from '../../platform/identity/personal-data/masking';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import type { Db } from '../../../database/db';
import { personalFields } from '../catalog/form-schema';
import { markingFormOf } from '../catalog/catalog-reads';
import type { Application } from './application.entity';

/** What `form_personal` decrypts to. */
type PersonalPart = Record<string, { kind: PersonalDataKind; value: unknown }>;

export interface SealedForm {
  formData: Record<string, unknown>;
  formPersonal: string | null;
}

/**
 * Splits a form by the schema's `x-personal` marks: the marked fields encrypted together, the rest
 * plain. A field already sealed under an earlier version's marks stays sealed (a mark removed later
 * never moves a value back into the clear).
 */
export function sealForm(
  pd: PersonalDataService,
  schema: unknown,
  form: Record<string, unknown>,
  previous: PersonalPart = {},
): SealedForm {
  const marks = personalFields(schema);
  const plain: Record<string, unknown> = {};
  const personal: PersonalPart = {};
  for (const [key, value] of Object.entries(form)) {
    const kind = marks.get(key) ?? previous[key]?.kind;
    if (kind) personal[key] = { kind, value };
    else plain[key] = value;
  }
  return {
    formData: plain,
    formPersonal: Object.keys(personal).length
      ? pd.encrypt(PersonalField.ApplicationForm, JSON.stringify(personal))
      : null,
  };
}

/**
 * The last personal part opened per application object, with the envelope it came from: a
 * submission reads it three times (the check, the re-sealing, the answer) from the same row. Kept
 * only as long as that object lives, and only while its envelope is unchanged.
 */
const opened = new WeakMap<object, { envelope: string; part: Readonly<PersonalPart> }>();

/** The personal part of a stored application (empty when it has none). Treat it as read-only. */
export function personalPart(pd: PersonalDataService, app: Pick<Application, 'formPersonal'>): PersonalPart {
  if (!app.formPersonal) return {};
  const known = opened.get(app);
  if (known?.envelope === app.formPersonal) return known.part;
  try {
    const part = JSON.parse(pd.decrypt(PersonalField.ApplicationForm, app.formPersonal)) as PersonalPart;
    opened.set(app, { envelope: app.formPersonal, part });
    return part;
  } catch {
    // A key dropped from FIELD_KEYS too early, or a tampered row: an operator's problem, never a 500
    // that names the cause to the caller.
    throw new DomainError(ErrorCode.Internal);
  }
}

/** The whole form as the applicant typed it (their own reads, and the checks on submit). */
export function openForm(
  pd: PersonalDataService,
  app: Pick<Application, 'formData' | 'formPersonal'>,
): Record<string, unknown> {
  const personal = personalPart(pd, app);
  return {
    ...app.formData,
    ...Object.fromEntries(Object.entries(personal).map(([k, p]) => [k, p.value])),
  };
}

/** Names of the personal fields a stored application holds (what staff may ask to unmask). */
export function personalFieldNames(
  pd: PersonalDataService,
  app: Pick<Application, 'formPersonal'>,
): Set<string> {
  return new Set(Object.keys(personalPart(pd, app)));
}

/**
 * The form as staff see it: each personal field masked by its kind unless named in `unmask`
 * (the caller has checked the permission and audited it); the plain part as stored.
 */
export function staffForm(
  pd: PersonalDataService,
  app: Pick<Application, 'formData' | 'formPersonal'>,
  unmask: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const personal = personalPart(pd, app);
  return {
    ...(maskIdentifiers(app.formData) as Record<string, unknown>),
    ...Object.fromEntries(
      Object.entries(personal).map(([k, p]) => [k, unmask.has(k) ? p.value : maskPersonal(p.kind, p.value)]),
    ),
  };
}

const NATIONAL_ID = /^\d{17}[\dXx]$/;
const MOBILE = /^(\+?86[- ]?)?1\d{10}$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * The plain part as staff see it: national ID numbers, mobile numbers and e-mail addresses masked
 * wherever they appear, recognised by shape, for forms whose schema does not mark them (yet).
 */
export function maskIdentifiers(value: unknown): unknown {
  if (typeof value === 'string') {
    const v = value.trim();
    if (NATIONAL_ID.test(v)) return maskNationalId(v);
    if (MOBILE.test(v)) return maskPhone(v);
    if (EMAIL.test(v)) return maskEmail(v);
    return value;
  }
  if (Array.isArray(value)) return value.map(maskIdentifiers);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskIdentifiers(v)]));
  return value;
}

/**
 * The form schema whose marks decide what is sealed when a stored application changes: the
 * service's published version (what the form will be checked against), else the one it was
 * last checked against (a retired service's draft).
 */
export async function markingSchema(
  db: Db,
  app: Pick<Application, 'serviceId' | 'serviceVersionId'>,
): Promise<unknown> {
  return markingFormOf(db, app.serviceId, app.serviceVersionId);
}

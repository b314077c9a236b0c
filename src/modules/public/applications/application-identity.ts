// Identity assurance on the applicant's side (issue 11 §2): a service's required level is checked on
// submission, and form fields bound to the verified identity (`x-identity`) are filled from the
// account and may not be changed while its identity is verified.
import type { Language } from '../../../api/context/request-context';
import { DomainError, FieldError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import type { AccountDirectory } from '../../platform/identity/account-directory.service';
import { assuranceMeets, IdentityAssurance } from '../../platform/identity/identity-assurance';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import { lockedFieldError } from '../catalog/form-errors';
import { IdentityAttribute, identityFields } from '../catalog/form-schema';
import type { Service } from '../catalog/service.entity';
import { invalid } from './application-rules';

/** What the account's holder is known to be; values only when verified and asked for. */
export interface ApplicantIdentity {
  assurance: IdentityAssurance;
  values: Partial<Record<IdentityAttribute, string>>;
}

/**
 * The applicant account's assurance and, when `schema` binds fields to the identity and the
 * identity is verified, the verified values (the ID number decrypted, for this request only).
 * Null, without reading the account, when nothing depends on it: no bound field and no level
 * required (the common case, which keeps submission's SQL as it was).
 */
export async function applicantIdentity(
  accounts: AccountDirectory,
  pd: PersonalDataService,
  accountId: string,
  schema: unknown,
  required: IdentityAssurance = IdentityAssurance.None,
): Promise<ApplicantIdentity | null> {
  const withValues = identityFields(schema).size > 0;
  if (!withValues && required === IdentityAssurance.None) return null;
  const account = await accounts.identity(accountId, withValues);
  const assurance = account?.identityAssurance ?? IdentityAssurance.None;
  const values: ApplicantIdentity['values'] = {};
  if (account && withValues && assurance !== IdentityAssurance.None) {
    if (account.realName) values.realName = account.realName;
    if (account.nationalIdEnc)
      values.nationalId = pd.decrypt(PersonalField.NationalId, account.nationalIdEnc);
  }
  return { assurance, values };
}

/** 403 IDENTITY_ASSURANCE_REQUIRED (with `requiredAssurance`) when the applicant is below the service's level. */
export function requireAssurance(
  service: Pick<Service, 'requiredAssurance'>,
  identity: ApplicantIdentity | null,
): void {
  const needed = service.requiredAssurance ?? IdentityAssurance.None;
  if (!assuranceMeets(identity?.assurance ?? IdentityAssurance.None, needed))
    throw new DomainError(ErrorCode.IdentityAssuranceRequired, {}, [], {}, { requiredAssurance: needed });
}

/**
 * The form with its identity-bound fields set to the verified values. With `refuse`, a field given
 * (in `given`, the part the caller sent) with another value is a 400 `form.locked` at
 * `/formData/<field>`; without, verified values simply win (a draft written before verification).
 * An unverified account's bound fields are its own word, left as typed.
 */
export function lockIdentity(
  schema: unknown,
  form: Record<string, unknown>,
  identity: ApplicantIdentity | null,
  lang: Language,
  given: Record<string, unknown> | null,
): Record<string, unknown> {
  const bound = identityFields(schema);
  if (!identity || !bound.size || identity.assurance === IdentityAssurance.None) return form;
  const props = (schema as { properties: Record<string, Record<string, unknown>> }).properties;
  const errors: FieldError[] = [];
  const locked = { ...form };
  for (const [field, attribute] of bound) {
    const verified = identity.values[attribute];
    if (verified === undefined) continue;
    if (given && Object.hasOwn(given, field) && !same(attribute, given[field], verified))
      errors.push(lockedFieldError(`/formData/${escape(field)}`, props[field], lang));
    locked[field] = verified;
  }
  if (errors.length) throw invalid(errors);
  return locked;
}

/** ID numbers compare without case (the check character x/X) and surrounding spaces; names without spaces around. */
function same(attribute: IdentityAttribute, value: unknown, verified: string): boolean {
  if (typeof value !== 'string') return false;
  return attribute === 'nationalId'
    ? value.trim().toUpperCase() === verified.toUpperCase()
    : value.trim() === verified.trim();
}

const escape = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');

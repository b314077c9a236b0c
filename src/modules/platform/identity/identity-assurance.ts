/**
 * How sure we are of who holds an account (issue 11 §2). Services declare the level their
 * applications need (`Service.requiredAssurance`); a submission from a lower level is refused.
 *
 * - `none`: self-declared (registration by phone or e-mail): the name and ID number the person typed
 *   are their word only.
 * - `real_name`: real name and national ID number vouched for by the national eID provider (a sign-in
 *   whose `acr` met `OIDC_ACR_VALUES`), or by a counter clerk who saw the identity card.
 */
export enum IdentityAssurance {
  None = 'none',
  RealName = 'real_name',
}

/** Who vouched for the verified identity. */
export enum IdentityVerifiedBy {
  NationalEid = 'national_eid',
  Counter = 'counter',
  /** the development demo data (refused in production like every demo credential) */
  Demo = 'demo',
}

const RANK: Record<IdentityAssurance, number> = {
  [IdentityAssurance.None]: 0,
  [IdentityAssurance.RealName]: 1,
};

/** Whether an account at `held` may do what needs `needed`. */
export function assuranceMeets(held: IdentityAssurance, needed: IdentityAssurance): boolean {
  return RANK[held] >= RANK[needed];
}

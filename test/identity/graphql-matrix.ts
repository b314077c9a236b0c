import { randomBytes } from 'node:crypto';
import type { TestApp } from '../support/test-app';
import type { Person } from './staff-fixtures';
import { FIXTURE_PASSWORD, uniq } from './staff-fixtures';

/**
 * The GraphQL half of the identity permission matrix (permission-matrix.e2e-spec.ts runs it):
 * each identity operation with the exact outcome per caller, 'ok' or the extensions.code of the
 * first error. Expectations mirror the REST rows of the same endpoints: the resolvers carry the same
 * @Allow/@Public and call the same service methods, so scope answers NOT_FOUND where REST says 404.
 */

export const CALLERS = [
  'anonymous',
  'citizenA',
  'citizenB',
  'clerkX',
  'clerkY',
  'orgAdminX',
  'supervisor',
  'admin',
  'client',
  'apiKey',
] as const;
export type Caller = (typeof CALLERS)[number];
export type GExpect = Record<Caller, string>;

export interface GqlRow {
  /** the Query or Mutation field */
  name: string;
  label?: string;
  query: string;
  variables?: (caller: Caller) => Record<string, unknown> | Promise<Record<string, unknown>>;
  before?: () => Promise<void>;
  expect: GExpect;
}

/** Every identity operation added with the GraphQL parity work; each must have a row. */
export const GQL_IDENTITY_OPERATIONS = [
  'roles',
  'staff',
  'staffMember',
  'myStaffProfile',
  'myDelegations',
  'createStaff',
  'updateStaff',
  'assignRole',
  'revokeRole',
  'resetStaffTotp',
  'enrolTotp',
  'confirmTotp',
  'createDelegation',
  'revokeDelegation',
  'clients',
  'client',
  'createClient',
  'rotateClientSecret',
  'deactivateClient',
  'apiKeys',
  'createApiKey',
  'revokeApiKey',
  'register',
  'verifyContact',
  'login',
  'refresh',
  'logout',
  'requestPasswordReset',
  'confirmPasswordReset',
  'me',
  'updateProfile',
  'changePassword',
];

interface GqlResponse {
  data: Record<string, unknown> | null;
  errors?: Array<{ extensions: { code: string } }>;
}

export async function gql(
  t: TestApp,
  headers: Record<string, string>,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResponse> {
  const res = await t.http.post('/graphql').set(headers).send({ query, variables });
  return res.body as GqlResponse;
}

/** anonymous UNAUTHENTICATED, everyone else FORBIDDEN, then the given exceptions */
const deny = (allowed: Partial<GExpect> = {}): GExpect => ({
  ...(Object.fromEntries(CALLERS.map((c) => [c, 'FORBIDDEN'])) as GExpect),
  anonymous: 'UNAUTHENTICATED',
  ...allowed,
});
const everyone = (outcome: string): GExpect =>
  Object.fromEntries(CALLERS.map((c) => [c, outcome])) as GExpect;
const STAFF_ONLY = (outcome: string): Partial<GExpect> => ({
  clerkX: outcome,
  clerkY: outcome,
  orgAdminX: outcome,
  supervisor: outcome,
  admin: outcome,
});
const READERS = { orgAdminX: 'ok', supervisor: 'ok', admin: 'ok', client: 'ok', apiKey: 'ok' };

export interface MatrixDeps {
  t: () => TestApp;
  ids: () => {
    root: string;
    X: string;
    X1: string;
    Y: string;
    staffX: Person;
    staffY: Person;
    clerkX: string;
  };
  freshStaff: (home: string) => Promise<Person>;
  /** creates something as the global administrator and returns its id */
  adminId: (mutation: { name: string; input: string }, input: Record<string, unknown>) => Promise<string>;
  versionOf: (accountId: string) => Promise<number>;
  clearTotp: () => Promise<void>;
  grant: (accountId: string, unit: string) => Promise<string>;
}

export function graphqlMatrix(d: MatrixDeps): {
  rows: GqlRow[];
  logout: GqlRow;
  clearTotp: () => Promise<void>;
} {
  const staffInput = (unit: string) => ({
    username: `g.${uniq()}`,
    displayName: '矩阵图谱',
    password: 'Matrix#Pass-2026',
    organisationId: unit,
  });
  const update =
    (unit: () => string, who: () => Person): GqlRow['variables'] =>
    async () => ({
      id: who().id,
      v: await d.versionOf(who().id),
      i: { displayName: `改名${uniq()}`, organisationId: unit(), status: 'active' },
    });
  const UPDATE =
    'mutation($id: ID!, $v: Int!, $i: UpdateStaffInput!) { updateStaff(id: $id, expectedVersion: $v, input: $i) { id } }';
  const ASSIGN = 'mutation($s: ID!, $i: AssignRoleInput!) { assignRole(staffId: $s, input: $i) { id } }';
  const REVOKE_ROLE = 'mutation($s: ID!, $a: ID!) { revokeRole(staffId: $s, assignmentId: $a) }';
  const CREATE_CLIENT = 'mutation($i: CreateClientInput!) { createClient(input: $i) { id clientSecret } }';
  const unknownPhone = () => `196${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;

  const rows: GqlRow[] = [
    // staff
    { name: 'roles', query: '{ roles { name permissions } }', expect: deny(READERS) },
    { name: 'staff', query: '{ staff(first: 5) { edges { node { id } } } }', expect: deny(READERS) },
    {
      name: 'staffMember',
      label: 'X staff',
      query: 'query($id: ID!) { staffMember(id: $id) { id } }',
      variables: () => ({ id: d.ids().staffX.id }),
      expect: deny(READERS),
    },
    {
      name: 'staffMember',
      label: 'Y staff',
      query: 'query($id: ID!) { staffMember(id: $id) { id } }',
      variables: () => ({ id: d.ids().staffY.id }),
      expect: deny({ ...READERS, orgAdminX: 'NOT_FOUND', client: 'NOT_FOUND', apiKey: 'NOT_FOUND' }),
    },
    { name: 'myStaffProfile', query: '{ myStaffProfile { id } }', expect: deny(STAFF_ONLY('ok')) },
    { name: 'myDelegations', query: '{ myDelegations { id } }', expect: deny(STAFF_ONLY('ok')) },
    {
      name: 'enrolTotp',
      query: 'mutation($i: StartTotpEnrolmentInput!) { enrolTotp(input: $i) { secret } }',
      variables: () => ({ i: { password: FIXTURE_PASSWORD } }),
      before: d.clearTotp,
      // the administrators' roles need a second factor, so their fixtures are enrolled already
      expect: deny({ ...STAFF_ONLY('ok'), orgAdminX: 'CONFLICT', admin: 'CONFLICT' }),
    },
    {
      name: 'confirmTotp',
      label: "a code that is not the authenticator's",
      query: 'mutation { confirmTotp(input: { code: "000000" }) { recoveryCodes } }',
      expect: deny({ ...STAFF_ONLY('VERIFICATION_CODE_INVALID'), orgAdminX: 'CONFLICT', admin: 'CONFLICT' }),
    },
    {
      name: 'createDelegation',
      label: 'clerk at X',
      query: 'mutation($i: CreateDelegationInput!) { createDelegation(input: $i) { id } }',
      variables: async () => ({
        i: {
          toAccountId: (await d.freshStaff(d.ids().X1)).id,
          role: 'clerk',
          organisationId: d.ids().X,
          validFrom: new Date().toISOString(),
          validUntil: new Date(Date.now() + 86_400_000).toISOString(),
          reason: '矩阵图谱',
        },
      }),
      expect: deny({ clerkX: 'ok' }),
    },
    {
      name: 'revokeDelegation',
      label: 'clerk X to X staff',
      query: 'mutation($id: ID!) { revokeDelegation(id: $id) { id } }',
      variables: async () => {
        const [row] = await d.t().db.query<{ id: string }>(
          `INSERT INTO delegation (id, from_account_id, to_account_id, role, organisation_id, valid_from, valid_until, reason)
           VALUES (gen_random_uuid(), $1, $2, 'clerk', $3, now(), now() + interval '1 day', '矩阵') RETURNING id`,
          [d.ids().clerkX, d.ids().staffX.id, d.ids().X],
        );
        return { id: row.id };
      },
      expect: deny({
        clerkX: 'ok',
        clerkY: 'NOT_FOUND',
        orgAdminX: 'NOT_FOUND',
        supervisor: 'NOT_FOUND',
        admin: 'NOT_FOUND',
      }),
    },
    {
      name: 'createStaff',
      label: 'unit in X',
      query: 'mutation($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
      variables: () => ({ i: staffInput(d.ids().X1) }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'createStaff',
      label: 'unit in Y',
      query: 'mutation($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
      variables: () => ({ i: staffInput(d.ids().Y) }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'updateStaff',
      label: 'X staff',
      query: UPDATE,
      variables: update(
        () => d.ids().X1,
        () => d.ids().staffX,
      ),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'updateStaff',
      label: 'Y staff',
      query: UPDATE,
      variables: update(
        () => d.ids().Y,
        () => d.ids().staffY,
      ),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'assignRole',
      label: 'X staff',
      query: ASSIGN,
      variables: async () => ({
        s: (await d.freshStaff(d.ids().X1)).id,
        i: { role: 'clerk', organisationId: d.ids().X1 },
      }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'assignRole',
      label: 'Y staff',
      query: ASSIGN,
      variables: async () => ({
        s: (await d.freshStaff(d.ids().Y)).id,
        i: { role: 'clerk', organisationId: d.ids().Y },
      }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'revokeRole',
      label: 'X staff',
      query: REVOKE_ROLE,
      variables: async () => {
        const p = await d.freshStaff(d.ids().X1);
        return { s: p.id, a: await d.grant(p.id, d.ids().X1) };
      },
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'revokeRole',
      label: 'Y staff',
      query: REVOKE_ROLE,
      variables: async () => {
        const p = await d.freshStaff(d.ids().Y);
        return { s: p.id, a: await d.grant(p.id, d.ids().Y) };
      },
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'resetStaffTotp',
      label: 'X staff',
      query: 'mutation($s: ID!) { resetStaffTotp(staffId: $s) }',
      variables: () => ({ s: d.ids().staffX.id }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'resetStaffTotp',
      label: 'Y staff',
      query: 'mutation($s: ID!) { resetStaffTotp(staffId: $s) }',
      variables: () => ({ s: d.ids().staffY.id }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    // machine clients
    {
      name: 'createClient',
      label: 'X',
      query: CREATE_CLIENT,
      variables: () => ({
        i: { name: `矩阵图谱${uniq()}`, organisationId: d.ids().X, scopes: ['directory:read'] },
      }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'createClient',
      label: 'Y',
      query: CREATE_CLIENT,
      variables: () => ({
        i: { name: `矩阵图谱${uniq()}`, organisationId: d.ids().Y, scopes: ['directory:read'] },
      }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'clients',
      query: '{ clients(first: 5) { edges { node { id } } } }',
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'client',
      label: 'Y client',
      query: 'query($id: ID!) { client(id: $id) { id } }',
      variables: async () => ({
        id: await d.adminId(
          { name: 'createClient', input: 'CreateClientInput' },
          { name: `乙图谱${uniq()}`, organisationId: d.ids().Y, scopes: [] },
        ),
      }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    {
      name: 'rotateClientSecret',
      label: 'X client',
      query: 'mutation($id: ID!) { rotateClientSecret(id: $id) { id clientSecret } }',
      variables: async () => ({
        id: await d.adminId(
          { name: 'createClient', input: 'CreateClientInput' },
          { name: `轮换图谱${uniq()}`, organisationId: d.ids().X, scopes: [] },
        ),
      }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'deactivateClient',
      label: 'Y client',
      query: 'mutation($id: ID!) { deactivateClient(id: $id) { id active } }',
      variables: async () => ({
        id: await d.adminId(
          { name: 'createClient', input: 'CreateClientInput' },
          { name: `停用图谱${uniq()}`, organisationId: d.ids().Y, scopes: [] },
        ),
      }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    // API keys
    {
      name: 'createApiKey',
      label: 'X',
      query: 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { id key } }',
      variables: () => ({
        i: { name: `矩阵图谱${uniq()}`, organisationId: d.ids().X, scopes: ['directory:read'] },
      }),
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'apiKeys',
      query: '{ apiKeys(first: 5) { edges { node { id prefix } } } }',
      expect: deny({ orgAdminX: 'ok', admin: 'ok' }),
    },
    {
      name: 'revokeApiKey',
      label: 'Y key',
      query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      variables: async () => ({
        id: await d.adminId(
          { name: 'createApiKey', input: 'CreateApiKeyInput' },
          { name: `乙钥匙${uniq()}`, organisationId: d.ids().Y, scopes: [] },
        ),
      }),
      expect: deny({ orgAdminX: 'NOT_FOUND', admin: 'ok' }),
    },
    // the caller's own account: citizen and business accounts only ('*' never implies self:service)
    { name: 'me', query: '{ me { id } }', expect: deny({ citizenA: 'ok', citizenB: 'ok' }) },
    {
      name: 'updateProfile',
      query: 'mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { id } }',
      variables: () => ({ i: { displayName: '矩阵图谱' } }),
      expect: deny({ citizenA: 'ok', citizenB: 'ok' }),
    },
    {
      // a wrong current password: the guard's answer without ending the matrix's sessions
      name: 'changePassword',
      label: 'wrong current password',
      query: 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) { accessToken } }',
      variables: () => ({ i: { currentPassword: 'Not-the-password-1', newPassword: 'Matrix#Next-2027' } }),
      expect: deny({
        citizenA: 'VALIDATION_FAILED',
        citizenB: 'VALIDATION_FAILED',
        ...STAFF_ONLY('VALIDATION_FAILED'),
      }),
    },
    // public credential flows: every caller gets the same answer, whatever credentials it sends
    {
      name: 'register',
      label: 'unknown kind',
      query: 'mutation($i: RegisterInput!) { register(input: $i) { status } }',
      variables: () => ({ i: { phone: unknownPhone(), password: 'Matrix#Pass-2026', kind: 'robot' } }),
      expect: everyone('VALIDATION_FAILED'),
    },
    {
      name: 'verifyContact',
      label: 'malformed code',
      query: 'mutation($i: VerifyContactInput!) { verifyContact(input: $i) }',
      variables: () => ({ i: { phone: unknownPhone(), code: 'abc' } }),
      expect: everyone('VALIDATION_FAILED'),
    },
    {
      name: 'login',
      label: 'empty login',
      query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
      variables: () => ({ i: { login: '', password: 'x' } }),
      expect: everyone('VALIDATION_FAILED'),
    },
    {
      name: 'refresh',
      label: 'unknown token',
      query: 'mutation($i: RefreshInput!) { refresh(input: $i) { accessToken } }',
      variables: () => ({ i: { refreshToken: randomBytes(32).toString('base64url') } }),
      expect: everyone('INVALID_REFRESH_TOKEN'),
    },
    {
      name: 'requestPasswordReset',
      label: 'unknown contact',
      query: 'mutation($i: PasswordResetRequestInput!) { requestPasswordReset(input: $i) { status } }',
      variables: () => ({ i: { phone: unknownPhone() } }),
      expect: everyone('ok'),
    },
    {
      name: 'confirmPasswordReset',
      label: 'malformed code',
      query: 'mutation($i: PasswordResetConfirmInput!) { confirmPasswordReset(input: $i) }',
      variables: () => ({ i: { phone: unknownPhone(), code: 'abc', newPassword: 'Matrix#Next-2027' } }),
      expect: everyone('VALIDATION_FAILED'),
    },
  ];

  const logout: GqlRow = {
    name: 'logout',
    query: 'mutation { logout }',
    expect: deny({ citizenA: 'ok', citizenB: 'ok', ...STAFF_ONLY('ok') }),
  };
  return { rows, logout, clearTotp: d.clearTotp };
}

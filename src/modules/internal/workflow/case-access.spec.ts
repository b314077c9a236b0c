import { ErrorCode } from '../../../api/errors/error-code';
import { Permission } from '../../../api/auth/permission';
import { CaseFile, CaseStatus, CaseTask } from './case.entity';
import { findAction, reasonRequired, separationOfDuties } from './case-access';
import type { WorkflowSpec } from './workflow-spec';

const t = (zh: string) => ({ 'zh-CN': zh, en: zh });
const spec: WorkflowSpec = {
  start: 'acceptance',
  clock: { supplementNoticeWithin: 5, yellowWithin: 2, escalateOverdue: true },
  separationOfDuties: [{ actions: ['accept', 'approval.approve'] }, { actions: ['decide', 'issue'] }],
  stages: [
    {
      key: 'acceptance',
      title: t('受理'),
      assignee: { permission: Permission.CaseHandle, unit: 'handling' },
      actions: [
        {
          key: 'accept',
          effect: 'accept',
          title: t('受理'),
          to: 'approval',
          guard: { path: '/form/ok', op: 'eq', value: true },
        },
        { key: 'request_supplement', effect: 'request_supplement', title: t('补正') },
      ],
    },
    {
      key: 'approval',
      title: t('审批'),
      assignee: { permission: Permission.CaseApprove, unit: 'handling' },
      actions: [
        { key: 'approve', effect: 'approve', title: t('同意'), to: 'approval' },
        { key: 'suspend', effect: 'suspend', title: t('中止') },
        { key: 'resume', effect: 'resume', title: t('恢复') },
      ],
    },
  ],
};

const caseOf = (over: Partial<CaseFile> = {}) =>
  ({
    status: CaseStatus.Open,
    supplementRequested: false,
    data: { ok: true },
    actors: {},
    extensions: [],
    ...over,
  }) as CaseFile;
const [acceptance, approval] = spec.stages;
const code = (r: object) => ('code' in r ? (r as { code: ErrorCode }).code : 'ok');

describe('findAction', () => {
  it('offers the stage actions in an open case when the guard holds', () => {
    expect(code(findAction(caseOf(), spec, acceptance, 'accept', []))).toBe('ok');
    expect(code(findAction(caseOf({ data: { ok: false } }), spec, acceptance, 'accept', []))).toBe(
      ErrorCode.InvalidTransition,
    );
    expect(findAction(caseOf(), spec, acceptance, 'approve', [])).toMatchObject({
      reason: expect.stringContaining('"acceptance"'),
    });
  });

  it('follows the status: one supplement, only resume while suspended, nothing once closed', () => {
    expect(
      code(findAction(caseOf({ supplementRequested: true }), spec, acceptance, 'request_supplement', [])),
    ).toBe(ErrorCode.InvalidTransition);
    const suspended = caseOf({ status: CaseStatus.Suspended });
    expect(code(findAction(suspended, spec, approval, 'approve', []))).toBe(ErrorCode.InvalidTransition);
    expect(code(findAction(suspended, spec, approval, 'resume', []))).toBe('ok');
    expect(code(findAction(caseOf(), spec, approval, 'resume', []))).toBe(ErrorCode.InvalidTransition);
    expect(code(findAction(caseOf({ status: CaseStatus.Closed }), spec, approval, 'approve', []))).toBe(
      ErrorCode.InvalidTransition,
    );
  });

  it('lets a superior decide a pending extension from any stage', () => {
    const ext = [{ kind: 'extension' } as CaseTask];
    expect(code(findAction(caseOf(), spec, acceptance, 'grant_extension', ext))).toBe('ok');
    expect(code(findAction(caseOf(), spec, acceptance, 'grant_extension', []))).toBe(
      ErrorCode.InvalidTransition,
    );
  });
});

describe('separationOfDuties', () => {
  const c = caseOf({ actors: { 'acceptance.accept': ['alice', 'bob-for-alice'] } });
  it('refuses the acceptor, and whoever acts on their behalf, as approver', () => {
    expect(separationOfDuties(spec, c, 'approval', 'approve', ['alice', null])).toMatch(/accept/);
    expect(separationOfDuties(spec, c, 'approval', 'approve', ['dave', 'alice'])).toMatch(/accept/);
    expect(separationOfDuties(spec, c, 'approval', 'approve', ['carol', null])).toBeNull();
  });

  it('ignores rules that do not name the action and repeats of the same action', () => {
    expect(separationOfDuties(spec, c, 'acceptance', 'accept', ['alice', null])).toBeNull();
    expect(separationOfDuties(spec, c, 'other', 'approve', ['alice', null])).toBeNull();
  });

  it('knows which effects need a reason', () => {
    expect(reasonRequired(approval.actions[1])).toBe(true);
    expect(reasonRequired(approval.actions[0])).toBe(false);
    expect(reasonRequired({ key: 'd', effect: 'decide', title: t('决定') }, 'denied')).toBe(true);
  });
});

import { validateWorkflowSpec } from './workflow-spec.validate';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const t = (zh: string) => ({ 'zh-CN': zh });
const handle = { permission: 'case:handle', unit: 'handling' };

/** A small valid spec: acceptance → review → approval → decision → closed. */
function spec(): Json {
  return {
    start: 'acceptance',
    clock: { supplementNoticeWithin: 5, yellowWithin: 2, escalateOverdue: true },
    separationOfDuties: [{ actions: ['accept', 'approval.approve'] }],
    stages: [
      {
        key: 'acceptance',
        title: t('受理'),
        assignee: handle,
        actions: [
          { key: 'accept', effect: 'accept', title: t('受理'), to: 'review' },
          { key: 'refuse', effect: 'refuse', title: t('不予受理'), reasonRequired: true },
          { key: 'request_supplement', effect: 'request_supplement', title: t('补正') },
        ],
      },
      {
        key: 'review',
        title: t('审查'),
        assignee: { permission: 'case:review', unit: 'handling' },
        actions: [
          { key: 'advance', effect: 'advance', title: t('通过'), to: 'approval' },
          { key: 'return', effect: 'return', title: t('退回'), to: 'acceptance' },
          { key: 'suspend', effect: 'suspend', title: t('中止') },
          { key: 'resume', effect: 'resume', title: t('恢复') },
          { key: 'request_extension', effect: 'request_extension', title: t('延期') },
          { key: 'grant_extension', effect: 'grant_extension', title: t('同意') },
          { key: 'deny_extension', effect: 'deny_extension', title: t('不同意') },
        ],
      },
      {
        key: 'approval',
        title: t('审批'),
        assignee: { permission: 'case:approve', unit: 'handling' },
        approval: {
          mode: 'sequential',
          levels: [
            { permission: 'case:approve', unit: 'handling' },
            { permission: 'case:approve', unit: 'parent' },
          ],
        },
        actions: [
          {
            key: 'approve',
            effect: 'approve',
            title: t('同意'),
            to: 'decision',
            guard: {
              all: [
                { path: '/form/capital', op: 'gte', value: 0 },
                { not: { path: '/case/x', op: 'exists' } },
              ],
            },
          },
          { key: 'disapprove', effect: 'disapprove', title: t('不同意'), to: 'review' },
        ],
      },
      {
        key: 'decision',
        title: t('决定'),
        assignee: { permission: 'case:approve', unit: 'handling' },
        actions: [{ key: 'decide', effect: 'decide', title: t('决定'), to: 'closed' }],
      },
      { key: 'closed', title: t('办结'), assignee: handle, final: true, actions: [] },
    ],
  };
}

const codesAt = (s: unknown) => validateWorkflowSpec(s).map((e) => `${e.pointer} ${e.code}`);
const stage = (s: Json, key: string): Json => s.stages.find((x: Json) => x.key === key);
const action = (s: Json, st: string, key: string): Json =>
  stage(s, st).actions.find((a: Json) => a.key === key);

describe('validateWorkflowSpec', () => {
  it('accepts a well-formed workflow', () => {
    expect(validateWorkflowSpec(spec())).toEqual([]);
  });

  it('refuses what is not a spec at all, without throwing', () => {
    for (const bad of [null, 1, 'x', [], { stages: 'x' }])
      expect(validateWorkflowSpec(bad).length).toBeGreaterThan(0);
    expect(codesAt(null)).toEqual([' isObject']);
  });

  it('refuses unknown properties anywhere', () => {
    const s = spec();
    s.extra = 1;
    s.stages[0].colour = 'red';
    s.stages[0].actions[0].script = 'x';
    expect(codesAt(s)).toEqual([
      '/extra unknownProperty',
      '/stages/0/colour unknownProperty',
      '/stages/0/actions/0/script unknownProperty',
    ]);
  });

  it('needs the start stage to exist and not be final', () => {
    const s = spec();
    s.start = 'nowhere';
    expect(codesAt(s)).toEqual(['/start unknownStage']);
    s.start = 'closed';
    expect(codesAt(s)).toContain('/start finalStart');
  });

  it('keys: pattern, unique stages, unique actions within a stage', () => {
    const s = spec();
    s.stages[1].key = 'Review';
    expect(codesAt(s)).toEqual(['/stages/1/key key']);
    const d = spec();
    d.stages[2].key = 'review';
    d.stages[0].actions[1].key = 'accept';
    expect(codesAt(d)).toEqual(
      expect.arrayContaining(['/stages/2/key duplicate', '/stages/0/actions/1/key duplicate']),
    );
  });

  it('every to and deniedTo names an existing stage', () => {
    const s = spec();
    action(s, 'acceptance', 'accept').to = 'nowhere';
    action(s, 'decision', 'decide').deniedTo = 'limbo';
    expect(codesAt(s)).toEqual([
      '/stages/0/actions/0/to unknownStage',
      '/stages/3/actions/0/deniedTo unknownStage',
    ]);
  });

  it('moving effects need to; staying effects may not have one; deniedTo only on decide', () => {
    const s = spec();
    delete action(s, 'review', 'advance').to;
    action(s, 'acceptance', 'refuse').to = 'review';
    action(s, 'acceptance', 'accept').deniedTo = 'closed';
    expect(codesAt(s)).toEqual([
      '/stages/0/actions/0/deniedTo notAllowed',
      '/stages/0/actions/1/to notAllowed',
      '/stages/1/actions/0/to required',
    ]);
    const loop = spec();
    action(loop, 'review', 'advance').to = 'review';
    expect(codesAt(loop)).toEqual(['/stages/1/actions/0/to selfLoop']);
  });

  it('close may only go to a final stage', () => {
    const s = spec();
    stage(s, 'review').actions.push({ key: 'close', effect: 'close', title: t('办结'), to: 'acceptance' });
    expect(codesAt(s)).toEqual(['/stages/1/actions/7/to finalRequired']);
    action(s, 'review', 'close').to = 'closed';
    expect(codesAt(s)).toEqual([]);
  });

  it('final stages have no actions; other stages need some', () => {
    const s = spec();
    stage(s, 'closed').actions = [{ key: 'reopen', effect: 'advance', title: t('重开'), to: 'review' }];
    stage(s, 'decision').actions = [];
    expect(codesAt(s)).toEqual(
      expect.arrayContaining(['/stages/4/actions finalHasActions', '/stages/3/actions noActions']),
    );
  });

  it('a final stage and a decide action must be reachable from start; every stage must be reachable', () => {
    const s = spec();
    action(s, 'review', 'advance').to = 'acceptance';
    action(s, 'review', 'return').to = 'acceptance';
    const codes = codesAt(s);
    expect(codes).toEqual(
      expect.arrayContaining([
        '/stages/2 unreachable',
        '/stages/3 unreachable',
        '/stages/4 unreachable',
        '/stages finalUnreachable',
        '/stages decideRequired',
      ]),
    );
  });

  it('return must go back to an earlier stage', () => {
    const s = spec();
    stage(s, 'acceptance').actions.push({ key: 'back', effect: 'return', title: t('退回'), to: 'approval' });
    expect(codesAt(s)).toEqual(['/stages/0/actions/3/to returnNotBackward']);
  });

  it('approve and disapprove only in approval stages, which need an approve action; 1 to 10 levels', () => {
    const s = spec();
    stage(s, 'decision').actions.push({ key: 'approve', effect: 'approve', title: t('同意'), to: 'closed' });
    expect(codesAt(s)).toEqual(['/stages/3/actions/1/effect approvalStageOnly']);
    const a = spec();
    stage(a, 'approval').actions = stage(a, 'approval').actions.filter((x: Json) => x.key !== 'approve');
    action(a, 'approval', 'disapprove').effect = 'advance';
    action(a, 'approval', 'disapprove').to = 'decision';
    delete a.separationOfDuties;
    expect(codesAt(a)).toEqual(['/stages/2/actions approveRequired']);
    const l = spec();
    stage(l, 'approval').approval.levels = [];
    expect(codesAt(l)).toEqual(['/stages/2/approval/levels size']);
    stage(l, 'approval').approval.levels = Array.from({ length: 11 }, () => handle);
    expect(codesAt(l)).toEqual(['/stages/2/approval/levels size']);
    stage(l, 'approval').approval = { mode: 'majority', levels: [handle] };
    expect(codesAt(l)).toEqual(['/stages/2/approval/mode isIn']);
  });

  it('suspend needs resume in the same stage, and the other way round', () => {
    const s = spec();
    stage(s, 'review').actions = stage(s, 'review').actions.filter((a: Json) => a.key !== 'resume');
    expect(codesAt(s)).toEqual(['/stages/1/actions/2/effect resumeRequired']);
    const r = spec();
    stage(r, 'review').actions = stage(r, 'review').actions.filter((a: Json) => a.key !== 'suspend');
    expect(codesAt(r)).toEqual(['/stages/1/actions/2/effect suspendRequired']);
  });

  it('request_extension needs grant_extension and deny_extension in the same stage', () => {
    const s = spec();
    stage(s, 'review').actions = stage(s, 'review').actions.filter((a: Json) => a.key !== 'deny_extension');
    expect(codesAt(s)).toEqual(['/stages/1/actions/4/effect extensionDecisionRequired']);
    const g = spec();
    stage(g, 'review').actions = stage(g, 'review').actions.filter(
      (a: Json) => a.key !== 'request_extension',
    );
    expect(codesAt(g)).toEqual([
      '/stages/1/actions/4/effect extensionRequestRequired',
      '/stages/1/actions/5/effect extensionRequestRequired',
    ]);
  });

  it('assignees: only case:handle/review/approve, in the handling unit or its parent', () => {
    const s = spec();
    s.stages[0].assignee = { permission: 'audit:read', unit: 'handling' };
    s.stages[1].assignee = { permission: 'case:review', unit: 'anywhere' };
    delete s.stages[3].assignee;
    expect(codesAt(s)).toEqual([
      '/stages/0/assignee/permission isIn',
      '/stages/1/assignee/unit isIn',
      '/stages/3/assignee isObject',
    ]);
  });

  it('clock numbers stay in range', () => {
    const s = spec();
    s.clock = {
      supplementNoticeWithin: 0,
      yellowWithin: 31,
      escalateOverdue: 'yes',
      limit: { amount: 3651, unit: 'weeks' },
    };
    expect(codesAt(s)).toEqual([
      '/clock/limit/amount range',
      '/clock/limit/unit isIn',
      '/clock/supplementNoticeWithin range',
      '/clock/yellowWithin range',
      '/clock/escalateOverdue isBoolean',
    ]);
    const f = spec();
    f.clock.supplementNoticeWithin = 2.5;
    expect(codesAt(f)).toEqual(['/clock/supplementNoticeWithin range']);
  });

  it('a step limit cannot exceed the case limit in the same unit', () => {
    const s = spec();
    s.clock.limit = { amount: 5, unit: 'working_days' };
    s.stages[1].limit = { amount: 6, unit: 'working_days' };
    expect(codesAt(s)).toEqual(['/stages/1/limit/amount exceedsCaseLimit']);
    s.stages[1].limit = { amount: 5, unit: 'working_days' };
    expect(codesAt(s)).toEqual([]);
  });

  it('guards: JSON pointers into /form or /case, known operators, fitting values, depth at most 5', () => {
    const guarded = (guard: unknown) => {
      const s = spec();
      action(s, 'approval', 'approve').guard = guard;
      return codesAt(s).map((c) => c.replace('/stages/2/actions/0/guard', ''));
    };
    expect(guarded({ path: 'form/capital', op: 'eq', value: 1 })).toEqual(['/path pointer']);
    expect(guarded({ path: '/applicant/id', op: 'eq', value: 1 })).toEqual(['/path pointer']);
    expect(guarded({ path: '/form/', op: 'eq', value: 1 })).toEqual([]);
    expect(guarded({ path: '/form/a~2', op: 'eq', value: 1 })).toEqual(['/path pointer']);
    expect(guarded({ path: '/form/a', op: 'like', value: 1 })).toEqual(['/op isIn']);
    expect(guarded({ path: '/form/a', op: 'eq' })).toEqual(['/value scalar']);
    expect(guarded({ path: '/form/a', op: 'eq', value: { x: 1 } })).toEqual(['/value scalar']);
    expect(guarded({ path: '/form/a', op: 'gt', value: true })).toEqual(['/value comparable']);
    expect(guarded({ path: '/form/a', op: 'in', value: [] })).toEqual(['/value size']);
    expect(guarded({ path: '/form/a', op: 'in', value: ['a', 1, null] })).toEqual([]);
    expect(guarded({ path: '/form/a', op: 'exists', value: 1 })).toEqual(['/value notAllowed']);
    expect(guarded({ all: [] })).toEqual(['/all size']);
    expect(guarded({ any: [{ path: '/case/stage', op: 'eq', value: 'x' }], extra: 1 })).toEqual([
      '/extra unknownProperty',
    ]);
    const leaf = { path: '/form/a', op: 'exists' };
    const nest = (n: number): unknown => (n === 1 ? leaf : { not: nest(n - 1) });
    expect(guarded(nest(5))).toEqual([]);
    expect(guarded(nest(6))).toEqual(['/not/not/not/not/not depth']);
  });

  it('separation of duties names existing actions, bare or stage.action, at least two', () => {
    const s = spec();
    s.separationOfDuties = [
      { actions: ['accept'] },
      { actions: ['accept', 'review.approve', 'nothing', 'accept'] },
      { actions: ['Accept!', 'decide'] },
    ];
    expect(codesAt(s)).toEqual([
      '/separationOfDuties/0/actions size',
      '/separationOfDuties/2/actions/0 actionRef',
    ]);
    s.separationOfDuties.splice(0, 1);
    s.separationOfDuties.splice(1, 1);
    expect(codesAt(s)).toEqual([
      '/separationOfDuties/0/actions/1 unknownAction',
      '/separationOfDuties/0/actions/2 unknownAction',
      '/separationOfDuties/0/actions/3 duplicate',
    ]);
  });

  it('texts: zh-CN required, at most 200 characters; en optional', () => {
    const s = spec();
    s.stages[0].title = { en: 'Acceptance' };
    s.stages[1].title = { 'zh-CN': '审'.repeat(201) };
    s.stages[2].title = { 'zh-CN': '  ' };
    s.stages[3].title = { 'zh-CN': '决定', en: 7, fr: 'x' };
    expect(codesAt(s)).toEqual([
      '/stages/0/title/zh-CN text',
      '/stages/1/title/zh-CN text',
      '/stages/2/title/zh-CN text',
      '/stages/3/title/fr unknownProperty',
      '/stages/3/title/en text',
    ]);
  });

  it('size caps: at most 50 stages and 20 actions per stage', () => {
    const s = spec();
    s.stages = Array.from({ length: 51 }, (_, i) => ({ ...spec().stages[4], key: `s${i}` }));
    expect(codesAt(s)).toEqual(['/stages size']);
    const a = spec();
    a.stages[0].actions = Array.from({ length: 21 }, (_, i) => ({
      key: `r${i}`,
      effect: 'refuse',
      title: t('拒'),
    }));
    expect(codesAt(a)).toEqual(['/stages/0/actions size']);
  });
});

describe('work-order effects (issue 12)', () => {
  /** intake → (dispatch) handling → (reply) callback → done, with review/reopen for the dissatisfied. */
  function workOrder(): Json {
    const dispatcher = { permission: 'case:handle', unit: 'dispatcher' };
    return {
      start: 'intake',
      clock: { supplementNoticeWithin: 5, yellowWithin: 2, escalateOverdue: false },
      stages: [
        {
          key: 'intake',
          title: t('派单'),
          assignee: handle,
          actions: [
            {
              key: 'dispatch',
              effect: 'dispatch',
              title: t('派单'),
              to: 'handling',
              signWithin: { amount: 1, unit: 'working_days' },
              units: ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'],
            },
          ],
        },
        {
          key: 'handling',
          title: t('承办'),
          assignee: handle,
          actions: [
            { key: 'sign', effect: 'sign', title: t('签收') },
            { key: 'back', effect: 'return_to_dispatcher', title: t('退单'), maxReturns: 3 },
            { key: 'opinion', effect: 'opinion', title: t('协办意见') },
            { key: 'reply', effect: 'reply', title: t('答复'), to: 'callback' },
          ],
        },
        {
          key: 'callback',
          title: t('回访'),
          assignee: dispatcher,
          actions: [
            { key: 'callback', effect: 'callback', title: t('回访'), to: 'done', dissatisfiedTo: 'review' },
          ],
        },
        {
          key: 'review',
          title: t('复核'),
          assignee: dispatcher,
          actions: [{ key: 'reopen', effect: 'reopen', title: t('重办'), to: 'handling' }],
        },
        { key: 'done', title: t('办结'), assignee: handle, final: true, actions: [] },
      ],
    };
  }

  it('accepts a work-order workflow with reply instead of decide', () => {
    expect(validateWorkflowSpec(workOrder())).toEqual([]);
  });

  it('options belong to their effect, with ranges and unit ids', () => {
    const s = workOrder();
    s.stages[0].actions[0].units = ['not-a-uuid'];
    s.stages[0].actions[0].signWithin = { amount: 0, unit: 'working_days' };
    s.stages[1].actions[1].maxReturns = 11;
    expect(codesAt(s)).toEqual([
      '/stages/0/actions/0/signWithin/amount range',
      '/stages/0/actions/0/units/0 isUuid',
      '/stages/1/actions/1/maxReturns range',
    ]);
    const o = workOrder();
    o.stages[1].actions[3].maxReturns = 1;
    o.stages[1].actions[3].dissatisfiedTo = 'review';
    expect(codesAt(o)).toEqual([
      '/stages/1/actions/3/maxReturns notAllowed',
      '/stages/1/actions/3/dissatisfiedTo notAllowed',
    ]);
  });

  it('a dispatch lands where someone signs; sign, returns and opinions live there', () => {
    const s = workOrder();
    s.stages[1].actions.shift();
    expect(codesAt(s)).toEqual([
      '/stages/0/actions/0/to signRequired',
      '/stages/1/actions/0/effect signRequired',
      '/stages/1/actions/1/effect signRequired',
    ]);
  });

  it('moving effects need to; reopen goes back; dissatisfiedTo must exist', () => {
    const s = workOrder();
    delete s.stages[1].actions[3].to;
    s.stages[2].actions[0].dissatisfiedTo = 'nowhere';
    expect(codesAt(s)).toEqual([
      '/stages/1/actions/3/to required',
      '/stages/2/actions/0/dissatisfiedTo unknownStage',
    ]);
    const r = workOrder();
    r.stages.splice(4, 0, {
      key: 'later',
      title: t('后'),
      assignee: handle,
      actions: [{ key: 'reopen', effect: 'reopen', title: t('重办'), to: 'done' }],
    });
    r.stages[3].actions.push({ key: 'on', effect: 'advance', title: t('下一步'), to: 'later' });
    expect(codesAt(r)).toContain('/stages/4/actions/0/to returnNotBackward');
  });
});

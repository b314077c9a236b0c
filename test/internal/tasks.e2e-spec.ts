import { uuidv7 } from '../../src/database/uuid';
import { CaseFile, CaseStatus, CaseTask, TaskStatus } from '../../src/modules/internal/workflow/case.entity';
import { Delegation } from '../../src/modules/platform/identity/staff/delegation.entity';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import {
  Service,
  ServiceStatus,
  ServiceTarget,
  ServiceType,
} from '../../src/modules/public/catalog/service.entity';
import {
  auth,
  makeCitizen,
  makeStaff,
  makeUnit,
  Person,
  signIn,
  TEST_REGION,
  uniq,
} from '../identity/staff-fixtures';
import { CaseParents, caseParents } from '../support/case-parents';
import { startTestApp, TestApp } from '../support/test-app';

const DAY = 86_400_000;

interface TaskBody {
  id: string;
  caseId: string;
  caseNumber: string;
  service: { id: string; title: string | null };
  candidateUnit: { id: string; name: string };
  permission: string;
  assignee: { id: string; displayName: string | null } | null;
  dueAt: string | null;
  warningLevel: string;
  stage: string;
  version: number;
  [k: string]: unknown;
}

describe('work queues: list, claim, release, assign, transfer, delegate', () => {
  let t: TestApp;
  let X: string;
  let X1: string;
  let Y: string;
  let serviceA: string;
  let serviceB: string;
  let applicant: Person;
  let parents: CaseParents;
  const people: Record<string, Person> = {};
  const tokens: Record<string, Record<string, string>> = {};
  let citizenHeaders: Record<string, string>;

  const as = (name: string) => tokens[name];

  async function staff(
    name: string,
    home: string,
    roles: Array<{ role: RoleName; unit: string }>,
  ): Promise<void> {
    people[name] = await makeStaff(t, home, roles);
    tokens[name] = auth(await signIn(t, people[name], 'staff'));
  }

  async function service(organisationId: string, title: string): Promise<string> {
    const row = await t.db.repo(Service).save(
      t.db.repo(Service).create({
        organisationId,
        regionCode: TEST_REGION,
        implementationCode: `11${uniq()}-990000000000-000-1`,
        type: ServiceType.AdministrativeLicence,
        target: ServiceTarget.Both,
        status: ServiceStatus.Published,
        titleZh: title,
        titleEn: null,
        publishedAt: new Date(),
      }),
    );
    return row.id;
  }

  /** A case in `unit` as the engine would have opened it, with one task. */
  async function caseWithTask(
    unit: string,
    task: Partial<CaseTask> = {},
    serviceId = serviceA,
  ): Promise<{ caseId: string; taskId: string }> {
    const receivedAt = new Date(Date.now() - 2 * DAY);
    const c = await t.db.repo(CaseFile).save(
      t.db.repo(CaseFile).create({
        subjectType: 'application',
        subjectId: uuidv7(),
        number: `SQ${TEST_REGION}${uniq().toUpperCase()}`,
        caseType: 'service',
        subjectKey: serviceId,
        serviceId,
        definitionId: parents.definitionId,
        organisationId: unit,
        receivingOrganisationId: unit,
        regionCode: TEST_REGION,
        applicantAccountId: applicant.id,
        stage: task.stage ?? 'acceptance',
        status: CaseStatus.Open,
        receivedAt,
        acceptedAt: null,
        limit: { amount: 20, unit: 'working_days' },
        dueAt: new Date(Date.now() + 20 * DAY),
        warningLevel: 'green',
        data: { 经营者: '李四', 身份证号: '110105198001010011' },
      }),
    );
    const row = await t.db.repo(CaseTask).save(
      t.db.repo(CaseTask).create({
        caseId: c.id,
        stage: 'acceptance',
        kind: 'work',
        level: 0,
        organisationId: unit,
        permission: 'case:handle',
        assigneeId: null,
        status: TaskStatus.Open,
        dueAt: new Date(Date.now() + DAY),
        warningLevel: 'green',
        ...task,
      }),
    );
    return { caseId: c.id, taskId: row.id };
  }

  const taskRow = (id: string) => t.db.repo(CaseTask).findOneByOrFail({ id });
  const events = (caseId: string) =>
    t.db.query<{
      action: string;
      actor_id: string;
      public: boolean;
      reason: string | null;
      data: Record<string, unknown>;
    }>(
      'SELECT action, actor_id, public, reason, data FROM case_event WHERE case_id = $1 ORDER BY created_at, id',
      [caseId],
    );
  const audited = async (action: string, id: string) =>
    (await t.db.query('SELECT 1 FROM audit_leaf WHERE action = $1 AND resource_id = $2', [action, id]))
      .length;
  const inbox = (accountId: string) =>
    t.db.query<{ template: string; title: string; link: string }>(
      "SELECT template, title, link FROM inbox_message WHERE account_id = $1 AND template = 'task.assigned' ORDER BY created_at",
      [accountId],
    );
  const list = async (who: string, query = '') => {
    const res = await t.http
      .get(`/v1/tasks${query ? `?${query}` : ''}`)
      .set(as(who))
      .expect(200);
    return res.body as { items: TaskBody[]; nextCursor: string | null };
  };
  const ids = (items: TaskBody[]) => items.map((i) => i.id);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    parents = await caseParents(t);
    const root = await makeUnit(t, '任务市局');
    X = await makeUnit(t, '甲区政务服务中心', root);
    X1 = await makeUnit(t, '甲区第一窗口', X);
    Y = await makeUnit(t, '乙区政务服务中心', root);
    serviceA = await service(X, '个体工商户设立登记');
    serviceB = await service(X, '食品经营许可');
    await staff('clerkX', X, [{ role: RoleName.Clerk, unit: X }]);
    await staff('clerkX2', X, [{ role: RoleName.Clerk, unit: X }]);
    await staff('clerkX1', X1, [{ role: RoleName.Clerk, unit: X1 }]);
    await staff('clerkY', Y, [{ role: RoleName.Clerk, unit: Y }]);
    await staff('reviewerX', X, [{ role: RoleName.Reviewer, unit: X }]);
    await staff('supervisorX', X, [{ role: RoleName.Supervisor, unit: X }]);
    await staff('supervisorY', Y, [{ role: RoleName.Supervisor, unit: Y }]);
    applicant = await makeCitizen(t);
    citizenHeaders = auth(await signIn(t, applicant, 'citizen'));
  });
  afterAll(() => t.close());

  describe('queue scoping, filters, sort and paging', () => {
    let handleX: { caseId: string; taskId: string };
    let handleX1: string;
    let handleY: string;
    let reviewX: string;
    let redX: string;
    let noDueX: string;
    let serviceBX: string;

    beforeAll(async () => {
      handleX = await caseWithTask(X, { dueAt: new Date(Date.now() + 3 * DAY) });
      handleX1 = (await caseWithTask(X1, { dueAt: new Date(Date.now() + 2 * DAY), warningLevel: 'yellow' }))
        .taskId;
      handleY = (await caseWithTask(Y)).taskId;
      reviewX = (await caseWithTask(X, { permission: 'case:review', stage: 'review' })).taskId;
      redX = (await caseWithTask(X, { dueAt: new Date(Date.now() + 5 * DAY), warningLevel: 'red' })).taskId;
      noDueX = (await caseWithTask(X, { dueAt: null })).taskId;
      serviceBX = (await caseWithTask(X, { dueAt: new Date(Date.now() + 4 * DAY) }, serviceB)).taskId;
    });

    it("shows a clerk the case:handle tasks of their unit and its sub-units, not a sibling's or a reviewer's", async () => {
      const { items } = await list('clerkX');
      expect(ids(items)).toEqual([handleX1, handleX.taskId, serviceBX, redX, noDueX]);
      expect(ids(items)).not.toContain(handleY);
      expect(ids(items)).not.toContain(reviewX);
      const first = items.find((i) => i.id === handleX.taskId)!;
      expect(first).toMatchObject({
        caseId: handleX.caseId,
        service: { id: serviceA, title: '个体工商户设立登记' },
        stage: 'acceptance',
        kind: 'work',
        level: 0,
        candidateUnit: { id: X },
        permission: 'case:handle',
        assignee: null,
        status: 'open',
        warningLevel: 'green',
        caseWarningLevel: 'green',
        version: 1,
      });
      expect(first.caseNumber).toMatch(/^SQ990000/);
      expect(first.candidateUnit.name).toContain('甲区政务服务中心');
      expect(typeof first.caseDueAt).toBe('string');
      // No personal data of the applicant in a queue item.
      const text = JSON.stringify(items);
      expect(text).not.toContain(applicant.id);
      expect(text).not.toContain('李四');
      expect(text).not.toContain('110105198001010011');

      expect(ids((await list('clerkX1')).items)).toEqual([handleX1]);
      expect(ids((await list('clerkY')).items)).toEqual([handleY]);
      expect(ids((await list('reviewerX')).items)).toEqual([reviewX]);
      // A supervisor oversees every task in the unit, whatever its permission.
      expect(ids((await list('supervisorX')).items).sort()).toEqual(
        [handleX.taskId, handleX1, reviewX, redX, noDueX, serviceBX].sort(),
      );
    });

    it('filters by service, unit, stage, warning level, due date and assignment', async () => {
      expect(ids((await list('clerkX', `serviceId=${serviceB}`)).items)).toEqual([serviceBX]);
      expect(ids((await list('clerkX', `organisationId=${X1}`)).items)).toEqual([handleX1]);
      expect(ids((await list('clerkX', 'warningLevel=red')).items)).toEqual([redX]);
      expect(ids((await list('supervisorX', 'stage=review')).items)).toEqual([reviewX]);
      const before = new Date(Date.now() + 3.5 * DAY).toISOString();
      expect(ids((await list('clerkX', `dueBefore=${before}`)).items)).toEqual([handleX1, handleX.taskId]);
      expect(ids((await list('clerkX', 'assigned=me')).items)).toEqual([]);
      expect((await list('clerkX', 'assigned=unassigned')).items).toHaveLength(5);
      expect((await list('clerkX', 'status=completed')).items).toEqual([]);

      const outOfScope = await t.http.get(`/v1/tasks?organisationId=${Y}`).set(as('clerkX')).expect(400);
      expect(outOfScope.body.errors[0]).toMatchObject({ pointer: '/organisationId' });
      for (const bad of [
        'warningLevel=purple',
        'dueBefore=2026-02-30T00:00:00Z',
        'sort=name',
        'limit=0',
        'assigned=all',
      ])
        await t.http.get(`/v1/tasks?${bad}`).set(as('clerkX')).expect(400);
    });

    it('sorts by deadline (none last), newest first, or red first', async () => {
      const newest = ids((await list('clerkX', 'sort=-createdAt')).items);
      expect(newest).toEqual([serviceBX, noDueX, redX, handleX1, handleX.taskId]);
      const warning = ids((await list('clerkX', 'sort=warning')).items);
      expect(warning).toEqual([redX, handleX1, handleX.taskId, serviceBX, noDueX]);
    });

    it('pages with a cursor that carries the sort key, in every order', async () => {
      for (const sort of ['dueAt', '-createdAt', 'warning']) {
        const all = ids((await list('clerkX', `sort=${sort}`)).items);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res: { body: unknown; headers: Record<string, string> } = await t.http
            .get(`/v1/tasks?sort=${sort}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
            .set(as('clerkX'))
            .expect(200);
          const body = res.body as { items: TaskBody[]; nextCursor: string | null };
          seen.push(...ids(body.items));
          cursor = body.nextCursor;
          if (cursor) expect(res.headers.link).toContain('rel="next"');
        } while (cursor);
        expect(seen).toEqual(all);
      }
      // A cursor of one order is not accepted for another; garbage is a 400 too.
      const page = await list('clerkX', 'sort=dueAt&limit=1');
      await t.http.get(`/v1/tasks?sort=warning&cursor=${page.nextCursor}`).set(as('clerkX')).expect(400);
      const forged = Buffer.from(JSON.stringify(['d', "1' OR 1=1", uuidv7()])).toString('base64url');
      const res = await t.http.get(`/v1/tasks?cursor=${forged}`).set(as('clerkX')).expect(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    });

    it('shows one task only within scope (404 otherwise)', async () => {
      const res = await t.http.get(`/v1/tasks/${handleX.taskId}`).set(as('clerkX')).expect(200);
      expect(res.body.id).toBe(handleX.taskId);
      expect(res.headers.etag).toBe('"v1"');
      await t.http.get(`/v1/tasks/${handleX.taskId}`).set(as('clerkY')).expect(404);
      await t.http.get(`/v1/tasks/${handleX.taskId}`).set(as('reviewerX')).expect(404);
      await t.http.get(`/v1/tasks/${uuidv7()}`).set(as('clerkX')).expect(404);
      await t.http.get(`/v1/tasks/${handleX.taskId}`).set(citizenHeaders).expect(403);
      await t.http.get(`/v1/tasks/${handleX.taskId}`).expect(401);
    });
  });

  describe('claim and release', () => {
    it('lets exactly one of two racing clerks claim a task', async () => {
      const { caseId, taskId } = await caseWithTask(X);
      const [a, b] = await Promise.all([
        t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')),
        t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX2')),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const winner = a.status === 200 ? a : b;
      const loser = a.status === 200 ? b : a;
      expect(loser.body.code).toBe('INVALID_TRANSITION');
      const row = await taskRow(taskId);
      expect(row.assigneeId).toBe(winner.body.assignee.id);
      expect(row.claimedAt).not.toBeNull();
      expect(winner.body.version).toBe(2);
      const history = await events(caseId);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ action: 'task_claim', actor_id: row.assigneeId, public: false });
      expect(await audited('task.claim', taskId)).toBe(1);
      // Claiming one's own task again changes nothing.
      const again = await t.http
        .post(`/v1/tasks/${taskId}/claim`)
        .set(winner === a ? as('clerkX') : as('clerkX2'))
        .expect(200);
      expect(again.body.version).toBe(2);
      expect(ids((await list(winner === a ? 'clerkX' : 'clerkX2', 'assigned=me')).items)).toContain(taskId);
    });

    it('refuses a claim without the permission, out of scope, or by callers who are not staff; nothing changes', async () => {
      const { caseId, taskId } = await caseWithTask(X1);
      // A supervisor sees the task but does not hold case:handle: 403 (the guard: no case:handle anywhere).
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('supervisorX')).expect(403);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkY')).expect(404);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('reviewerX')).expect(404);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(citizenHeaders).expect(403);
      await t.http.post(`/v1/tasks/${taskId}/claim`).expect(401);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX1')).set('If-Match', '"v7"').expect(412);
      const row = await taskRow(taskId);
      expect(row.assigneeId).toBeNull();
      expect(row.version).toBe(1);
      expect(await events(caseId)).toHaveLength(0);
      // A clerk of the unit above may claim it (held in X, so in X1 too), with the right If-Match.
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')).set('If-Match', '"v1"').expect(200);
    });

    it('lets the assignee or a dispatcher release; others are refused', async () => {
      const { caseId, taskId } = await caseWithTask(X);
      await t.http.post(`/v1/tasks/${taskId}/release`).set(as('clerkX')).expect(409);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')).expect(200);
      await t.http.post(`/v1/tasks/${taskId}/release`).set(as('clerkX2')).expect(403);
      await t.http.post(`/v1/tasks/${taskId}/release`).set(as('supervisorY')).expect(404);
      expect((await taskRow(taskId)).assigneeId).toBe(people.clerkX.id);
      const res = await t.http.post(`/v1/tasks/${taskId}/release`).set(as('clerkX')).expect(200);
      expect(res.body.assignee).toBeNull();
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX2')).expect(200);
      await t.http.post(`/v1/tasks/${taskId}/release`).set(as('supervisorX')).expect(200);
      const row = await taskRow(taskId);
      expect(row.assigneeId).toBeNull();
      expect(row.claimedAt).toBeNull();
      expect((await events(caseId)).map((e) => e.action)).toEqual([
        'task_claim',
        'task_release',
        'task_claim',
        'task_release',
      ]);
    });

    it('refuses every operation on a task that is no longer open', async () => {
      const { taskId } = await caseWithTask(X, { status: TaskStatus.Completed, completedAt: new Date() });
      const res = await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')).expect(409);
      expect(res.body.code).toBe('INVALID_TRANSITION');
      expect(ids((await list('clerkX', 'status=completed')).items)).toContain(taskId);
    });
  });

  describe('assign, transfer, delegate', () => {
    it('lets a supervisor assign to a colleague holding the permission, and tells them', async () => {
      const { caseId, taskId } = await caseWithTask(X1);
      const res = await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(as('supervisorX'))
        .send({ assigneeId: people.clerkX2.id })
        .expect(200);
      expect(res.body.assignee).toMatchObject({
        id: people.clerkX2.id,
        displayName: expect.stringContaining('测试员'),
      });
      expect((await taskRow(taskId)).assigneeId).toBe(people.clerkX2.id);
      const [event] = await events(caseId);
      expect(event).toMatchObject({ action: 'task_assign', actor_id: people.supervisorX.id, public: false });
      expect(event.data).toMatchObject({ taskId, from: null, to: people.clerkX2.id });
      expect(await audited('task.assign', taskId)).toBe(1);
      const messages = await inbox(people.clerkX2.id);
      expect(messages.some((m) => m.link === `/tasks/${taskId}`)).toBe(true);
    });

    it('refuses an assignee without the permission there (400), a clerk (403), another unit (404)', async () => {
      const { caseId, taskId } = await caseWithTask(X);
      const bad = async (assigneeId: string) => {
        const res = await t.http
          .post(`/v1/tasks/${taskId}/assign`)
          .set(as('supervisorX'))
          .send({ assigneeId })
          .expect(400);
        expect(res.body.errors[0]).toMatchObject({ pointer: '/assigneeId', code: 'notEligible' });
      };
      await bad(people.reviewerX.id); // no case:handle
      await bad(people.clerkX1.id); // case:handle only below the task's unit
      await bad(people.clerkY.id); // a sibling unit's clerk
      await bad(applicant.id); // not staff
      await bad(uuidv7()); // nobody
      await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(as('supervisorX'))
        .send({ assigneeId: 'nope' })
        .expect(400);
      await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(as('clerkX'))
        .send({ assigneeId: people.clerkX2.id })
        .expect(403);
      await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(as('supervisorY'))
        .send({ assigneeId: people.clerkX2.id })
        .expect(404);
      await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(citizenHeaders)
        .send({ assigneeId: people.clerkX2.id })
        .expect(403);
      await t.http.post(`/v1/tasks/${taskId}/assign`).send({ assigneeId: people.clerkX2.id }).expect(401);
      expect((await taskRow(taskId)).assigneeId).toBeNull();
      expect(await events(caseId)).toHaveLength(0);
    });

    it('accepts an assignee who holds the role by an active delegation', async () => {
      const { taskId } = await caseWithTask(X);
      await staff('stand-in', Y, []);
      await t.db.repo(Delegation).save(
        t.db.repo(Delegation).create({
          fromAccountId: people.clerkX.id,
          toAccountId: people['stand-in'].id,
          role: RoleName.Clerk,
          organisationId: X,
          validFrom: new Date(Date.now() - DAY),
          validUntil: new Date(Date.now() + 7 * DAY),
          reason: '休假期间代理受理',
          revokedAt: null,
        }),
      );
      await t.http
        .post(`/v1/tasks/${taskId}/assign`)
        .set(as('supervisorX'))
        .send({ assigneeId: people['stand-in'].id })
        .expect(200);
    });

    it('transfers within the dispatcher scope, or down to a sub-unit by the assignee; clears the assignee', async () => {
      const { caseId, taskId } = await caseWithTask(X);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')).expect(200);
      await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('supervisorX'))
        .send({ organisationId: X1 })
        .expect(400);
      await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('supervisorX'))
        .send({ organisationId: X1, reason: '   ' })
        .expect(400);
      const out = await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('supervisorX'))
        .send({ organisationId: Y, reason: '属地不符' })
        .expect(400);
      expect(out.body.errors[0]).toMatchObject({ pointer: '/organisationId', code: 'outOfScope' });
      await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('clerkX2'))
        .send({ organisationId: X1, reason: '转窗口' })
        .expect(403);
      await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('supervisorY'))
        .send({ organisationId: Y, reason: '转乙区' })
        .expect(404);
      expect((await taskRow(taskId)).organisationId).toBe(X);

      const res = await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('clerkX'))
        .send({ organisationId: X1, reason: '转甲区第一窗口办理' })
        .expect(200);
      expect(res.body).toMatchObject({ candidateUnit: { id: X1 }, assignee: null });
      expect(ids((await list('clerkX1')).items)).toContain(taskId);
      // The assignee may only pass it down: back up to X is for a dispatcher.
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX1')).expect(200);
      const up = await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('clerkX1'))
        .send({ organisationId: X, reason: '退回' })
        .expect(400);
      expect(up.body.errors[0].pointer).toBe('/organisationId');
      await t.http
        .post(`/v1/tasks/${taskId}/transfer`)
        .set(as('supervisorX'))
        .send({ organisationId: X, reason: '收回统一分派' })
        .expect(200);
      const row = await taskRow(taskId);
      expect(row).toMatchObject({ organisationId: X, assigneeId: null });
      const transfers = (await events(caseId)).filter((e) => e.action === 'task_transfer');
      expect(transfers.map((e) => e.reason)).toEqual(['转甲区第一窗口办理', '收回统一分派']);
      expect(transfers[0].data).toMatchObject({ fromUnit: X, toUnit: X1, from: people.clerkX.id });
      expect(await audited('task.transfer', taskId)).toBe(2);
    });

    it('lets the assignee delegate to a colleague holding the permission', async () => {
      const { caseId, taskId } = await caseWithTask(X);
      await t.http
        .post(`/v1/tasks/${taskId}/delegate`)
        .set(as('clerkX'))
        .send({ assigneeId: people.clerkX2.id })
        .expect(409);
      await t.http.post(`/v1/tasks/${taskId}/claim`).set(as('clerkX')).expect(200);
      await t.http
        .post(`/v1/tasks/${taskId}/delegate`)
        .set(as('clerkX2'))
        .send({ assigneeId: people.clerkX2.id })
        .expect(403);
      const notEligible = await t.http
        .post(`/v1/tasks/${taskId}/delegate`)
        .set(as('clerkX'))
        .send({ assigneeId: people.reviewerX.id })
        .expect(400);
      expect(notEligible.body.errors[0].pointer).toBe('/assigneeId');
      await t.http
        .post(`/v1/tasks/${taskId}/delegate`)
        .set(as('clerkX'))
        .send({ assigneeId: people.clerkX.id })
        .expect(400);
      expect((await taskRow(taskId)).assigneeId).toBe(people.clerkX.id);
      const before = (await inbox(people.clerkX2.id)).length;
      const res = await t.http
        .post(`/v1/tasks/${taskId}/delegate`)
        .set(as('clerkX'))
        .send({ assigneeId: people.clerkX2.id, reason: '本人外出培训' })
        .expect(200);
      expect(res.body.assignee.id).toBe(people.clerkX2.id);
      expect(await inbox(people.clerkX2.id)).toHaveLength(before + 1);
      const last = (await events(caseId)).pop()!;
      expect(last).toMatchObject({ action: 'task_delegate', reason: '本人外出培训', public: false });
      expect(await audited('task.delegate', taskId)).toBe(1);
    });
  });

  describe('GraphQL', () => {
    const gql = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
      t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });

    it('lists the queue and claims a task; refuses a task out of scope', async () => {
      const { taskId } = await caseWithTask(X1, { dueAt: new Date(Date.now() + 3600_000) });
      const q = await gql(
        `query($unit: ID) { tasks(first: 1, organisationId: $unit, assigned: unassigned, sort: dueAt) { totalCount
           edges { cursor node { id caseNumber service { title } candidateUnit { id name } assignee { id } warningLevel } }
           pageInfo { hasNextPage endCursor } } }`,
        { unit: X1 },
        as('clerkX1'),
      );
      expect(q.body.errors).toBeUndefined();
      expect(q.status).toBe(200);
      expect(q.body.data.tasks.edges[0].node).toMatchObject({
        id: taskId,
        candidateUnit: { id: X1 },
        assignee: null,
      });
      // totalCount: every task the same filter gives on REST (all pages), not just this one
      const rest = await t.http
        .get(`/v1/tasks?organisationId=${X1}&assigned=unassigned&limit=100`)
        .set(as('clerkX1'))
        .expect(200);
      expect(rest.body.nextCursor).toBeNull();
      expect(q.body.data.tasks.totalCount).toBe(rest.body.items.length);
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM case_task WHERE status = 'open' AND assignee_id IS NULL AND id = ANY($1)`,
        [rest.body.items.map((i: { id: string }) => i.id)],
      );
      expect(n).toBe(rest.body.items.length);
      const claim = await gql(
        'mutation($id: ID!) { claimTask(id: $id, expectedVersion: 1) { id version assignee { id } } }',
        { id: taskId },
        as('clerkX1'),
      ).expect(200);
      expect(claim.body.data.claimTask).toMatchObject({
        id: taskId,
        version: 2,
        assignee: { id: people.clerkX1.id },
      });

      const refused = await gql(
        'mutation($id: ID!) { releaseTask(id: $id) { id } }',
        { id: taskId },
        as('clerkY'),
      ).expect(200);
      expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const one = await gql('query($id: ID!) { task(id: $id) { id } }', { id: taskId }, as('clerkY')).expect(
        200,
      );
      expect(one.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect((await taskRow(taskId)).assigneeId).toBe(people.clerkX1.id);
    });
  });
});

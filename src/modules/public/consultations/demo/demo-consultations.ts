import { RequestContext } from '../../../../api/context/request-context';
import { Db } from '../../../../database/db';
import { WorkflowEngine } from '../../../internal/workflow/workflow-engine.service';
import { DemoSeedContext, registerDemoSeeder } from '../../../platform/demo/demo-registry';
import { Account, AccountKind, AccountStatus } from '../../../platform/identity/account.entity';
import { ConsultationsService } from '../consultations.service';
import { ConsultationThread } from '../consultation-thread';
import { Consultation } from '../consultation.entity';

/** The demo askers, created here (the platform's public accounts are seeded after the modules'). */
const ASKERS = [
  { phone: '13800000011', displayName: '王五' },
  { phone: '13800000012', displayName: '赵六' },
] as const;

/**
 * Two demo consultations so `npm start` shows the window at work: 王五 (13800000011) asked about the
 * first published service and was answered (rateable, ready to become an FAQ); 赵六 (13800000012)
 * asked that service's unit a question still waiting in its queue. Skipped once any consultation
 * exists.
 */
async function seedDemoConsultations({
  app,
  passwordHash,
  summary,
  password,
}: DemoSeedContext): Promise<void> {
  const db = app.get(Db);
  const citizens: Array<{ id: string }> = [];
  for (const a of ASKERS) {
    let account = await db.repo(Account).findOne({ where: { phone: a.phone } });
    if (!account) {
      account = db.repo(Account).create({
        kind: AccountKind.Citizen,
        status: AccountStatus.Active,
        phone: a.phone,
        displayName: a.displayName,
        passwordHash: await passwordHash(),
      });
      await db.repo(Account).insert(account);
    }
    citizens.push(account);
    summary.accounts.push({ role: `citizen (${a.displayName}, consultations)`, login: a.phone, password });
  }
  if (await db.repo(Consultation).exists({})) return;
  const [service] = await db.query<{ id: string; organisation_id: string }>(
    `SELECT id, organisation_id FROM service WHERE status = 'published' ORDER BY implementation_code LIMIT 1`,
  );
  if (!service) return;
  const consultations = app.get(ConsultationsService);
  const as = (id: string): RequestContext => {
    const ctx = RequestContext.system('demo-seed');
    ctx.actor = { kind: 'citizen', id, grants: new Map() };
    return ctx;
  };
  const answered = await consultations.ask(as(citizens[0].id), {
    serviceId: service.id,
    question: '请问办理这个事项需要本人到现场吗？可以委托家人代办吗？',
  });
  // Answered as the unit would through its queue, by the demo administrator acting as the system
  // (the engine records a uuid for who completed the task), so no staff member is named as handler.
  const [admin] = await db.query<{ id: string }>(`SELECT id FROM account WHERE username = 'admin'`);
  const system = RequestContext.system('demo-seed');
  if (admin) system.actor = { ...system.actor, id: admin.id };
  const question = await app.get(ConsultationThread).latestQuestion(answered.id);
  await db.transaction(() =>
    app.get(WorkflowEngine).act(system, question!.caseId!, 'reply', {
      reason: '可以委托代办：请代办人携带委托书、双方身份证原件到窗口办理；全程网办的无需到场。',
    }),
  );
  await consultations.ask(as(citizens[1].id), {
    organisationId: service.organisation_id,
    question: '周六窗口是否开放？',
  });
}

registerDemoSeeder({
  name: 'consultations.demo',
  order: 200,
  logins: ASKERS.map((a) => a.phone),
  seed: seedDemoConsultations,
});

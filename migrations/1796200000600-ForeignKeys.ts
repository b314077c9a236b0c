import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 §6: a foreign key on every parent/child pair, with the delete rule each pair implies
 * (the entities say why, beside each relation). Polymorphic references (case_file.subject_id,
 * stored_file.subject_id and uploader_id), actor ids of any kind (service_version.published_by,
 * case_task.completed_by, case_event.actor_id, workflow_definition.created_by) and the audit
 * tables stay without. workflow_definition.service_id and case_file.service_id are the case-type
 * migration's.
 *
 * A live database may hold orphans: rows naming a parent that no longer exists, which
 * ADD CONSTRAINT would refuse. They are repaired first, in this order, by what the row is:
 * - `delete`: rows owned by the missing parent (credentials, grants, closure rows, a case's tasks,
 *   history and notes, an application's attachment records, a service's versions) mean nothing
 *   without it. Deletes run parents first, so a deleted session takes its refresh tokens with it.
 *   An attachment record whose file is gone is deleted too: it only describes that file, and the
 *   audit log keeps the attach.
 * - `null`: an optional reference to nothing carries no information; the column is emptied. That
 *   includes the nullable RESTRICT references (a unit's missing parent makes it a root; a staff
 *   account's missing unit leaves it unitless, so it holds no unit-scoped grant).
 * - `refuse`: records of their own (applications, cases, licences, services, definitions, machine
 *   clients, case notes) whose required parent is missing are neither deleted nor invented: the
 *   migration stops, rolls back, and names the table, column and count, for a person to resolve.
 */
export type Repair = 'delete' | 'null' | 'refuse';

/** [child table, column, parent table, repair], in the order the repairs must run. */
export const ORPHANS: Array<[string, string, string, Repair]> = [
  ['organisation_closure', 'ancestor_id', 'organisation', 'delete'],
  ['organisation_closure', 'descendant_id', 'organisation', 'delete'],
  ['role_assignment', 'organisation_id', 'organisation', 'delete'],
  ['delegation', 'organisation_id', 'organisation', 'delete'],
  ['auth_session', 'account_id', 'account', 'delete'],
  ['refresh_token', 'account_id', 'account', 'delete'],
  ['refresh_token', 'session_id', 'auth_session', 'delete'],
  ['verification_code', 'account_id', 'account', 'delete'],
  ['recovery_code', 'account_id', 'account', 'delete'],
  ['external_identity', 'account_id', 'account', 'delete'],
  ['oidc_login_code', 'account_id', 'account', 'delete'],
  ['channel_identity', 'account_id', 'account', 'delete'],
  ['business_representative', 'business_account_id', 'account', 'delete'],
  ['business_representative', 'representative_account_id', 'account', 'delete'],
  ['role_assignment', 'account_id', 'account', 'delete'],
  ['delegation', 'from_account_id', 'account', 'delete'],
  ['delegation', 'to_account_id', 'account', 'delete'],
  ['api_key', 'owner_account_id', 'account', 'delete'],
  ['notification_preference', 'account_id', 'account', 'delete'],
  ['inbox_message', 'account_id', 'account', 'delete'],
  ['service_version', 'service_id', 'service', 'delete'],
  ['application_attachment', 'application_id', 'application', 'delete'],
  ['application_attachment', 'file_id', 'stored_file', 'delete'],
  ['case_task', 'case_id', 'case_file', 'delete'],
  ['case_event', 'case_id', 'case_file', 'delete'],
  ['case_note', 'case_id', 'case_file', 'delete'],
  ['refresh_token', 'parent_id', 'refresh_token', 'null'],
  ['role_assignment', 'granted_by', 'account', 'null'],
  ['oauth_client', 'created_by', 'account', 'null'],
  ['notification_outbox', 'account_id', 'account', 'null'],
  ['service', 'current_published_version_id', 'service_version', 'null'],
  ['service', 'draft_version_id', 'service_version', 'null'],
  ['application', 'licence_id', 'licence', 'null'],
  ['case_task', 'assignee_id', 'account', 'null'],
  ['organisation', 'parent_id', 'organisation', 'null'],
  ['account', 'organisation_id', 'organisation', 'null'],
  ['api_key', 'organisation_id', 'organisation', 'null'],
  ['application', 'business_account_id', 'account', 'null'],
  ['licence', 'holder_account_id', 'account', 'null'],
  ['case_event', 'on_behalf_of', 'account', 'null'],
  ['oauth_client', 'organisation_id', 'organisation', 'refuse'],
  ['service', 'organisation_id', 'organisation', 'refuse'],
  ['application', 'service_id', 'service', 'refuse'],
  ['application', 'service_version_id', 'service_version', 'refuse'],
  ['application', 'organisation_id', 'organisation', 'refuse'],
  ['application', 'applicant_account_id', 'account', 'refuse'],
  ['licence', 'issuer_organisation_id', 'organisation', 'refuse'],
  ['workflow_definition', 'organisation_id', 'organisation', 'refuse'],
  ['case_file', 'definition_id', 'workflow_definition', 'refuse'],
  ['case_file', 'organisation_id', 'organisation', 'refuse'],
  ['case_file', 'receiving_organisation_id', 'organisation', 'refuse'],
  ['case_file', 'applicant_account_id', 'account', 'refuse'],
  ['case_task', 'organisation_id', 'organisation', 'refuse'],
  ['case_note', 'author_id', 'account', 'refuse'],
];

const orphansOf = (table: string, column: string, parent: string): string =>
  `"${table}"."${column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "${parent}" p WHERE p."id" = "${table}"."${column}")`;

/** Repairs the orphans ORPHANS lists, or throws naming the ones only a person can resolve. */
async function repairOrphans(q: QueryRunner): Promise<void> {
  const refused: string[] = [];
  for (const [table, column, parent, repair] of ORPHANS) {
    const where = orphansOf(table, column, parent);
    if (repair === 'delete') await q.query(`DELETE FROM "${table}" WHERE ${where}`);
    else if (repair === 'null') await q.query(`UPDATE "${table}" SET "${column}" = NULL WHERE ${where}`);
    else {
      const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM "${table}" WHERE ${where}`)) as [
        { n: number },
      ];
      if (n > 0) refused.push(`${table}.${column} → ${parent}: ${n} row(s)`);
    }
  }
  if (refused.length)
    throw new Error(
      `ForeignKeys: rows name a parent that does not exist and cannot be repaired automatically; ` +
        `resolve them, then migrate again: ${refused.join('; ')}`,
    );
}

export class ForeignKeys1796200000600 implements MigrationInterface {
  name = 'ForeignKeys1796200000600';

  async up(q: QueryRunner): Promise<void> {
    await repairOrphans(q);
    await q.query(
      `ALTER TABLE "organisation" ADD CONSTRAINT "FK_c4ba39f5697ec0cd6e03314b616" FOREIGN KEY ("parent_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "organisation_closure" ADD CONSTRAINT "FK_dea064ccea5d551a0376d20931c" FOREIGN KEY ("ancestor_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "organisation_closure" ADD CONSTRAINT "FK_7dd21ff7437408ea030704dbcf6" FOREIGN KEY ("descendant_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "account" ADD CONSTRAINT "FK_14bca995e1448a5fa193361ff98" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "workflow_definition" ADD CONSTRAINT "FK_bb8d0f9f4b9f3d253ac9de9fe7a" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_file" ADD CONSTRAINT "FK_7fa457373f14a7d2b5fc41166f2" FOREIGN KEY ("definition_id") REFERENCES "workflow_definition"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_file" ADD CONSTRAINT "FK_c4df12084ff1606f4d872901982" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_file" ADD CONSTRAINT "FK_3a02dfb69261d268121508a2784" FOREIGN KEY ("receiving_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_file" ADD CONSTRAINT "FK_6eefb15724198be53305ea714c6" FOREIGN KEY ("applicant_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_task" ADD CONSTRAINT "FK_8dbe360f490d27733f9a2e6032d" FOREIGN KEY ("case_id") REFERENCES "case_file"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_task" ADD CONSTRAINT "FK_9c63b9bd192328a8cbca6153566" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_task" ADD CONSTRAINT "FK_d42497265ecc7dff2eaa7fdc864" FOREIGN KEY ("assignee_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_event" ADD CONSTRAINT "FK_85962fcd8d72296385c01a5dd45" FOREIGN KEY ("case_id") REFERENCES "case_file"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_event" ADD CONSTRAINT "FK_b5fd02cd43b61fe984861c8e5d6" FOREIGN KEY ("on_behalf_of") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_note" ADD CONSTRAINT "FK_e9997cf60eeebccc538b273d76e" FOREIGN KEY ("case_id") REFERENCES "case_file"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "case_note" ADD CONSTRAINT "FK_0d34d6c06378d0316a0f583aab0" FOREIGN KEY ("author_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "inbox_message" ADD CONSTRAINT "FK_d0c6e1770496e8fdd7a0e0e50a1" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "notification_outbox" ADD CONSTRAINT "FK_0005f54cf86a8c258527a7988d0" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "notification_preference" ADD CONSTRAINT "FK_0de9a88591fd099ec107a3fb9a6" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "licence" ADD CONSTRAINT "FK_148fec9386b2922a0c2ca209dea" FOREIGN KEY ("holder_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "licence" ADD CONSTRAINT "FK_0e10e4719ef64eb3c357c84cad1" FOREIGN KEY ("issuer_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "service" ADD CONSTRAINT "FK_f6f488aaff5f6e4ad8e0c0af43a" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "service" ADD CONSTRAINT "FK_525a282f57def1363c5aec333a5" FOREIGN KEY ("current_published_version_id") REFERENCES "service_version"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`,
    );
    await q.query(
      `ALTER TABLE "service" ADD CONSTRAINT "FK_2c4c31244414a0f921e0c8a2a30" FOREIGN KEY ("draft_version_id") REFERENCES "service_version"("id") ON DELETE SET NULL ON UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED`,
    );
    await q.query(
      `ALTER TABLE "service_version" ADD CONSTRAINT "FK_1bbdf5ca1bd9ee3b2535ae847d2" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_3e22f6ef9817621157d43088d61" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_37096db8ce9218ee2c372206cd0" FOREIGN KEY ("service_version_id") REFERENCES "service_version"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_771046a1c953cb5b470f2b29d81" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_83d7cc671f02a5ff36b815aed2f" FOREIGN KEY ("applicant_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_003879fbbce2441b100f67ef438" FOREIGN KEY ("business_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application" ADD CONSTRAINT "FK_9f2b9c936d96d03fa077642d5ec" FOREIGN KEY ("licence_id") REFERENCES "licence"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application_attachment" ADD CONSTRAINT "FK_f857e163f5305bc639ff0e7b8c0" FOREIGN KEY ("application_id") REFERENCES "application"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "application_attachment" ADD CONSTRAINT "FK_d5e9b6ce728278eb57f788775f8" FOREIGN KEY ("file_id") REFERENCES "stored_file"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "auth_session" ADD CONSTRAINT "FK_e4c520a0509e1853c3040fe6d33" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "refresh_token" ADD CONSTRAINT "FK_7643a722ca45fb721be1c63dc0c" FOREIGN KEY ("session_id") REFERENCES "auth_session"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "refresh_token" ADD CONSTRAINT "FK_f8e6c51db7655e2f7084f615681" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "refresh_token" ADD CONSTRAINT "FK_185dc5bc90d645b131de96ee3b5" FOREIGN KEY ("parent_id") REFERENCES "refresh_token"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "verification_code" ADD CONSTRAINT "FK_c4fdce18528437078c9d49c945c" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "business_representative" ADD CONSTRAINT "FK_096f06c1f418fed6395ac8ba5fa" FOREIGN KEY ("business_account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "business_representative" ADD CONSTRAINT "FK_40cb6b286cb1eedbb7d369fa16a" FOREIGN KEY ("representative_account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "channel_identity" ADD CONSTRAINT "FK_a971d14556b242ca2ffce585c52" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "FK_656bf45bf240ad0a5aced63ae53" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "FK_100179dd26c9e984fa45687e7c7" FOREIGN KEY ("owner_account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "oauth_client" ADD CONSTRAINT "FK_eb2c73d13b93dbe64d54eb38552" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "oauth_client" ADD CONSTRAINT "FK_9256927d06593ddf2993866d4d9" FOREIGN KEY ("created_by") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "external_identity" ADD CONSTRAINT "FK_2a32d318f84f9425dfb1b6485ea" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "oidc_login_code" ADD CONSTRAINT "FK_9170220181f347de6683b27c3b6" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "delegation" ADD CONSTRAINT "FK_8a7e3b5aa4d36e675cee6f5078f" FOREIGN KEY ("from_account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "delegation" ADD CONSTRAINT "FK_378ac98d997f5bdb9e5c700f500" FOREIGN KEY ("to_account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "delegation" ADD CONSTRAINT "FK_5ba5e54fdfcc8969eea62ba9f84" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "recovery_code" ADD CONSTRAINT "FK_9db6a6c505946232618e26c79e8" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "role_assignment" ADD CONSTRAINT "FK_8ca995795f31a73dd0e8eb2125d" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "role_assignment" ADD CONSTRAINT "FK_68286e4b4a5a7b148da9d5d7c72" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "role_assignment" ADD CONSTRAINT "FK_83d9da3e6eca31be2fee8976c40" FOREIGN KEY ("granted_by") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "role_assignment" DROP CONSTRAINT "FK_83d9da3e6eca31be2fee8976c40"`);
    await q.query(`ALTER TABLE "role_assignment" DROP CONSTRAINT "FK_68286e4b4a5a7b148da9d5d7c72"`);
    await q.query(`ALTER TABLE "role_assignment" DROP CONSTRAINT "FK_8ca995795f31a73dd0e8eb2125d"`);
    await q.query(`ALTER TABLE "recovery_code" DROP CONSTRAINT "FK_9db6a6c505946232618e26c79e8"`);
    await q.query(`ALTER TABLE "delegation" DROP CONSTRAINT "FK_5ba5e54fdfcc8969eea62ba9f84"`);
    await q.query(`ALTER TABLE "delegation" DROP CONSTRAINT "FK_378ac98d997f5bdb9e5c700f500"`);
    await q.query(`ALTER TABLE "delegation" DROP CONSTRAINT "FK_8a7e3b5aa4d36e675cee6f5078f"`);
    await q.query(`ALTER TABLE "oidc_login_code" DROP CONSTRAINT "FK_9170220181f347de6683b27c3b6"`);
    await q.query(`ALTER TABLE "external_identity" DROP CONSTRAINT "FK_2a32d318f84f9425dfb1b6485ea"`);
    await q.query(`ALTER TABLE "oauth_client" DROP CONSTRAINT "FK_9256927d06593ddf2993866d4d9"`);
    await q.query(`ALTER TABLE "oauth_client" DROP CONSTRAINT "FK_eb2c73d13b93dbe64d54eb38552"`);
    await q.query(`ALTER TABLE "api_key" DROP CONSTRAINT "FK_100179dd26c9e984fa45687e7c7"`);
    await q.query(`ALTER TABLE "api_key" DROP CONSTRAINT "FK_656bf45bf240ad0a5aced63ae53"`);
    await q.query(`ALTER TABLE "channel_identity" DROP CONSTRAINT "FK_a971d14556b242ca2ffce585c52"`);
    await q.query(`ALTER TABLE "business_representative" DROP CONSTRAINT "FK_40cb6b286cb1eedbb7d369fa16a"`);
    await q.query(`ALTER TABLE "business_representative" DROP CONSTRAINT "FK_096f06c1f418fed6395ac8ba5fa"`);
    await q.query(`ALTER TABLE "verification_code" DROP CONSTRAINT "FK_c4fdce18528437078c9d49c945c"`);
    await q.query(`ALTER TABLE "refresh_token" DROP CONSTRAINT "FK_185dc5bc90d645b131de96ee3b5"`);
    await q.query(`ALTER TABLE "refresh_token" DROP CONSTRAINT "FK_f8e6c51db7655e2f7084f615681"`);
    await q.query(`ALTER TABLE "refresh_token" DROP CONSTRAINT "FK_7643a722ca45fb721be1c63dc0c"`);
    await q.query(`ALTER TABLE "auth_session" DROP CONSTRAINT "FK_e4c520a0509e1853c3040fe6d33"`);
    await q.query(`ALTER TABLE "application_attachment" DROP CONSTRAINT "FK_d5e9b6ce728278eb57f788775f8"`);
    await q.query(`ALTER TABLE "application_attachment" DROP CONSTRAINT "FK_f857e163f5305bc639ff0e7b8c0"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_9f2b9c936d96d03fa077642d5ec"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_003879fbbce2441b100f67ef438"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_83d7cc671f02a5ff36b815aed2f"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_771046a1c953cb5b470f2b29d81"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_37096db8ce9218ee2c372206cd0"`);
    await q.query(`ALTER TABLE "application" DROP CONSTRAINT "FK_3e22f6ef9817621157d43088d61"`);
    await q.query(`ALTER TABLE "service_version" DROP CONSTRAINT "FK_1bbdf5ca1bd9ee3b2535ae847d2"`);
    await q.query(`ALTER TABLE "service" DROP CONSTRAINT "FK_2c4c31244414a0f921e0c8a2a30"`);
    await q.query(`ALTER TABLE "service" DROP CONSTRAINT "FK_525a282f57def1363c5aec333a5"`);
    await q.query(`ALTER TABLE "service" DROP CONSTRAINT "FK_f6f488aaff5f6e4ad8e0c0af43a"`);
    await q.query(`ALTER TABLE "licence" DROP CONSTRAINT "FK_0e10e4719ef64eb3c357c84cad1"`);
    await q.query(`ALTER TABLE "licence" DROP CONSTRAINT "FK_148fec9386b2922a0c2ca209dea"`);
    await q.query(`ALTER TABLE "notification_preference" DROP CONSTRAINT "FK_0de9a88591fd099ec107a3fb9a6"`);
    await q.query(`ALTER TABLE "notification_outbox" DROP CONSTRAINT "FK_0005f54cf86a8c258527a7988d0"`);
    await q.query(`ALTER TABLE "inbox_message" DROP CONSTRAINT "FK_d0c6e1770496e8fdd7a0e0e50a1"`);
    await q.query(`ALTER TABLE "case_note" DROP CONSTRAINT "FK_0d34d6c06378d0316a0f583aab0"`);
    await q.query(`ALTER TABLE "case_note" DROP CONSTRAINT "FK_e9997cf60eeebccc538b273d76e"`);
    await q.query(`ALTER TABLE "case_event" DROP CONSTRAINT "FK_b5fd02cd43b61fe984861c8e5d6"`);
    await q.query(`ALTER TABLE "case_event" DROP CONSTRAINT "FK_85962fcd8d72296385c01a5dd45"`);
    await q.query(`ALTER TABLE "case_task" DROP CONSTRAINT "FK_d42497265ecc7dff2eaa7fdc864"`);
    await q.query(`ALTER TABLE "case_task" DROP CONSTRAINT "FK_9c63b9bd192328a8cbca6153566"`);
    await q.query(`ALTER TABLE "case_task" DROP CONSTRAINT "FK_8dbe360f490d27733f9a2e6032d"`);
    await q.query(`ALTER TABLE "case_file" DROP CONSTRAINT "FK_6eefb15724198be53305ea714c6"`);
    await q.query(`ALTER TABLE "case_file" DROP CONSTRAINT "FK_3a02dfb69261d268121508a2784"`);
    await q.query(`ALTER TABLE "case_file" DROP CONSTRAINT "FK_c4df12084ff1606f4d872901982"`);
    await q.query(`ALTER TABLE "case_file" DROP CONSTRAINT "FK_7fa457373f14a7d2b5fc41166f2"`);
    await q.query(`ALTER TABLE "workflow_definition" DROP CONSTRAINT "FK_bb8d0f9f4b9f3d253ac9de9fe7a"`);
    await q.query(`ALTER TABLE "account" DROP CONSTRAINT "FK_14bca995e1448a5fa193361ff98"`);
    await q.query(`ALTER TABLE "organisation_closure" DROP CONSTRAINT "FK_7dd21ff7437408ea030704dbcf6"`);
    await q.query(`ALTER TABLE "organisation_closure" DROP CONSTRAINT "FK_dea064ccea5d551a0376d20931c"`);
    await q.query(`ALTER TABLE "organisation" DROP CONSTRAINT "FK_c4ba39f5697ec0cd6e03314b616"`);
  }
}

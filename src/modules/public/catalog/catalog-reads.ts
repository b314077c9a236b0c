import type { Db } from '../../../database/db';
import { Service, ServiceVersion } from './service.entity';

/**
 * The catalogue's rows as other modules read them (applications: the service applied for, its
 * published version, the form a stored application is sealed against). The SQL stays here, in the
 * module that owns the tables; plain functions over the caller's Db (so its transaction), because
 * command-line jobs (keys:rotate) call them without the Nest container.
 */
export function serviceById(db: Db, id: string, options: { lock?: boolean } = {}): Promise<Service | null> {
  return db
    .repo(Service)
    .findOne({ where: { id }, ...(options.lock && { lock: { mode: 'pessimistic_write' as const } }) });
}

export function serviceByIdOrFail(db: Db, id: string): Promise<Service> {
  return db.repo(Service).findOneByOrFail({ id });
}

export function versionById(db: Db, id: string): Promise<ServiceVersion | null> {
  return db.repo(ServiceVersion).findOne({ where: { id } });
}

export async function versionByIdOrFail(db: Db, id: string): Promise<ServiceVersion> {
  return db.repo(ServiceVersion).findOneByOrFail({ id });
}

/**
 * The form schema a stored application is sealed against: the service's published version (what
 * the form will be checked against), else the version it was last checked against.
 */
export async function markingFormOf(db: Db, serviceId: string, versionId: string): Promise<unknown> {
  const service = await db
    .repo(Service)
    .findOne({ where: { id: serviceId }, select: { id: true, currentPublishedVersionId: true } });
  const version = await versionById(db, service?.currentPublishedVersionId ?? versionId);
  return version?.content.form ?? {};
}

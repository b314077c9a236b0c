import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Db } from '../../../database/db';
import { serviceById, versionByIdOrFail } from '../catalog/catalog-reads';
import { Service, ServiceStatus, ServiceVersion } from '../catalog/service.entity';
import { Application } from './application.entity';

export const invalid = (errors: FieldError[]): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);

export const invalidTransition = (ctx: RequestContext, zh: string, en: string): DomainError =>
  new DomainError(ErrorCode.InvalidTransition, { reason: ctx.language === 'en' ? en : zh });

/**
 * The service and its published version. Creating a draft for an unpublished service is 404; a
 * draft whose service was retired since cannot be submitted (409).
 */
export async function published(
  db: Db,
  serviceId: string,
  ctx?: RequestContext,
  forSubmit = false,
): Promise<{ service: Service; version: ServiceVersion }> {
  const service = await serviceById(db, serviceId);
  if (!service) throw notFound('service');
  if (service.status !== ServiceStatus.Published || !service.currentPublishedVersionId) {
    if (forSubmit && ctx)
      throw invalidTransition(ctx, '该事项已停止办理', 'the service is no longer offered');
    throw notFound('service');
  }
  const version = await versionByIdOrFail(db, service.currentPublishedVersionId);
  return { service, version };
}

/** Whether the guide version lists a material of that name. */
export function isMaterial(version: ServiceVersion, name: string): boolean {
  return version.content.guide.materials.some((m) => m.name === name);
}

/** The top-level form field a supplement item names ("phone", "/phone" or "/address/street"). */
export function fieldKey(field: string): string {
  return field.replace(/^\//, '').split('/')[0].replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Partial update of an application row. Given the entity this transaction holds (locked), that
 * entity is brought up to date too, with the version and update time the database set, so it need
 * not be read again. TypeORM's update types cannot see through jsonb `Record<string, unknown>`
 * columns, hence the one cast, kept here.
 */
export async function patchApplication(
  db: Db,
  target: string | Application,
  changes: Partial<Application>,
): Promise<void> {
  if (typeof target === 'string') {
    await db.repo(Application).update(target, changes as QueryDeepPartialEntity<Application>);
    return;
  }
  const result = await db
    .repo(Application)
    .createQueryBuilder()
    .update()
    .set(changes as QueryDeepPartialEntity<Application>)
    .where('id = :id', { id: target.id })
    .returning('version, updated_at')
    .execute();
  const [row] = result.raw as Array<{ version: number; updated_at: Date }>;
  Object.assign(target, changes, { version: row.version, updatedAt: row.updated_at });
}

/** Form problems (form-errors.ts) as field errors of the request body, where the form sits under /formData. */
export function formDataErrors(problems: FieldError[]): FieldError[] {
  return problems.map((e) => ({ ...e, pointer: `/formData${e.pointer === '/' ? '' : e.pointer}` }));
}

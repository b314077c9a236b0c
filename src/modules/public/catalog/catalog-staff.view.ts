import type { RequestContext } from '../../../api/context/request-context';
import {
  OpenVersionState,
  ServiceAdminDto,
  ServiceVersionDto,
  StaffServiceDto,
} from './dto/staff-catalog.dto';
import type { Service, ServiceVersion } from './service.entity';

/** How the staff side shows a service: plain mappings from the rows, no reads of their own. */

/** The staff view of a service, with its open and published versions already loaded. */
export function adminView(
  service: Service,
  draft: ServiceVersion | null,
  published: ServiceVersion | null,
): ServiceAdminDto {
  return {
    id: service.id,
    organisationId: service.organisationId,
    implementationCode: service.implementationCode,
    type: service.type,
    target: service.target,
    status: service.status,
    requiredAssurance: service.requiredAssurance,
    currentPublishedVersionId: service.currentPublishedVersionId,
    draft: draft && versionView(draft),
    published: published && versionView(published),
    version: service.version,
  };
}

export function staffSummary(
  ctx: RequestContext,
  s: Service,
  versions: Map<string, ServiceVersion>,
): StaffServiceDto {
  const open = s.draftVersionId ? versions.get(s.draftVersionId) : undefined;
  const shown = open ?? (s.currentPublishedVersionId ? versions.get(s.currentPublishedVersionId) : undefined);
  const t = shown?.content.translations;
  return {
    id: s.id,
    organisationId: s.organisationId,
    implementationCode: s.implementationCode,
    title: (ctx.language === 'en' && t?.en?.title) || t?.['zh-CN']?.title || s.titleZh || '',
    type: s.type,
    target: s.target,
    status: s.status,
    openVersionNumber: open?.number ?? null,
    openVersionState: (open?.state as OpenVersionState | undefined) ?? null,
    currentPublishedVersionId: s.currentPublishedVersionId,
    publishedAt: s.publishedAt?.toISOString() ?? null,
    updatedAt: s.updatedAt.toISOString(),
    version: s.version,
  };
}

export function versionView(v: ServiceVersion): ServiceVersionDto {
  return {
    id: v.id,
    number: v.number,
    state: v.state,
    content: v.content,
    publishedAt: v.publishedAt?.toISOString() ?? null,
  };
}

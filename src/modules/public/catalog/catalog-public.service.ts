import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { notFound } from '../../../api/errors/domain-error';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { cacheKey } from '../../../api/http/shared-read-cache';
import {
  ElderPublicGuideDto,
  PublicGuideDto,
  ServiceQueryDto,
  ServiceSearchQueryDto,
  ServiceSearchResultDto,
  ServiceSummaryDto,
} from './dto/catalog.dto';
import { ServiceGuideNode } from './dto/catalog.graphql';
import { PublishedCatalogCache } from './catalog-cache';
import { guideNode } from './guide-node';
import { queryTerms } from './search-terms';
import { elderGuide, localizedGuide } from './guide-view';
import { Service, ServiceStatus, ServiceTarget, ServiceVersion } from './service.entity';

/**
 * Questions and answers another module adds to a published guide's FAQ (consultations published as
 * FAQs), in the guide's language. The module tells the catalogue when they change
 * (CatalogService.guideChanged), which drops the cached guides.
 */
export type GuideFaqSource = (
  serviceId: string,
  language: string,
) => Promise<Array<{ q: string; a: string }>>;

/** The guide schema's bound on FAQ entries. */
const MAX_GUIDE_FAQS = 100;

/** Published services pages by id. */
export const SERVICE_CURSOR = cursorCodec<[string]>('services', 'uuid');

/**
 * The public side of the service catalogue: published services, listed, searched and read as
 * guides (REST and GraphQL alike), every read answered from the published-catalogue cache.
 */
@Injectable()
export class CatalogPublicService {
  private readonly faqSources: GuideFaqSource[] = [];

  constructor(
    private readonly db: Db,
    private readonly cache: PublishedCatalogCache,
  ) {}

  /** Registers a source of extra FAQ entries (at module init). */
  addFaqSource(source: GuideFaqSource): void {
    this.faqSources.push(source);
  }

  /** Published reads below are served from the published-catalogue cache (catalog-cache.ts). */
  list(ctx: RequestContext, q: ServiceQueryDto): Promise<Page<ServiceSummaryDto>> {
    return this.cache.get(cacheKey('list', ctx.language, q), () => this.loadList(ctx, q));
  }

  private async loadList(ctx: RequestContext, q: ServiceQueryDto): Promise<Page<ServiceSummaryDto>> {
    const qb = this.db
      .repo(Service)
      .createQueryBuilder('s')
      .where('s.status = :published', { published: ServiceStatus.Published });
    if (q.organisationId) qb.andWhere('s.organisation_id = :org', { org: q.organisationId });
    if (q.region) qb.andWhere('s.region_code LIKE :region', { region: `${q.region}%` });
    if (q.type) qb.andWhere('s.type = :type', { type: q.type });
    if (q.target && q.target !== ServiceTarget.Both)
      qb.andWhere('s.target IN (:...targets)', { targets: [q.target, ServiceTarget.Both] });
    else if (q.target) qb.andWhere('s.target = :target', { target: q.target });
    if (q.lifeEvent)
      qb.andWhere('s.life_events @> CAST(:le AS jsonb)', { le: JSON.stringify([q.lifeEvent]) });
    if (q.topic) qb.andWhere('s.topics @> CAST(:topic AS jsonb)', { topic: JSON.stringify([q.topic]) });
    const page = await keysetPage(qb, q, { cursor: SERVICE_CURSOR, idColumn: 's.id', keyOf: (s) => [s.id] });
    return { items: page.items.map((s) => summary(ctx, s)), nextCursor: page.nextCursor, count: page.count };
  }

  /**
   * Ranked search of published services: a service scores 1 per query term found in its guide
   * text and 3 more when found in its title. Plain SQL (strpos), the same on PGlite and PostgreSQL.
   */
  search(ctx: RequestContext, q: ServiceSearchQueryDto): Promise<ServiceSearchResultDto> {
    const words = queryTerms(q.q);
    if (!words.length) return Promise.resolve({ items: [] });
    // Keyed by the terms, not the raw text: "办理 营业执照" and "办理营业执照" share an entry.
    return this.cache.get(cacheKey('search', ctx.language, { terms: words.join('|'), limit: q.limit }), () =>
      this.loadSearch(ctx, q, words),
    );
  }

  private async loadSearch(
    ctx: RequestContext,
    q: ServiceSearchQueryDto,
    words: string[],
  ): Promise<ServiceSearchResultDto> {
    const score = words
      .map(
        (_, i) =>
          `(CASE WHEN strpos(search_terms, $${i + 2}) > 0 THEN 1 ELSE 0 END + CASE WHEN strpos(title_terms, $${i + 2}) > 0 THEN 3 ELSE 0 END)`,
      )
      .join(' + ');
    const rows = await this.db.query<{ id: string; score: number }>(
      `SELECT id, (${score})::int AS score FROM service WHERE status = $1 AND (${score}) > 0 ORDER BY score DESC, id LIMIT ${q.limit ?? 20}`,
      [ServiceStatus.Published, ...words],
    );
    if (!rows.length) return { items: [] };
    const services = new Map(
      (await this.db.repo(Service).findBy({ id: In(rows.map((r) => r.id)) })).map((s) => [s.id, s]),
    );
    return {
      items: rows.flatMap((r) => {
        const s = services.get(r.id);
        return s ? [{ ...summary(ctx, s), score: r.score }] : [];
      }),
    };
  }

  /** The published guide in the caller's language, or its elder variant. Unknown or unpublished: 404. */
  guide(ctx: RequestContext, id: string, elder: boolean): Promise<PublicGuideDto | ElderPublicGuideDto> {
    return this.cache.get(cacheKey('guide', ctx.language, { id, elder }), () =>
      this.loadGuide(ctx, id, elder),
    );
  }

  private async loadGuide(
    ctx: RequestContext,
    id: string,
    elder: boolean,
  ): Promise<PublicGuideDto | ElderPublicGuideDto> {
    const { service, version } = await this.published(id);
    if (elder) return elderGuide(ctx.language, service, version);
    const guide = localizedGuide(ctx.language, service, version);
    if (!this.faqSources.length) return guide;
    const lists = await Promise.all(this.faqSources.map((source) => source(id, guide.language)));
    const faq = [...guide.guide.faq, ...lists.flat()].slice(0, MAX_GUIDE_FAQS);
    return { ...guide, guide: { ...guide.guide, faq } };
  }

  /** The guide for GraphQL: the same content, the guide and form as JSON text. */
  guideNode(ctx: RequestContext, id: string, elder: boolean): Promise<ServiceGuideNode> {
    return this.cache.get(cacheKey('guide-node', ctx.language, { id, elder }), async () =>
      guideNode(id, await this.loadGuide(ctx, id, elder)),
    );
  }

  /** A published service and its published version; anything else (unknown, draft, retired) is 404. */
  async published(id: string): Promise<{ service: Service; version: ServiceVersion }> {
    const service = await this.db.repo(Service).findOne({ where: { id } });
    if (!service || service.status !== ServiceStatus.Published || !service.currentPublishedVersionId)
      throw notFound('service');
    const version = await this.db
      .repo(ServiceVersion)
      .findOneOrFail({ where: { id: service.currentPublishedVersionId } });
    return { service, version };
  }
}

function summary(ctx: RequestContext, s: Service): ServiceSummaryDto {
  return {
    id: s.id,
    implementationCode: s.implementationCode,
    title: (ctx.language === 'en' && s.titleEn) || s.titleZh || '',
    type: s.type,
    target: s.target,
    organisationId: s.organisationId,
    regionCode: s.regionCode,
    lifeEvents: s.lifeEvents,
    topics: s.topics,
    requiredAssurance: s.requiredAssurance,
    publishedAt: (s.publishedAt ?? s.createdAt).toISOString(),
  };
}

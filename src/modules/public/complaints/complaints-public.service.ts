import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { In } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { flattenValidationErrors } from '../../../api/errors/validation';
import { Db } from '../../../database/db';
import { Permission } from '../../../api/auth/permission';
import { AccessService } from '../../platform/access/access.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Complaint, ComplaintUpdate } from './complaint.entity';
import { ComplaintCategory } from './complaint-category.entity';
import { ComplaintActionsService } from './complaint-actions.service';
import { ComplaintCategoriesService } from './complaint-categories.service';
import { normaliseTrackingCode } from './complaint-rules';
import { publicText, trackedView } from './complaint-views';
import type {
  CategoryView,
  FileComplaintInput,
  FiledComplaint,
  PostUpdateInput,
  PublicComplaintQuery,
  PublicComplaintView,
  PublicUpdateView,
} from './complaints-public.types';
import { ComplaintsService } from './complaints.service';
import { ComplaintFollowUpDto, FileComplaintDto } from './dto/complaint-input.dto';
import type { TrackedComplaintDto } from './dto/complaint.dto';

/**
 * The public projections of work orders (what ComplaintsPublic, the Open311 facade and the tracking
 * route answer): no names, phones or e-mails, the public record only, ids are order numbers.
 */
@Injectable()
export class ComplaintsPublicService {
  constructor(
    private readonly db: Db,
    private readonly complaints: ComplaintsService,
    private readonly actions: ComplaintActionsService,
    private readonly categoriesService: ComplaintCategoriesService,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
  ) {}

  /** The leaves (what takes work orders), as Open311 services. */
  async categories(ctx: RequestContext): Promise<CategoryView[]> {
    const list = await this.categoriesService.list(ctx);
    return list
      .filter((k) => k.assignable)
      .map((k) => ({
        code: k.code,
        name: k.name,
        description: k.description,
        group: k.group,
        keywords: k.keywords,
        attributes: k.attributes.map((a) => ({
          ...a,
          variable: true,
          datatype: a.datatype as CategoryView['attributes'][0]['datatype'],
          datatypeDescription: null,
        })),
      }));
  }

  async category(ctx: RequestContext, code: string): Promise<CategoryView | null> {
    return (await this.categories(ctx)).find((k) => k.code === code) ?? null;
  }

  /** Validated as the REST body is (400 with pointers), then filed. */
  async file(ctx: RequestContext, input: FileComplaintInput): Promise<FiledComplaint> {
    const dto = await checked(FileComplaintDto, input);
    const filed = await this.complaints.file(ctx, dto);
    return { id: filed.number, trackingCode: filed.trackingCode, serviceNotice: null };
  }

  async list(ctx: RequestContext, q: PublicComplaintQuery): Promise<PublicComplaintView[]> {
    const qb = this.db.repo(Complaint).createQueryBuilder('c');
    if (q.ids?.length) qb.andWhere('c.number IN (:...ids)', { ids: q.ids });
    if (q.categoryCodes?.length) qb.andWhere('c.category_code IN (:...codes)', { codes: q.categoryCodes });
    if (q.from) qb.andWhere('c.created_at >= :from', { from: q.from });
    if (q.to) qb.andWhere('c.created_at <= :to', { to: q.to });
    if (q.status?.length) qb.andWhere('c.status IN (:...status)', { status: q.status });
    const rows = await qb
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(Math.min(Math.max(q.limit, 1), 1000))
      .offset(Math.max(q.offset, 0))
      .getMany();
    return this.views(ctx, rows);
  }

  async get(ctx: RequestContext, id: string): Promise<PublicComplaintView | null> {
    const c = await this.db.repo(Complaint).findOne({ where: { number: id } });
    return c ? (await this.views(ctx, [c]))[0] : null;
  }

  async byToken(_ctx: RequestContext, trackingCode: string): Promise<{ id: string | null } | null> {
    const code = normaliseTrackingCode(trackingCode);
    const c = code ? await this.db.repo(Complaint).findOne({ where: { trackingCode: code } }) : null;
    return c ? { id: c.number } : null;
  }

  /** GET /v1/complaints/track/{code}: the order and its public record for whoever holds the code. */
  async track(ctx: RequestContext, trackingCode: string): Promise<TrackedComplaintDto> {
    const code = normaliseTrackingCode(trackingCode);
    const c = code ? await this.db.repo(Complaint).findOne({ where: { trackingCode: code } }) : null;
    if (!c) throw notFound('complaint');
    const [category, updates] = await Promise.all([
      this.db.repo(ComplaintCategory).findOneByOrFail({ id: c.categoryId }),
      this.db
        .repo(ComplaintUpdate)
        .find({ where: { complaintId: c.id, public: true }, order: { createdAt: 'ASC', id: 'ASC' } }),
    ]);
    return trackedView(c, category.name, ctx.language, updates);
  }

  async updates(
    _ctx: RequestContext,
    q: { from?: Date; to?: Date; limit: number },
  ): Promise<PublicUpdateView[]> {
    const qb = this.db
      .repo(ComplaintUpdate)
      .createQueryBuilder('u')
      .innerJoin(Complaint, 'c', 'c.id = u.complaint_id')
      .select([
        'u.id AS id',
        'c.number AS number',
        'u.status AS status',
        'u.extended_status AS extended',
        'u.created_at AS at',
        'u.description AS description',
        'u.media_url AS media',
      ])
      .where('u.public = true');
    if (q.from) qb.andWhere('u.created_at >= :from', { from: q.from });
    if (q.to) qb.andWhere('u.created_at <= :to', { to: q.to });
    const rows = await qb
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(Math.min(Math.max(q.limit, 1), 1000))
      .getRawMany<{
        id: string;
        number: string;
        status: 'open' | 'closed';
        extended: string;
        at: Date;
        description: string;
        media: string | null;
      }>();
    return rows.map((r) => ({
      updateId: r.id,
      requestId: r.number,
      status: r.status,
      extendedStatus: r.extended,
      updatedAt: new Date(r.at),
      description: publicText(r.description),
      mediaUrl: r.media,
    }));
  }

  /** A follow-up from the public; `status: 'reopen'` asks for 重办. Null when there is no such order. */
  async postUpdate(
    ctx: RequestContext,
    requestId: string,
    input: PostUpdateInput,
    within?: string,
  ): Promise<{ updateId: string } | null> {
    const dto = await checked(ComplaintFollowUpDto, {
      description: input.description,
      ...(input.mediaUrl !== undefined && { mediaUrl: input.mediaUrl }),
      ...(input.status === 'reopen' && { reopen: true }),
    });
    return this.db.transaction(async () => {
      const c = await this.db
        .repo(Complaint)
        .findOne({ where: { number: requestId }, lock: { mode: 'pessimistic_write' } });
      if (!c) return null;
      if (
        within &&
        !(await this.access.unitGrant(ctx, [within as Permission], c.dispatchOrganisationId)).allowed
      )
        return null;
      return this.actions.followUp(ctx, c, dto);
    });
  }

  private async views(ctx: RequestContext, rows: Complaint[]): Promise<PublicComplaintView[]> {
    if (!rows.length) return [];
    const categories = await this.db
      .repo(ComplaintCategory)
      .find({ where: { id: In([...new Set(rows.map((c) => c.categoryId))]) } });
    const names = new Map(categories.map((k) => [k.id, k.name[ctx.language]]));
    const units = new Map<string, string | null>();
    for (const id of new Set(rows.map((c) => c.handlingOrganisationId)))
      units.set(id, (await this.organisations.unit(id))?.name ?? null);
    return rows.map((c) => ({
      id: c.number,
      status: c.status,
      extendedStatus: c.extendedStatus,
      statusNotes: c.statusNotes ? publicText(c.statusNotes) : null,
      categoryCode: c.categoryCode,
      categoryName: names.get(c.categoryId) ?? c.categoryCode,
      description: publicText(c.description),
      agencyResponsible: units.get(c.handlingOrganisationId) ?? null,
      serviceNotice: null,
      requestedAt: c.createdAt,
      updatedAt: c.updatedAt,
      expectedAt: c.expectedAt,
      address: c.address,
      addressId: c.addressId,
      zipcode: null,
      lat: c.lat,
      long: c.long,
      mediaUrls: c.mediaUrls,
    }));
  }
}

/** The input validated by the DTO's rules, as the REST pipe would (400 with pointers). */
async function checked<T extends object>(cls: new () => T, input: object): Promise<T> {
  const dto = plainToInstance(cls, input);
  const errors = await validate(dto, {
    whitelist: true,
    forbidNonWhitelisted: true,
    validationError: { target: false, value: false },
  });
  if (errors.length) {
    const fieldErrors = flattenValidationErrors(errors);
    throw new DomainError(ErrorCode.ValidationFailed, { count: fieldErrors.length }, fieldErrors);
  }
  return dto;
}

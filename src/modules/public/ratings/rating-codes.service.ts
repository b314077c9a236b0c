import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import type { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { serviceById } from '../catalog/catalog-reads';
import { newVerificationCode, normaliseVerificationCode } from '../licences/licence-rules';
import { QR_CONTENT_TYPE, QrCache } from '../licences/qr';
import type { IssueRatingCodeDto, RateWithCodeDto } from './dto/rating-input.dto';
import type { RatingCodeDto, RatingDto } from './dto/rating.dto';
import { HALL_VISIT_KIND } from './builtin-targets';
import { RatingChannel } from './rating-levels';
import { RatingTargets } from './rating-target';
import { Rating, RatingCode } from './rating.entity';
import { RATINGS_CONFIG, RatingsConfig } from './ratings-config';
import { RatingPermission } from './ratings-vocabulary';
import { RatingsService } from './ratings.service';

const DAY_MS = 86_400_000;
const ISSUE = [RatingPermission.IssueCode] as unknown as Permission[];

/**
 * Hall visits (一次一评 at the window): staff issue a rating code for the visit they served, shown
 * as a QR code of its rating URL; the visitor rates with it once, signed in or not, within the
 * rating period. A signed-in visitor's rating is real-name (a bad one opens a rectification).
 */
@Injectable()
export class RatingCodesService {
  private readonly baseUrl: string;
  private readonly qrImages = new QrCache();

  constructor(
    private readonly db: Db,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly targets: RatingTargets,
    private readonly ratings: RatingsService,
    @Inject(RATINGS_CONFIG) private readonly config: RatingsConfig,
    @Inject(APP_CONFIG) app: AppConfig,
  ) {
    this.baseUrl = app.publicBaseUrl.replace(/\/+$/, '');
  }

  /** Issues a code for a visit at a unit in the caller's rating:issue-code scope (else 404). */
  async issue(ctx: RequestContext, dto: IssueRatingCodeDto): Promise<RatingCodeDto> {
    return this.db.transaction(async () => {
      const unit = await this.organisations.unit(dto.organisationId);
      if (!unit?.active || !(await this.access.unitGrant(ctx, ISSUE, unit.id)).allowed)
        throw notFound('organisation');
      const service = dto.serviceId ? await serviceById(this.db, dto.serviceId) : null;
      if (dto.serviceId && !service) throw notFound('service');
      const now = new Date();
      const code = this.db.repo(RatingCode).create({
        id: uuidv7(),
        code: newVerificationCode(),
        organisationId: unit.id,
        serviceId: service?.id ?? null,
        staffAccountId: ctx.actor.kind === 'staff' ? ctx.actor.id : null,
        expiresAt: new Date(now.getTime() + this.config.silenceDays * DAY_MS),
      });
      await this.db.repo(RatingCode).insert(code);
      await this.audit.append(ctx, {
        action: 'rating_code.issue',
        resourceType: 'rating_code',
        resourceId: code.id,
      });
      return this.view(code, unit.name, false);
    });
  }

  /** What a code is for (anyone holding it): the unit, the service, until when, whether used. */
  async describe(ctx: RequestContext, raw: string): Promise<RatingCodeDto> {
    const code = await this.find(raw);
    const unit = await this.organisations.unit(code.organisationId);
    const name = ctx.language === 'en' ? (unit?.nameEn ?? unit?.name) : unit?.name;
    return this.view(code, name ?? '', await this.used(code));
  }

  /** The QR code of the rating URL, for the window's staff (rating:issue-code over the unit). */
  async qr(ctx: RequestContext, raw: string): Promise<StreamableFile> {
    const code = await this.find(raw);
    if (!(await this.access.unitGrant(ctx, ISSUE, code.organisationId)).allowed)
      throw notFound('rating_code');
    const image = await this.qrImages.get(this.url(code.code), 'svg');
    return new StreamableFile(image, {
      type: QR_CONTENT_TYPE.svg,
      length: image.length,
      disposition: `inline; filename="rating-${code.code}.svg"`,
    });
  }

  /** The visitor rates with the code: once, before it expires; signed in, the rating is real-name. */
  async rate(ctx: RequestContext, raw: string, dto: RateWithCodeDto): Promise<RatingDto> {
    // Visitors rate, signed in or not; staff, clients and API keys never rate a visit.
    if (ctx.actor.kind !== 'citizen' && ctx.actor.kind !== 'anonymous')
      throw new DomainError(ErrorCode.Forbidden);
    return this.db.transaction(async () => {
      const code = await this.find(raw);
      const item = await this.targets.get(HALL_VISIT_KIND)!.load(code.id);
      if (!item) throw notFound('rating_code');
      const rater = ctx.actor.kind === 'citizen' ? ctx.actor.id : null;
      const rating = await this.ratings.record(ctx, item, dto, rater, dto.channel ?? RatingChannel.Hall);
      return this.ratings.viewOne(ctx, rating);
    });
  }

  private async find(raw: string): Promise<RatingCode> {
    const normal = normaliseVerificationCode(raw);
    const code = normal ? await this.db.repo(RatingCode).findOne({ where: { code: normal } }) : null;
    if (!code) throw notFound('rating_code');
    return code;
  }

  private used(code: RatingCode): Promise<boolean> {
    return this.db.repo(Rating).exists({ where: { kind: HALL_VISIT_KIND, itemId: code.id } });
  }

  private url(code: string): string {
    return `${this.baseUrl}/v1/rating-codes/${code}`;
  }

  private view(code: RatingCode, organisationName: string, rated: boolean): RatingCodeDto {
    return {
      code: code.code,
      url: this.url(code.code),
      organisationId: code.organisationId,
      organisationName,
      serviceId: code.serviceId,
      expiresAt: code.expiresAt.toISOString(),
      rated,
    };
  }
}

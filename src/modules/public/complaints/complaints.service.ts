import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { declareEnvelopeColumns } from '../../platform/identity/personal-data/key-rotation';
import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import { FilesService } from '../../platform/files/files.service';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import type { RatedItem } from '../ratings/rating-target';
import { Complaint, ComplaintUpdate } from './complaint.entity';
import { ComplaintCategory } from './complaint-category.entity';
import { COMPLAINT_CASE_TYPE, ComplaintOpening } from './complaint-case-type';
import { COMPLAINT_FILED, ComplaintTemplate } from './complaint-declarations';
import {
  attributeProblems,
  contentKeyInput,
  DUPLICATE_WINDOW_MS,
  newOrderNumber,
  newTrackingCode,
  regionChain,
} from './complaint-rules';
import { ComplaintContact, complaintView, contactView } from './complaint-views';
import type { FileComplaintDto, ComplaintQueryDto } from './dto/complaint-input.dto';
import type { ComplaintDto, FiledComplaintDto } from './dto/complaint.dto';

/** The case's requester when nobody files by account (anonymous, API keys, hotline calls): see the migration. */
export const INTAKE_ACCOUNT_ID = '00000000-0000-7000-8000-000000012345';
/** The AEAD associated data (and blind-index purpose) of the sealed contact and the content key. */
export const CONTACT_FIELD = PersonalField.ComplaintContact;
declareEnvelopeColumns([{ table: 'complaint', column: 'contact_enc', field: CONTACT_FIELD }]);
const CONTENT_PURPOSE = 'complaint.content';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const COMPLAINT_CURSOR = cursorCodec<[string]>('complaints', 'uuid');

/**
 * Intake (受理) and staff reads of work orders. Filing validates the order against its category,
 * answers a repeated filing (same filer, category and text within 24 hours) with the first order,
 * seals the contact, opens the `complaint` case in the same transaction and publishes
 * complaint.filed. Reads go through the `complaint` access policy; every staff read of a real-name
 * order is audited, and unmasking the contact is for the dispatch centre's and handling unit's handlers.
 */
@Injectable()
export class ComplaintsService {
  constructor(
    private readonly db: Db,
    private readonly engine: WorkflowEngine,
    private readonly access: AccessService,
    private readonly audit: AuditService,
    private readonly events: EventsService,
    private readonly files: FilesService,
    private readonly personal: PersonalDataService,
    private readonly notifications: NotificationsService,
    private readonly organisations: OrganisationsService,
  ) {}

  async file(ctx: RequestContext, input: FileComplaintDto): Promise<FiledComplaintDto> {
    const category = await this.db
      .repo(ComplaintCategory)
      .findOne({ where: { code: input.categoryCode, active: true, assignable: true } });
    const problems: FieldError[] = [];
    if (!category)
      problems.push({
        pointer: '/categoryCode',
        code: 'unknownCategory',
        message: 'no open category with this code',
      });
    else problems.push(...attributeProblems(category.attributes, input.attributes));
    if ((input.lat == null) !== (input.long == null))
      problems.push({
        pointer: input.lat == null ? '/lat' : '/long',
        code: 'bothOrNeither',
        message: 'lat and long come together',
      });
    if (input.channel === 'hotline' && !ctx.has(Permission.CaseHandle))
      problems.push({
        pointer: '/channel',
        code: 'hotlineStaffOnly',
        message: 'only hotline operators file on the hotline channel',
      });
    if (!input.description.trim())
      problems.push({
        pointer: '/description',
        code: 'isNotEmpty',
        message: 'description must not be blank',
      });
    if (problems.length || !category)
      throw new DomainError(ErrorCode.ValidationFailed, { count: problems.length }, problems);

    const realName = !input.anonymous && ctx.actor.kind === 'citizen' ? ctx.actor.id : null;
    const contact: ComplaintContact | null = input.anonymous
      ? null
      : pick({
          firstName: input.firstName,
          lastName: input.lastName,
          email: input.email,
          phone: input.phone,
        });
    const contentKey = this.personal.keyedHash(
      CONTENT_PURPOSE,
      contentKeyInput(filerOf(ctx, input), category.code, input.description),
    );
    return this.db.transaction(async () => {
      // One filer's twin requests queue here, so the second sees the first's row.
      await this.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [contentKey]);
      const earlier = await this.db
        .repo(Complaint)
        .createQueryBuilder('c')
        .where('c.content_key = :contentKey AND c.created_at > :since', {
          contentKey,
          since: new Date(Date.now() - DUPLICATE_WINDOW_MS),
        })
        .orderBy('c.created_at', 'ASC')
        .getOne();
      if (earlier)
        return {
          id: earlier.id,
          number: earlier.number,
          trackingCode: earlier.trackingCode,
          duplicate: true,
        };
      const regionCode = await this.regionOf(category, input.addressId);
      const now = new Date();
      const complaint = this.db.repo(Complaint).create({
        id: uuidv7(),
        number: newOrderNumber(now),
        trackingCode: newTrackingCode(),
        categoryId: category.id,
        categoryCode: category.code,
        description: input.description,
        urgency: input.urgency ?? 'normal',
        channel: input.channel,
        lat: input.lat ?? null,
        long: input.long ?? null,
        address: input.addressString ?? null,
        addressId: input.addressId ?? null,
        regionCode,
        attributes: input.attributes ?? {},
        mediaFileIds: [...new Set(input.mediaFileIds ?? [])],
        mediaUrls: input.mediaUrls ?? [],
        anonymous: input.anonymous,
        complainantAccountId: realName,
        contactEnc: contact ? this.personal.encrypt(CONTACT_FIELD, JSON.stringify(contact)) : null,
        contentKey,
        dispatchOrganisationId: category.organisationId,
        handlingOrganisationId: category.organisationId,
        caseId: null,
        status: 'open',
        extendedStatus: 'open',
        statusNotes: null,
        expectedAt: null,
        duplicateOfId: null,
        satisfaction: null,
        closedAt: null,
      });
      await this.db.repo(Complaint).insert(complaint);
      for (const fileId of complaint.mediaFileIds)
        await this.files.attach(ctx, fileId, { type: 'complaint', id: complaint.id });
      const opening: ComplaintOpening = { category, urgency: complaint.urgency, regionCode };
      await this.engine.start(ctx, {
        caseType: COMPLAINT_CASE_TYPE,
        subjectKey: category.code,
        subjectType: 'complaint',
        subjectId: complaint.id,
        number: complaint.number,
        applicantAccountId: realName ?? INTAKE_ACCOUNT_ID,
        receivedAt: now,
        data: {
          urgency: complaint.urgency,
          channel: complaint.channel,
          regionCode,
          attributes: complaint.attributes,
        },
        loaded: { owner: opening },
      });
      await this.audit.append(ctx, {
        action: 'complaint.file',
        resourceType: 'complaint',
        resourceId: complaint.id,
      });
      const filed = await this.db.repo(Complaint).findOneByOrFail({ id: complaint.id });
      await this.events.publish(ctx, {
        type: COMPLAINT_FILED.type,
        aggregate: { type: 'complaint', id: complaint.id },
        payload: {
          complaintId: complaint.id,
          caseId: filed.caseId,
          categoryCode: category.code,
          regionCode,
          channel: complaint.channel,
          urgency: complaint.urgency,
          anonymous: complaint.anonymous,
        },
      });
      if (realName)
        await this.notifications.notify(
          ctx,
          realName,
          ComplaintTemplate.Filed,
          { number: complaint.number, trackingCode: complaint.trackingCode },
          ['inapp'],
          { link: `/complaints/${complaint.id}` },
        );
      return {
        id: complaint.id,
        number: complaint.number,
        trackingCode: complaint.trackingCode,
        duplicate: false,
      };
    });
  }

  /** An address id starting with a region code below the category's region places the order there. */
  private async regionOf(category: ComplaintCategory, addressId: string | undefined): Promise<string> {
    const code = /^(\d{6})(?:\D|$)/.exec(addressId ?? '')?.[1];
    if (!code || !regionChain(code).includes(category.regionCode)) return category.regionCode;
    const region = await this.organisations.region(code);
    return region ? code : category.regionCode;
  }

  /** Staff in scope (masked, audited; `unmask` for the dispatch centre and handling unit) or the complainant. */
  async get(
    ctx: RequestContext,
    id: string,
    opts: { unmask?: 'contact'; reason?: string } = {},
  ): Promise<ComplaintDto> {
    const c = await this.access.require<Complaint>(ctx, 'complaint', id);
    const own = ctx.actor.kind === 'citizen';
    let clear = false;
    let decision = await this.access.check(ctx, 'complaint', c, 'read');
    if (opts.unmask && !own) {
      const may = await this.access.check(ctx, 'complaint', c, 'unmask');
      if (!may.allowed || c.anonymous) throw new DomainError(ErrorCode.Forbidden);
      clear = true;
      decision = may;
    }
    const contact = own || c.anonymous ? null : await this.contactOf(c.id);
    const updates = await this.db.repo(ComplaintUpdate).find({
      where: { complaintId: c.id, ...(own && { public: true }) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const category = await this.db.repo(ComplaintCategory).findOneByOrFail({ id: c.categoryId });
    return this.db.transaction(async () => {
      if (!own && contact)
        await this.access.record(ctx, decision, {
          action: clear ? 'complaint.unmask' : 'complaint.read',
          resourceType: 'complaint',
          resourceId: c.id,
          subjectId: c.complainantAccountId,
          purpose: opts.reason ?? null,
        });
      return complaintView(c, category.name, ctx.language, contactView(contact, clear), updates);
    });
  }

  /** Staff work list: orders of the caller's dispatch centres and handling units, newest first. */
  async list(ctx: RequestContext, q: ComplaintQueryDto): Promise<Page<ComplaintDto>> {
    const scope = this.access.scope(ctx, 'complaint');
    const qb = this.db.repo(Complaint).createQueryBuilder('c').where(scope.sql, scope.params);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.categoryCode) qb.andWhere('c.category_code = :code', { code: q.categoryCode });
    if (q.regionCode) qb.andWhere('c.region_code = :region', { region: q.regionCode });
    const page = await keysetPage(qb, q, {
      cursor: COMPLAINT_CURSOR,
      idColumn: 'c.id',
      direction: 'DESC',
      keyOf: (c) => [c.id],
    });
    const names = await this.categoryNames(page.items.map((c) => c.categoryId));
    // Lists carry no contact at all: only the detail read, audited, shows it.
    return {
      ...page,
      items: page.items.map((c) => complaintView(c, names.get(c.categoryId)!, ctx.language, null, [])),
    };
  }

  async categoryNames(ids: string[]): Promise<Map<string, ComplaintCategory['name']>> {
    if (!ids.length) return new Map();
    const rows = await this.db
      .repo(ComplaintCategory)
      .createQueryBuilder('k')
      .where('k.id = ANY(:ids)', { ids: [...new Set(ids)] })
      .getMany();
    return new Map(rows.map((k) => [k.id, k.name]));
  }

  private async contactOf(id: string): Promise<ComplaintContact | null> {
    const row = await this.db
      .repo(Complaint)
      .findOne({ where: { id }, select: { id: true, contactEnc: true } });
    return row?.contactEnc
      ? (JSON.parse(this.personal.decrypt(CONTACT_FIELD, row.contactEnc)) as ComplaintContact)
      : null;
  }

  /** The order as the ratings module sees it (RatingTargets, kind `complaint`); null when there is none. */
  async rated(id: string): Promise<RatedItem | null> {
    if (!UUID_RE.test(id)) return null;
    const c = await this.db.repo(Complaint).findOne({ where: { id } });
    if (!c) return null;
    const category = await this.db.repo(ComplaintCategory).findOneByOrFail({ id: c.categoryId });
    return {
      kind: 'complaint',
      id: c.id,
      raterAccountId: c.duplicateOfId ? null : c.complainantAccountId,
      organisationId: c.handlingOrganisationId,
      serviceId: null,
      handlerAccountId: null,
      handledAt: c.status === 'closed' && !c.duplicateOfId ? c.closedAt : null,
      title: { 'zh-CN': `${category.name['zh-CN']} ${c.number}`, en: `${category.name.en} ${c.number}` },
    };
  }

  /** The order by id, or 404 (for the other services of the module). */
  async find(id: string): Promise<Complaint> {
    const c = await this.db.repo(Complaint).findOne({ where: { id } });
    if (!c) throw notFound('complaint');
    return c;
  }
}

/** Who filed, for the duplicate rule: the account, else the key or client plus the device, else the address. */
function filerOf(ctx: RequestContext, input: FileComplaintDto): string {
  const { kind, id } = ctx.actor;
  const device = input.deviceId ?? input.phone ?? input.email ?? '';
  if (kind === 'citizen') return `citizen:${id}`;
  if (kind === 'anonymous' || !id) return `ip:${ctx.ip ?? 'unknown'}:${device}`;
  return `${kind}:${id}:${device}`;
}

function pick(contact: ComplaintContact): ComplaintContact | null {
  const entries = Object.entries(contact).filter(([, v]) => typeof v === 'string' && v.length > 0);
  return entries.length ? Object.fromEntries(entries) : null;
}

import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../api/http/pagination';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { EventsService } from '../../platform/events/events.service';
import { loadSigningKey, SigningKey } from '../../../config/keys/signing-key';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { AccountKind, AccountStatus } from '../../platform/identity/account.entity';
import { maskName } from '../../platform/identity/personal-data/masking';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import {
  IssueLicenceDto,
  LicenceDto,
  LicencePublicKeyDto,
  LicenceValidity,
  LicenceVerificationDto,
} from './dto/licence.dto';
import { Licence, LicenceStatus } from './licence.entity';
import { LICENCE_ISSUED, LICENCE_REVOKED, licenceFacts } from './licence-events';
import {
  chinaDate,
  fieldsProblems,
  isCalendarDate,
  maskHolderId,
  newLicenceNumber,
  newVerificationCode,
  normaliseVerificationCode,
  textProblem,
} from './licence-rules';
import {
  canonicalPayload,
  ed25519KeyId,
  holderBinding,
  LICENCE_PAYLOAD_FORMAT,
  LicencePayload,
  signLicence,
  verifyLicence,
} from './licence-signature';
import { QR_CONTENT_TYPE, QrCache, QrFormat } from './qr';

/** What the workflow engine passes to issue(): the same shape POST /v1/licences validates. */
export type IssueLicenceInput = IssueLicenceDto;

/** A holder's licences pages by id. */
export const LICENCE_CURSOR = cursorCodec<[string]>('licences', 'uuid');

/**
 * E-licences (电子证照): issued by a unit's staff or by the workflow engine as the result of a case,
 * revoked by the issuing side, verified by anyone from the code printed on them or in their QR code.
 */
@Injectable()
export class LicencesService {
  private readonly key: SigningKey;
  private readonly keyId: string;
  private readonly baseUrl: string;
  private readonly qrImages = new QrCache();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly organisations: OrganisationsService,
    private readonly events: EventsService,
    private readonly access: AccessService,
    private readonly accounts: AccountDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // The platform signing key (SIGNING_KEY), the one that also signs audit checkpoints.
    this.key = loadSigningKey(config.signingKeyPem);
    this.keyId = ed25519KeyId(this.key.publicKey);
    this.baseUrl = config.publicBaseUrl.replace(/\/+$/, '');
  }

  /** Issues and signs a licence in the name of a unit within the caller's licence:issue scope. */
  async issue(ctx: RequestContext, input: IssueLicenceInput): Promise<LicenceDto> {
    if (!ctx.scopeOf(Permission.LicenceIssue)) throw new DomainError(ErrorCode.Forbidden);
    // Checked here too: the workflow engine calls without the HTTP validation pipe.
    const { holderIdMasked, validFrom, validUntil } = checkIssue(input);
    return this.db.transaction(async () => {
      const issuer = await this.organisations.unit(input.issuerOrganisationId);
      const may =
        issuer && (await this.access.check(ctx, 'licence', { issuerOrganisationId: issuer.id }, 'issue'));
      if (!issuer?.active || !may || !may.allowed) throw notFound('organisation');
      const holderAccountId = input.holderAccountId ?? null;
      if (holderAccountId) await this.requireHolderAccount(holderAccountId);
      const issuedAt = new Date();
      const licence = this.db.repo(Licence).create({
        id: uuidv7(),
        number: newLicenceNumber(issuer.regionCode, issuedAt),
        licenceTypeCode: input.licenceType.code,
        licenceTypeName: input.licenceType.name,
        holderAccountId,
        holderName: input.holderName,
        holderIdMasked,
        issuerOrganisationId: issuer.id,
        issuerName: issuer.name,
        issuedAt,
        validFrom: validFrom ?? chinaDate(issuedAt),
        validUntil,
        fields: Object.entries(input.fields),
        verificationCode: newVerificationCode(),
        keyId: this.keyId,
        status: LicenceStatus.Active,
        revokedAt: null,
        revocationReason: null,
        sourceReference: input.sourceReference ?? null,
      });
      if (licence.validUntil && licence.validUntil < licence.validFrom) throw badDates();
      licence.signature = signLicence(this.canonical(licence), this.key.privateKey);
      await this.db.repo(Licence).insert(licence);
      await this.audit.append(ctx, {
        action: 'licence.issue',
        resourceType: 'licence',
        resourceId: licence.id,
        subjectId: holderAccountId,
      });
      const aggregate = { type: 'licence', id: licence.id };
      await this.events.publish(ctx, {
        type: LICENCE_ISSUED.type,
        aggregate,
        payload: licenceFacts(licence),
      });
      return this.toDto(ctx, licence);
    });
  }

  /** Revokes a licence the caller's units issued; If-Match, when sent, must name the current version. */
  async revoke(
    ctx: RequestContext,
    id: string,
    reason: string,
    expectedVersion?: number,
  ): Promise<LicenceDto> {
    const issue = textProblem(reason, 500, true);
    if (issue) throw invalid([{ pointer: '/reason', code: issue.code, message: `reason ${issue.message}` }]);
    return this.db.transaction(async () => {
      const licence = await this.access.require<Licence>(ctx, 'licence', id, 'revoke', { lock: true });
      assertVersion(licence, expectedVersion);
      if (licence.status === LicenceStatus.Revoked)
        throw new DomainError(ErrorCode.InvalidState, {
          reason: ctx.language === 'en' ? 'the licence is already revoked' : '该证照已撤销',
        });
      licence.status = LicenceStatus.Revoked;
      licence.revokedAt = new Date();
      licence.revocationReason = reason;
      await this.db.repo(Licence).save(licence);
      await this.audit.append(ctx, {
        action: 'licence.revoke',
        resourceType: 'licence',
        resourceId: licence.id,
        subjectId: licence.holderAccountId,
      });
      const aggregate = { type: 'licence', id: licence.id };
      await this.events.publish(ctx, {
        type: LICENCE_REVOKED.type,
        aggregate,
        payload: licenceFacts(licence),
      });
      return this.toDto(ctx, licence);
    });
  }

  /** The holder, or staff of the issuing side; anyone else gets the same 404 as for a missing id. */
  async get(ctx: RequestContext, id: string): Promise<LicenceDto> {
    return this.toDto(ctx, await this.visible(ctx, id));
  }

  async qr(ctx: RequestContext, id: string, format: QrFormat): Promise<StreamableFile> {
    const licence = await this.visible(ctx, id);
    const image = await this.qrImages.get(this.verificationUrl(licence.verificationCode), format);
    return new StreamableFile(image, {
      type: QR_CONTENT_TYPE[format],
      length: image.length,
      disposition: `inline; filename="licence-${licence.number}.${format}"`,
    });
  }

  /** The caller's licences, newest first. */
  async listMine(ctx: RequestContext, page: PageQuery): Promise<Page<LicenceDto>> {
    const holder = holderId(ctx);
    const qb = this.db
      .repo(Licence)
      .createQueryBuilder('l')
      .where('l.holder_account_id = :holder', { holder });
    const result = await keysetPage(qb, page, {
      cursor: LICENCE_CURSOR,
      idColumn: 'l.id',
      direction: 'DESC',
      keyOf: (l) => [l.id],
    });
    return {
      items: result.items.map((l) => this.toDto(ctx, l)),
      nextCursor: result.nextCursor,
      count: result.count,
    };
  }

  /**
   * Public verification by the printed or scanned code. The signature is checked against the record
   * as it is now, so a record changed behind the registry's back reads as not valid.
   */
  async verify(ctx: RequestContext, rawCode: string): Promise<LicenceVerificationDto> {
    const code = normaliseVerificationCode(rawCode);
    const licence = code ? await this.db.repo(Licence).findOne({ where: { verificationCode: code } }) : null;
    if (!licence) throw notFound('licence');
    const canonical = this.canonical(licence);
    const signatureValid =
      licence.keyId === this.keyId && verifyLicence(canonical, licence.signature, this.key.publicKey);
    const status = validity(licence, chinaDate(new Date()));
    return {
      valid: signatureValid && status === LicenceValidity.Active,
      status,
      signatureValid,
      id: licence.id,
      number: licence.number,
      licenceType: { code: licence.licenceTypeCode, name: licence.licenceTypeName },
      holderName: maskName(licence.holderName),
      holderIdMasked: licence.holderIdMasked,
      issuer: { id: licence.issuerOrganisationId, name: licence.issuerName },
      issuedAt: licence.issuedAt.toISOString(),
      validFrom: licence.validFrom,
      validUntil: licence.validUntil,
      fields: Object.fromEntries(licence.fields),
      revokedAt: licence.revokedAt?.toISOString() ?? null,
      revocationReason: licence.revocationReason,
      algorithm: 'Ed25519',
      signature: licence.signature,
      keyId: licence.keyId,
      canonicalPayload: canonical,
      publicKeyUrl: `${this.baseUrl}/v1/licence-verifications/public-key`,
      verificationUrl: this.verificationUrl(licence.verificationCode),
    };
  }

  publicKey(): LicencePublicKeyDto {
    const jwk = this.key.publicKey.export({ format: 'jwk' });
    return {
      keyId: this.keyId,
      algorithm: 'Ed25519',
      jwk: { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x), kid: this.keyId, alg: 'EdDSA', use: 'sig' },
      publicKeyPem: this.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      canonicalization: 'RFC 8785',
      payloadFormat: LICENCE_PAYLOAD_FORMAT,
    };
  }

  verificationUrl(code: string): string {
    return `${this.baseUrl}/v1/licence-verifications/${code}`;
  }

  /** The signed string, rebuilt from the row: what was signed at issue if nothing changed since. */
  private canonical(l: Licence): string {
    const payload: LicencePayload = {
      format: LICENCE_PAYLOAD_FORMAT,
      id: l.id,
      number: l.number,
      licenceType: { code: l.licenceTypeCode, name: l.licenceTypeName },
      holderName: maskName(l.holderName),
      holderIdMasked: l.holderIdMasked,
      holderBinding: holderBinding(this.config.blindIndexKey, l.id, l.holderName),
      issuer: { id: l.issuerOrganisationId, name: l.issuerName },
      issuedAt: l.issuedAt.toISOString(),
      validFrom: l.validFrom,
      validUntil: l.validUntil,
      fields: Object.fromEntries(l.fields),
      keyId: l.keyId,
    };
    return canonicalPayload(payload);
  }

  private visible(ctx: RequestContext, id: string): Promise<Licence> {
    return this.access.require<Licence>(ctx, 'licence', id, 'read');
  }

  /** A citizen or business account that is not disabled; anything else reads as "no such account". */
  private async requireHolderAccount(id: string): Promise<void> {
    const account = await this.accounts.standing(id);
    if (!account || account.kind === AccountKind.Staff || account.status === AccountStatus.Disabled)
      throw notFound('account');
  }

  private toDto(ctx: RequestContext, l: Licence): LicenceDto {
    const isHolder = ctx.actor.kind === 'citizen' && ctx.actor.id === l.holderAccountId;
    return {
      id: l.id,
      number: l.number,
      licenceType: { code: l.licenceTypeCode, name: l.licenceTypeName },
      holderAccountId: l.holderAccountId,
      holderName: isHolder ? l.holderName : maskName(l.holderName),
      holderIdMasked: l.holderIdMasked,
      issuer: { id: l.issuerOrganisationId, name: l.issuerName },
      issuedAt: l.issuedAt.toISOString(),
      validFrom: l.validFrom,
      validUntil: l.validUntil,
      fields: Object.fromEntries(l.fields),
      verificationCode: l.verificationCode,
      verificationUrl: this.verificationUrl(l.verificationCode),
      signature: l.signature,
      keyId: l.keyId,
      status: l.status,
      revokedAt: l.revokedAt?.toISOString() ?? null,
      revocationReason: l.revocationReason,
      sourceReference: l.sourceReference,
      version: l.version,
    };
  }
}

/** Revoked, then expired, then not yet valid; validity days are China Standard Time dates. */
function validity(l: Licence, today: string): LicenceValidity {
  if (l.status === LicenceStatus.Revoked) return LicenceValidity.Revoked;
  if (l.validUntil && l.validUntil < today) return LicenceValidity.Expired;
  if (l.validFrom > today) return LicenceValidity.NotYetValid;
  return LicenceValidity.Active;
}

function holderId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}

const invalid = (errors: FieldError[]): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);

const badDates = (): DomainError =>
  invalid([
    {
      pointer: '/validUntil',
      code: 'notBeforeValidFrom',
      message: 'validUntil must not be before validFrom',
    },
  ]);

/** The content rules of IssueLicenceDto, for callers that did not come through the validation pipe. */
function checkIssue(input: IssueLicenceInput): {
  holderIdMasked: string | null;
  validFrom: string | null;
  validUntil: string | null;
} {
  const errors: FieldError[] = [];
  const text = (pointer: string, value: unknown, max: number) => {
    const issue = textProblem(value, max);
    if (issue) errors.push({ pointer, code: issue.code, message: `${pointer.slice(1)} ${issue.message}` });
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(String(input.licenceType?.code)))
    errors.push({
      pointer: '/licenceType/code',
      code: 'matches',
      message: 'licenceType.code is not a catalogue code',
    });
  text('/licenceType/name', input.licenceType?.name, 100);
  text('/holderName', input.holderName, 100);
  // null is "no holder id", as the DTO's IsOptional lets it through (documented nullable)
  const holderIdMasked = input.holderIdNumber == null ? null : maskHolderId(input.holderIdNumber);
  if (input.holderIdNumber != null && !holderIdMasked)
    errors.push({
      pointer: '/holderIdNumber',
      code: 'holderId',
      message: 'holderIdNumber must be a national ID number or credit code',
    });
  const validFrom = input.validFrom ?? null;
  const validUntil = input.validUntil ?? null;
  if (validFrom !== null && !isCalendarDate(validFrom))
    errors.push({
      pointer: '/validFrom',
      code: 'calendarDate',
      message: 'validFrom must be a date written YYYY-MM-DD',
    });
  if (validUntil !== null && !isCalendarDate(validUntil))
    errors.push({
      pointer: '/validUntil',
      code: 'calendarDate',
      message: 'validUntil must be a date written YYYY-MM-DD',
    });
  if (input.sourceReference !== undefined && !/^[A-Za-z0-9._:/@#-]{1,200}$/.test(input.sourceReference))
    errors.push({
      pointer: '/sourceReference',
      code: 'matches',
      message: 'sourceReference has characters it may not',
    });
  errors.push(...fieldsProblems(input.fields));
  if (errors.length) throw invalid(errors);
  if (validFrom && validUntil && validUntil < validFrom) throw badDates();
  return { holderIdMasked, validFrom, validUntil };
}

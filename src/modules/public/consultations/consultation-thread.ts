import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { declareEnvelopeColumns } from '../../platform/identity/personal-data/key-rotation';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import { serviceById } from '../catalog/catalog-reads';
import { Consultation, ConsultationMessage, MessageKind } from './consultation.entity';

// The thread's texts are rotated with the platform's envelopes by `npm run keys:rotate`.
declareEnvelopeColumns([
  { table: 'consultation_message', column: 'body_enc', field: PersonalField.ConsultationText },
]);

export interface OpenedMessage {
  id: string;
  seq: number;
  kind: MessageKind;
  text: string;
  /** staff answers: who answered (never shown to the asker) */
  authorAccountId: string | null;
  caseId: string | null;
  createdAt: Date;
}

/**
 * The thread of a consultation: messages sealed on the way in (PersonalField.ConsultationText),
 * opened on the way out, in order; and the topic a consultation is shown under (the service's title
 * or the unit's name, never the asker's words).
 */
@Injectable()
export class ConsultationThread {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly organisations: OrganisationsService,
  ) {}

  /** Appends a message at the end of the thread; the caller holds the consultation's row lock. */
  async append(
    consultationId: string,
    kind: MessageKind,
    text: string,
    authorAccountId: string | null = null,
  ): Promise<ConsultationMessage> {
    const [{ max }] = await this.db.query<{ max: number | null }>(
      'SELECT max(seq) AS max FROM consultation_message WHERE consultation_id = $1',
      [consultationId],
    );
    const repo = this.db.repo(ConsultationMessage);
    const message = repo.create({
      consultationId,
      seq: (max ?? 0) + 1,
      kind,
      bodyEnc: this.personalData.encrypt(PersonalField.ConsultationText, text),
      authorAccountId,
      caseId: null,
    });
    await repo.insert(message);
    return message;
  }

  async messages(consultationId: string): Promise<OpenedMessage[]> {
    const rows = await this.db
      .repo(ConsultationMessage)
      .find({ where: { consultationId }, order: { seq: 'ASC' } });
    return rows.map((m) => ({
      id: m.id,
      seq: m.seq,
      kind: m.kind,
      text: this.open(m.bodyEnc),
      authorAccountId: m.authorAccountId,
      caseId: m.caseId,
      createdAt: m.createdAt,
    }));
  }

  /** The latest question of the thread (whose case is the one waiting, when the thread is open). */
  latestQuestion(consultationId: string): Promise<ConsultationMessage | null> {
    return this.db.repo(ConsultationMessage).findOne({
      where: [
        { consultationId, kind: MessageKind.Question },
        { consultationId, kind: MessageKind.FollowUp },
      ],
      order: { seq: 'DESC' },
    });
  }

  /** The service's title, else the unit's name, in the language asked for. */
  async topic(c: Pick<Consultation, 'serviceId' | 'organisationId'>, language: string): Promise<string> {
    if (c.serviceId) {
      const service = await serviceById(this.db, c.serviceId);
      if (service) return (language === 'en' && service.titleEn) || service.titleZh || '';
    }
    return this.unitName(c.organisationId, language);
  }

  async unitName(organisationId: string, language: string): Promise<string> {
    const unit = await this.organisations.unit(organisationId);
    return (language === 'en' && unit?.nameEn) || unit?.name || '';
  }

  private open(envelope: string): string {
    try {
      return this.personalData.decrypt(PersonalField.ConsultationText, envelope);
    } catch {
      // A key dropped from FIELD_KEYS too early, or a tampered row: never a 500 naming the cause.
      throw new DomainError(ErrorCode.Internal);
    }
  }
}

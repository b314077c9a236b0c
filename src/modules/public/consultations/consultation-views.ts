import type {
  ConsultationFaqDto,
  ConsultationSummaryDto,
  ConsultationTemplateDto,
} from './dto/consultation.dto';
import type { Consultation, ConsultationFaq, ConsultationTemplate } from './consultation.entity';

/** A consultation as lists show it: no texts, nothing of the asker. */
export function summaryView(c: Consultation): ConsultationSummaryDto {
  return {
    id: c.id,
    number: c.number,
    status: c.status,
    serviceId: c.serviceId,
    organisationId: c.organisationId,
    followUps: c.followUps,
    answeredAt: c.answeredAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function faqView(f: ConsultationFaq): ConsultationFaqDto {
  return {
    id: f.id,
    serviceId: f.serviceId,
    language: f.language,
    question: f.question,
    answer: f.answer,
    createdAt: f.createdAt.toISOString(),
  };
}

export function templateView(t: ConsultationTemplate): ConsultationTemplateDto {
  return {
    id: t.id,
    organisationId: t.organisationId,
    title: t.title,
    body: t.body,
    version: t.version,
    updatedAt: t.updatedAt.toISOString(),
  };
}

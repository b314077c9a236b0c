// How a work order is shown: to staff (contact masked unless unmasked), to its complainant, and to
// anyone holding its tracking code (no personal data at all).

import { maskEmail, maskName, maskPhone } from '../../platform/identity/personal-data/masking';
import type { Complaint, ComplaintUpdate } from './complaint.entity';
import type { BothTexts } from './complaint-category.entity';
import type {
  ComplaintContactDto,
  ComplaintDto,
  ComplaintUpdateDto,
  TrackedComplaintDto,
} from './dto/complaint.dto';

/** The sealed contact of a real-name order. */
export interface ComplaintContact {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
}

const MOBILE_RE = /(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9])/g;
const EMAIL_RE = /[^\s@]+@[^\s@]+\.[^\s@]+/g;
const ID_RE = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])/g;

/** The description as the public sees it: phone numbers, e-mail addresses and ID numbers blanked. */
export const publicText = (s: string): string =>
  s.replace(ID_RE, '******').replace(MOBILE_RE, '***********').replace(EMAIL_RE, '***@***');

export const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export function updateView(u: ComplaintUpdate): ComplaintUpdateDto {
  return {
    id: u.id,
    kind: u.kind,
    status: u.status,
    extendedStatus: u.extendedStatus,
    description: u.description,
    tier: u.tier,
    createdAt: iso(u.createdAt)!,
  };
}

export function contactView(contact: ComplaintContact | null, clear: boolean): ComplaintContactDto | null {
  if (!contact) return null;
  const name = [contact.lastName, contact.firstName].filter(Boolean).join('') || null;
  return {
    name: name && !clear ? maskName(name) : name,
    email: contact.email ? (clear ? contact.email : maskEmail(contact.email)) : null,
    phone: contact.phone ? (clear ? contact.phone : maskPhone(contact.phone)) : null,
    masked: !clear,
  };
}

export function complaintView(
  c: Complaint,
  categoryName: BothTexts,
  language: 'zh-CN' | 'en',
  contact: ComplaintContactDto | null,
  updates: ComplaintUpdate[],
): ComplaintDto {
  return {
    id: c.id,
    number: c.number,
    caseId: c.caseId,
    categoryCode: c.categoryCode,
    categoryName: categoryName[language],
    description: c.description,
    urgency: c.urgency,
    channel: c.channel,
    lat: c.lat,
    long: c.long,
    address: c.address,
    regionCode: c.regionCode,
    attributes: c.attributes,
    mediaFileIds: c.mediaFileIds,
    mediaUrls: c.mediaUrls,
    anonymous: c.anonymous,
    contact,
    status: c.status,
    extendedStatus: c.extendedStatus,
    statusNotes: c.statusNotes,
    dispatchOrganisationId: c.dispatchOrganisationId,
    handlingOrganisationId: c.handlingOrganisationId,
    duplicateOfId: c.duplicateOfId,
    satisfaction: c.satisfaction,
    expectedAt: iso(c.expectedAt),
    createdAt: iso(c.createdAt)!,
    updatedAt: iso(c.updatedAt)!,
    version: c.version,
    updates: updates.map(updateView),
  };
}

export function trackedView(
  c: Complaint,
  categoryName: BothTexts,
  language: 'zh-CN' | 'en',
  updates: ComplaintUpdate[],
): TrackedComplaintDto {
  return {
    number: c.number,
    categoryName: categoryName[language],
    status: c.status,
    extendedStatus: c.extendedStatus,
    statusNotes: c.statusNotes ? publicText(c.statusNotes) : null,
    expectedAt: iso(c.expectedAt),
    createdAt: iso(c.createdAt)!,
    updates: updates
      .filter((u) => u.public)
      .map((u) => ({ ...updateView(u), description: publicText(u.description) })),
  };
}

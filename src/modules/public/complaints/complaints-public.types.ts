/**
 * The public (Open311-shaped) face of the complaints module: what the /open311/v2 facade and any
 * other public channel call. It carries no personal data out (no names, phones or e-mails) and
 * takes the complainant's contact only on filing. Implemented over the module's service layer.
 */
export type Open311Datatype =
  'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

export interface CategoryAttributeView {
  code: string;
  variable: boolean;
  datatype: Open311Datatype;
  required: boolean;
  datatypeDescription: string | null;
  order: number;
  description: string;
  values: { key: string; name: string }[];
}

/** A complaint category; names in ctx.language. */
export interface CategoryView {
  code: string;
  name: string;
  description: string;
  group: string;
  keywords: string[];
  attributes: CategoryAttributeView[];
}

export type ComplaintChannel = 'portal' | 'app' | 'mini_program' | 'hotline' | 'open311';
export type ComplaintUrgency = 'normal' | 'urgent' | 'life_safety';

export interface FileComplaintInput {
  categoryCode: string;
  description: string;
  lat?: number;
  long?: number;
  addressString?: string;
  addressId?: string;
  attributes?: Record<string, string | string[]>;
  mediaUrls?: string[];
  mediaFileIds?: string[];
  anonymous: boolean;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  deviceId?: string;
  accountId?: string;
  urgency?: ComplaintUrgency;
  channel: ComplaintChannel;
}

export interface FiledComplaint {
  /** the public work-order number (the case number) */
  id: string;
  trackingCode: string;
  serviceNotice: string | null;
}

/** Open311 / FixMyStreet extended statuses. */
export type ExtendedStatus =
  | 'open'
  | 'in_progress'
  | 'action_scheduled'
  | 'investigating'
  | 'fixed'
  | 'closed'
  | 'duplicate'
  | 'not_councils_responsibility'
  | 'no_further_action'
  | 'internal_referral'
  | 'reopen'
  | 'for_triage';

export interface PublicComplaintView {
  id: string;
  status: 'open' | 'closed';
  extendedStatus: string;
  statusNotes: string | null;
  categoryCode: string;
  categoryName: string;
  description: string;
  agencyResponsible: string | null;
  serviceNotice: string | null;
  requestedAt: Date;
  updatedAt: Date;
  expectedAt: Date | null;
  address: string | null;
  addressId: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  mediaUrls: string[];
}

export interface PublicComplaintQuery {
  ids?: string[];
  categoryCodes?: string[];
  from?: Date;
  to?: Date;
  status?: ('open' | 'closed')[];
  limit: number;
  offset: number;
}

export interface PublicUpdateView {
  updateId: string;
  requestId: string;
  status: 'open' | 'closed';
  extendedStatus: string;
  updatedAt: Date;
  description: string;
  mediaUrl: string | null;
}

export interface PostUpdateInput {
  status?: string;
  description: string;
  mediaUrl?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  updatedAt?: Date;
}

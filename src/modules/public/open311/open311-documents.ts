import type {
  CategoryView,
  FiledComplaint,
  PublicComplaintView,
  PublicUpdateView,
} from '../complaints/complaints-public';
import { w3cDate, type WireObject, type XmlShape } from './open311-wire';

/**
 * The GeoReport v2 documents (open311.org GeoReport_v2, Service_Discovery, and mySociety's
 * servicerequestupdates extension), in the spec's member order, built from the complaints
 * module's public views. Codes and ids are strings (the spec's JSON examples print `001` bare,
 * which is not JSON); absent optional values are null in JSON and empty elements in XML.
 */
export const SPECIFICATION = 'http://wiki.open311.org/GeoReport_v2';

export const SHAPES = {
  discovery: { root: 'discovery', lists: { endpoints: 'endpoint', formats: 'format' } },
  services: { root: 'services', item: 'service' },
  serviceDefinition: { root: 'service_definition', lists: { attributes: 'attribute', values: 'value' } },
  serviceRequests: { root: 'service_requests', item: 'request' },
  updates: { root: 'service_request_updates', item: 'request_update' },
  errors: { root: 'errors', item: 'error' },
} satisfies Record<string, XmlShape>;

export interface DiscoveryFacts {
  /** when the service list or a definition last changed (W3C) */
  changeset: string;
  contact: string;
  keyService: string;
  /** absolute URL of /open311/v2 */
  url: string;
  type: 'production' | 'test';
}

export function discoveryDoc(f: DiscoveryFacts): WireObject {
  return {
    changeset: f.changeset,
    contact: f.contact,
    key_service: f.keyService,
    endpoints: [
      {
        specification: SPECIFICATION,
        url: f.url,
        changeset: f.changeset,
        type: f.type,
        formats: ['text/xml', 'application/json'],
      },
    ],
  };
}

export function servicesDoc(categories: CategoryView[]): WireObject[] {
  return categories.map((c) => ({
    service_code: c.code,
    service_name: c.name,
    description: c.description,
    metadata: c.attributes.length > 0,
    type: 'realtime',
    keywords: c.keywords.join(', '),
    group: c.group,
  }));
}

export function serviceDefinitionDoc(c: CategoryView): WireObject {
  return {
    service_code: c.code,
    attributes: [...c.attributes]
      .sort((a, b) => a.order - b.order)
      .map((a) => ({
        variable: a.variable,
        code: a.code,
        datatype: a.datatype,
        required: a.required,
        datatype_description: a.datatypeDescription,
        order: a.order,
        description: a.description,
        values: a.values.map((v) => ({ key: v.key, name: v.name })),
      })),
  };
}

/** POST requests: the service request id at once (every service is `realtime`). */
export function createdDoc(f: FiledComplaint): WireObject[] {
  return [{ service_request_id: f.id, service_notice: f.serviceNotice, account_id: null }];
}

export function tokenDoc(token: string, id: string | null): WireObject[] {
  return [{ service_request_id: id, token }];
}

export function requestDoc(r: PublicComplaintView): WireObject {
  return {
    service_request_id: r.id,
    status: r.status,
    status_notes: r.statusNotes,
    service_name: r.categoryName,
    service_code: r.categoryCode,
    description: r.description,
    agency_responsible: r.agencyResponsible,
    service_notice: r.serviceNotice,
    requested_datetime: w3cDate(r.requestedAt),
    updated_datetime: w3cDate(r.updatedAt),
    expected_datetime: r.expectedAt ? w3cDate(r.expectedAt) : null,
    address: r.address,
    address_id: r.addressId,
    zipcode: r.zipcode,
    lat: r.lat,
    long: r.long,
    media_url: r.mediaUrls[0] ?? null,
  };
}

export const requestsDoc = (rows: PublicComplaintView[]): WireObject[] => rows.map(requestDoc);

/** GET servicerequestupdates: statuses in the extension's lower-case vocabulary. */
export function updatesDoc(rows: PublicUpdateView[]): WireObject[] {
  return rows.map((u) => ({
    update_id: u.updateId,
    service_request_id: u.requestId,
    status: u.extendedStatus.toLowerCase(),
    updated_datetime: w3cDate(u.updatedAt),
    description: u.description,
    media_url: u.mediaUrl,
  }));
}

export const updateCreatedDoc = (updateId: string): WireObject[] => [{ update_id: updateId }];

export interface Open311ErrorItem {
  code: number;
  description: string;
}

export const errorsDoc = (items: Open311ErrorItem[]): WireObject[] =>
  items.map((e) => ({ code: e.code, description: e.description }));

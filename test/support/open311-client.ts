import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Response } from 'supertest';
import type { TestApp } from './test-app';

/**
 * A GeoReport v2 client made after FixMyStreet's (mysociety/fixmystreet perllib/Open311.pm), the
 * main Open311 client in use: XML only (`services.xml`, `requests.xml`, `tokens/{t}.xml`,
 * `servicerequestupdates.xml`), `jurisdiction_id` on every call, `api_key` on POSTs and on the
 * updates read, form-encoded POSTs with `attribute[CODE]` arguments and repeated `media_url`, and,
 * with `extendedStatuses`, upper-case statuses on updates (FIXED, IN_PROGRESS, …). Unlike
 * XML::Simple it is strict: the content type must be `text/xml; charset=utf-8`, the document must
 * validate (fast-xml-parser's XMLValidator) and have the expected root, or the call throws.
 */
export interface Problem311 {
  title: string;
  detail: string;
  name: string;
  email?: string;
  phone?: string;
  latitude?: number;
  longitude?: number;
  postcode?: string;
  extra?: { name: string; value: string | string[] }[];
}

export class Open311ClientError extends Error {
  constructor(
    readonly status: number,
    readonly errors: { code: string; description: string }[],
  ) {
    super(`Open311 ${status}: ${errors.map((e) => `${e.code}: ${e.description}`).join('; ')}`);
  }
}

/** Elements that are lists in GeoReport v2 documents (XML::Simple's ForceArray, by path). */
const LISTS =
  /^(services\.service|service_requests\.request|service_request_updates\.request_update|errors\.error|service_definition\.attributes\.attribute|service_definition\.attributes\.attribute\.values\.value|discovery\.endpoints\.endpoint|discovery\.endpoints\.endpoint\.formats\.format)$/;

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  ignoreDeclaration: true,
  isArray: (_name, jpath) => LISTS.test(String(jpath)),
});

export type Xml = Record<string, unknown>;

/** Strictly parses an Open311 XML answer and returns the content of its root element. */
export function parseOpen311Xml(res: Pick<Response, 'text' | 'headers'>, root: string): Xml {
  if (res.headers['content-type'] !== 'text/xml; charset=utf-8')
    throw new Error(`not text/xml; charset=utf-8: ${String(res.headers['content-type'])}`);
  if (!res.text.startsWith('<?xml version="1.0" encoding="utf-8"?>'))
    throw new Error('no XML declaration with the encoding');
  const valid = XMLValidator.validate(res.text);
  if (valid !== true) throw new Error(`invalid XML: ${JSON.stringify(valid.err)}`);
  const doc = parser.parse(res.text) as Xml;
  const roots = Object.keys(doc);
  if (roots.length !== 1 || roots[0] !== root)
    throw new Error(`expected root <${root}>, got ${roots.join(',')}`);
  const inner = doc[root];
  return inner === '' ? {} : (inner as Xml);
}

export class Open311Client {
  constructor(
    private readonly t: TestApp,
    private readonly o: {
      endpoint?: string;
      jurisdiction: string;
      apiKey?: string;
      extendedStatuses?: boolean;
      multiPhotos?: boolean;
    },
  ) {}

  private get endpoint(): string {
    return this.o.endpoint ?? '/open311/v2/';
  }

  async getServiceList(): Promise<Xml[]> {
    return (this.xml(await this.get('services.xml'), 'services').service as Xml[] | undefined) ?? [];
  }

  async getServiceMetaInfo(code: string): Promise<Xml> {
    return this.xml(await this.get(`services/${encodeURIComponent(code)}.xml`), 'service_definition');
  }

  /** FixMyStreet's send_service_request: the id, or the id behind a returned token. */
  async sendServiceRequest(
    problem: Problem311,
    serviceCode: string,
    imageUrls: string[] = [],
  ): Promise<string> {
    const [first, last] = splitName(problem.name);
    const params: [string, string][] = [
      ['description', `${problem.title}\n\n${problem.detail}\n\nhttps://fms.example/report/1\n`],
      ['service_code', serviceCode],
      ['first_name', first],
      ['last_name', last],
    ];
    if (problem.phone) params.push(['phone', problem.phone]);
    if (problem.email) params.push(['email', problem.email]);
    if (problem.latitude !== undefined && problem.longitude !== undefined)
      params.push(['lat', String(problem.latitude)], ['long', String(problem.longitude)]);
    else if (problem.postcode) params.push(['address_string', problem.postcode]);
    for (const url of this.o.multiPhotos ? imageUrls : imageUrls.slice(0, 1)) params.push(['media_url', url]);
    for (const a of problem.extra ?? []) {
      const name = a.name.replace(/^fms_extra_/, '');
      if (Array.isArray(a.value)) for (const v of a.value) params.push([`attribute[${name}][]`, v]);
      else params.push([`attribute[${name}]`, a.value]);
    }
    const req = this.xml(await this.post('requests.xml', params), 'service_requests').request as Xml[];
    const id = req?.[0]?.service_request_id;
    if (typeof id === 'string' && id) return id;
    const token = req?.[0]?.token;
    if (typeof token === 'string' && token) return this.getServiceRequestIdFromToken(token);
    throw new Error('no service_request_id nor token');
  }

  async getServiceRequestIdFromToken(token: string): Promise<string> {
    const req = this.xml(await this.get(`tokens/${encodeURIComponent(token)}.xml`), 'service_requests')
      .request as Xml[];
    const id = req[0].service_request_id;
    return typeof id === 'string' ? id : '';
  }

  async getServiceRequests(
    args: { reportIds?: string[] } & Record<string, string | string[] | undefined> = {},
  ) {
    const { reportIds, ...rest } = args;
    const params: Record<string, string> = {};
    if (reportIds) params.service_request_id = reportIds.join(',');
    for (const [k, v] of Object.entries(rest)) if (typeof v === 'string') params[k] = v;
    return (
      (this.xml(await this.get('requests.xml', params), 'service_requests').request as Xml[] | undefined) ??
      []
    );
  }

  /** FixMyStreet's get_service_request_updates: both dates or neither, and its api_key. */
  async getServiceRequestUpdates(start?: string, end?: string): Promise<Xml[]> {
    const params: Record<string, string> = { api_key: this.o.apiKey ?? '' };
    if (start || end) {
      if (!start || !end) throw new Error('both dates or neither');
      Object.assign(params, { start_date: start, end_date: end });
    }
    const doc = this.xml(await this.get('servicerequestupdates.xml', params), 'service_request_updates');
    return (doc.request_update as Xml[] | undefined) ?? [];
  }

  /** FixMyStreet's post_service_request_update: OPEN/CLOSED, or its extended upper-case statuses. */
  async postServiceRequestUpdate(u: {
    requestId: string;
    text: string;
    state: string;
    name: string;
    email?: string;
    confirmed: Date;
    photoUrl?: string;
    commentId: string;
  }): Promise<string> {
    const [first, last] = splitName(u.name);
    const params: [string, string][] = [
      ['updated_datetime', u.confirmed.toISOString().replace(/\.\d{3}Z$/, 'Z')],
      ['service_request_id', u.requestId],
      ['status', this.statusOf(u.state)],
      ['description', u.text],
      ['last_name', last || '-'],
      ['first_name', first],
      ['update_id', u.commentId],
    ];
    if (u.email) params.push(['email', u.email]);
    if (u.photoUrl) params.push(['media_url', u.photoUrl]);
    const doc = this.xml(await this.post('servicerequestupdates.xml', params), 'service_request_updates');
    const id = (doc.request_update as Xml[])[0].update_id;
    if (typeof id !== 'string' || !id) throw new Error('no update_id');
    return id;
  }

  private statusOf(state: string): string {
    if (!this.o.extendedStatuses) return ['fixed', 'closed'].includes(state) ? 'CLOSED' : 'OPEN';
    const map: Record<string, string> = {
      fixed: 'FIXED',
      'in progress': 'IN_PROGRESS',
      'action scheduled': 'ACTION_SCHEDULED',
      planned: 'ACTION_SCHEDULED',
      investigating: 'INVESTIGATING',
      duplicate: 'DUPLICATE',
      'not responsible': 'NOT_COUNCILS_RESPONSIBILITY',
      'unable to fix': 'NO_FURTHER_ACTION',
      'internal referral': 'INTERNAL_REFERRAL',
      reopen: 'REOPEN',
    };
    return map[state] ?? 'OPEN';
  }

  private get(path: string, params: Record<string, string> = {}) {
    const query = new URLSearchParams({ ...params, jurisdiction_id: this.o.jurisdiction }).toString();
    return this.t.http.get(`${this.endpoint}${path}?${query}`);
  }

  private post(path: string, params: [string, string][]) {
    const all: [string, string][] = [['jurisdiction_id', this.o.jurisdiction], ...params];
    if (this.o.apiKey) all.push(['api_key', this.o.apiKey]);
    return this.t.http
      .post(`${this.endpoint}${path}`)
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')
      .send(new URLSearchParams(all).toString());
  }

  /** The root's content of a 2xx answer; a refusal's `<errors>` thrown as Open311ClientError. */
  private xml(res: Response, root: string): Xml {
    if (res.status >= 200 && res.status < 300) return parseOpen311Xml(res, root);
    const errors = (parseOpen311Xml(res, 'errors').error as Xml[]).map((e) => ({
      code: String(e.code),
      description: String(e.description),
    }));
    throw new Open311ClientError(res.status, errors);
  }
}

/** FixMyStreet's split_name: the first word, and the rest. */
function splitName(name: string): [string, string] {
  const m = /(\w+)(?:\.?\s+(.+))?/u.exec(name);
  return [m?.[1] ?? '', m?.[2] ?? ''];
}

import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { EXTENDED_STATUSES } from './open311-submissions';
import { MAX_OFFSET, MAX_PAGE_SIZE } from './open311-params';

/**
 * The OpenAPI description of /open311/v2: each operation answers text/xml or application/json by
 * its `.{format}` suffix, with the JSON schema of the spec's JSON mapping (the XML is documented
 * as text: OpenAPI cannot say more of a schemaless document), and its refusals in the spec's
 * error form (`<errors>` / `[{code, description}]`) with 400, 403 or 404.
 */
const str = (maxLength?: number): SchemaObject => ({ type: 'string', ...(maxLength ? { maxLength } : {}) });
const nullable = (type: 'string' | 'number'): SchemaObject => ({ type: [type, 'null'] });
const obj = (properties: Record<string, SchemaObject>, required = Object.keys(properties)): SchemaObject => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const list = (items: SchemaObject): SchemaObject => ({ type: 'array', items });

export const SCHEMAS = {
  discovery: obj({
    changeset: str(),
    contact: str(),
    key_service: str(),
    endpoints: list(
      obj({
        specification: str(),
        url: str(),
        changeset: str(),
        type: { type: 'string', enum: ['production', 'test'] },
        formats: list(str()),
      }),
    ),
  }),
  services: list(
    obj({
      service_code: str(),
      service_name: str(),
      description: str(),
      metadata: { type: 'boolean' },
      type: { type: 'string', enum: ['realtime', 'batch', 'blackbox'] },
      keywords: str(),
      group: str(),
    }),
  ),
  serviceDefinition: obj({
    service_code: str(),
    attributes: list(
      obj({
        variable: { type: 'boolean' },
        code: str(),
        datatype: {
          type: 'string',
          enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'],
        },
        required: { type: 'boolean' },
        datatype_description: nullable('string'),
        order: { type: 'integer', minimum: 1 },
        description: str(),
        values: list(obj({ key: str(), name: str() })),
      }),
    ),
  }),
  created: list(
    obj({ service_request_id: str(), service_notice: nullable('string'), account_id: nullable('string') }),
  ),
  token: list(obj({ service_request_id: nullable('string'), token: str() })),
  requests: list(
    obj({
      service_request_id: str(),
      status: { type: 'string', enum: ['open', 'closed'] },
      status_notes: nullable('string'),
      service_name: str(),
      service_code: str(),
      description: str(),
      agency_responsible: nullable('string'),
      service_notice: nullable('string'),
      requested_datetime: { type: 'string', format: 'date-time' },
      updated_datetime: { type: 'string', format: 'date-time' },
      expected_datetime: { type: ['string', 'null'], format: 'date-time' },
      address: nullable('string'),
      address_id: nullable('string'),
      zipcode: nullable('string'),
      lat: nullable('number'),
      long: nullable('number'),
      media_url: nullable('string'),
    }),
  ),
  updates: list(
    obj({
      update_id: str(),
      service_request_id: str(),
      status: str(),
      updated_datetime: { type: 'string', format: 'date-time' },
      description: str(),
      media_url: nullable('string'),
    }),
  ),
  updateCreated: list(obj({ update_id: str() })),
  errors: list(obj({ code: { type: 'integer' }, description: str() })),
} satisfies Record<string, SchemaObject>;

const XML: SchemaObject = { type: 'string', description: 'The document as XML (the spec’s element names)' };

const both = (json: SchemaObject) => ({
  'text/xml': { schema: XML },
  'application/json': { schema: json },
});

const ERRORS = {
  400: 'Refused: a missing or malformed argument, a body that is not a form, any other failure',
  403: 'POST: api_key missing or invalid, or without the open311:submit scope; any call: a presented credential (bearer token, X-API-Key) is invalid',
  404: 'No such service_code, service request, token, format or jurisdiction_id',
} as const;

const jurisdiction = ApiQuery({
  name: 'jurisdiction_id',
  required: false,
  description: 'Optional: this endpoint serves one jurisdiction (OPEN311_JURISDICTION_ID); another is 404',
  schema: { type: 'string', maxLength: 253 },
});

const Q = (name: string, description: string, schema: SchemaObject = { type: 'string', maxLength: 100 }) =>
  ApiQuery({ name, required: false, description, schema });

/** A GeoReport v2 operation: its `.{format}` suffix, 200 in both formats, refusals in the spec's form. */
export function Open311Operation(summary: string, ok: SchemaObject) {
  return applyDecorators(
    ApiTags('open311'),
    ApiOperation({ summary }),
    ApiParam({
      name: 'format',
      enum: ['xml', 'json'],
      description: 'xml (text/xml) or json (application/json)',
    }),
    ApiResponse({ status: 200, description: 'The document in the requested format', content: both(ok) }),
    ...([400, 403, 404] as const).map((s) =>
      ApiResponse({ status: s, description: ERRORS[s], content: both(SCHEMAS.errors) }),
    ),
  );
}

export const Open311Jurisdiction = () => jurisdiction;

const DATE = { type: 'string', maxLength: 40, description: 'W3C date-time with a zone' } as SchemaObject;
const paging = [
  Q('page', 'Page of the results (the common page/page_size extension), from 1', {
    type: 'string',
    pattern: '^\\d{1,9}$',
  }),
  Q(
    'page_size',
    `Results per page, 1–${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE}); page × page_size ≤ ${MAX_OFFSET}`,
    {
      type: 'string',
      pattern: '^\\d{1,9}$',
    },
  ),
];

export const RequestsQuery = () =>
  applyDecorators(
    jurisdiction,
    Q(
      'service_request_id',
      'Comma-separated ids (at most 1000); overrides every other argument',
      str(101_000),
    ),
    Q('service_code', 'Comma-separated service codes', str(101_000)),
    Q('start_date', 'Earliest requested_datetime', DATE),
    Q('end_date', 'Latest requested_datetime (the span is at most 90 days; default the last 90 days)', DATE),
    Q('status', 'Comma-separated: open, closed', str(50)),
    ...paging,
  );

export const UpdatesQuery = () =>
  applyDecorators(
    jurisdiction,
    Q('start_date', 'Earliest updated_datetime', DATE),
    Q('end_date', 'Latest updated_datetime (the span is at most 90 days; default the last 90 days)', DATE),
    Q('page_size', `At most this many updates, 1–${MAX_PAGE_SIZE} (default ${MAX_PAGE_SIZE})`, {
      type: 'string',
      pattern: '^\\d{1,9}$',
    }),
    Q('api_key', 'Accepted and ignored: updates are public (FixMyStreet sends its key)', str(200)),
  );

const FORM = 'application/x-www-form-urlencoded';
const formText = (maxLength: number, description?: string): SchemaObject => ({
  type: 'string',
  maxLength,
  ...(description ? { description } : {}),
});

export const RequestForm = () =>
  applyDecorators(
    ApiConsumes(FORM),
    ApiBody({
      schema: {
        type: 'object',
        required: ['service_code'],
        additionalProperties: true,
        description:
          'plus `attribute[CODE]=v` and, for a multivaluelist, `attribute[CODE][]=v1&attribute[CODE][]=v2`',
        properties: {
          api_key: formText(200, 'An integrator API key with the open311:submit scope'),
          jurisdiction_id: formText(253),
          service_code: formText(100),
          lat: formText(40, 'WGS84; with long, or address_string, or address_id'),
          long: formText(40),
          address_string: formText(500),
          address_id: formText(100),
          email: formText(254),
          device_id: formText(200),
          account_id: formText(200),
          first_name: formText(100),
          last_name: formText(100),
          phone: formText(40),
          description: formText(4000),
          media_url: formText(2048, 'http(s) URL; may repeat'),
        },
      },
    }),
  );

export const UpdateForm = () =>
  applyDecorators(
    ApiConsumes(FORM),
    ApiBody({
      schema: {
        type: 'object',
        required: ['service_request_id', 'description'],
        additionalProperties: true,
        properties: {
          api_key: formText(200, 'An integrator API key with the open311:submit scope'),
          jurisdiction_id: formText(253),
          service_request_id: formText(100),
          description: formText(4000),
          status: { type: 'string', description: `One of ${EXTENDED_STATUSES.join(', ')} (any case)` },
          updated_datetime: formText(40, 'W3C date-time with a zone'),
          media_url: formText(2048),
          first_name: formText(100),
          last_name: formText(100),
          email: formText(254),
          phone: formText(40),
        },
      },
    }),
  );

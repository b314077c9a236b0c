import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { CategoryView, PublicComplaintView } from '../complaints/complaints-public';
import {
  createdDoc,
  discoveryDoc,
  errorsDoc,
  requestsDoc,
  serviceDefinitionDoc,
  servicesDoc,
  SHAPES,
  tokenDoc,
  updatesDoc,
} from './open311-documents';
import { encode, toXml, type WireObject, type WireValue, type XmlShape } from './open311-wire';

/**
 * Golden documents: the examples of the GeoReport v2 specification (open311.org GeoReport_v2 and
 * Service_Discovery, as published) against what our serialisers write for the same data. XML is
 * compared after a strict parse (element names, nesting, text; the spec's examples mix `<x/>` and
 * `<x></x>` and indent freely), JSON member for member. Where we knowingly differ the expected
 * value says so: codes and ids are strings (the spec prints `001` bare, which is not JSON), an
 * absent value is null (JSON) / an empty element (XML), and text is exactly what is stored (the
 * spec's example pads a service_notice with whitespace).
 */
const parser = new XMLParser({
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  htmlEntities: true,
  isArray: (_name, jpath) =>
    /^(services\.service|service_requests\.request|service_request_updates\.request_update|errors\.error|service_definition\.attributes\.attribute|service_definition\.attributes\.attribute\.values\.value|discovery\.endpoints\.endpoint|discovery\.endpoints\.endpoint\.formats\.format)$/.test(
      String(jpath),
    ),
});
const parse = (xml: string): unknown => {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml);
};
const xmlOf = (doc: WireObject | WireObject[], shape: XmlShape) => parse(toXml(doc, shape));

const SPEC_SERVICES_XML = `<?xml version="1.0" encoding="utf-8"?>
<services>
    <service>
        <service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name>
        <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>sanitation</group>
    </service>
    <service>
        <service_code>002</service_code>
        <metadata>true</metadata>
        <type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords>
        <group>street</group>
        <service_name>Construction plate shifted</service_name>
        <description>Metal construction plate covering the street or sidewalk has been moved.</description>
    </service>
</services>`;

const attr = (code: string) => ({
  code,
  variable: true,
  datatype: 'string' as const,
  required: false,
  datatypeDescription: null,
  order: 1,
  description: code,
  values: [],
});
const SERVICES: CategoryView[] = [
  {
    code: '001',
    name: 'Cans left out 24x7',
    description:
      'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
    group: 'sanitation',
    keywords: ['lorem', 'ipsum', 'dolor'],
    attributes: [attr('A')],
  },
  {
    code: '002',
    name: 'Construction plate shifted',
    description: 'Metal construction plate covering the street or sidewalk has been moved.',
    group: 'street',
    keywords: ['lorem', 'ipsum', 'dolor'],
    attributes: [attr('B')],
  },
];

const DEFINITION: CategoryView = {
  ...SERVICES[0],
  code: 'DMV66',
  attributes: [
    {
      variable: true,
      code: 'WHISHETN',
      datatype: 'singlevaluelist',
      required: true,
      datatypeDescription: null,
      order: 1,
      description: 'What is the ticket/tag/DL number?',
      values: [
        { key: '123', name: 'Ford' },
        { key: '124', name: 'Chrysler' },
      ],
    },
  ],
};

const REQUEST: PublicComplaintView = {
  id: '638344',
  status: 'closed',
  extendedStatus: 'duplicate',
  statusNotes: 'Duplicate request.',
  categoryCode: '006',
  categoryName: 'Sidewalk and Curb Issues',
  description: '',
  agencyResponsible: null,
  serviceNotice: null,
  requestedAt: new Date('2010-04-14T06:37:38-08:00'),
  updatedAt: new Date('2010-04-14T06:37:38-08:00'),
  expectedAt: new Date('2010-04-15T06:37:38-08:00'),
  address: '8TH AVE and JUDAH ST',
  addressId: '545483',
  zipcode: '94122',
  lat: 37.762221815,
  long: -122.4651145,
  mediaUrls: ['http://city.gov.s3.amazonaws.com/requests/media/638344.jpg'],
};

describe('GeoReport v2 documents against the specification’s examples', () => {
  it('GET Service List (XML example, parsed; JSON example with string codes)', () => {
    expect(xmlOf(servicesDoc(SERVICES), SHAPES.services)).toEqual(parse(SPEC_SERVICES_XML));
    expect(JSON.parse(encode('json', servicesDoc(SERVICES), SHAPES.services))).toEqual([
      {
        service_code: '001',
        service_name: 'Cans left out 24x7',
        description:
          'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
        metadata: true,
        type: 'realtime',
        keywords: 'lorem, ipsum, dolor',
        group: 'sanitation',
      },
      {
        service_code: '002',
        metadata: true,
        type: 'realtime',
        keywords: 'lorem, ipsum, dolor',
        group: 'street',
        service_name: 'Construction plate shifted',
        description: 'Metal construction plate covering the street or sidewalk has been moved.',
      },
    ]);
  });

  it('GET Service Definition', () => {
    const specXml = `<?xml version="1.0" encoding="utf-8"?>
<service_definition>
    <service_code>DMV66</service_code>
    <attributes>
        <attribute>
            <variable>true</variable>
            <code>WHISHETN</code>
            <datatype>singlevaluelist</datatype>
            <required>true</required>
            <datatype_description></datatype_description>
            <order>1</order>
            <description>What is the ticket/tag/DL number?</description>
            <values>
                <value><key>123</key><name>Ford</name></value>
                <value><key>124</key><name>Chrysler</name></value>
            </values>
        </attribute>
    </attributes>
</service_definition>`;
    expect(xmlOf(serviceDefinitionDoc(DEFINITION), SHAPES.serviceDefinition)).toEqual(parse(specXml));
    expect(serviceDefinitionDoc(DEFINITION)).toEqual({
      service_code: 'DMV66',
      attributes: [
        {
          variable: true,
          code: 'WHISHETN',
          datatype: 'singlevaluelist',
          required: true,
          datatype_description: null,
          order: 1,
          description: 'What is the ticket/tag/DL number?',
          values: [
            { key: '123', name: 'Ford' },
            { key: '124', name: 'Chrysler' },
          ],
        },
      ],
    });
  });

  it('POST Service Request response and GET service_request_id from a token', () => {
    const notice =
      'The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code';
    const created = createdDoc({ id: '293944', trackingCode: 't', serviceNotice: notice });
    expect(xmlOf(created, SHAPES.serviceRequests)).toEqual(
      parse(`<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>293944</service_request_id>
<service_notice>${notice}</service_notice><account_id/></request></service_requests>`),
    );
    expect(created).toEqual([{ service_request_id: '293944', service_notice: notice, account_id: null }]);
    const token = tokenDoc('12345', '638344');
    expect(xmlOf(token, SHAPES.serviceRequests)).toEqual(
      parse(`<?xml version="1.0" encoding="utf-8"?>
<service_requests><request><service_request_id>638344</service_request_id><token>12345</token></request></service_requests>`),
    );
    expect(token).toEqual([{ service_request_id: '638344', token: '12345' }]);
  });

  it('GET Service Requests (dates W3C with the zone, in UTC)', () => {
    const doc = requestsDoc([REQUEST]);
    const specXml = `<?xml version="1.0" encoding="utf-8"?>
<service_requests><request>
  <service_request_id>638344</service_request_id><status>closed</status>
  <status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
  <service_code>006</service_code><description></description><agency_responsible></agency_responsible>
  <service_notice></service_notice>
  <requested_datetime>2010-04-14T14:37:38Z</requested_datetime>
  <updated_datetime>2010-04-14T14:37:38Z</updated_datetime>
  <expected_datetime>2010-04-15T14:37:38Z</expected_datetime>
  <address>8TH AVE and JUDAH ST</address><address_id>545483</address_id><zipcode>94122</zipcode>
  <lat>37.762221815</lat><long>-122.4651145</long>
  <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url>
</request></service_requests>`;
    expect(xmlOf(doc, SHAPES.serviceRequests)).toEqual(parse(specXml));
    expect(JSON.parse(encode('json', doc, SHAPES.serviceRequests))).toEqual([
      {
        service_request_id: '638344',
        status: 'closed',
        status_notes: 'Duplicate request.',
        service_name: 'Sidewalk and Curb Issues',
        service_code: '006',
        description: '',
        agency_responsible: null,
        service_notice: null,
        requested_datetime: '2010-04-14T14:37:38Z',
        updated_datetime: '2010-04-14T14:37:38Z',
        expected_datetime: '2010-04-15T14:37:38Z',
        address: '8TH AVE and JUDAH ST',
        address_id: '545483',
        zipcode: '94122',
        lat: 37.762221815,
        long: -122.4651145,
        media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
      },
    ]);
    // the same instant as the spec's -08:00 example
    expect(Date.parse('2010-04-14T14:37:38Z')).toBe(Date.parse('2010-04-14T06:37:38-08:00'));
  });

  it('Service discovery (JSON example member for member; XML parsed)', () => {
    const doc = discoveryDoc({
      changeset: '2010-11-23 09:01',
      contact: 'You can email or call for assistance api@mycity.org +1 (555) 555-5555',
      keyService: 'You can request a key here: http://api.mycity.gov/api_key/request',
      url: 'http://open311.mycity.gov/v2',
      type: 'production',
    });
    expect(doc).toEqual({
      changeset: '2010-11-23 09:01',
      contact: 'You can email or call for assistance api@mycity.org +1 (555) 555-5555',
      key_service: 'You can request a key here: http://api.mycity.gov/api_key/request',
      endpoints: [
        {
          specification: 'http://wiki.open311.org/GeoReport_v2',
          url: 'http://open311.mycity.gov/v2',
          changeset: '2010-11-23 09:01',
          type: 'production',
          formats: ['text/xml', 'application/json'],
        },
      ],
    });
    expect(xmlOf(doc, SHAPES.discovery)).toEqual(
      parse(`<?xml version="1.0" encoding="UTF-8"?>
<discovery><changeset>2010-11-23 09:01</changeset>
<contact>You can email or call for assistance api@mycity.org +1 (555) 555-5555</contact>
<key_service>You can request a key here: http://api.mycity.gov/api_key/request</key_service>
<endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>
<url>http://open311.mycity.gov/v2</url><changeset>2010-11-23 09:01</changeset><type>production</type>
<formats><format>text/xml</format><format>application/json</format></formats></endpoint></endpoints></discovery>`),
    );
  });

  it('Errors (the spec’s 403 example, both forms)', () => {
    const doc = errorsDoc([
      { code: 403, description: "Invalid api_key received -- can't proceed with create_request." },
    ]);
    expect(encode('xml', doc, SHAPES.errors)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>403</code><description>Invalid api_key received -- can\'t proceed with create_request.</description></error></errors>',
    );
    expect(JSON.parse(encode('json', doc, SHAPES.errors))).toEqual([
      { code: 403, description: "Invalid api_key received -- can't proceed with create_request." },
    ]);
  });

  it('servicerequestupdates (mySociety): lower-case extended statuses', () => {
    const doc = updatesDoc([
      {
        updateId: 'u1',
        requestId: '638344',
        status: 'closed',
        extendedStatus: 'FIXED',
        updatedAt: new Date('2011-05-01T10:00:00.250Z'),
        description: 'Fixed',
        mediaUrl: null,
      },
    ]);
    expect(encode('xml', doc, SHAPES.updates)).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_request_updates><request_update><update_id>u1</update_id><service_request_id>638344</service_request_id><status>fixed</status><updated_datetime>2011-05-01T10:00:00Z</updated_datetime><description>Fixed</description><media_url/></request_update></service_request_updates>',
    );
  });
});

describe('the XML writer', () => {
  const shape: XmlShape = { root: 'r', item: 'i' };
  it('escapes markup, keeps CR, and replaces characters XML 1.0 cannot hold', () => {
    const hostile = 'a<b>&c]]></r><?pi?>\r\n\u0001\u000b\ufffe\ud800x🙂"\'';
    const xml = toXml([{ t: hostile }], shape);
    const parsed = parse(xml) as { r: { i: { t: string } } };
    expect(parsed.r.i.t).toBe('a<b>&c]]></r><?pi?>\r\n\ufffd\ufffd\ufffd\ufffdx🙂"\'');
  });
  it('writes empty lists and nulls as empty elements, and refuses a list it has no item name for', () => {
    expect(toXml([], shape)).toBe('<?xml version="1.0" encoding="utf-8"?>\n<r/>');
    expect(() => toXml({ x: [1] as WireValue[] }, { root: 'r' })).toThrow(/no item element/);
  });
});

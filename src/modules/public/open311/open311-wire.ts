/**
 * The two wire forms of a GeoReport v2 document. Documents are built once as plain values in the
 * spec's JSON mapping (the Spark convention: the XML root and every list element become arrays),
 * and written either as that JSON or as schemaless, namespace-free XML with its declaration. The
 * XML writer is a small escaping one: the element names are ours, the text is escaped and any
 * character XML 1.0 cannot carry becomes U+FFFD, so no stored text can break a strict parser.
 */
export type Open311Format = 'xml' | 'json';
export const OPEN311_FORMATS: readonly Open311Format[] = ['xml', 'json'];

export const CONTENT_TYPES: Record<Open311Format, string> = {
  xml: 'text/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export type WireScalar = string | number | boolean | null;
export type WireValue = WireScalar | WireObject | WireValue[];
export interface WireObject {
  [name: string]: WireValue;
}

/**
 * The XML shape of a document: its root element and, for each list (by the name of the member that
 * holds it, or the root's own list), the name of one item's element.
 */
export interface XmlShape {
  root: string;
  /** the root's item element when the document is a list (`services` → `service`) */
  item?: string;
  /** list members' item elements, e.g. `{ attributes: 'attribute', values: 'value' }` */
  lists?: Record<string, string>;
}

/** Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escapes element text; CR is kept as a reference, since a parser would otherwise fold CRLF to LF. */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

function scalarText(v: Exclude<WireScalar, null>): string {
  return typeof v === 'string' ? v : String(v);
}

function element(name: string, value: WireValue, shape: XmlShape, out: string[]): void {
  if (value === null || value === '') {
    out.push(`<${name}/>`);
    return;
  }
  if (Array.isArray(value)) {
    const item = shape.lists?.[name];
    if (!item) throw new Error(`Open311 XML: no item element for the list ${name}`);
    if (!value.length) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const v of value) element(item, v, shape, out);
    out.push(`</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [k, v] of Object.entries(value)) element(k, v, shape, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXmlText(scalarText(value))}</${name}>`);
}

/** The XML text of a document in the spec's layout (declaration, no namespace, no attributes). */
export function toXml(doc: WireObject | WireValue[], shape: XmlShape): string {
  const out: string[] = ['<?xml version="1.0" encoding="utf-8"?>\n'];
  if (Array.isArray(doc)) {
    if (!shape.item) throw new Error(`Open311 XML: no item element for the root ${shape.root}`);
    element(shape.root, doc, { ...shape, lists: { ...shape.lists, [shape.root]: shape.item } }, out);
  } else {
    element(shape.root, doc, shape, out);
  }
  return out.join('');
}

/** The text of a document in the requested format. */
export function encode(format: Open311Format, doc: WireObject | WireValue[], shape: XmlShape): string {
  return format === 'json' ? JSON.stringify(doc) : toXml(doc, shape);
}

/**
 * W3C date-time (the spec's `2010-01-01T00:00:00Z`): UTC, whole seconds (a fraction is allowed by
 * the W3C note but not in the spec's examples, and some clients' parsers refuse it).
 */
export function w3cDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

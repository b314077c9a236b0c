import { createHash } from 'node:crypto';
import { auditLeafHash, AuditLeafFields, canonicalJson, leafBytes } from './audit-leaf-hash';

const fields: AuditLeafFields = {
  seq: 41,
  at: new Date('2026-03-01T08:30:00.123Z'),
  actorKind: 'staff',
  actorId: '0190a0b0-0000-7000-8000-000000000001',
  onBehalfOf: null,
  organisationId: '0190a0b0-0000-7000-8000-000000000002',
  action: 'account.read',
  resourceType: 'account',
  resourceId: '0190a0b0-0000-7000-8000-000000000003',
  subjectId: '0190a0b0-0000-7000-8000-000000000003',
  purpose: '核实低保申请 "家庭成员"',
  legalBasis: null,
  channel: 'console',
  requestId: 'req-1',
  hiddenUntil: null,
};

describe('audit leaf hashing', () => {
  it('serialises sorted keys without whitespace, keeping nulls (RFC 8785 for flat objects)', () => {
    expect(canonicalJson({ b: 1, a: 'x', c: null, B: 'é' })).toBe('{"B":"é","a":"x","b":1,"c":null}');
    expect(leafBytes(fields).toString('utf8')).toBe(
      '{"action":"account.read","actorId":"0190a0b0-0000-7000-8000-000000000001","actorKind":"staff",' +
        '"at":"2026-03-01T08:30:00.123Z","channel":"console","hiddenUntil":null,"legalBasis":null,"onBehalfOf":null,' +
        '"organisationId":"0190a0b0-0000-7000-8000-000000000002","purpose":"核实低保申请 \\"家庭成员\\"","requestId":"req-1",' +
        '"resourceId":"0190a0b0-0000-7000-8000-000000000003","resourceType":"account","seq":41,' +
        '"subjectId":"0190a0b0-0000-7000-8000-000000000003"}',
    );
  });

  it('hashes as an RFC 6962 leaf: SHA-256(0x00 || canonical JSON)', () => {
    const expected = createHash('sha256')
      .update(Buffer.from([0]))
      .update(leafBytes(fields))
      .digest();
    expect(auditLeafHash(fields).equals(expected)).toBe(true);
  });

  it('changes when any field changes', () => {
    const base = auditLeafHash(fields);
    for (const change of [
      { seq: 42 },
      { purpose: '核实低保申请' },
      { hiddenUntil: new Date(0) },
      { at: new Date('2026-03-01T08:30:00.124Z') },
    ]) {
      expect(auditLeafHash({ ...fields, ...change }).equals(base)).toBe(false);
    }
  });

  it('refuses values canonical JSON does not define here', () => {
    expect(() => canonicalJson({ x: 1.5 })).toThrow(TypeError);
    expect(() => canonicalJson({ x: true as unknown as string })).toThrow(TypeError);
    expect(() => auditLeafHash({ ...fields, at: new Date('nope') })).toThrow(TypeError);
  });
});

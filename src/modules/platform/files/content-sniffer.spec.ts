import { samples, zip } from '../../../../test/support/sample-files';
import {
  declaredMatches,
  declaredTypeAcceptable,
  sanitiseFileName,
  sniff,
  SNIFF_HEAD_BYTES,
  SNIFF_TAIL_BYTES,
  zipEntryNames,
} from './content-sniffer';

/** sniff() as FilesService calls it: head and tail of the whole file. */
const sniffAll = (buf: Buffer) =>
  sniff(
    buf.subarray(0, SNIFF_HEAD_BYTES),
    buf.subarray(Math.max(0, buf.length - SNIFF_TAIL_BYTES)),
    buf.length,
  );

describe('sniff', () => {
  it.each([
    ['pdf', 'application/pdf'],
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['ofd', 'application/ofd'],
  ] as const)('recognises %s by its bytes', (kind, type) => {
    expect(sniffAll(samples[kind]())).toEqual({ ok: true, type });
  });

  it.each([
    ['exe', 'executable'],
    ['elf', 'executable'],
    ['html', 'markup'],
    ['svg', 'markup'],
    ['text', 'unknown'],
    ['plainZip', 'zip-not-ofd'],
  ] as const)('refuses %s (%s)', (kind, reason) => {
    expect(sniffAll(samples[kind]())).toEqual({ ok: false, reason });
  });

  it('refuses empty files and scripts with a shebang', () => {
    expect(sniffAll(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty' });
    expect(sniffAll(Buffer.from('#!/bin/sh\nrm -rf /\n'))).toEqual({ ok: false, reason: 'executable' });
  });

  it('finds OFD.xml in the central directory even when it is not the first entry', () => {
    const ofd = zip([
      ['Doc_0/Document.xml', '<x/>'],
      ['OFD.xml', '<ofd:OFD/>'],
    ]);
    expect(sniffAll(ofd)).toEqual({ ok: true, type: 'application/ofd' });
    // A nested OFD.xml is not the root entry.
    expect(sniffAll(zip([['a/OFD.xml', '<x/>']]))).toEqual({ ok: false, reason: 'zip-not-ofd' });
  });

  it('reads the central directory from a tail that starts mid-file', () => {
    const big = zip([
      ['OFD.xml', '<ofd:OFD/>'],
      ['Res/big.bin', Buffer.alloc(SNIFF_TAIL_BYTES * 2, 7)],
    ]);
    const tail = big.subarray(big.length - SNIFF_TAIL_BYTES);
    expect(zipEntryNames(Buffer.alloc(0), tail, big.length)).toEqual(['OFD.xml', 'Res/big.bin']);
    expect(sniffAll(big)).toEqual({ ok: true, type: 'application/ofd' });
  });
});

describe('declared types', () => {
  it('accepts the allow-list, aliases and generic types; refuses the rest before reading', () => {
    for (const t of [
      'application/pdf',
      'image/PNG',
      'image/jpg',
      'application/octet-stream',
      '',
      'image/jpeg; q=1',
    ])
      expect(declaredTypeAcceptable(t)).toBe(true);
    for (const t of [
      'text/html',
      'image/svg+xml',
      'application/x-msdownload',
      'application/json',
      'application/zip',
    ])
      expect(declaredTypeAcceptable(t)).toBe(false);
  });

  it('must agree with the content unless generic', () => {
    expect(declaredMatches('image/png', 'image/png')).toBe(true);
    expect(declaredMatches('image/jpg', 'image/jpeg')).toBe(true);
    expect(declaredMatches('application/octet-stream', 'application/pdf')).toBe(true);
    expect(declaredMatches('image/png', 'application/pdf')).toBe(false);
  });
});

describe('sanitiseFileName', () => {
  it('keeps the last path segment only', () => {
    expect(sanitiseFileName('../../etc/passwd.pdf', 'application/pdf')).toBe('passwd.pdf');
    expect(sanitiseFileName('C:\\Users\\张三\\身份证.jpg', 'image/jpeg')).toBe('身份证.jpg');
  });

  it('drops control, bidi-override and zero-width characters and leading dots', () => {
    expect(sanitiseFileName('a\u0000b\r\n\u202egpj.exe', 'image/jpeg')).toBe('abgpj.jpg');
    expect(sanitiseFileName('..hidden.pdf', 'application/pdf')).toBe('hidden.pdf');
    expect(sanitiseFileName('a"b<c>.pdf', 'application/pdf')).toBe('a_b_c_.pdf');
  });

  it('ends the name in the extension of the detected type, keeping the base name', () => {
    expect(sanitiseFileName('x.html', 'application/pdf')).toBe('x.pdf');
    expect(sanitiseFileName('scan', 'image/png')).toBe('scan.png');
    expect(sanitiseFileName('v1.2', 'application/pdf')).toBe('v1.2.pdf');
    expect(sanitiseFileName('archive.tar.gz', 'application/ofd')).toBe('archive.tar.ofd');
    expect(sanitiseFileName('x .html', 'application/pdf')).toBe('x.pdf');
    expect(sanitiseFileName('.html', 'application/pdf')).toBe('html.pdf');
    expect(sanitiseFileName('photo.JPEG', 'image/jpeg')).toBe('photo.JPEG');
    expect(sanitiseFileName('photo.png', 'image/jpeg')).toBe('photo.jpg');
    expect(sanitiseFileName('..', 'image/jpeg')).toBe('file.jpg');
  });

  it('names nameless files after their type', () => {
    expect(sanitiseFileName(null, 'application/ofd')).toBe('file.ofd');
    expect(sanitiseFileName(' / ', 'image/png')).toBe('file.png');
  });

  it('cuts to 200 characters, keeping the extension', () => {
    const name = sanitiseFileName(`${'长'.repeat(300)}.pdf`, 'application/pdf');
    expect([...name]).toHaveLength(200);
    expect(name.endsWith('.pdf')).toBe(true);
  });
});

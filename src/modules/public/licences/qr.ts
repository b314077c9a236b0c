// QR codes for e-licences: the verification URL, printable on paper and shown on screens.
import QRCode from 'qrcode';

export type QrFormat = 'png' | 'svg';

export const QR_CONTENT_TYPE: Record<QrFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
};

/**
 * Level Q (25 % recovery): a licence QR is printed, folded and photographed; the URL is short, so
 * the symbol stays small. A 4-module quiet zone is what ISO/IEC 18004 asks for.
 */
const OPTIONS = { errorCorrectionLevel: 'Q', margin: 4 } as const;

export async function qrCode(text: string, format: QrFormat): Promise<Buffer> {
  if (format === 'png') return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', width: 512 });
  return Buffer.from(await QRCode.toString(text, { ...OPTIONS, type: 'svg' }), 'utf8');
}

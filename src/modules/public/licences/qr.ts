// QR codes for e-licences: the verification URL, printable on paper and shown on screens.
import QRCode from 'qrcode';

export type QrFormat = 'png' | 'svg';

export const QR_CONTENT_TYPE: Record<QrFormat, string> = {
  png: 'image/png',
  svg: 'image/svg+xml',
};

/**
 * Level Q (25 % recovery): a licence QR is printed, folded and photographed; the URL is short, so
 * the symbol stays small. A 4-module quiet zone is what ISO/IEC 18004 asks for. 8 pixels a module
 * (about 360 px) prints sharply at 3 cm; larger PNGs cost CPU (pure-JS encoder) for nothing.
 */
const OPTIONS = { errorCorrectionLevel: 'Q', margin: 4 } as const;
export const QR_PNG_SCALE = 8;

export async function qrCode(text: string, format: QrFormat): Promise<Buffer> {
  if (format === 'png') return QRCode.toBuffer(text, { ...OPTIONS, type: 'png', scale: QR_PNG_SCALE });
  return Buffer.from(await QRCode.toString(text, { ...OPTIONS, type: 'svg' }), 'utf8');
}

/** Modules per side (without the quiet zone) of the symbol for `text`. */
export const qrModules = (text: string): number => QRCode.create(text, OPTIONS).modules.size;

/**
 * A licence's QR code never changes (its verification code is fixed at issue), so images are kept
 * in a small least-recently-used cache: a poster scanned and re-downloaded costs one encoding.
 */
export class QrCache {
  private readonly images = new Map<string, Buffer>();

  constructor(private readonly max = 256) {}

  async get(text: string, format: QrFormat): Promise<Buffer> {
    const key = `${format}\n${text}`;
    const hit = this.images.get(key);
    if (hit) {
      this.images.delete(key);
      this.images.set(key, hit);
      return hit;
    }
    const image = await qrCode(text, format);
    this.images.set(key, image);
    if (this.images.size > this.max) this.images.delete(this.images.keys().next().value!);
    return image;
  }
}

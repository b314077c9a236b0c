import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import type { RejectReason } from './content-sniffer';
import type { StoredFileDto } from './dto/stored-file.dto';
import type { StoredFile } from './stored-file.entity';

/** Why a file was refused, in the caller's language (the FILE_REJECTED detail). */
const REASONS: Record<RejectReason, { 'zh-CN': string; en: string }> = {
  empty: { 'zh-CN': '文件为空。', en: 'The file is empty.' },
  executable: { 'zh-CN': '不接受可执行文件。', en: 'Executable files are not accepted.' },
  markup: { 'zh-CN': '不接受 HTML、SVG 或 XML 文件。', en: 'HTML, SVG and XML files are not accepted.' },
  unknown: {
    'zh-CN': '只接受 PDF、PNG、JPEG 或 OFD 文件。',
    en: 'Only PDF, PNG, JPEG and OFD files are accepted.',
  },
  'zip-not-ofd': { 'zh-CN': '压缩包不是 OFD 文件。', en: 'The zip archive is not an OFD document.' },
  'type-mismatch': {
    'zh-CN': '文件内容与声明的类型不符。',
    en: 'The content does not match the declared type.',
  },
  'type-not-allowed': {
    'zh-CN': '不接受该类型的文件，只接受 PDF、PNG、JPEG 或 OFD。',
    en: 'This type is not accepted; only PDF, PNG, JPEG and OFD are.',
  },
};

export function rejectedFile(
  ctx: RequestContext,
  reason: RejectReason,
  declared?: string,
  actual?: string,
): DomainError {
  const lang = ctx.language === 'en' ? 'en' : 'zh-CN';
  let text = REASONS[reason][lang];
  if (declared && actual)
    text +=
      lang === 'en' ? ` (declared ${declared}, content ${actual})` : `（声明 ${declared}，内容 ${actual}）`;
  return new DomainError(ErrorCode.FileRejected, { reason: text });
}

export function attachedError(ctx: RequestContext): DomainError {
  return new DomainError(ErrorCode.InvalidState, {
    reason: ctx.language === 'en' ? 'the file is attached to a record' : '该文件已附加到办件材料中',
  });
}

export function toStoredFileDto(f: StoredFile): StoredFileDto {
  return {
    id: f.id,
    name: f.name,
    contentType: f.contentType,
    size: f.size,
    sha256: f.sha256,
    createdAt: f.createdAt.toISOString(),
  };
}

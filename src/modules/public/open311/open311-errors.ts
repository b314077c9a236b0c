import { declareErrorCodes, declareTerms } from '../../../api/errors/error-registry';
import type { ErrorDialect } from '../../../api/errors/exception.filter';
import type { Problem } from '../../../api/errors/problem';
import { errorsDoc, Open311ErrorItem, SHAPES } from './open311-documents';
import { CONTENT_TYPES, encode, Open311Format } from './open311-wire';

/** zh-CN texts name the arguments through placeholders: callers type them as written. */
export const Open311Error = declareErrorCodes({
  JurisdictionUnknown: {
    code: 'OPEN311_JURISDICTION_UNKNOWN',
    status: 404,
    'zh-CN': { title: '未找到该辖区', detail: '本端点不服务 {argument} 所指的辖区。' },
    en: { title: 'Jurisdiction not found', detail: 'This endpoint does not serve the {argument} given.' },
  },
  ApiKeyRequired: {
    code: 'OPEN311_API_KEY_REQUIRED',
    status: 403,
    'zh-CN': { title: '缺少接口密钥', detail: '提交须带集成方的接口密钥 {argument}。' },
    en: { title: 'api_key missing', detail: 'An integrator {argument} is required to submit.' },
  },
  ApiKeyInvalid: {
    code: 'OPEN311_API_KEY_INVALID',
    status: 403,
    'zh-CN': { title: '接口密钥无效', detail: '{argument} 无效、已吊销、已过期，或未被授予 {scope} 权限。' },
    en: {
      title: 'Invalid api_key',
      detail: 'The {argument} is invalid, revoked or expired, or lacks the {scope} scope.',
    },
  },
  FormRequired: {
    code: 'OPEN311_FORM_REQUIRED',
    status: 400,
    'zh-CN': { title: '请求体格式不符', detail: '提交的请求体须为 {mediaType}。' },
    en: { title: 'Form body required', detail: 'Bodies of these calls must be {mediaType}.' },
  },
});

declareTerms({
  open311Service: { 'zh-CN': '服务类型', en: 'service type' },
  open311Request: { 'zh-CN': '服务请求', en: 'service request' },
  open311Token: { 'zh-CN': '受理凭证', en: 'token' },
  open311Format: { 'zh-CN': '输出格式', en: 'format' },
});

export const OPEN311_PREFIX = '/open311/v2';

/** The format a path asks for by its suffix; XML (the required format) when it names none. */
export function formatOfPath(path: string): Open311Format {
  return /\.json$/i.test(path) ? 'json' : 'xml';
}

/**
 * The spec's HTTP statuses: 404 for what does not exist, 403 for a missing or wrong key (a
 * refused credential of any kind), 400 for every other refusal; the body's code keeps the
 * platform's more specific status (413, 415, 405, 409, 422 …), as the spec allows.
 */
export function open311Status(status: number): number {
  if (status === 404) return 404;
  if (status === 401 || status === 403) return 403;
  return 400;
}

/** One error per field the refusal names (`service_code: …`), else one with the problem's detail. */
export function errorItems(problem: Problem): Open311ErrorItem[] {
  const code = problem.status === 401 ? 403 : problem.status;
  if (!problem.errors?.length) return [{ code, description: problem.detail }];
  return problem.errors.map((e) => ({ code, description: `${fieldName(e.pointer)}: ${e.message}` }));
}

/** `/attribute[WHISPAWN]` → `attribute[WHISPAWN]`; a JSON pointer's escapes undone. */
function fieldName(pointer: string): string {
  const name = pointer.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~');
  return name || 'request';
}

export const open311ErrorDialect: ErrorDialect = {
  prefix: OPEN311_PREFIX,
  render(problem: Problem, path: string) {
    const format = formatOfPath(path);
    return {
      status: open311Status(problem.status),
      contentType: CONTENT_TYPES[format],
      body: encode(format, errorsDoc(errorItems(problem)), SHAPES.errors),
    };
  },
};

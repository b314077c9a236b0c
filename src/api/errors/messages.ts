import type { Language } from '../context/request-context';
import { ErrorCode, ErrorCodeName } from './error-code';
import { errorRegistry } from './error-registry';

type Text = { title: string; detail: string };

/** Titles and details per language; `{name}` placeholders are filled from DomainError.params. */
export const MESSAGES: Record<Language, Record<ErrorCode, Text>> = {
  'zh-CN': {
    VALIDATION_FAILED: { title: '请求参数校验失败', detail: '请求中有 {count} 处不符合要求，详见 errors。' },
    MALFORMED_JSON: { title: '请求体不是合法的 JSON', detail: '请求体无法解析为 JSON。' },
    UNSUPPORTED_MEDIA_TYPE: { title: '不支持的内容类型', detail: '请以 application/json 发送请求体。' },
    PAYLOAD_TOO_LARGE: { title: '请求体过大', detail: '请求体超过 {limit} 字节的上限。' },
    BODY_TOO_COMPLEX: {
      title: '请求体结构过于复杂',
      detail: '请求体在 {pointer} 处超出结构上限（{setting} = {limit}），请精简后重试。',
    },
    INVALID_CURSOR: { title: '分页游标无效', detail: '分页游标无效或已过期，请从第一页重新获取。' },
    ROUTE_NOT_FOUND: { title: '接口不存在', detail: '没有与 {method} {path} 对应的接口。' },
    METHOD_NOT_ALLOWED: {
      title: '不支持该请求方法',
      detail: '{path} 不支持 {method}，允许的方法：{allow}。',
    },
    NOT_FOUND: { title: '资源不存在', detail: '未找到该{resource}，或您无权访问。' },
    UNAUTHENTICATED: { title: '需要登录', detail: '此操作需要有效的访问令牌。' },
    INVALID_TOKEN: { title: '访问令牌无效', detail: '访问令牌无效、已过期或已被撤销。' },
    FORBIDDEN: { title: '无权操作', detail: '您没有执行此操作的权限。' },
    CONFLICT: { title: '数据冲突', detail: '{reason}' },
    PRECONDITION_FAILED: {
      title: '数据已被修改',
      detail: '资源已被他人修改（If-Match 不匹配），请重新获取后再提交。',
    },
    PRECONDITION_REQUIRED: {
      title: '缺少 If-Match',
      detail: '修改此资源须携带 If-Match 请求头（取自 ETag）。',
    },
    IDEMPOTENCY_KEY_INVALID: {
      title: '幂等键无效',
      detail: 'Idempotency-Key 须为 1 至 255 个字母、数字、连字符或下划线。',
    },
    IDEMPOTENCY_KEY_REUSED: {
      title: '幂等键已用于其他请求',
      detail: '该 Idempotency-Key 已用于内容不同的请求。',
    },
    IDEMPOTENCY_KEY_IN_FLIGHT: {
      title: '相同请求正在处理',
      detail: '使用该 Idempotency-Key 的请求仍在处理中，请稍后重试。',
    },
    RATE_LIMITED: { title: '请求过于频繁', detail: '请在 {retryAfter} 秒后重试。' },
    QUERY_TOO_COMPLEX: { title: '查询过于复杂', detail: '{reason}' },
    INVALID_CREDENTIALS: { title: '账号或密码错误', detail: '账号或密码错误。' },
    ACCOUNT_NOT_VERIFIED: { title: '账号尚未验证', detail: '请先输入发送到您手机或邮箱的验证码完成注册。' },
    ACCOUNT_DISABLED: { title: '账号已停用', detail: '该账号已停用，如有疑问请联系客服。' },
    IDENTITY_ASSURANCE_REQUIRED: {
      title: '需要实名认证',
      detail:
        '办理该事项须经实名认证：请使用国家网络身份认证登录，或携带身份证到政务服务窗口核验身份后再提交。',
    },
    SECOND_FACTOR_REQUIRED: {
      title: '需要动态口令',
      detail: '此账号须同时提供身份验证器生成的 6 位动态口令（totp）。',
    },
    SECOND_FACTOR_ENROLMENT_REQUIRED: {
      title: '需要先绑定身份验证器',
      detail: '您的角色须使用动态口令登录：请先绑定身份验证器（双因素认证），再执行此操作。',
    },
    INVALID_REFRESH_TOKEN: { title: '刷新令牌无效', detail: '刷新令牌无效、已过期或已被撤销，请重新登录。' },
    VERIFICATION_CODE_INVALID: {
      title: '验证码错误或已失效',
      detail: '验证码错误、已过期或尝试次数过多，请重新获取验证码。',
    },
    INVALID_STATE: { title: '当前状态不允许此操作', detail: '{reason}' },
    INVALID_TRANSITION: { title: '当前环节不能执行此操作', detail: '{reason}' },
    SEPARATION_OF_DUTIES: { title: '违反不相容岗位分离', detail: '{reason}' },
    FILE_REJECTED: { title: '文件不被接受', detail: '{reason}' },
    OIDC_STATE_INVALID: {
      title: '登录请求无效或已过期',
      detail: '该登录请求不存在、已使用或已超过 10 分钟，请重新发起登录。',
    },
    OIDC_PROVIDER_ERROR: { title: '身份认证服务拒绝了登录', detail: '身份认证服务返回错误：{error}。' },
    OIDC_ID_TOKEN_INVALID: {
      title: '身份认证结果无效',
      detail: '身份认证服务返回的身份令牌未通过校验（签发方、受众、随机数、签名或有效期），请重新登录。',
    },
    OIDC_ACR_NOT_MET: {
      title: '身份认证等级不足',
      detail:
        '身份认证服务未以要求的认证等级（{required}）完成认证，本次登录未被接受，请使用更高等级的方式重新认证。',
    },
    OIDC_CODE_INVALID: {
      title: '登录凭证无效或已过期',
      detail: '该一次性登录凭证不存在、已使用、已超过有效期，或不是由发起登录的浏览器提交，请重新登录。',
    },
    AUDIT_CHECKPOINT_REJECTED: {
      title: '检查点签名无效',
      detail: '该检查点未通过所信任日志密钥的签名校验：{reason}',
    },
    AUDIT_WITNESS_CONFLICT: {
      title: '检查点与已见证的记录不一致',
      detail: '见证方拒绝该检查点（回滚或分叉）：{reason}',
    },
    SERVICE_UNAVAILABLE: { title: '服务暂不可用', detail: '服务暂时不可用，请稍后重试。' },
    INTERNAL: {
      title: '服务器内部错误',
      detail: '服务器处理请求时出错，请凭请求编号 {requestId} 联系管理员。',
    },
  },
  en: {
    VALIDATION_FAILED: {
      title: 'Request validation failed',
      detail: '{count} problem(s) in the request; see errors.',
    },
    MALFORMED_JSON: { title: 'Malformed JSON', detail: 'The request body could not be parsed as JSON.' },
    UNSUPPORTED_MEDIA_TYPE: {
      title: 'Unsupported media type',
      detail: 'Send the request body as application/json.',
    },
    PAYLOAD_TOO_LARGE: {
      title: 'Payload too large',
      detail: 'The request body exceeds the limit of {limit} bytes.',
    },
    BODY_TOO_COMPLEX: {
      title: 'Request body too complex',
      detail: 'The request body exceeds a structure limit at {pointer} ({setting} = {limit}).',
    },
    INVALID_CURSOR: {
      title: 'Invalid cursor',
      detail: 'The page cursor is invalid; start again from the first page.',
    },
    ROUTE_NOT_FOUND: { title: 'No such endpoint', detail: 'No endpoint matches {method} {path}.' },
    METHOD_NOT_ALLOWED: {
      title: 'Method not allowed',
      detail: '{path} does not support {method}; allowed: {allow}.',
    },
    NOT_FOUND: { title: 'Not found', detail: 'The {resource} was not found or you may not access it.' },
    UNAUTHENTICATED: {
      title: 'Authentication required',
      detail: 'This operation needs a valid access token.',
    },
    INVALID_TOKEN: { title: 'Invalid token', detail: 'The access token is invalid, expired or revoked.' },
    FORBIDDEN: { title: 'Forbidden', detail: 'You do not have permission for this operation.' },
    CONFLICT: { title: 'Conflict', detail: '{reason}' },
    PRECONDITION_FAILED: {
      title: 'Precondition failed',
      detail: 'The resource was changed (If-Match did not match); fetch it again.',
    },
    PRECONDITION_REQUIRED: {
      title: 'Precondition required',
      detail: 'Updating this resource requires an If-Match header (from its ETag).',
    },
    IDEMPOTENCY_KEY_INVALID: {
      title: 'Invalid Idempotency-Key',
      detail: 'Idempotency-Key must be 1 to 255 letters, digits, hyphens or underscores.',
    },
    IDEMPOTENCY_KEY_REUSED: {
      title: 'Idempotency-Key reused',
      detail: 'This Idempotency-Key was used for a request with a different body.',
    },
    IDEMPOTENCY_KEY_IN_FLIGHT: {
      title: 'Request in progress',
      detail: 'A request with this Idempotency-Key is still being processed; retry later.',
    },
    RATE_LIMITED: { title: 'Too many requests', detail: 'Retry after {retryAfter} seconds.' },
    QUERY_TOO_COMPLEX: { title: 'Query too complex', detail: '{reason}' },
    INVALID_CREDENTIALS: { title: 'Invalid credentials', detail: 'The account or password is incorrect.' },
    ACCOUNT_NOT_VERIFIED: {
      title: 'Account not verified',
      detail: 'Enter the code sent to your phone or e-mail to finish registering first.',
    },
    ACCOUNT_DISABLED: {
      title: 'Account disabled',
      detail: 'This account has been disabled; contact support if you think this is wrong.',
    },
    IDENTITY_ASSURANCE_REQUIRED: {
      title: 'Verified identity required',
      detail:
        'This service needs a verified real name: sign in with the national eID, or have your identity card checked at a service counter, then submit again.',
    },
    SECOND_FACTOR_REQUIRED: {
      title: 'One-time code required',
      detail: 'This account also needs the 6-digit code from its authenticator app (totp).',
    },
    SECOND_FACTOR_ENROLMENT_REQUIRED: {
      title: 'Second factor enrolment required',
      detail: 'Your role requires two-factor sign-in: enrol an authenticator app before doing this.',
    },
    INVALID_REFRESH_TOKEN: {
      title: 'Invalid refresh token',
      detail: 'The refresh token is invalid, expired or revoked; sign in again.',
    },
    VERIFICATION_CODE_INVALID: {
      title: 'Invalid or expired code',
      detail: 'The code is wrong, expired or was tried too often; request a new one.',
    },
    INVALID_STATE: { title: 'Operation not allowed in this state', detail: '{reason}' },
    INVALID_TRANSITION: { title: 'Action not allowed at this step', detail: '{reason}' },
    SEPARATION_OF_DUTIES: { title: 'Separation of duties', detail: '{reason}' },
    FILE_REJECTED: { title: 'File not accepted', detail: '{reason}' },
    OIDC_STATE_INVALID: {
      title: 'Invalid or expired sign-in request',
      detail:
        'The sign-in request is unknown, already used or older than 10 minutes; start signing in again.',
    },
    OIDC_PROVIDER_ERROR: {
      title: 'The identity provider refused the sign-in',
      detail: 'The identity provider answered with the error {error}.',
    },
    OIDC_ID_TOKEN_INVALID: {
      title: 'Invalid identity token',
      detail:
        'The ID token from the identity provider failed validation (issuer, audience, nonce, signature or expiry); sign in again.',
    },
    OIDC_ACR_NOT_MET: {
      title: 'Authentication level too low',
      detail:
        'The identity provider did not authenticate at a required level ({required}); the sign-in was not accepted. Authenticate again at a higher level.',
    },
    OIDC_CODE_INVALID: {
      title: 'Invalid or expired sign-in code',
      detail:
        'The one-time sign-in code is unknown, already used, expired, or not sent by the browser that started the sign-in; sign in again.',
    },
    AUDIT_CHECKPOINT_REJECTED: {
      title: 'Checkpoint signature not accepted',
      detail: 'The checkpoint is not signed by the trusted key of its log: {reason}',
    },
    AUDIT_WITNESS_CONFLICT: {
      title: 'Checkpoint inconsistent with the witnessed one',
      detail: 'The witness refuses the checkpoint (a rollback or a fork): {reason}',
    },
    SERVICE_UNAVAILABLE: {
      title: 'Service unavailable',
      detail: 'The service is temporarily unavailable; retry later.',
    },
    INTERNAL: {
      title: 'Internal error',
      detail: 'The server failed to handle the request; quote request id {requestId}.',
    },
  },
};

/** Field-level validation messages in Chinese, keyed by class-validator constraint name. */
export const FIELD_ZH: Record<string, string> = {
  whitelistValidation: '不允许的字段',
  isDefined: '必填',
  isNotEmpty: '不能为空',
  isString: '须为字符串',
  isInt: '须为整数',
  isNumber: '须为数字',
  isBoolean: '须为布尔值',
  isEmail: '须为有效的电子邮箱',
  isUuid: '须为 UUID',
  isUUID: '须为 UUID',
  isEnum: '取值不在允许范围内',
  isIn: '取值不在允许范围内',
  isDateString: '须为 ISO 8601 日期',
  isISO8601: '须为 ISO 8601 日期',
  isInstant: '须为 ISO 8601 日期时间，如 2025-06-01T08:00:00Z',
  isUrl: '须为有效的网址',
  isArray: '须为数组',
  isObject: '须为对象',
  min: '小于允许的最小值',
  max: '大于允许的最大值',
  minLength: '长度不足',
  maxLength: '长度超出上限',
  length: '长度不符合要求',
  arrayMaxSize: '元素个数超出上限',
  arrayMinSize: '元素个数不足',
  matches: '格式不正确',
  isMobilePhone: '须为有效的手机号',
  nestedValidation: '须为对象',
  exactlyOneContact: '须且只能提供手机号或电子邮箱其中之一',
  passwordPolicy: '密码须为 8 至 128 个字符，且不能全为同一类字符（小写字母、大写字母、数字、其他符号）',
  commonPassword: '密码过于常见，请换一个',
  passwordContainsLogin: '密码不能包含手机号或邮箱',
  passwordReused: '新密码不能与当前密码相同',
  currentPasswordIncorrect: '当前密码不正确',
  isNationalId: '须为有效的 18 位公民身份号码',
  isUnifiedSocialCreditCode: '须为有效的 18 位统一社会信用代码',
  businessOnly: '仅企业账号可填写',
  identityVerified: '已通过实名认证，不能修改（如有误，请到政务服务窗口重新核验）',
  maxDepth: '嵌套层级超出上限',
  maxKeysPerObject: '对象的成员数超出上限',
  maxArrayLength: '数组的元素个数超出上限',
  maxMembers: '请求体的成员总数超出上限',
  usableText: '须为合法的 Unicode 文本，且不能包含空字符（U+0000）',
  // e-licences (licence-rules.ts)
  licenceText: '须为不超过规定长度的文本，不得含控制字符或公民身份号码',
  licenceFields: '证照内容至多 50 项，项名不超过 100 个字符，内容不超过 500 个字符，且不得含公民身份号码',
  calendarDate: '须为 YYYY-MM-DD 格式的有效日期',
  holderId: '须为有效的公民身份号码或统一社会信用代码',
  notBeforeValidFrom: '不得早于生效日期',
  noNationalId: '不得含公民身份号码（证照内容公开可查）',
  isText: '不得含控制字符',
  maxProperties: '项数超出上限',
};

/**
 * Words services pass as message parameters (the resource of NOT_FOUND, a few fixed reasons), in
 * each language: without this a zh-CN caller read "未找到该service". A parameter equal to a key
 * here is replaced; messages.spec.ts checks that every notFound('…') in src has an entry.
 */
export const TERMS: Record<string, Record<Language, string>> = {
  account: { 'zh-CN': '账号', en: 'account' },
  'api key': { 'zh-CN': 'API 密钥', en: 'API key' },
  attachment: { 'zh-CN': '附件', en: 'attachment' },
  'audit leaf': { 'zh-CN': '审计记录', en: 'audit record' },
  authorisation: { 'zh-CN': '授权', en: 'authorisation' },
  case: { 'zh-CN': '办件', en: 'case' },
  'channel identity': { 'zh-CN': '渠道身份', en: 'channel identity' },
  client: { 'zh-CN': '接入应用', en: 'client' },
  delegation: { 'zh-CN': '委托', en: 'delegation' },
  'event delivery': { 'zh-CN': '事件投递', en: 'event delivery' },
  file: { 'zh-CN': '文件', en: 'file' },
  licence: { 'zh-CN': '证照', en: 'licence' },
  oidc: { 'zh-CN': '统一身份认证登录配置', en: 'single sign-on configuration' },
  organisation: { 'zh-CN': '机构', en: 'organisation' },
  region: { 'zh-CN': '地区', en: 'region' },
  'role assignment': { 'zh-CN': '角色分配', en: 'role assignment' },
  service: { 'zh-CN': '事项', en: 'service' },
  task: { 'zh-CN': '待办任务', en: 'task' },
  'witnessed log': { 'zh-CN': '见证日志', en: 'witnessed log' },
  workflow: { 'zh-CN': '流程', en: 'workflow' },
  duplicate: { 'zh-CN': '该记录已存在。', en: 'The record already exists.' },
  'still referenced': {
    'zh-CN': '该记录仍被其他记录引用，不能删除。',
    en: 'Other records still refer to this one; it cannot be deleted.',
  },
  'not present': { 'zh-CN': '引用的记录不存在。', en: 'A record this refers to does not exist.' },
  'concurrent update; retry': {
    'zh-CN': '数据正被同时修改，请重试。',
    en: 'The data was changed concurrently; retry.',
  },
  'could not allocate a key id; retry': {
    'zh-CN': '未能分配密钥编号，请重试。',
    en: 'Could not allocate a key id; retry.',
  },
};

export function localize(lang: Language, code: ErrorCodeName, params: Record<string, string | number>): Text {
  // Built-in codes from the tables above; a module's own codes from their declaration.
  const t =
    MESSAGES[lang][code as ErrorCode] ?? errorRegistry.text(lang, code) ?? MESSAGES[lang][ErrorCode.Internal];
  const param = (k: string): string => {
    const v = String(params[k] ?? '');
    return Object.hasOwn(TERMS, v) ? TERMS[v][lang] : (errorRegistry.term(lang, v) ?? v);
  };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => param(k));
  return { title: fill(t.title), detail: fill(t.detail) };
}

export function fieldMessage(lang: Language, constraint: string, english: string): string {
  return lang === 'zh-CN' ? (FIELD_ZH[constraint] ?? english) : english;
}

/** Accept-Language negotiation between the two supported languages; zh-CN is the default. */
export function negotiateLanguage(header: string | undefined): 'zh-CN' | 'en' {
  if (!header) return 'zh-CN';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

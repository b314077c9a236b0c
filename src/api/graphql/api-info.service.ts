import { Injectable } from '@nestjs/common';
import type { Language, RequestContext } from '../context/request-context';
import { ApiInfo } from './api-info.dto';

const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];
const TITLES: Record<Language, string> = {
  'zh-CN': 'OneWindow 一网通办政务服务接口',
  en: 'OneWindow e-government API',
};

@Injectable()
export class ApiInfoService {
  describe(ctx: RequestContext): ApiInfo {
    return {
      name: 'OneWindow',
      title: TITLES[ctx.language],
      version: '1',
      languages: [...LANGUAGES],
      language: ctx.language,
    };
  }
}

import { Logger } from '@nestjs/common';
import { GraphQLError, GraphQLFormattedError, parse } from 'graphql';
import { contextStore } from '../context/context-store';
import { RequestContext } from '../context/request-context';
import { formatGraphqlError } from './format-error';
import { QueryLimitError } from './limits';

const fmt = (e: GraphQLError): GraphQLFormattedError => formatGraphqlError(e.toJSON(), e);

describe('formatGraphqlError', () => {
  it('keeps the code and problem fields of errors rendered from a DomainError, dropping anything else', () => {
    const e = new GraphQLError('未找到该机构，或您无权访问。', {
      path: ['organisation'],
      extensions: {
        code: 'NOT_FOUND',
        status: 404,
        type: 'https://onewindow.dev/problems/not-found',
        title: '资源不存在',
        stacktrace: ['at x'],
        exception: { secret: 1 },
      },
    });
    expect(fmt(e)).toEqual({
      message: '未找到该机构，或您无权访问。',
      path: ['organisation'],
      extensions: {
        code: 'NOT_FOUND',
        status: 404,
        type: 'https://onewindow.dev/problems/not-found',
        title: '资源不存在',
      },
    });
  });

  it('keeps field errors of VALIDATION_FAILED', () => {
    const errors = [{ pointer: '/first', code: 'max', message: 'first must not be greater than 100' }];
    const e = new GraphQLError('1 problem(s)', {
      extensions: { code: 'VALIDATION_FAILED', status: 400, type: 't', title: 'x', errors },
    });
    expect(fmt(e).extensions?.errors).toEqual(errors);
  });

  it('turns unknown errors into INTERNAL without their message or stack, logging the cause', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const cause = new Error('password=hunter2 at db.ts:12');
    const e = new GraphQLError(cause.message, {
      originalError: cause,
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: cause.stack?.split('\n') },
    });
    const out = fmt(e);
    expect(out.extensions).toEqual({
      code: 'INTERNAL',
      status: 500,
      type: 'https://onewindow.dev/problems/internal',
      title: '服务器内部错误',
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|db\.ts|stacktrace/);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ err: cause }), 'graphql request failed');
    log.mockRestore();
  });

  it('maps graphql request errors to VALIDATION_FAILED and limit errors to QUERY_TOO_COMPLEX in the caller language', () => {
    const syntax = new GraphQLError('Syntax Error: Expected Name, found <EOF>.', {
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    expect(fmt(syntax)).toMatchObject({
      message: 'Syntax Error: Expected Name, found <EOF>.',
      extensions: { code: 'VALIDATION_FAILED', status: 400 },
    });

    const wrapped = new GraphQLError('whatever', {
      originalError: new QueryLimitError('depth', 10, 31),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const en = contextStore.run(new RequestContext('r1', 'en'), () => fmt(wrapped));
    expect(en).toEqual({
      message: 'Query depth 31 exceeds the limit of 10.',
      extensions: {
        code: 'QUERY_TOO_COMPLEX',
        status: 400,
        type: 'https://onewindow.dev/problems/query-too-complex',
        title: 'Query too complex',
      },
    });
    expect(fmt(wrapped).message).toBe('查询嵌套深度 31 超过上限 10。');

    // graphql-js's own wording, whatever it is in the installed version
    let parseError: GraphQLError | undefined;
    try {
      parse('{ a b c }', { maxTokens: 3 });
    } catch (e) {
      parseError = e as GraphQLError;
    }
    const tokens = new GraphQLError(parseError!.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    expect(fmt(tokens)).toMatchObject({
      message: '查询超过 2000 个词法单元的上限。',
      extensions: { code: 'QUERY_TOO_COMPLEX' },
    });
  });
});

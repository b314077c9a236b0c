import { Logger } from '@nestjs/common';
import { NotificationChannel } from './notification.entity';
import { renderTemplate, secretParamsOf } from './templates';
import { LogTransport } from './transport';

describe('notification templates and the log transport', () => {
  it('renders in both languages and marks the code as secret', () => {
    expect(renderTemplate('auth.verify-contact', 'zh-CN', { code: '123456', minutes: 10 }).text).toContain(
      '123456',
    );
    expect(renderTemplate('auth.verify-contact', 'en', { code: '123456', minutes: 10 }).text).toMatch(
      /123456.*10 minutes/,
    );
    expect(secretParamsOf('auth.password-reset')).toEqual(['code']);
    expect(secretParamsOf('auth.account-exists')).toEqual([]);
  });

  it('logs the text with the address masked', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await new LogTransport().send({
      id: 'x',
      channel: NotificationChannel.Sms,
      recipient: '13800138000',
      subject: 's',
      text: 'code 123456',
      template: 'auth.verify-contact',
      language: 'en',
    });
    expect(log).toHaveBeenCalledWith(expect.stringContaining('code 123456'));
    expect(log).toHaveBeenCalledWith(expect.stringContaining('138****8000'));
    expect(log).not.toHaveBeenCalledWith(expect.stringContaining('13800138000'));
    log.mockRestore();
  });
});

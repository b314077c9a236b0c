import { Logger } from '@nestjs/common';
import { NotificationChannel } from './notification.entity';
import { renderTemplate, secretParamsOf, toHtml } from './templates';
import { ChannelRouter, LogTransport, PermanentDeliveryError } from './transport';

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

describe('templates per channel', () => {
  const params = { serviceName: 'A&B <x>', reference: 'R1', status: 'ok' };

  it('uses the channel text when there is one, the default text otherwise, and zh-CN as fallback', () => {
    expect(renderTemplate('application.status_changed', 'zh-CN', params, 'sms').text).toBe(
      '【OneWindow】您的办件 R1 状态已更新为：ok。',
    );
    // the SMS text has no subject of its own: the default one is used
    expect(renderTemplate('application.status_changed', 'en', params, 'sms').subject).toBe(
      'Application update: A&B <x>',
    );
    expect(renderTemplate('application.status_changed', 'en', params, 'inapp').text).toContain('"A&B <x>"');
    expect(renderTemplate('licence.issued', 'fr' as 'en', { licenceName: 'L' }).subject).toBe(
      '电子证照已签发：L',
    );
  });

  it('leaves missing params empty and never evaluates names from the prototype', () => {
    expect(renderTemplate('licence.issued', 'en', {}).subject).toBe('E-licence issued: ');
    expect(renderTemplate('licence.issued', 'en', {}).text).not.toMatch(/\{|function|object/);
  });

  it('escapes params in the HTML part', () => {
    const r = renderTemplate('application.status_changed', 'en', {
      ...params,
      status: '<script>"x"</script>',
    });
    const html = toHtml(r, 'en');
    expect(html).toContain('A&amp;B &lt;x&gt;');
    expect(html).toContain('&lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<html lang="en">');
  });
});

describe('ChannelRouter', () => {
  it('sends SMS through the provider and refuses channels without a sender permanently', async () => {
    const sent: string[] = [];
    const router = new ChannelRouter(null, {
      send: (phone, text) => (sent.push(`${phone}:${text}`), Promise.resolve()),
    });
    const m = { id: 'x', recipient: '13800138000', subject: 's', text: 't', template: 'x', language: 'en' };
    await router.send({ ...m, channel: NotificationChannel.Sms });
    expect(sent).toEqual(['13800138000:t']);
    await expect(router.send({ ...m, channel: NotificationChannel.Email })).rejects.toBeInstanceOf(
      PermanentDeliveryError,
    );
  });
});

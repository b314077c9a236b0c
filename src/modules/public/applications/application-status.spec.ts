import { eventText, statusAfter, statusLabel } from './application-status';
import { ApplicationStatus as S } from './application.entity';

describe('applicant status after an engine transition', () => {
  const open = { accepted: false };
  const accepted = { accepted: true };

  it('follows the main path', () => {
    expect(statusAfter(S.Submitted, 'started', open)).toBe(S.Submitted);
    expect(statusAfter(S.Submitted, 'accept', accepted)).toBe(S.Accepted);
    expect(statusAfter(S.Accepted, 'decide', { accepted: true, decision: 'approved' })).toBe(S.Approved);
    expect(statusAfter(S.Approved, 'issue', accepted)).toBe(S.Issued);
    expect(statusAfter(S.Issued, 'deliver', accepted)).toBe(S.Delivered);
    expect(statusAfter(S.Delivered, 'close', accepted)).toBe(S.Completed);
  });

  it('returns to where it was after a supplement or a special procedure', () => {
    expect(statusAfter(S.Submitted, 'request_supplement', open)).toBe(S.SupplementRequired);
    expect(statusAfter(S.SupplementRequired, 'supplement_answered', open)).toBe(S.Submitted);
    expect(statusAfter(S.SupplementRequired, 'supplement_answered', accepted)).toBe(S.Accepted);
    expect(statusAfter(S.Accepted, 'suspend', accepted)).toBe(S.Suspended);
    expect(statusAfter(S.Suspended, 'resume', accepted)).toBe(S.Accepted);
  });

  it('keeps denials and refusals when the case closes, and ignores internal steps', () => {
    expect(statusAfter(S.Accepted, 'decide', { accepted: true, decision: 'denied' })).toBe(S.Denied);
    expect(statusAfter(S.Denied, 'close', accepted)).toBeNull();
    expect(statusAfter(S.Submitted, 'refuse', open)).toBe(S.Refused);
    expect(statusAfter(S.Refused, 'close', open)).toBeNull();
    for (const e of [
      'advance',
      'return',
      'transfer',
      'approve',
      'disapprove',
      'request_extension',
      'escalated',
    ])
      expect(statusAfter(S.Accepted, e, accepted)).toBeNull();
    expect(statusAfter(S.Accepted, 'withdrawn', accepted)).toBe(S.Withdrawn);
  });

  it('has texts in both languages for every status and a fallback for unknown events', () => {
    for (const s of Object.values(S)) {
      expect(statusLabel(s, 'zh-CN')).toBeTruthy();
      expect(statusLabel(s, 'en')).toBeTruthy();
    }
    expect(eventText('accept', 'en')).toBe('Application accepted');
    expect(eventText('something_new', 'zh-CN')).toBe('办理进度更新');
  });
});

import { ConsultationStatus } from './consultation.entity';
import { followUpRefusal } from './consultations.service';

describe('followUpRefusal', () => {
  const answeredAt = new Date('2026-03-01T08:00:00.000Z');
  const day = 86_400_000;
  const answered = { status: ConsultationStatus.Answered, followUps: 0, answeredAt };

  it('allows a follow-up of an answered consultation within 30 days', () => {
    expect(followUpRefusal(answered, new Date(answeredAt.getTime() + 30 * day))).toBeNull();
  });

  it('refuses while the previous question waits for its answer', () => {
    expect(followUpRefusal({ ...answered, status: ConsultationStatus.Open }, answeredAt)?.en).toMatch(
      /not answered/,
    );
    expect(followUpRefusal({ ...answered, answeredAt: null }, answeredAt)?.en).toMatch(/not answered/);
  });

  it('refuses a fourth follow-up and one more than 30 days after the answer', () => {
    expect(followUpRefusal({ ...answered, followUps: 3 }, answeredAt)?.en).toMatch(/at most 3/);
    expect(followUpRefusal(answered, new Date(answeredAt.getTime() + 30 * day + 1))?.['zh-CN']).toMatch(
      /30 天/,
    );
  });
});

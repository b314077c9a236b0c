import { queryTerms, terms, termsColumn } from './search-terms';

describe('catalogue search terms', () => {
  it('segments Chinese into words and Han bigrams, lower-cases Latin words', () => {
    const t = terms('个体工商户登记 Business Licence');
    expect(t).toEqual(expect.arrayContaining(['登记', '工商', '商户', 'business', 'licence']));
    expect(t).not.toContain(' ');
  });

  it('builds a space-delimited column that strpos matches exactly by whole term', () => {
    const col = termsColumn(['办理营业执照', null, '开办企业']);
    expect(col.startsWith(' ') && col.endsWith(' ')).toBe(true);
    for (const q of queryTerms('营业执照')) expect(col.includes(q)).toBe(true);
    expect(col.includes(' 营业执照办 ')).toBe(false);
    expect(termsColumn([])).toBe('');
  });

  it('caps query terms and ignores punctuation', () => {
    expect(queryTerms('，。！')).toEqual([]);
    expect(queryTerms(Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ')).length).toBe(20);
  });
});

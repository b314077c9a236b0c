/**
 * Search terms for Chinese and mixed text without database extensions: Intl.Segmenter words, plus
 * the character bigrams of every Han run (so 工商 finds 工商户 whatever the segmenter chose), lower-cased.
 * Stored as ` term term ` so a term matches with strpos(' ' || term || ' ') on PGlite and PostgreSQL alike.
 */
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
const HAN_RUN = /\p{Script=Han}{2,}/gu;
const MAX_TERM = 40;

export function terms(text: string): string[] {
  const out = new Set<string>();
  const normalised = text.normalize('NFKC').toLowerCase();
  for (const s of segmenter.segment(normalised)) {
    const word = s.segment.trim();
    if (s.isWordLike && word && word.length <= MAX_TERM) out.add(word);
  }
  for (const run of normalised.match(HAN_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
  }
  return [...out];
}

/** The column value: every term once, space-delimited with spaces at both ends. */
export function termsColumn(texts: (string | null | undefined)[]): string {
  const all = new Set<string>();
  for (const t of texts) if (t) for (const term of terms(t)) all.add(term);
  return all.size ? ` ${[...all].join(' ')} ` : '';
}

/** At most 20 distinct terms of a query, each wrapped for strpos. */
export function queryTerms(q: string): string[] {
  return terms(q)
    .slice(0, 20)
    .map((term) => ` ${term} `);
}

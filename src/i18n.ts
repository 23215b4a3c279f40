// The one translation function every user-facing string goes through. The
// English text is the key (gettext style), so a missing translation falls back
// to readable English; `{name}` placeholders are filled from params.
export type Locale = 'en' | 'ko';

const catalogs: Record<Locale, Readonly<Record<string, string>>> = {
  en: {},
  ko: {},
};

export type Params = Readonly<Record<string, string | number>>;

export function translate(locale: Locale, text: string, params?: Params): string {
  const template = catalogs[locale][text] ?? text;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

export type Translate = (text: string, params?: Params) => string;

export function translator(locale: Locale): Translate {
  return (text, params) => translate(locale, text, params);
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** Picks the English singular or plural by the locale's plural rules, then translates it. */
export function translatePlural(locale: Locale, one: string, other: string, n: number, params?: Params): string {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return translate(locale, rules.select(n) === 'one' ? one : other, { n: n.toLocaleString(locale), ...params });
}

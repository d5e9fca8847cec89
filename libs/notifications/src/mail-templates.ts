import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml, parseTemplate, renderNodes, type PartialLookup } from './template-engine';
import { LOCALES, TEMPLATE_NAMES, type DigestPayload, type Locale, type NotificationPayload, type TemplateName } from './notification.types';

type Parsed = ReturnType<typeof parseTemplate>;

interface TemplateSet {
  readonly subject: Parsed;
  readonly html: Parsed;
  readonly text: Parsed;
}

interface Labels {
  readonly levels: Record<string, string>;
  readonly reasonCodes: Record<string, string>;
  readonly grounds: Record<string, string>;
  readonly documentKinds: Record<string, string>;
  readonly templates: Record<string, string>;
}

export interface RenderedMail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

export class TemplateError extends Error {}

const CONTENT_MARKER = '<!-- content -->';
const PARTS = ['subject.txt', 'html', 'txt'] as const;
const PARTIALS = '_partials';

/**
 * The e-mail templates, read once from their directory (MAIL_TEMPLATES_DIR): for each template and
 * locale `<template>/<locale>.subject.txt`, `.html` and `.txt`; `_layout/<locale>.html` wraps every HTML
 * body; `_partials/<name>.<locale>.html` are the pieces HTML bodies share (`{{> name}}`: the details
 * table, the button to the nomination, the greeting), written once per locale; `labels.<locale>.json`
 * names levels, reason codes, grounds and document kinds. A missing or broken file stops the process at
 * start rather than at the first mail.
 */
export class MailTemplates {
  private constructor(
    private readonly sets: ReadonlyMap<string, TemplateSet>,
    private readonly layouts: ReadonlyMap<Locale, Parsed>,
    private readonly labels: ReadonlyMap<Locale, Labels>,
  ) {}

  static load(dir: string): MailTemplates {
    const problems: string[] = [];
    const read = (file: string): string | undefined => {
      try {
        return readFileSync(path.join(dir, file), 'utf8').normalize('NFC');
      } catch {
        problems.push(`${file}: missing or unreadable`);
        return undefined;
      }
    };
    const parse = (file: string, partials?: PartialLookup, trimFinalNewline = false): Parsed | undefined => {
      const text = read(file);
      const source = trimFinalNewline ? text?.replace(/\r?\n$/, '') : text;
      if (source === undefined) return undefined;
      try {
        return parseTemplate(source, file, partials);
      } catch (error) {
        problems.push((error as Error).message);
        return undefined;
      }
    };
    const sets = new Map<string, TemplateSet>();
    const layouts = new Map<Locale, Parsed>();
    const labels = new Map<Locale, Labels>();
    for (const locale of LOCALES) {
      const layout = read(`_layout/${locale}.html`);
      if (layout !== undefined) {
        if (!layout.includes(CONTENT_MARKER)) problems.push(`_layout/${locale}.html: lacks ${CONTENT_MARKER}`);
        layouts.set(locale, parseTemplate(layout, `_layout/${locale}.html`));
      }
      const labelText = read(`labels.${locale}.json`);
      if (labelText !== undefined) {
        try {
          labels.set(locale, JSON.parse(labelText) as Labels);
        } catch (error) {
          problems.push(`labels.${locale}.json: ${(error as Error).message}`);
        }
      }
      const partials = new Map<string, Parsed>();
      for (const entry of safeReaddir(path.join(dir, PARTIALS))) {
        const match = /^([A-Za-z0-9_-]+)\.([a-z]+)\.html$/.exec(entry);
        if (match === null || !(LOCALES as readonly string[]).includes(match[2]!)) {
          if (locale === LOCALES[0]) problems.push(`${PARTIALS}/${entry}: not <name>.<${LOCALES.join('|')}>.html`);
          continue;
        }
        if (match[2] !== locale) continue;
        // A partial's final line break is the file's, not part of the markup it stands for.
        const parsed = parse(`${PARTIALS}/${entry}`, undefined, true);
        if (parsed !== undefined) partials.set(match[1]!, parsed);
      }
      for (const template of TEMPLATE_NAMES) {
        const [subject, html, text] = PARTS.map((part) => parse(`${template}/${locale}.${part}`, part === 'html' ? (name) => partials.get(name) : undefined));
        if (subject && html && text) sets.set(`${template}.${locale}`, { subject, html, text });
      }
    }
    const known = new Set<string>([...TEMPLATE_NAMES, '_layout', PARTIALS]);
    for (const entry of safeReaddir(dir)) {
      if (!entry.endsWith('.json') && !known.has(entry)) problems.push(`${path.join(dir, entry)}: not a known template`);
    }
    if (problems.length > 0) throw new TemplateError(`E-mail templates in ${dir} are not usable:\n  - ${problems.join('\n  - ')}`);
    return new MailTemplates(sets, layouts, labels);
  }

  render(template: TemplateName, locale: Locale, payload: NotificationPayload | DigestPayload, recipientName: string | null): RenderedMail {
    const set = this.sets.get(`${template}.${locale}`)!;
    const view = this.view(template, locale, payload, recipientName);
    const subject = renderNodes(set.subject, view, (s) => s).replace(/\s+/g, ' ').trim();
    const body = renderNodes(set.html, view, escapeHtml);
    const layout = renderNodes(this.layouts.get(locale)!, { ...view, subject }, escapeHtml);
    return { subject, html: layout.replace(CONTENT_MARKER, body), text: renderNodes(set.text, view, (s) => s) };
  }

  private view(template: TemplateName, locale: Locale, payload: NotificationPayload | DigestPayload, recipientName: string | null): Record<string, unknown> {
    const labels = this.labels.get(locale)!;
    const date = (iso: string | undefined): string | undefined => (iso === undefined ? undefined : formatDate(iso, locale));
    const item = (p: NotificationPayload, itemTemplate: TemplateName): Record<string, unknown> => ({
      title: labels.templates[itemTemplate] ?? itemTemplate,
      nomineeName: p.nomineeName,
      awardName: p.awardName[locale],
      year: p.year,
      stageName: p.stage?.unitName,
      stageLevel: p.stage === undefined ? undefined : (labels.levels[p.stage.level] ?? p.stage.level),
      dueOn: date(p.dueOn),
      resubmission: p.resubmission === true,
      reason: p.reason,
      reasonCode: p.reasonCode === undefined ? undefined : (labels.reasonCodes[p.reasonCode] ?? p.reasonCode),
      missing: (p.missing ?? []).map((m) => labels.documentKinds[m] ?? m),
      ground: p.ground === undefined ? undefined : (labels.grounds[p.ground] ?? p.ground),
      decisionNumber: p.decisionNumber,
      signedOn: date(p.signedOn),
      link: p.link,
    });
    const greeting = { recipientName: recipientName ?? undefined };
    if (template === 'daily_digest') {
      const digest = payload as DigestPayload;
      return { ...greeting, digestOn: date(digest.digestOn), digestTime: digest.digestTime, count: digest.items.length, items: digest.items.map((i) => item(i, i.template)), link: digest.link };
    }
    return { ...greeting, ...item(payload as NotificationPayload, template) };
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const EN_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** Vietnamese dates as written on official documents (dd/mm/yyyy); English as "3 April 2023". */
export function formatDate(iso: string, locale: Locale): string {
  if (locale === 'en') return EN_DATE.format(new Date(`${iso}T00:00:00Z`));
  const [y, m, d] = iso.split('-');
  return `${d}/${m}/${y}`;
}

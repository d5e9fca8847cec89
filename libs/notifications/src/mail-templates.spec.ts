import { mkdtempSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MailTemplates, TemplateError, formatDate } from './mail-templates';
import { LOCALES, TEMPLATE_NAMES, type NotificationPayload } from './notification.types';

const DIR = path.resolve('libs/notifications/templates');
const templates = MailTemplates.load(DIR);

const payload: NotificationPayload = {
  nominationId: '5f0c2b9e-8a55-4c1f-9d39-3c7f0f7a1b21',
  nomineeName: 'Trường Tiểu học Chiềng Lao <A&B>',
  awardName: { vi: 'Bằng khen của Chủ tịch UBND tỉnh', en: "Certificate of Merit of the Provincial People's Committee Chairman" },
  year: 2022,
  stage: { unit: '120', unitName: 'Huyện Mường La', level: 'district' },
  dueOn: '2023-04-03',
  reason: 'Thiếu biên bản họp Hội đồng',
  reasonCode: 'standard_not_met',
  missing: ['council_minutes', 'Bản sao giấy khen năm trước'],
  ground: 'false_declaration',
  decisionNumber: '125/QĐ-UBND',
  signedOn: '2023-03-24',
  link: 'https://khenthuong.sonla.gov.vn/nominations/5f0c2b9e-8a55-4c1f-9d39-3c7f0f7a1b21',
};

describe('e-mail templates (files under libs/notifications/templates)', () => {
  it.each(TEMPLATE_NAMES.flatMap((t) => LOCALES.map((l) => [t, l] as const)))('renders %s in %s naming nominee, award, stage and link', (template, locale) => {
    const body = template === 'daily_digest'
      ? { digestOn: '2023-03-24', digestTime: '07:30', link: 'https://khenthuong.sonla.gov.vn/', items: [{ ...payload, template: 'stage_arrived' as const }, { ...payload, template: 'overdue' as const }] }
      : payload;
    const mail = templates.render(template, locale, body, 'Nguyễn Thị Hằng');
    for (const part of [mail.subject, mail.html, mail.text]) expect(part).not.toMatch(/\{\{|\}\}/);
    expect(mail.subject).not.toMatch(/\n/);
    expect(mail.subject.length).toBeLessThan(200);
    expect(mail.text).toContain('Trường Tiểu học Chiềng Lao <A&B>');
    expect(mail.html).toContain('Trường Tiểu học Chiềng Lao &lt;A&amp;B&gt;');
    expect(mail.html).not.toContain('<A&B>');
    expect(mail.text).toContain(payload.awardName[locale]);
    expect(mail.text).toContain(payload.link);
    expect(mail.html).toContain(`href="${payload.link}"`);
    expect(mail.text).toContain('Huyện Mường La');
    expect(mail.html).toMatch(locale === 'vi' ? /<html lang="vi">/ : /<html lang="en">/);
    expect(mail.text).toContain(locale === 'vi' ? 'Nguyễn Thị Hằng' : 'Dear Nguyễn Thị Hằng');
    if (template !== 'daily_digest') expect(mail.subject).toContain('Trường Tiểu học Chiềng Lao');
    expect(mail.text.normalize('NFC')).toBe(mail.text);
  });

  it('says the reason, what is missing and the due date where there is one, in the recipient\'s language', () => {
    const returned = templates.render('returned', 'vi', payload, null);
    expect(returned.text).toContain('Lý do: Thiếu biên bản họp Hội đồng');
    expect(returned.text).toContain('  - Biên bản họp Hội đồng Thi đua - Khen thưởng');
    expect(returned.text).toContain('  - Bản sao giấy khen năm trước');
    expect(returned.text).toContain('Kính gửi quý cơ quan, đơn vị,');
    expect(templates.render('not_awarded', 'en', payload, null).text).toContain('Reason: Standard not met – Thiếu biên bản họp Hội đồng');
    expect(templates.render('revoked', 'vi', payload, null).text).toContain('Căn cứ hủy bỏ: Kê khai không trung thực');
    expect(templates.render('due_soon', 'vi', payload, null).subject).toBe('[Khen thưởng] Sắp đến hạn xử lý (03/04/2023): Trường Tiểu học Chiềng Lao <A&B> – Bằng khen của Chủ tịch UBND tỉnh');
    expect(templates.render('overdue', 'en', payload, null).subject).toContain('(due 3 April 2023)');
    expect(templates.render('awarded', 'vi', payload, null).text).toContain('Quyết định số: 125/QĐ-UBND, ngày 24/03/2023');
    const { missing: _m, ...withoutMissing } = payload;
    expect(templates.render('returned', 'en', withoutMissing, null).text).not.toContain('To be supplied');
  });

  it('lists every item of a digest with its own link', () => {
    const items = [1, 2, 3].map((n) => ({ ...payload, nomineeName: `Tập thể số ${n}`, link: `https://x.vn/nominations/${n}`, template: 'stage_arrived' as const }));
    const mail = templates.render('daily_digest', 'vi', { digestOn: '2023-03-24', digestTime: '07:30', link: 'https://x.vn/', items }, null);
    expect(mail.subject).toBe('[Khen thưởng] Tổng hợp ngày 24/03/2023: 3 thông báo');
    for (const n of [1, 2, 3]) {
      expect(mail.text).toContain(`* Hồ sơ mới đến: Tập thể số ${n}`);
      expect(mail.html).toContain(`href="https://x.vn/nominations/${n}"`);
    }
  });

  it('refuses to start with a missing or broken template, naming each problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
    try {
      cpSync(DIR, dir, { recursive: true });
      rmSync(path.join(dir, 'overdue', 'en.txt'));
      writeFileSync(path.join(dir, 'returned', 'vi.html'), '{{#missing}}never closed');
      expect(() => MailTemplates.load(dir)).toThrow(TemplateError);
      expect(() => MailTemplates.load(dir)).toThrow(/overdue\/en\.txt: missing/);
      expect(() => MailTemplates.load(dir)).toThrow(/returned\/vi\.html: \{\{#missing\}\} is never closed/);
      writeFileSync(path.join(dir, 'awarded', 'en.html'), '{{> detials}}');
      writeFileSync(path.join(dir, '_partials', 'details.fr.html'), '<table></table>');
      expect(() => MailTemplates.load(dir)).toThrow(/awarded\/en\.html: \{\{> detials\}\} names no partial/);
      expect(() => MailTemplates.load(dir)).toThrow(/_partials\/details\.fr\.html: not <name>\.<vi\|en>\.html/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the markup the bodies share in _partials, once per locale: no HTML template repeats it', () => {
    for (const template of TEMPLATE_NAMES) {
      for (const locale of LOCALES) {
        const source = readFileSync(path.join(DIR, template, `${locale}.html`), 'utf8');
        expect({ template, locale, greeting: source.startsWith('{{> greeting}}') }).toEqual({ template, locale, greeting: true });
        expect(source).not.toContain('display: inline-block');
        if (template !== 'daily_digest') expect({ template, locale, details: source.includes('{{> details}}'), table: source.includes('<table') }).toEqual({ template, locale, details: true, table: false });
      }
    }
    // Rendered, the pieces are where they were: the details table, the button to the nomination.
    const mail = templates.render('stage_arrived', 'vi', payload, null);
    expect(mail.html).toContain('<p>Kính gửi quý cơ quan, đơn vị,</p>');
    expect(mail.html).toContain('<td style="padding: 2px 12px 2px 0; color: #616e7c;">Đối tượng</td><td><strong>Trường Tiểu học Chiềng Lao &lt;A&amp;B&gt;</strong></td>');
    expect(mail.html).toContain(`<p><a href="${payload.link}" style="display: inline-block;`);
    expect(mail.html).not.toContain('{{');
  });

  it('writes dates the way each language does', () => {
    expect(formatDate('2023-04-03', 'vi')).toBe('03/04/2023');
    expect(formatDate('2023-04-03', 'en')).toBe('3 April 2023');
  });
});

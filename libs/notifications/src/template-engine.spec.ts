import { escapeHtml, parseTemplate, renderNodes, TemplateSyntaxError } from './template-engine';

const render = (source: string, view: unknown, html = false) => renderNodes(parseTemplate(source), view, html ? escapeHtml : (s) => s);

describe('template engine', () => {
  it('substitutes values, dotted paths and the current item', () => {
    expect(render('{{a}} {{b.c}} {{missing}}|', { a: 'Xã', b: { c: 'Chiềng Lao' } })).toBe('Xã Chiềng Lao |');
    expect(render('{{#xs}}[{{.}}]{{/xs}}', { xs: ['a', 'b'] })).toBe('[a][b]');
  });

  it('renders sections for truthy values and lists, inverted sections for missing ones', () => {
    expect(render('{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}', { ok: true })).toBe('yes');
    expect(render('{{#ok}}yes{{/ok}}{{^ok}}no{{/ok}}', { ok: false })).toBe('no');
    expect(render('{{^xs}}none{{/xs}}', { xs: [] })).toBe('none');
    expect(render('{{#items}}{{name}} of {{owner}};{{/items}}', { owner: 'UBND', items: [{ name: 'A' }, { name: 'B', owner: 'Sở' }] })).toBe('A of UBND;B of Sở;');
  });

  it('escapes values in HTML, never the template text', () => {
    expect(render('<b>{{x}}</b>', { x: '<script>"&\'' }, true)).toBe('<b>&lt;script&gt;&quot;&amp;&#39;</b>');
  });

  it('refuses unbalanced sections', () => {
    expect(() => parseTemplate('{{#a}}x')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('{{#a}}x{{/b}}')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('x{{/b}}')).toThrow(TemplateSyntaxError);
  });
});

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

  it('inlines partials where they are named, and refuses an unknown one', () => {
    const row = parseTemplate('<td>{{label}}</td>');
    const partials = (name: string) => (name === 'row' ? row : undefined);
    expect(renderNodes(parseTemplate('<tr>{{> row}}</tr>{{#items}}[{{>row}}]{{/items}}', 'list', partials), { label: 'A&B', items: [{ label: 'x' }] }, escapeHtml))
      .toBe('<tr><td>A&amp;B</td></tr>[<td>x</td>]');
    expect(() => parseTemplate('{{> nothing}}', 'mail.html', partials)).toThrow(new TemplateSyntaxError('mail.html: {{> nothing}} names no partial'));
  });

  it('refuses unbalanced sections', () => {
    expect(() => parseTemplate('{{#a}}x')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('{{#a}}x{{/b}}')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate('x{{/b}}')).toThrow(TemplateSyntaxError);
  });
});

import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MarkdownPreview, safeHref } from './markdown';

function preview(source: string): HTMLElement {
  return render(
    <div data-testid="preview">
      <MarkdownPreview source={source} />
    </div>,
  ).getByTestId('preview');
}

describe('MarkdownPreview', () => {
  it('renders headings, lists, emphasis, code, quotes and links', () => {
    const root = preview(
      '# Safety\n\nWear **boots** and *gloves*, see `rule 4`.\n\n- one\n- two\n\n1. first\n2. second\n\n> mind the gap\n\n```\nx < y\n```\n\n[Guide](https://example.test/guide)',
    );
    expect(root.querySelector('h2')?.textContent).toBe('Safety');
    expect(root.querySelector('strong')?.textContent).toBe('boots');
    expect(root.querySelector('em')?.textContent).toBe('gloves');
    expect(root.querySelector('p code')?.textContent).toBe('rule 4');
    expect([...root.querySelectorAll('ul li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect([...root.querySelectorAll('ol li')].map((li) => li.textContent)).toEqual(['first', 'second']);
    expect(root.querySelector('blockquote')?.textContent).toBe('mind the gap');
    expect(root.querySelector('pre code')?.textContent).toBe('x < y');
    const link = root.querySelector('a');
    expect(link).toHaveAttribute('href', 'https://example.test/guide');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it('never turns the author’s text into markup, scripts or handlers', () => {
    const root = preview(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3)) [data](data:text/html,hi) ![pic](https://x.test/a.png)',
    );
    expect(root.querySelector('script')).toBeNull();
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('a')).toBeNull();
    expect(root.textContent).toContain('<script>alert(1)</script>');
    expect(root.textContent).toContain('<img src=x onerror="alert(2)">');
    expect(root.textContent).toContain('click');
    expect(root.textContent).toContain('[image: pic]');
    const handlers = [...root.querySelectorAll('*')].flatMap((el) =>
      [...el.attributes].filter((a) => a.name.startsWith('on')),
    );
    expect(handlers).toEqual([]);
  });
});

describe('safeHref', () => {
  it('keeps web, mail and in-app addresses only', () => {
    expect(safeHref('https://example.test')).toBe('https://example.test');
    expect(safeHref('mailto:help@example.test')).toBe('mailto:help@example.test');
    expect(safeHref('/app/learning')).toBe('/app/learning');
    expect(safeHref('//evil.test/x')).toBeNull();
    expect(safeHref('JavaScript:alert(1)')).toBeNull();
    expect(safeHref(' vbscript:x')).toBeNull();
  });
});

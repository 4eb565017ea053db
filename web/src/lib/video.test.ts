import { describe, expect, it } from 'vitest';
import { parseStartSeconds, videoDisplay } from './video';

describe('videoDisplay', () => {
  it.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://youtube.com/watch?v=dQw4w9WgXcQ&list=PL1', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://m.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://youtu.be/dQw4w9WgXcQ?t=90', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90'],
    [
      'https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s',
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90',
    ],
    ['https://www.youtube.com/embed/dQw4w9WgXcQ', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://www.youtube.com/shorts/dQw4w9WgXcQ', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
    ['https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ', 'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ'],
  ])('embeds YouTube %s through youtube-nocookie', (url, src) => {
    expect(videoDisplay(url)).toEqual({ kind: 'embed', provider: 'YouTube', src });
  });

  it.each([
    ['https://vimeo.com/76979871', 'https://player.vimeo.com/video/76979871?dnt=1'],
    ['https://vimeo.com/channels/staffpicks/76979871', 'https://player.vimeo.com/video/76979871?dnt=1'],
    ['https://vimeo.com/76979871/abc123def0', 'https://player.vimeo.com/video/76979871?h=abc123def0&dnt=1'],
    ['https://player.vimeo.com/video/76979871?h=abc123', 'https://player.vimeo.com/video/76979871?h=abc123&dnt=1'],
  ])('embeds Vimeo %s through player.vimeo.com with Do Not Track', (url, src) => {
    expect(videoDisplay(url)).toEqual({ kind: 'embed', provider: 'Vimeo', src });
  });

  it('links to any other https video', () => {
    expect(videoDisplay('https://media.example.test/intro.mp4')).toEqual({
      kind: 'link',
      href: 'https://media.example.test/intro.mp4',
    });
    // A look-alike host is not YouTube.
    expect(videoDisplay('https://youtube.com.example.test/watch?v=dQw4w9WgXcQ').kind).toBe('link');
    // Not a video id: a link, not an embed of something made up.
    expect(videoDisplay('https://www.youtube.com/watch?v=<script>').kind).toBe('link');
  });

  it('shows nothing for addresses that are not https', () => {
    for (const url of [
      'http://www.youtube.com/watch?v=dQw4w9WgXcQ',
      'javascript:alert(1)',
      'data:text/html,hi',
      'not a url',
      '',
      null,
    ]) {
      expect(videoDisplay(url)).toEqual({ kind: 'none' });
    }
  });
});

describe('parseStartSeconds', () => {
  it('reads seconds and h/m/s forms', () => {
    expect(parseStartSeconds('42')).toBe(42);
    expect(parseStartSeconds('42s')).toBe(42);
    expect(parseStartSeconds('1h2m3s')).toBe(3723);
    expect(parseStartSeconds('soon')).toBeNull();
    expect(parseStartSeconds(null)).toBeNull();
  });
});

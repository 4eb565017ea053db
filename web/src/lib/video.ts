/**
 * How a lesson's video is shown: YouTube and Vimeo through their privacy-friendly players
 * (youtube-nocookie.com, player.vimeo.com with Do Not Track), any other https address as a
 * plain link, and anything else not at all (the server accepts https only).
 */
export type VideoDisplay =
  | { kind: 'embed'; provider: 'YouTube' | 'Vimeo'; src: string }
  | { kind: 'link'; href: string }
  | { kind: 'none' };

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_HOSTS = new Set([
  'youtube.com',
  'www.youtube.com',
  'm.youtube.com',
  'music.youtube.com',
  'youtube-nocookie.com',
  'www.youtube-nocookie.com',
]);
const VIMEO_HOSTS = new Set(['vimeo.com', 'www.vimeo.com', 'player.vimeo.com']);

/** "90", "90s", "1m30s", "1h2m3s" as seconds; null for anything else. */
export function parseStartSeconds(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+s?$/.test(value)) return Number.parseInt(value, 10);
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!match || !(match[1] || match[2] || match[3])) return null;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

function youtubeId(url: URL): string | null {
  const host = url.hostname.toLowerCase();
  const parts = url.pathname.split('/').filter(Boolean);
  let id: string | null = null;
  if (host === 'youtu.be') id = parts[0] ?? null;
  else if (YOUTUBE_HOSTS.has(host)) {
    if (parts[0] === 'watch') id = url.searchParams.get('v');
    else if (['embed', 'shorts', 'live', 'v'].includes(parts[0] ?? '')) id = parts[1] ?? null;
  }
  return id && YOUTUBE_ID.test(id) ? id : null;
}

function vimeo(url: URL): { id: string; hash: string | null } | null {
  const host = url.hostname.toLowerCase();
  if (!VIMEO_HOSTS.has(host)) return null;
  const parts = url.pathname.split('/').filter(Boolean);
  if (host === 'player.vimeo.com') {
    return parts[0] === 'video' && /^\d+$/.test(parts[1] ?? '')
      ? { id: parts[1], hash: url.searchParams.get('h') }
      : null;
  }
  const index = parts.findIndex((part) => /^\d+$/.test(part));
  if (index < 0) return null;
  const next = parts[index + 1];
  const hash = next && /^[0-9a-f]+$/i.test(next) ? next : url.searchParams.get('h');
  return { id: parts[index], hash };
}

export function videoDisplay(address: string | null | undefined): VideoDisplay {
  if (!address) return { kind: 'none' };
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    return { kind: 'none' };
  }
  if (url.protocol !== 'https:') return { kind: 'none' };
  const youtube = youtubeId(url);
  if (youtube) {
    const start = parseStartSeconds(url.searchParams.get('t') ?? url.searchParams.get('start'));
    const query = start ? `?start=${start}` : '';
    return { kind: 'embed', provider: 'YouTube', src: `https://www.youtube-nocookie.com/embed/${youtube}${query}` };
  }
  const vimeoVideo = vimeo(url);
  if (vimeoVideo) {
    const params = new URLSearchParams();
    if (vimeoVideo.hash) params.set('h', vimeoVideo.hash);
    params.set('dnt', '1');
    return { kind: 'embed', provider: 'Vimeo', src: `https://player.vimeo.com/video/${vimeoVideo.id}?${params}` };
  }
  return { kind: 'link', href: url.href };
}

/**
 * The releases feed: a GitHub "list releases" document (an array of releases with tag_name,
 * prerelease, draft, body, published_at, html_url, assets). Parsing and choosing are pure; the
 * fetch is one bounded request.
 */
import { compareSemver, formatSemver, parseSemver, type SemVer } from './semver.js';

export interface Release {
  version: SemVer;
  tag: string;
  notes: string;
  /** RFC3339 */
  publishedAt: string;
  prerelease: boolean;
  pageUrl: string;
  assets: Array<{ name: string; url: string }>;
}

export class FeedError extends Error {
  override name = 'FeedError';
}

/** Releases that can be offered: not drafts, with a semver tag. Unknown fields are ignored. */
export function parseReleases(doc: unknown): Release[] {
  if (!Array.isArray(doc)) throw new FeedError('releases feed is not a JSON array');
  const out: Release[] = [];
  for (const r of doc) {
    if (r === null || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    if (o.draft === true || typeof o.tag_name !== 'string') continue;
    const version = parseSemver(o.tag_name);
    if (!version) continue;
    const assets = Array.isArray(o.assets)
      ? (o.assets as Array<Record<string, unknown>>)
          .filter((a) => a && typeof a.name === 'string' && typeof a.browser_download_url === 'string')
          .map((a) => ({ name: a.name as string, url: a.browser_download_url as string }))
      : [];
    out.push({
      version,
      tag: formatSemver(version),
      notes: typeof o.body === 'string' ? o.body : '',
      publishedAt: typeof o.published_at === 'string' ? o.published_at : '',
      prerelease: o.prerelease === true || version.prerelease.length > 0,
      pageUrl: typeof o.html_url === 'string' ? o.html_url : '',
      assets,
    });
  }
  return out;
}

/** The newest release of a channel: stable ignores pre-releases, rc includes them. */
export function latestRelease(releases: Release[], channel: 'stable' | 'rc'): Release | undefined {
  let best: Release | undefined;
  for (const r of releases) {
    if (channel === 'stable' && r.prerelease) continue;
    if (!best || compareSemver(r.version, best.version) > 0) best = r;
  }
  return best;
}

/** The archive for this platform if the release has one, else the release page. */
export function downloadUrlFor(r: Release, platform: string, arch: string): string {
  const archName = arch === 'x64' ? 'amd64' : arch;
  const asset = r.assets.find((a) => a.name.includes(`${platform}-${archName}`) && /\.(tar\.gz|tgz|zip)$/.test(a.name));
  return asset?.url ?? r.pageUrl;
}

const MAX_FEED_BYTES = 5 * 1024 * 1024;

export async function fetchReleases(url: string, timeoutMs: number): Promise<Release[]> {
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/vnd.github+json', 'user-agent': 'Pulse update check' },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new FeedError(`cannot reach the releases feed: ${cause ?? (err as Error).message}`);
  }
  if (!res.ok) throw new FeedError(`releases feed answered HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_FEED_BYTES) throw new FeedError('releases feed response is too large');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new FeedError('releases feed did not return JSON');
  }
  return parseReleases(doc);
}

import { authorizationHeaders } from '../api/client';

/**
 * Frame images need the bearer token (GET /frames/:id.png), which an <img src> cannot send: they
 * are fetched and shown as blob: URLs (allowed by the Content-Security-Policy). One cache per
 * embryo page, emptied (URLs revoked) when the page goes.
 */
export class FrameImageCache {
  private readonly urls = new Map<string, Promise<string>>();

  load(imageUrl: string, size: number): Promise<string> {
    const key = `${imageUrl}?size=${size}`;
    let url = this.urls.get(key);
    if (!url) {
      url = fetch(key, { headers: authorizationHeaders() }).then(async (response) => {
        if (!response.ok) throw new Error(`frame image: HTTP ${response.status}`);
        return URL.createObjectURL(await response.blob());
      });
      url.catch(() => this.urls.delete(key));
      this.urls.set(key, url);
    }
    return url;
  }

  dispose(): void {
    for (const url of this.urls.values()) url.then(URL.revokeObjectURL, () => {});
    this.urls.clear();
  }
}

/**
 * True when an Accept header lets the answer be JSON: no header, or a media range that matches
 * application/json (`application/json`, `application/*`, `*\/*`) without `q=0`.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return range === 'application/json' || range === 'application/*' || range === '*/*';
  });
}

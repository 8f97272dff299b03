import type { ApiRequest } from './request.js';

/**
 * The `Location` of a resource created below the request's own path (`POST /api/clients` →
 * `/api/clients/{id}`), as the client reaches it: from the path it sent, so that the stage or
 * a custom domain's base path stays in front.
 */
export function createdLocation(request: ApiRequest, id: string): string {
  return `${request.path.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
}

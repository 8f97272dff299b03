// RFC 3986 appendix B: splits any string into scheme, authority, path, query and fragment.
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(#.*)?$/s;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const PORT = /^\d*$/;
// Whitespace and control characters are never part of a URI (RFC 3986 §2); upstream lets them
// through, which turns a copy-paste accident into a redirect URI that can never match.
const FORBIDDEN_CHARACTERS = /[\s\p{Cc}]/u;
// Schemes a browser runs or reads locally: a redirect there executes script or opens files
// rather than returning the user to a client (`javascript://host/%0Aalert(1)` has a host).
const UNSAFE_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file']);

/**
 * A redirect URI must have a scheme and a non-empty host and no fragment (RFC 6749 §3.1.2).
 * Custom schemes with a host (`myapp://callback`) are native-app redirects and pass; script and
 * local-file schemes never do.
 */
export function isValidRedirectUri(uri: string): boolean {
  if (FORBIDDEN_CHARACTERS.test(uri)) return false;
  const parts = URI_PARTS.exec(uri);
  if (!parts) return false;
  const [, scheme, authority, , , fragment] = parts;
  if (
    scheme === undefined ||
    !SCHEME.test(scheme) ||
    UNSAFE_SCHEMES.has(scheme.toLowerCase()) ||
    authority === undefined ||
    fragment !== undefined
  ) {
    return false;
  }
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  const { host, port } = splitHostAndPort(hostAndPort);
  return host.length > 0 && PORT.test(port);
}

function splitHostAndPort(hostAndPort: string): { host: string; port: string } {
  if (hostAndPort.startsWith('[')) {
    const end = hostAndPort.indexOf(']');
    if (end === -1) return { host: '', port: '' };
    const rest = hostAndPort.slice(end + 1);
    return { host: hostAndPort.slice(0, end + 1), port: rest.startsWith(':') ? rest.slice(1) : rest };
  }
  const colon = hostAndPort.indexOf(':');
  return colon === -1
    ? { host: hostAndPort, port: '' }
    : { host: hostAndPort.slice(0, colon), port: hostAndPort.slice(colon + 1) };
}

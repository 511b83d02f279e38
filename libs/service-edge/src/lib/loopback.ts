import { isIP } from 'node:net';

/**
 * True for the names and addresses that only this machine can reach: 127.0.0.0/8, ::1 (and its
 * IPv4-mapped form ::ffff:127.x), `localhost` and its subdomains (RFC 6761 reserves them).
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
  return false;
}

/** The host part of a `Host` header: `[::1]:5001` -> `::1`, `localhost:5001` -> `localhost`. */
export function hostOfHostHeader(header: string): string {
  const value = header.trim();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address, not host:port.
  if (colon !== -1 && value.indexOf(':') === colon) return value.slice(0, colon);
  return value;
}

import { securityHeaders } from './security-headers';

describe('securityHeaders', () => {
  it('computes once what helmet sets for static options', () => {
    const headers = securityHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], imgSrc: ["'self'", 'data:'] } },
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      strictTransportSecurity: false,
    });
    expect(headers).toMatchObject({
      'content-security-policy': "default-src 'self';frame-ancestors 'none';img-src 'self' data:",
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
    });
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(headers['x-powered-by']).toBeUndefined();
  });

  it('refuses directives computed per request (a nonce), which one set of headers cannot hold', () => {
    expect(() => securityHeaders({
      contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-abc'"] } },
    })).toThrow(/per request/);
  });
});

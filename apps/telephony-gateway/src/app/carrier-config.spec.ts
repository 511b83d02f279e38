import { ConfigError, loadGatewayConfig } from './config';

describe('Plivo variables', () => {
  const plivo = {
    PUBLIC_BASE_URL: 'https://gw.example.com',
    PLIVO_AUTH_ID: 'MAODU3ZTHKNDE5YJMXNT',
    PLIVO_AUTH_TOKEN: 'plivo-token',
    PLIVO_PHONE_NUMBER: '+15005550006',
  };

  it('enables Plivo when all three are set, with the API base URL optional', () => {
    expect(loadGatewayConfig(plivo).plivo).toEqual({ authId: plivo.PLIVO_AUTH_ID, authToken: 'plivo-token', phoneNumber: '+15005550006', apiBaseUrl: undefined });
    expect(loadGatewayConfig({ ...plivo, PLIVO_API_BASE_URL: 'http://127.0.0.1:9999/' }).plivo?.apiBaseUrl).toBe('http://127.0.0.1:9999');
    expect(loadGatewayConfig({}).plivo).toBeUndefined();
  });

  it('names what is missing or malformed', () => {
    expect(() => loadGatewayConfig({ ...plivo, PLIVO_AUTH_TOKEN: '' })).toThrow(new ConfigError('Plivo is half configured: set PLIVO_AUTH_TOKEN too (or unset the other PLIVO_ variables)'));
    expect(() => loadGatewayConfig({ ...plivo, PUBLIC_BASE_URL: '' })).toThrow(/PUBLIC_BASE_URL must be set when Plivo is configured/);
    expect(() => loadGatewayConfig({ ...plivo, PLIVO_AUTH_ID: 'ma-lowercase' })).toThrow(/PLIVO_AUTH_ID must be 20 capital letters and digits/);
    expect(() => loadGatewayConfig({ ...plivo, PLIVO_PHONE_NUMBER: '15005550006' })).toThrow(/PLIVO_PHONE_NUMBER must be an E.164 number, got "15005550006"/);
    expect(() => loadGatewayConfig({ ...plivo, PLIVO_API_BASE_URL: 'api.plivo.com' })).toThrow(/PLIVO_API_BASE_URL must be an absolute http\(s\) URL/);
  });
});

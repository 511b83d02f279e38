import { Body, Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiKeyConfigError } from '@codcall/service-edge';
import { Public } from './api-key.guard';
import { HttpEdge, type HttpEdgeOptions } from './http-edge';

const KEY = 'nest-edge-test-key-0123456789';

@Controller()
class SampleController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Post('things')
  create(@Body() body: unknown) {
    return { got: body };
  }

  @Public()
  @Post('hook')
  hook(@Body() body: unknown) {
    return { got: body };
  }
}

@Module({ controllers: [SampleController] })
class SampleModule {}

const options = (overrides: Partial<HttpEdgeOptions> = {}): HttpEdgeOptions => ({
  service: 'sample',
  host: '127.0.0.1',
  hostVariable: 'SAMPLE_HOST',
  apiKeys: [KEY],
  corsOrigins: [],
  corsHeaders: ['authorization', 'content-type'],
  limits: { maxBodyBytes: 1024, maxDepth: 4 },
  acceptsForm: (path) => path === '/hook',
  ...overrides,
});

describe('the HTTP edge every service mounts', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const edge = HttpEdge.prepare(options());
    app = await NestFactory.create<NestExpressApplication>(SampleModule, { logger: false, bodyParser: false });
    edge.apply(app as NestExpressApplication);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());

  const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${url}${path}`, { method: 'POST', headers, body });

  it('refuses, before anything is built, a service that would listen on every interface without a key', () => {
    expect(() => HttpEdge.prepare(options({ host: '0.0.0.0', apiKeys: [] }))).toThrow(ApiKeyConfigError);
  });

  it('lets /health through without a key and asks for one everywhere else', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const refused = await post('/things', '{"a":1}', { 'content-type': 'application/json' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const accepted = await post('/things', '{"a":1}', { 'content-type': 'application/json', authorization: `Bearer ${KEY}` });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toEqual({ got: { a: 1 } });
  });

  it('takes forms only where the app says so, JSON within its limits everywhere, and sends no CORS headers', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    expect((await post('/things', 'a=1', { ...auth, 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    const hook = await post('/hook', 'a=1', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' });
    expect(await hook.json()).toEqual({ got: { a: '1' } });
    expect(hook.headers.get('access-control-allow-origin')).toBeNull();
    expect((await post('/things', JSON.stringify({ a: 'x'.repeat(2000) }), { ...auth, 'content-type': 'application/json' })).status).toBe(400);
    expect((await post('/things', '{"a":{"b":{"c":{"d":{"e":1}}}}}', { ...auth, 'content-type': 'application/json' })).status).toBe(400);
  });
});

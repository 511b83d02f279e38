// The NestJS side of every codcall HTTP service's edge: the API-key guard and the body rules of
// @codcall/service-edge, mounted once for each app.
export * from './lib/api-key.guard';
export * from './lib/http-edge';

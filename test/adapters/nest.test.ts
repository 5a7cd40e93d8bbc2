/**
 * NestJS 12 on both platforms (Express and Fastify), over real sockets: the README's recipe
 * (`guard.protect(app.getHttpServer())` with hangup's own routes) and `hangupNest(app, guard)`
 * (hangup/nest), whose fallback mode turns Nest's JSON 404, which echoes the path, into the policy's
 * `unknownRoute` action. Decorators are applied by hand (the repository's tsconfig has no
 * experimentalDecorators), which is what `@Controller()` and the others compile to.
 */
import 'reflect-metadata';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { Controller, Get, HttpCode, Module, NotFoundException, Param, Post, Req, type INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { hangup, HangupConfigError, notFound, type DecisionEvent, type Guard, type HangupOptions } from '../../src/index.js';
import { hangupNest } from '../../src/adapters/nest.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { anyKeepAlive, notFoundKeptAlive } from '../helpers/not-found.js';
import { H, recipePolicy, recipeWireTests, readBody } from './recipe-checks.js';

/** `@Decorator()` on a method, applied by hand. */
function decorate(target: object, key: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
  for (const d of decorators) d(target, key, descriptor);
}

/** A Nest module with one controller: `GET /`, `POST /echo`, `GET /users/:id` (404 of its own for id 0). */
function appModule(seen: string[]): new () => object {
  class AppController {
    home(): string {
      seen.push('home');
      return 'home';
    }
    async echo(req: IncomingMessage & { body?: unknown }): Promise<string> {
      seen.push('echo');
      return `echo ${typeof req.body === 'string' ? req.body : await readBody(req)}`;
    }
    user(id: string): string {
      seen.push(`user ${id}`);
      if (id === '0') throw new NotFoundException('no such user');
      return `user ${id}`;
    }
  }
  Controller()(AppController);
  decorate(AppController.prototype, 'home', Get('/'));
  decorate(AppController.prototype, 'echo', Post('echo'), HttpCode(200));
  Req()(AppController.prototype, 'echo', 0);
  decorate(AppController.prototype, 'user', Get('users/:id'));
  Param('id')(AppController.prototype, 'user', 0);
  class AppModule {}
  Module({ controllers: [AppController] })(AppModule);
  return AppModule;
}

const platforms = [
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
] as const;

async function started(app: INestApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
}

for (const [platform, adapter] of platforms) {
  describe(`NestJS 12 on ${platform}: recipe, guard.protect(app.getHttpServer()) with hangup's routes`, () => {
    let app: INestApplication;
    let port = 0;
    const seen: string[] = [];
    before(async () => {
      app = await NestFactory.create(appModule(seen), adapter(), { logger: false });
      hangup(recipePolicy).protect(app.getHttpServer() as Server);
      port = await started(app);
    });
    after(() => app.close());
    recipeWireTests(() => port, seen);
  });

  describe(`NestJS 12 on ${platform}: hangupNest(app, guard)`, () => {
    let app: INestApplication;
    let port = 0;
    const seen: string[] = [];
    before(async () => {
      app = await NestFactory.create(appModule(seen), adapter(), { logger: false });
      await hangupNest(app, recipePolicy);
      port = await started(app);
    });
    after(() => app.close());
    recipeWireTests(() => port, seen);
  });

  describe(`NestJS 12 on ${platform}: fallback mode, Nest's router is the allowlist`, () => {
    let app: INestApplication;
    let port = 0;
    const seen: string[] = [];
    const events: DecisionEvent[] = [];
    const policy: HangupOptions = { hosts: ['localhost'], rules: [notFound('GET /favicon.ico')], onDecision: (e) => void events.push(e) };
    before(async () => {
      app = await NestFactory.create(appModule(seen), adapter(), { logger: false });
      await hangupNest(app, policy);
      port = await started(app);
    });
    after(() => app.close());

    test('a path no controller routes is dropped, not answered with Nest\'s JSON 404 that echoes it', async () => {
      for (const target of ['/.env', '/nope/<script>', '/users']) {
        events.length = 0;
        const r = await rawRequest(port, head(`GET ${target} HTTP/1.1`, H));
        assert.deepEqual([r.text, r.ending], ['', 'fin'], target);
        assert.deepEqual(events.map((e) => [e.action, e.reason]), [['allow', 'route:any'], ['drop', 'route:unrouted']]);
      }
    });

    test('a method the route does not have is dropped', async () => {
      const r = await rawRequest(port, head('DELETE / HTTP/1.1', H));
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
    });

    test('routed paths reach the controller; its own NotFoundException keeps Nest\'s answer', async () => {
      const ok = await rawRequest(port, head('GET /users/7 HTTP/1.1', H, 'Connection: close'));
      assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(ok.text.endsWith('user 7'));
      const own = await rawRequest(port, head('GET /users/0 HTTP/1.1', H, 'Connection: close'));
      assert.match(own.text, /^HTTP\/1\.1 404 Not Found\r\n/);
      assert.ok(own.text.endsWith('{"message":"no such user","error":"Not Found","statusCode":404}'), own.text);
    });

    test('the host checks and detectors still run first', async () => {
      seen.length = 0;
      for (const bytes of [head('GET / HTTP/1.1', 'Host: evil.example'), head('GET /users/a%00b HTTP/1.1', H), 'GARBAGE\r\n\r\n', head('GET / HTTP/1.1')]) {
        const r = await rawRequest(port, bytes);
        assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
      }
      assert.deepEqual(seen, []);
    });

    test('the favicon rule answers the fixed 404', async () => {
      const r = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H));
      assert.equal(anyKeepAlive(r.text), notFoundKeptAlive('<n>'));
    });

    test('Expect: 100-continue on an unrouted path: no 100 Continue, zero bytes', async () => {
      const r = await rawRequest(port, head('POST /upload HTTP/1.1', H, 'Content-Type: text/plain', 'Content-Length: 5', 'Expect: 100-continue'));
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
    });
  });

  test(`NestJS 12 on ${platform}: fallback with unknownRoute notFound gives the fixed 404`, async () => {
    const app = await NestFactory.create(appModule([]), adapter(), { logger: false });
    await hangupNest(app, { unknownRoute: 'notFound' });
    try {
      const port = await started(app);
      const r = await rawRequest(port, head('GET /nope HTTP/1.1', H));
      assert.equal(anyKeepAlive(r.text), notFoundKeptAlive('<n>'));
    } finally {
      await app.close();
    }
  });

  test(`NestJS 12 on ${platform}: given options, hangup matches paths as the platform's router does (one decision per request)`, async () => {
    const events: DecisionEvent[] = [];
    const app = await NestFactory.create(appModule([]), adapter(), { logger: false });
    await hangupNest(app, { hosts: ['localhost'], routes: ['GET /users/:id'], onDecision: (e) => void events.push(e) });
    try {
      const port = await started(app);
      const upper = await rawRequest(port, head('GET /USERS/7 HTTP/1.1', H, 'Connection: close'));
      if (platform === 'Express') {
        // Express matches case-insensitively, as hangup does by default.
        assert.ok(upper.text.startsWith('HTTP/1.1 200 OK\r\n') && upper.text.endsWith('user 7'), upper.text);
        assert.deepEqual(events.map((e) => [e.action, e.reason]), [['allow', 'route:matched']]);
      } else {
        // Fastify's router is case-sensitive: hangup refuses it itself, once.
        assert.deepEqual([upper.text, upper.ending], ['', 'fin']);
        assert.deepEqual(events.map((e) => [e.action, e.reason]), [['drop', 'route:unknown']]);
      }
    } finally {
      await app.close();
    }
  });

  test(`NestJS 12 on ${platform}: fallback with a global prefix covers paths outside it too`, async () => {
    const app = await NestFactory.create(appModule([]), adapter(), { logger: false });
    app.setGlobalPrefix('api');
    await hangupNest(app, { hosts: ['localhost'] });
    try {
      const port = await started(app);
      const ok = await rawRequest(port, head('GET /api/users/7 HTTP/1.1', H, 'Connection: close'));
      assert.ok(ok.text.startsWith('HTTP/1.1 200 OK\r\n') && ok.text.endsWith('user 7'), ok.text);
      for (const target of ['/api/nope', '/nope', '/users/7']) {
        const r = await rawRequest(port, head(`GET ${target} HTTP/1.1`, H));
        assert.deepEqual([r.text, r.ending], ['', 'fin'], target);
      }
    } finally {
      await app.close();
    }
  });

  test(`NestJS 12 on ${platform}: hangupNest after init() throws, naming the fix`, async () => {
    const app = await NestFactory.create(appModule([]), adapter(), { logger: false });
    await app.init();
    try {
      await assert.rejects(hangupNest(app, {}), (e: unknown) => e instanceof HangupConfigError && e.code === 'HANGUP_INVALID_SERVER' && /before app\.init\(\)/.test(e.message));
    } finally {
      await app.close();
    }
  });
}

test('hangupNest accepts both platforms\' application types and resolves with the guard', async () => {
  const app: NestFastifyApplication = await NestFactory.create<NestFastifyApplication>(appModule([]), new FastifyAdapter(), { logger: false });
  const other: NestExpressApplication = await NestFactory.create<NestExpressApplication>(appModule([]), new ExpressAdapter(), { logger: false });
  try {
    const guard: Guard = await hangupNest(app, {});
    assert.equal(await hangupNest(other, guard), guard);
    assert.equal(await hangupNest(app, guard), guard, 'idempotent');
  } finally {
    await app.close();
    await other.close();
  }
});

test('hangupNest(something else) throws HANGUP_INVALID_SERVER', async () => {
  await assert.rejects(hangupNest({} as never, {}), (e: unknown) => e instanceof HangupConfigError && e.code === 'HANGUP_INVALID_SERVER');
});

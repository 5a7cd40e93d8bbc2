import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup, notFound, HangupConfigError, type HangupOptions } from '../src/index.js';

/** Asserts that `options` throws a HangupConfigError with `code`, naming `option` and matching `hint`. */
function rejects(options: unknown, code: string, option: string, hint: RegExp): void {
  assert.throws(
    () => hangup(options as HangupOptions),
    (error: unknown) => {
      assert.ok(error instanceof HangupConfigError, `not a HangupConfigError: ${String(error)}`);
      assert.equal(error.code, code);
      assert.equal(error.option, option);
      assert.match(error.message, new RegExp(`^hangup: ${option.replace(/[[\]().]/g, '\\$&')}: `));
      assert.match(error.message, hint);
      return true;
    },
  );
}

test('unknown options name the typo and suggest the fix', () => {
  rejects({ route: ['GET /'] }, 'HANGUP_UNKNOWN_OPTION', 'route', /did you mean 'routes'\?/);
  rejects({ host: ['a'] }, 'HANGUP_UNKNOWN_OPTION', 'host', /did you mean 'hosts'\?/);
  rejects({ unknownRoutes: 'drop' }, 'HANGUP_UNKNOWN_OPTION', 'unknownRoutes', /did you mean 'unknownRoute'\?/);
  rejects({ zzzzzz: 1 }, 'HANGUP_UNKNOWN_OPTION', 'zzzzzz', /Known options: routes, hosts/);
  rejects({ detectors: { dotSegment: false } }, 'HANGUP_UNKNOWN_OPTION', 'detectors.dotSegment', /did you mean 'dotSegments'\?/);
});

test('options must be an object', () => {
  rejects('GET /', 'HANGUP_INVALID_OPTIONS', 'options', /expected an object/);
  rejects([], 'HANGUP_INVALID_OPTIONS', 'options', /expected an object/);
});

test('bad routes name the index, the value and the syntax to use', () => {
  rejects({ routes: 'GET /' }, 'HANGUP_INVALID_ROUTE', 'routes', /expected an array of strings/);
  rejects({ routes: ['GET /', 42] }, 'HANGUP_INVALID_ROUTE', 'routes[1]', /got 42/);
  rejects({ routes: ['users'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /no path starting with '\/'/);
  rejects({ routes: ['GET /files/*'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /not a valid path-to-regexp 8 pattern.*'\*name'/);
  rejects({ routes: ['GET /users/:'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /path-to-regexp/);
  rejects({ routes: ['GET /a/:id?'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /optional parts/);
  rejects({ routes: ['FETCH /x'] }, 'HANGUP_INVALID_METHOD', 'routes[0]', /"FETCH".*not an HTTP method/);
  rejects({ routes: ['GET,POST /x'] }, 'HANGUP_INVALID_METHOD', 'routes[0]', /Separate methods with '\|'/);
});

test('bad hosts explain the accepted forms', () => {
  rejects({ hosts: [] }, 'HANGUP_INVALID_HOST', 'hosts', /omit 'hosts'/);
  rejects({ hosts: ['*'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /Omit the 'hosts' option/);
  rejects({ hosts: ['https://example.com'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /without scheme, port or path/);
  rejects({ hosts: ['example.com:8080'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /without scheme, port or path/);
  rejects({ hosts: ['a', 'bad host'] }, 'HANGUP_INVALID_HOST', 'hosts[1]', /not a host name/);
  rejects({ hosts: [null] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /got null/);
});

test('bad actions, close modes, flags, detectors and rules', () => {
  rejects({ unknownRoute: '404' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /'drop', 'notFound' or 'allow'/);
  rejects({ close: 'rst' }, 'HANGUP_INVALID_OPTIONS', 'close', /'fin' or 'reset'/);
  rejects({ caseSensitive: 'yes' }, 'HANGUP_INVALID_OPTIONS', 'caseSensitive', /true or false/);
  rejects({ detectors: true }, 'HANGUP_INVALID_DETECTOR', 'detectors', /object of switches/);
  rejects({ detectors: { dotSegments: 'off' } }, 'HANGUP_INVALID_OPTIONS', 'detectors.dotSegments', /true or false/);
  rejects({ rules: notFound('GET /x') }, 'HANGUP_INVALID_RULE', 'rules', /expected an array/);
  rejects({ rules: ['GET /x'] }, 'HANGUP_INVALID_RULE', 'rules[0]', /built with allow\(\), notFound\(\) or drop\(\)/);
  rejects({ rules: [notFound('GET /ok'), notFound('favicon.ico')] }, 'HANGUP_INVALID_ROUTE', 'rules[1]', /no path starting with/);
  rejects({ rules: [notFound([])] }, 'HANGUP_INVALID_RULE', 'rules[0]', /empty list/);
  rejects({ rules: [notFound(42 as unknown as string)] }, 'HANGUP_INVALID_RULE', 'rules[0]', /got 42/);
});

test('every error has a stable code and the fix in the message, and valid options do not throw', () => {
  assert.doesNotThrow(() => hangup());
  assert.doesNotThrow(() => hangup({}));
  assert.doesNotThrow(() =>
    hangup({ hosts: ['example.com', '*.example.com', '[::1]', '127.0.0.1', 'EXAMPLE.org.'], routes: ['get /x', '* /y', 'GET|post /z/:id'] }),
  );
});

import type { ParsedHead } from './types.js';

/** The single value of a header, or `undefined` when absent. A repeated header yields its first value. */
export function headerValue(head: ParsedHead, name: string): string | undefined {
  const value = head.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value[0] as string | undefined) : value;
}

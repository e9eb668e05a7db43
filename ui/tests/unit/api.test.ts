import { describe, expect, it } from 'vitest';
import { toIpcError } from '../../src/lib/api';

describe('toIpcError', () => {
  it('keeps a structured error as it is', () => {
    const e = { code: 'not_found', params: {}, message: 'case x' };
    expect(toIpcError(e)).toBe(e);
  });

  it('reads arguments Tauri could not parse into the core types as invalid input', () => {
    const e = 'invalid args `caseId` for command `case_detail`: UUID parsing failed';
    expect(toIpcError(e)).toEqual({ code: 'invalid', params: {}, message: e });
  });

  it('treats anything else as internal', () => {
    expect(toIpcError(new Error('boom'))).toEqual({ code: 'internal', params: { detail: 'boom' }, message: 'boom' });
  });
});

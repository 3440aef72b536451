import { describe, expect, it } from 'vitest';
import { nounInSentence } from './tokenNoun';

describe('nounInSentence', () => {
  it('keeps acronyms and lowers only an ordinary capital', () => {
    expect(nounInSentence('API token')).toBe('API token');
    expect(nounInSentence('OAuth client')).toBe('OAuth client');
    expect(nounInSentence('Token')).toBe('token');
    expect(nounInSentence('Access token')).toBe('access token');
  });
});

// Tapis clients' one create setting, the description, is carried over by Rotate from the list
// when Keyport did not record it (it limits nothing, so it is always known).
import { describe, expect, it } from 'vitest';
import { expectKeyportError } from '../../../../test/support/providerTesting';
import { descriptionSettings, type ProviderToken } from './provider';

const client = (id: string, description: string): ProviderToken => ({ id, name: id, createdAt: null, lastUsedAt: null, expiresAt: null, scopes: null, extra: { description } });

describe('settings of a listed client with a description', () => {
  it('keeps the listed description, and nothing for an empty one', () => {
    const listed = [client('ci', '  deploys from CI '), client('bare', '')];
    expect(descriptionSettings(listed, 'ci', 'Tapis')).toEqual({ known: true, fields: { description: 'deploys from CI' } });
    expect(descriptionSettings(listed, 'bare', 'Tapis')).toEqual({ known: true, fields: {} });
  });

  it('says a client that is no longer listed is not found', async () => {
    const error = await expectKeyportError(Promise.resolve().then(() => descriptionSettings([client('ci', '')], 'gone', 'Tapis')), []);
    expect(error.code).toBe('NOT_FOUND');
  });
});

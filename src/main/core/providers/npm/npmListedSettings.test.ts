// Rotate of an npm token Keyport did not make reads its settings from the registry's list entry
// (settingsOfNpmToken); an entry that does not say what the token reaches gives no settings, so
// the defaults (all packages) never replace a narrower token. The whole rotation against the
// reference registry is in src/main/core/delivery/rotationSettings.test.ts.
import { describe, expect, it } from 'vitest';
import { granularBody, settingsOfNpmToken } from './npmTokenFields';

const CREATED = '2026-12-01T10:00:00.000Z';
const in30Days = '2026-12-31T10:00:00.000Z';

describe('settings of a listed npm token', () => {
  it('granular: all packages read-only for 30 days gives a body like the old token’s', () => {
    const settings = settingsOfNpmToken({ key: 'k1', packages_and_scopes_permission: 'read-only', packages_all: true, packages: [], scopes: [], created: CREATED, expires: in30Days });
    expect(settings).toEqual({ known: true, fields: { access: 'read-only', expires: '30' } });
    if (!settings.known) throw new Error('unknown');
    expect(granularBody('new', 'pw', settings.fields)).toMatchObject({ packages_all: true, packages_and_scopes_permission: 'read-only', expires: 30 });
  });

  it('granular: organizations only, with two-factor bypass, keeps both', () => {
    const settings = settingsOfNpmToken({ key: 'k2', packages_and_scopes_permission: 'no-access', orgs: ['acme'], orgs_permission: 'read-write', bypass_2fa: true, created: CREATED, expires: '2026-12-08T10:00:00.000Z' });
    expect(settings).toEqual({ known: true, fields: { access: 'no-access', orgs: 'acme', orgsAccess: 'read-write', expires: '7', bypass2fa: 'bypass' } });
  });

  it('refuses to guess what the token reaches, its access to organizations, or how long it lasts', () => {
    expect(settingsOfNpmToken({ key: 'k3', packages_and_scopes_permission: 'read-write', packages_all: false, created: CREATED, expires: in30Days })).toEqual({ known: false, reason: 'the registry does not list which packages it reaches' });
    expect(settingsOfNpmToken({ key: 'k4', packages_and_scopes_permission: 'read-only', packages_all: true, orgs: ['acme'], created: CREATED, expires: in30Days })).toEqual({ known: false, reason: 'the registry does not list its access to organizations' });
    expect(settingsOfNpmToken({ key: 'k5', packages_and_scopes_permission: 'read-only', packages_all: true, expires: in30Days })).toEqual({ known: false, reason: 'the registry does not list how long it lasts' });
    expect(settingsOfNpmToken({ key: 'k6', packages_and_scopes_permission: 'admin', packages_all: true })).toMatchObject({ known: false });
  });

  it('legacy (Verdaccio): read-only or publish and the IP ranges; no readonly flag is not known', () => {
    expect(settingsOfNpmToken({ key: 'k7', readonly: true, cidr: ['10.0.0.0/8'] })).toEqual({ known: true, fields: { access: 'read-only', cidr: '10.0.0.0/8' } });
    expect(settingsOfNpmToken({ key: 'k8', readonly: false, cidr: [] })).toEqual({ known: true, fields: { access: 'publish' } });
    expect(settingsOfNpmToken({ key: 'k9' })).toEqual({ known: false, reason: 'the registry does not list whether it can publish' });
  });
});

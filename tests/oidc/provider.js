// A real OpenID Connect provider on loopback, for Chorus's single sign-on tests only.
//
// PORT (required): the port on 127.0.0.1. ISSUER: defaults to http://127.0.0.1:PORT.
// CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated): the one fixed client.
// Sign-in is oidc-provider's development form: any password; the login is the account.
// CONFORM_ID_TOKEN_CLAIMS=1: the email claims come from UserInfo, not the ID token.
// "alice@example.test" signs in with that verified email; "unverified:bob@example.test"
// with email_verified false. "entra:carol@example.test" signs in as Microsoft Entra ID sends
// people: no email_verified claim, and its optional claim xms_edov true (the address's domain is
// verified by its owner); "entra-unowned:dan@example.test" the same with xms_edov false. Consent is granted without asking (a first-party client).
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!port) {
  console.error('PORT is required');
  process.exit(2);
}
const issuer = process.env.ISSUER || `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID || 'chorus';
const clientSecret = process.env.CLIENT_SECRET || 'chorus-test-secret';
const redirectUris = (process.env.REDIRECT_URIS || 'http://localhost/auth/sso/callback')
  .split(',').map((u) => u.trim()).filter(Boolean);

// A fresh signing key per process, so two instances never accept each other's tokens.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `k-${port}`, use: 'sig', alg: 'RS256' };

const scopes = ['openid', 'email', 'profile'];
const claimNames = ['sub', 'email', 'email_verified', 'xms_edov', 'name'];

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['chorus-test-provider-only'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
  scopes,
  pkce: { required: () => true },
  // Email in the ID token itself, as Google Workspace sends it; with CONFORM_ID_TOKEN_CLAIMS=1
  // only in the UserInfo answer (oidc-provider's default, allowed by OpenID Connect Core 5.4).
  conformIdTokenClaims: process.env.CONFORM_ID_TOKEN_CLAIMS === '1',
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const [, kind, address] = id.match(/^(?:(unverified|entra|entra-unowned):)?(.*)$/);
    const email = address;
    const verification = kind === 'entra' || kind === 'entra-unowned'
      ? { xms_edov: kind === 'entra' } // Entra ID: no email_verified at all
      : { email_verified: kind !== 'unverified' };
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, ...verification, name: email.split('@')[0] };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(scopes.join(' '));
    grant.addOIDCClaims(claimNames);
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});

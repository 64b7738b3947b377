import { LocalTokenSigner } from '../../src/auth/local-tokens';

/*
 * LocalTokenSigner remembers tokens it verified (issue #18: the HMAC of every request's token was
 * ~5 % of a cycle view's CPU). What it remembers must never outlive the token: expiry and the
 * session's maximum age are checked again on every use.
 */

const SECRET = 'cache-test-secret-cache-test-secret-0123';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verified tokens remembered per process', () => {
  it('answers the same claims for the same token, and refuses a forged one even after a valid one', async () => {
    const signer = new LocalTokenSigner(SECRET, 600);
    const { token } = await signer.issue('user-1', { tokenVersion: 3, sessionId: 'session-1' });
    const first = await signer.verify(token);
    const again = await signer.verify(token);
    expect(again).toEqual(first);
    expect(again).toMatchObject({ userId: 'user-1', tokenVersion: 3, sessionId: 'session-1' });
    const [header, payload] = token.split('.');
    await expect(signer.verify(`${header}.${payload}.${'A'.repeat(43)}`)).rejects.toThrow();
    // another signer (another secret) never shares what this one verified
    await expect(new LocalTokenSigner(`${SECRET}-other`, 600).verify(token)).rejects.toThrow();
  });

  it('refuses a remembered token once it expires', async () => {
    const signer = new LocalTokenSigner(SECRET, 600);
    // issued 597 s ago with a 600 s lifetime: valid for 2 to 3 s more
    const { token, expiresAt } = await signer.issue('user-2', { now: new Date(Date.now() - 597_000) });
    await expect(signer.verify(token)).resolves.toMatchObject({ userId: 'user-2' });
    await sleep(Math.max(0, expiresAt.getTime() - Date.now()) + 50);
    await expect(signer.verify(token)).rejects.toThrow();
  });

  it("refuses a remembered token once its session reaches the maximum age, whatever the token's own expiry", async () => {
    const signer = new LocalTokenSigner(SECRET, 600, 3600);
    const signedInAt = new Date(Date.now() - 3_596_500); // the session's hour ends in 2.5 to 3.5 s
    const { token } = await signer.issue('user-3', { signedInAt, now: new Date(Date.now() - 1_000) });
    await expect(signer.verify(token)).resolves.toMatchObject({ userId: 'user-3' });
    await sleep(signedInAt.getTime() + 3_600_000 - Date.now() + 50);
    await expect(signer.verify(token)).rejects.toThrow();
  });
});

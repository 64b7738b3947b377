import { useSyncExternalStore } from 'react';
import { ApiError, describeError, execute, setCredentials } from '../api/client';
import {
  ChangePasswordDocument,
  MeDocument,
  RefreshTokenDocument,
  RevokeMySessionsDocument,
  SignInDocument,
  type MeQuery,
  type Role,
} from '../api/generated';

export type Clinic = MeQuery['clinics'][number];

/**
 * How the caller is signed in: a password token of this server, a bearer token of the hospital's
 * identity provider pasted at sign-in, or a reverse proxy in front of the server that adds the
 * IdP's token to every request (the app then sends none of its own).
 */
export type SignInMethod = 'password' | 'token' | 'proxy';

export type SessionState =
  | { status: 'starting' }
  | { status: 'signed-out'; message?: string }
  | { status: 'signed-in'; method: SignInMethod; me: MeQuery['me']; clinics: Clinic[]; clinicId: string | undefined };

const TOKEN_KEY = 'amsnet.token';
const METHOD_KEY = 'amsnet.method';
const EXPIRES_KEY = 'amsnet.expiresAt';
const CLINIC_KEY = 'amsnet.clinic';
/** Password tokens are renewed this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

let state: SessionState = { status: 'starting' };
const listeners = new Set<() => void>();
let renewTimer: ReturnType<typeof setTimeout> | undefined;

function set(next: SessionState): void {
  state = next;
  listeners.forEach((l) => l());
}

function applyToken(token: string | undefined): void {
  setCredentials({ token, onUnauthenticated: () => signOut('Your session has ended. Please sign in again.') });
}

// The token lives in sessionStorage: gone when the tab closes, never sent anywhere but this origin.
function store(token: string | undefined, method: SignInMethod | undefined, expiresAt?: string): void {
  for (const [key, value] of [
    [TOKEN_KEY, token],
    [METHOD_KEY, method],
    [EXPIRES_KEY, expiresAt],
  ] as const) {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  }
  applyToken(token);
}

async function loadUser(method: SignInMethod, token: string | undefined): Promise<void> {
  const { me, clinics } = await execute(MeDocument, {}, { token: token ?? null });
  const remembered = sessionStorage.getItem(CLINIC_KEY);
  const clinicId = clinics.find((c) => c.id === remembered)?.id ?? clinics[0]?.id;
  set({ status: 'signed-in', method, me, clinics, clinicId });
}

function scheduleRenewal(expiresAt: string): void {
  clearTimeout(renewTimer);
  const delay = Math.max(10_000, new Date(expiresAt).getTime() - Date.now() - RENEW_BEFORE_MS);
  renewTimer = setTimeout(async () => {
    try {
      const { refreshToken } = await execute(RefreshTokenDocument, {});
      store(refreshToken.token, 'password', refreshToken.expiresAt);
      scheduleRenewal(refreshToken.expiresAt);
    } catch {
      // the next request says UNAUTHENTICATED and ends the session with a message
    }
  }, delay);
}

/** At page load: the token of this tab, else whatever a reverse proxy in front adds, else sign-in. */
export async function startSession(): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  const method = (sessionStorage.getItem(METHOD_KEY) as SignInMethod | null) ?? 'password';
  applyToken(token);
  try {
    await loadUser(token ? method : 'proxy', token);
    const expiresAt = sessionStorage.getItem(EXPIRES_KEY);
    if (token && method === 'password' && expiresAt) scheduleRenewal(expiresAt);
  } catch (error) {
    store(undefined, undefined);
    const expired = token && error instanceof ApiError && error.code === 'UNAUTHENTICATED';
    set({ status: 'signed-out', message: expired ? 'Your session has ended. Please sign in again.' : undefined });
  }
}

/** What signInWithPassword answers when the password was temporary (first start, reset by an administrator). */
export const MUST_CHANGE_PASSWORD = 'must-change-password';

// The temporary sign-in, kept in memory only until the user has chosen its own password.
let temporary: { token: string; password: string } | undefined;

export async function signInWithPassword(email: string, password: string): Promise<string | undefined> {
  try {
    const { login } = await execute(SignInDocument, { email, password }, { token: null });
    if (login.mustChangePassword) {
      temporary = { token: login.token, password };
      return MUST_CHANGE_PASSWORD;
    }
    store(login.token, 'password', login.expiresAt);
    await loadUser('password', login.token);
    scheduleRenewal(login.expiresAt);
    return undefined;
  } catch (error) {
    store(undefined, undefined);
    return describeError(error);
  }
}

/** After a temporary password: the user's own one, which signs it in (every older token is revoked). */
export async function chooseNewPassword(newPassword: string, repeated: string): Promise<string | undefined> {
  if (!temporary) return 'Sign in again with your temporary password.';
  if (newPassword !== repeated) return 'The two new passwords are not the same.';
  try {
    const { changePassword } = await execute(
      ChangePasswordDocument,
      { currentPassword: temporary.password, newPassword },
      { token: temporary.token },
    );
    temporary = undefined;
    store(changePassword.token, 'password', changePassword.expiresAt);
    await loadUser('password', changePassword.token);
    scheduleRenewal(changePassword.expiresAt);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/**
 * A signed-in user's new password (My account). The server ends every other session of the user
 * and answers a token of a new one, which this tab takes over.
 */
export async function changeOwnPassword(
  currentPassword: string,
  newPassword: string,
  repeated: string,
): Promise<string | undefined> {
  if (newPassword !== repeated) return 'The two new passwords are not the same.';
  try {
    const { changePassword } = await execute(ChangePasswordDocument, { currentPassword, newPassword });
    store(changePassword.token, 'password', changePassword.expiresAt);
    scheduleRenewal(changePassword.expiresAt);
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/** Ends every session of the user, this one included (a lost or shared device). */
export async function signOutEverywhere(): Promise<string | undefined> {
  try {
    await execute(RevokeMySessionsDocument, {});
  } catch (error) {
    return describeError(error);
  }
  signOut('You are signed out on every device.');
  return undefined;
}

/** A bearer token of the hospital's identity provider (OIDC), or one issued by this server. */
export async function signInWithToken(token: string): Promise<string | undefined> {
  try {
    store(token.trim(), 'token');
    await loadUser('token', token.trim());
    return undefined;
  } catch (error) {
    store(undefined, undefined);
    return error instanceof ApiError && error.code === 'UNAUTHENTICATED'
      ? 'The identity provider token was refused (expired, or not for this server).'
      : describeError(error);
  }
}

export function signOut(message?: string): void {
  clearTimeout(renewTimer);
  store(undefined, undefined);
  set({ status: 'signed-out', message });
}

/** Reads the caller's clinics again (a network admin created one), keeping the chosen clinic. */
export async function refreshClinics(): Promise<void> {
  if (state.status !== 'signed-in') return;
  const { clinics } = await execute(MeDocument, {});
  if (state.status === 'signed-in') set({ ...state, clinics });
}

export function chooseClinic(clinicId: string): void {
  if (state.status !== 'signed-in') return;
  sessionStorage.setItem(CLINIC_KEY, clinicId);
  set({ ...state, clinicId });
}

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** The clinic the pages work in and the caller's role there. */
export function useClinic(): { clinic: Clinic | undefined; role: Role | undefined; clinics: Clinic[] } {
  const session = useSession();
  if (session.status !== 'signed-in') return { clinic: undefined, role: undefined, clinics: [] };
  const clinic = session.clinics.find((c) => c.id === session.clinicId);
  return { clinic, role: clinic?.myRole, clinics: session.clinics };
}

/**
 * A syntactically valid e-mail address (dot-atom local part, a domain of at least two labels, at
 * most 254 characters). What fails this is never stored in the audit log: it may be a password
 * typed into the wrong field.
 */
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

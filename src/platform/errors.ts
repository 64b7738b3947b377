/**
 * An error whose message is meant for the person at the terminal or the API caller: it is printed
 * without a stack trace and never carries SQL or internals.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A configuration variable with a bad value; the message always names the variable. */
export class ConfigError extends UserError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`, 2);
  }
}

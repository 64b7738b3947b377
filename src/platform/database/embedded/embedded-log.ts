/** The few log calls the embedded server makes: a pino logger fits, and so does a plain object in the test setup. */
export interface EmbeddedLog {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

// The one error type of bundle reading, writing and verification: its message names
// the offending file so a user can tell which part of a bundle is wrong.
export class BundleError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
    this.name = "BundleError";
  }
}

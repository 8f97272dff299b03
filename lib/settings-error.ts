/** A deploy setting that cannot work as given: `cdk synth` stops with its one-line message. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

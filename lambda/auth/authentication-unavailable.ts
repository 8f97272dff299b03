/**
 * A token could not be checked at all: its issuer's keys or its introspection endpoint were out of
 * reach, or the API's own credentials there failed. Not the token's fault, so the authorizer fails
 * (API Gateway answers 500, AUTHORIZER_FAILURE) where a 401 would tell a valid session to sign in
 * again. `failure` is the line the authorizer logs, with the message as its reason.
 */
export class AuthenticationUnavailableError extends Error {
  constructor(
    readonly failure: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationUnavailableError';
  }
}

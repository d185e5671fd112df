import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';

/** Options of `ReviewApiAuthorization.cognito()`. */
export interface ReviewApiCognitoOptions {
  /**
   * OAuth scopes an access token must carry (e.g. `['review/decide']`); with
   * scopes the API takes access tokens, without them identity tokens.
   * @default - no scopes: any valid identity token of the user pool
   */
  readonly scopes?: string[];
}

/**
 * Who may call the review API, and how the reviewer is identified. Every
 * method uses the same authorization; the reviewer recorded with a decision
 * is the authenticated caller (the IAM principal's ARN, or the Cognito `sub`).
 */
export class ReviewApiAuthorization {
  /** AWS IAM (SigV4): callers need `execute-api:Invoke` (see `ReviewApi.grantInvoke`). The default. */
  public static iam(): ReviewApiAuthorization {
    return new ReviewApiAuthorization(apigateway.AuthorizationType.IAM, undefined, []);
  }

  /** A Cognito user pool authorizer: callers send the pool's token in the `Authorization` header. */
  public static cognito(userPool: cognito.IUserPool, options: ReviewApiCognitoOptions = {}): ReviewApiAuthorization {
    return new ReviewApiAuthorization(apigateway.AuthorizationType.COGNITO, userPool, options.scopes ?? []);
  }

  private constructor(
    /** How API Gateway authorizes each method. */
    public readonly authorizationType: apigateway.AuthorizationType,
    /** The user pool of a Cognito authorization. */
    public readonly userPool: cognito.IUserPool | undefined,
    /** OAuth scopes required on every method (Cognito only). */
    public readonly scopes: string[],
  ) {}
}

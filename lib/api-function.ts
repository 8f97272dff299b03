import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLING, HANDLERS_DIR, PROJECT_ROOT } from './function-bundling.js';

export interface ApiFunctionProps {
  /** The file under lambda/handlers/ that exports `handler`. */
  handlerFile: string;
  description: string;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  logRetention?: RetentionDays;
}

/** What a function gets unless its props say otherwise. */
export const FUNCTION_DEFAULTS = { memorySize: 512, timeout: Duration.seconds(10) } as const;

/**
 * A function of this API with its defaults fixed once: the latest Node.js runtime, arm64, one
 * minified ESM bundle with the AWS SDK inside, an explicit log group (JSON lines, bounded
 * retention), X-Ray tracing, and a role that can write to its own log group and nothing else
 * until the stack grants more.
 */
export class ApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: writes its logs and traces`,
    });
    this.logGroup.grantWrite(role);

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray accepts trace segments and telemetry only on Resource "*"; no other action has a wildcard.',
    });

    this.function = new NodejsFunction(this, 'Function', {
      projectRoot: PROJECT_ROOT,
      entry: `${HANDLERS_DIR}/${props.handlerFile}`,
      depsLockFilePath: `${PROJECT_ROOT}/package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? FUNCTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? FUNCTION_DEFAULTS.timeout,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      bundling: {
        format: OutputFormat.ESM,
        minify: FUNCTION_BUNDLING.minify,
        sourceMap: FUNCTION_BUNDLING.sourcemap,
        target: FUNCTION_BUNDLING.target,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
        bundleAwsSDK: true,
        externalModules: [],
        esbuildArgs: {
          '--legal-comments': FUNCTION_BUNDLING.legalComments,
          ...Object.fromEntries(
            Object.entries(FUNCTION_BUNDLING.alias).map(([module, replacement]) => [`--alias:${module}`, replacement]),
          ),
        },
      },
    });
  }
}

"""The Python twin of examples/example-stack.ts: the full system with every analyzer kind."""
import os
from typing import List, Optional

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct
from cdk_medical_imaging_pipeline import (
    Analyzer, IImageAnalyzer, MedicalImagingPipeline, PhiLogProtection, ReanalysisOptions, ReferencedSource,
)

ANALYZERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analyzers")


class ExampleStack(Stack):
    def __init__(self, scope: Construct, id: str, *, notification_emails: Optional[List[str]] = None,
                 auto_release_threshold: Optional[float] = None, quiet_period_seconds: Optional[float] = None,
                 bedrock_model_id: Optional[str] = None, sage_maker_endpoint_name: Optional[str] = None,
                 referenced_bucket_name: Optional[str] = None, referenced_key_prefix: Optional[str] = None,
                 structured_report_for_images: bool = False, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        # One customer-managed key for everything, brought by the platform team.
        key = kms.Key(self, "PipelineKey",
            description="Medical imaging pipeline example: data, logs and messages",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        # "Bring your own model": any Lambda that honours the analyzer contract.
        # Its log group gets the library's PHI masking, and its role writes to that group only.
        resolution_check_logs = logs.LogGroup(self, "ResolutionCheckLogs",
            encryption_key=key,
            retention=logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,
            data_protection_policy=PhiLogProtection.data_protection_policy(),
        )
        resolution_check = lambda_.Function(self, "ResolutionCheckAnalyzer",
            description="Example analyzer: flags images below a minimum resolution",
            runtime=lambda_.Runtime("nodejs24.x", lambda_.RuntimeFamily.NODEJS),
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(os.path.join(ANALYZERS_DIR, "resolution-check")),
            timeout=Duration.seconds(30),
            memory_size=256,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=5,
            environment_encryption=key,
            log_group=resolution_check_logs,
        )
        PhiLogProtection.restrict_function_to_log_group(resolution_check, resolution_check_logs)
        acknowledge_example_analyzer(resolution_check)

        analyzers: List[IImageAnalyzer] = [
            Analyzer.image_quality(),
            Analyzer.lambda_function(resolution_check, name="resolution-check",
                model_id="example-resolution-check", model_version="1"),
            # General labels on the middle image of each series: needs no model of your own.
            Analyzer.rekognition(min_confidence=60),
        ]
        # These two need something in the account first, so they come only when named.
        if bedrock_model_id is not None:
            analyzers.append(Analyzer.bedrock(model_id=bedrock_model_id))
        if sage_maker_endpoint_name is not None:
            analyzers.append(Analyzer.sage_maker_endpoint(endpoint_name=sage_maker_endpoint_name))

        self.pipeline = MedicalImagingPipeline(self, "Pipeline",
            encryption_key=key,
            analyzers=analyzers,
            notification_emails=notification_emails,
            auto_release_threshold=auto_release_threshold,
            quiet_period=None if quiet_period_seconds is None else Duration.seconds(quiet_period_seconds),
            structured_report_for_images=structured_report_for_images,
            # Re-running chosen analyzers over past studies (and `Analysis Requested` naming a study).
            reanalysis=ReanalysisOptions(),
            referenced_sources=None if referenced_bucket_name is None else [ReferencedSource(
                bucket=s3.Bucket.from_bucket_name(self, "ReferencedBucket", referenced_bucket_name),
                key_prefix=referenced_key_prefix,
            )],
        )


def acknowledge_example_analyzer(fn: lambda_.Function) -> None:
    """The example analyzer is deliberately minimal; say why each finding is accepted."""
    sync = ("Invoked synchronously by the Step Functions workflow, which retries it and turns a failure into a "
            "FAILED analyzer result; a DLQ would never receive an event.")
    vpc = ("The example analyzer reads only the invocation payload (image sizes) and calls no network service, "
           "so VPC placement would isolate nothing.")
    Validations.of(fn).acknowledge(
        Acknowledgment(id="HIPAA.Security-LambdaDLQ", reason=sync),
        Acknowledgment(id="NIST.800.53.R5-LambdaDLQ", reason=sync),
        Acknowledgment(id="HIPAA.Security-LambdaInsideVPC", reason=vpc),
        Acknowledgment(id="NIST.800.53.R5-LambdaInsideVPC", reason=vpc),
    )
    inline = ("The role's DefaultPolicy holds the pipeline's least-privilege grants for this one function "
              "(derived-image reads) and lives and dies with it.")
    Validations.of(fn.role).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason='Only the X-Ray actions xray:PutTraceSegments/PutTelemetryRecords use Resource "*": X-Ray has no resource-level permissions.',
        ),
        Acknowledgment(id="HIPAA.Security-IAMNoInlinePolicy", reason=inline),
        Acknowledgment(id="NIST.800.53.R5-IAMNoInlinePolicy", reason=inline),
    )

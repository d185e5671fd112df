"""The Python twin of examples/app.ts. Context as there:
  cdk deploy -c notificationEmails=radiology@example.org -c autoReleaseThreshold=0.5 -c bedrockModelId=...
  cdk deploy -c referencedBucketName=hospital-archive -c referencedKeyPrefix=studies/ -c structuredReportForImages=true
"""
from typing import Optional

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks
from example_stack import ExampleStack


def text_context(app: App, name: str) -> Optional[str]:
    """A text context value, or None when unset or empty."""
    raw = app.node.try_get_context(name)
    return None if raw is None or str(raw).strip() == "" else str(raw).strip()


def number_context(app: App, name: str) -> Optional[float]:
    """A numeric context value, or None when unset; anything else that is not a number fails fast."""
    raw = app.node.try_get_context(name)
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"Context '{name}' must be a number, got '{raw}'.") from None


def build_example_app(app: Optional[App] = None):
    app = app or App()
    emails = [e.strip() for e in str(app.node.try_get_context("notificationEmails") or "").split(",") if e.strip()]
    stack = ExampleStack(app, "MedicalImagingPipelineExample",
        notification_emails=emails,
        auto_release_threshold=number_context(app, "autoReleaseThreshold"),
        quiet_period_seconds=number_context(app, "quietPeriodSeconds"),
        bedrock_model_id=text_context(app, "bedrockModelId"),
        sage_maker_endpoint_name=text_context(app, "sageMakerEndpointName"),
        referenced_bucket_name=text_context(app, "referencedBucketName"),
        referenced_key_prefix=text_context(app, "referencedKeyPrefix"),
        structured_report_for_images=text_context(app, "structuredReportForImages") == "true",
        description="cdk-medical-imaging-pipeline example: serverless medical-imaging AI pipeline",
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), HIPAASecurityChecks(app), NIST80053R5Checks(app))
    return app, stack


if __name__ == "__main__":
    build_example_app()[0].synth()

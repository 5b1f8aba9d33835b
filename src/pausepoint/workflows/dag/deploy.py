"""The deploy workflow (design-notes/5): validate changes, deploy after a person approves
the exact plan (optionally edited), then verify.

    validate_changes -> deploy (approval) -> verify
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from pausepoint.domain import digest
from pausepoint.workflows.dag.agents import RequiresApproval, StepRequest
from pausepoint.workflows.dag.spec import FieldSpec, StepSpec, WorkflowSpec
from pausepoint.workflows.progress import report

_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")


class DeploymentPlan(BaseModel):
    target: Literal["staging", "production"]
    service: str = Field(min_length=1)
    version: str = Field(pattern=_VERSION.pattern)
    estimated_downtime: str


class ValidationAgent:
    async def run(self, request: StepRequest) -> Any:
        service, version = request.context["service"], request.context["version"]
        report("Running validation…", service=service, version=version)
        if not _VERSION.match(version):
            raise ValueError(f"version {version!r} is not a release version like v1.2.3")
        return {
            "service": service,
            "version": version,
            "checks": ["build", "tests", "lint"],
            "ok": True,
        }


class DeploymentAgent:
    async def run(self, request: StepRequest) -> Any:
        plan = DeploymentPlan(
            target=request.context["target"],
            service=request.context["service"],
            version=request.context["version"],
            estimated_downtime="30 seconds",
        )
        return RequiresApproval(
            title=f"Deploy {plan.service} {plan.version} to {plan.target}",
            message=f"Please review and approve deployment to {plan.target}: "
            f"{plan.service} {plan.version}",
            payload=plan.model_dump(mode="json"),
            payload_model=DeploymentPlan,
        )

    async def execute(self, request: StepRequest, payload: dict[str, Any]) -> Any:
        plan = DeploymentPlan.model_validate(payload)
        report(f"Deploying {plan.service} {plan.version} to {plan.target}…")
        return {
            "status": "deployed",
            **plan.model_dump(mode="json"),
            "deployment_id": digest(plan.model_dump(mode="json"))[:12],
        }


class VerifyAgent:
    async def run(self, request: StepRequest) -> Any:
        result = request.context["deployment_result"]
        report("Verifying…")
        healthy = result.get("status") in ("deployed", "approved_and_deployed")
        return {"healthy": healthy, "checked": result.get("service", request.context["service"])}


DEPLOY_SPEC = WorkflowSpec(
    name="deploy",
    description="Validate a service's changes, deploy them once a person approves the exact "
    "plan, then verify the deployment.",
    inputs={
        "service": FieldSpec(description="The service to deploy."),
        "version": FieldSpec(
            description="The release, like v2.1.0 or 2.1.0.", pattern=_VERSION.pattern
        ),
        "target": FieldSpec(
            description="Where to deploy: staging or production.",
            required=False,
            default="production",
            enum=("staging", "production"),
        ),
    },
    steps=(
        StepSpec(
            id="validate_changes",
            agent="ValidationAgent",
            description="Validate code changes",
            input="Validate changes for {{ service }}",
            output="validation_result",
        ),
        StepSpec(
            id="deploy",
            agent="DeploymentAgent",
            description="Deploy to production",
            input="Deploy {{ service }} with validation: {{ validation_result }}",
            output="deployment_result",
            depends_on=("validate_changes",),
        ),
        StepSpec(
            id="verify",
            agent="VerifyAgent",
            description="Verify the deployment",
            input="Verify {{ deployment_result }}",
            output="verification",
            depends_on=("deploy",),
        ),
    ),
    tags=("deploy", "release", "approval", "ops"),
)


def deploy_agents() -> dict[str, Any]:
    return {
        "ValidationAgent": ValidationAgent(),
        "DeploymentAgent": DeploymentAgent(),
        "VerifyAgent": VerifyAgent(),
    }

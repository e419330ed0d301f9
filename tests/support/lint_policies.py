"""Lints IAM policy documents against AWS's action, resource-type and condition-key tables.

Uses parliament (pinned in glue-scripts/requirements.txt), whose tables are generated from AWS's
Service Authorization Reference. Reads a JSON array of {"name", "kind", "policy"} on stdin, where
kind is "identity" (a role's or a grant's policy), "trust" (a role's assume-role policy) or
"resource" / "key" (a bucket or topic policy / a KMS key policy). Prints the findings that are not
allow-listed as a JSON array on stdout; exits 1 when there are any.

Used by tests/component/policy-lint.test.ts; not runtime code.
"""

import json
import sys
import warnings

# parliament imports pkg_resources, which warns on import; the warning is not a finding.
warnings.filterwarnings("ignore", category=UserWarning)
warnings.filterwarnings("ignore", category=DeprecationWarning)

from parliament import analyze_policy_string  # noqa: E402


def _arn_like_keys(policy):
    """Condition keys used with ArnLike / ArnEquals anywhere in the policy."""
    statements = policy.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    conditions = [s.get("Condition", {}) for s in statements]
    return {
        key for c in conditions for op, keys in c.items() if op in ("ArnLike", "ArnEquals") for key in keys
    }


def allowed(kind, policy, finding):
    """Findings where parliament's tables or its identity-policy view are known to be wrong."""
    issue, detail = finding.issue, str(finding.detail)
    # A trust policy has no Resource element: the role is the resource
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    if kind == "trust" and issue == "MALFORMED" and "neither Resource nor NotResource" in detail:
        return True
    # In a key policy, "Resource": "*" means this key and nothing else
    # (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
    if kind == "key" and issue == "RESOURCE_STAR":
        return True
    # parliament types kms:EncryptionContext:* as String; AWS uses ArnLike on
    # kms:EncryptionContext:aws:logs:arn in its own policies (managed policy
    # CloudWatchLogsAPIKeyAccess, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/CloudWatchLogsAPIKeyAccess.html).
    if (
        issue == "MISMATCHED_TYPE"
        and detail.startswith("Type mismatch: Arn")
        and _arn_like_keys(policy) == {"kms:EncryptionContext:aws:logs:arn"}
    ):
        return True
    return False


def lint(documents):
    findings = []
    for doc in documents:
        result = analyze_policy_string(json.dumps(doc["policy"]))
        for f in result.findings:
            if not allowed(doc["kind"], doc["policy"], f):
                findings.append({"name": doc["name"], "issue": f.issue, "detail": f.detail})
    return findings


def main():
    findings = lint(json.load(sys.stdin))
    json.dump(findings, sys.stdout, default=str)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

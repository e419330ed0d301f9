"""Permanently deleting the noncurrent versions of S3 objects under a prefix (the lake's buckets are
versioned, so a deleted or overwritten object lives on as a noncurrent version until a lifecycle rule
expires it). Used by the forget job (docs/erasure.md) on AWS only: the local lake's file system
keeps no versions.

ListObjectVersions needs `s3:ListBucketVersions` on the bucket, and deleting a version
(DeleteObjects with a VersionId) `s3:DeleteObjectVersion` on the objects:
https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
"""

from __future__ import annotations

from urllib.parse import urlparse

# DeleteObjects takes at most 1,000 keys per request.
BATCH = 1000


def bucket_of(path: str) -> str:
    """The bucket of an `s3://bucket[/...]` path; anything else is an error."""
    parsed = urlparse(path)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"{path} is not an s3://bucket path")
    return parsed.netloc


def noncurrent(pages) -> list[dict]:
    """The noncurrent versions and delete markers of ListObjectVersions pages, as DeleteObjects
    entries. The current version (IsLatest) of every key stays, a delete marker included: removing
    a latest delete marker would bring its object back."""
    found = []
    for page in pages:
        for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            if not entry["IsLatest"]:
                found.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
    return found


def delete_noncurrent(client, bucket: str, prefix: str) -> int:
    """Deletes every noncurrent version below `prefix` (which must end with `/`, so `crm/users/`
    never reaches `crm/users_old/`); returns how many. Raises naming the keys S3 refused."""
    if not prefix.endswith("/"):
        raise ValueError(f"prefix {prefix!r} must end with /")
    pages = client.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    doomed = noncurrent(pages)
    for start in range(0, len(doomed), BATCH):
        answer = client.delete_objects(
            Bucket=bucket, Delete={"Objects": doomed[start : start + BATCH], "Quiet": True}
        )
        errors = answer.get("Errors", [])
        if errors:
            listed = "; ".join(f"{e['Key']} ({e.get('Code')}: {e.get('Message')})" for e in errors[:5])
            raise RuntimeError(f"s3://{bucket}: {len(errors)} noncurrent versions were not deleted: {listed}")
    return len(doomed)

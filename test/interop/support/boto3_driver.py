"""Runs one botocore/boto3 call against the awscreds fakes and prints the outcome as one JSON line.

Input (argv[1], JSON): {"service", "operation", "params", "endpoint", "region"} for a client call;
"presign": true to return a presigned URL instead; {"kind": "credentials"} to resolve the default
credential chain (IMDS, container endpoint) from the environment; {"kind": "region"} to read the region
from IMDS. Output: {"ok": result} or {"error": {"class", "code", "message", "status"}}.
Only what the test passes in the environment points anywhere: endpoints are always explicit.
"""
import base64
import datetime
import json
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    return value


def main():
    # "@path": the spec is in a file (a 1 MiB message does not fit in one argument: MAX_ARG_STRLEN is 128 KiB).
    arg = sys.argv[1]
    if arg.startswith("@"):
        with open(arg[1:], encoding="utf-8") as f:
            spec = json.load(f)
    else:
        spec = json.loads(arg)
    kind = spec.get("kind", "call")
    session = boto3.session.Session()
    if kind == "versions":
        return {"boto3": boto3.__version__, "botocore": botocore.__version__}
    if kind == "credentials":
        creds = session.get_credentials()
        if creds is None:
            return None
        frozen = creds.get_frozen_credentials()
        sts = session.client("sts", endpoint_url=spec["endpoint"], region_name=spec["region"])
        who = sts.get_caller_identity()
        return {"method": creds.method, "accessKeyId": frozen.access_key, "arn": who["Arn"]}
    if kind == "region":
        # What botocore's region chain does on EC2 (utils.InstanceMetadataRegionFetcher).
        from botocore.utils import InstanceMetadataRegionFetcher

        fetcher = InstanceMetadataRegionFetcher(config={"ec2_metadata_service_endpoint": spec["endpoint"]})
        return {"region": fetcher.retrieve_region()}
    config = Config(retries={"total_max_attempts": 1}, read_timeout=spec.get("readTimeout", 30))
    client = session.client(spec["service"], endpoint_url=spec["endpoint"], region_name=spec["region"], config=config)
    if spec.get("presign"):
        return {"url": client.generate_presigned_url(spec["operation"], Params=spec.get("params", {}), ExpiresIn=spec.get("expiresIn", 60), HttpMethod=spec.get("method"))}
    params = spec.get("params", {})
    return plain(getattr(client, spec["operation"])(**params))


try:
    print(json.dumps({"ok": main()}))
except ClientError as error:
    err = error.response.get("Error", {})
    print(json.dumps({"error": {
        "class": type(error).__name__,
        "code": err.get("Code"),
        "message": err.get("Message"),
        "status": error.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
    }}))
except Exception as error:  # noqa: BLE001 - report anything else to the test as is
    print(json.dumps({"error": {"class": type(error).__name__, "code": None, "message": str(error), "status": None}}))

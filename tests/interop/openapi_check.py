#!/usr/bin/env python3
"""Checks the gateway's published OpenAPI document against the gateway itself.

    python openapi_check.py http://127.0.0.1:8080      (or CMP_BASE_URL=...)

1. GET /openapi.json and validate it as OpenAPI 3.1 (openapi-spec-validator).
2. Send real requests to the running demo gateway and validate each JSON answer against
   the schema that openapi.json declares for that route, method, status and media type
   (jsonschema, Draft 2020-12 with format checks; `$ref`s resolve inside openapi.json
   through a `referencing` registry). The JSON bodies sent are validated against the
   declared request body schema too.

One line per check (`ok N - ...`); the first failure stops the run (exit 1). The last line
is `N passed, M failed`.
"""

import json
import os
import re
import sys
import uuid

import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from checks import CheckFailed, Run

SPEC_URI = "urn:cmp-gateway:openapi.json"
JSON = "application/json"


def escape(token):
    """A JSON pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


class Spec:
    def __init__(self, doc):
        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)

    def pointer(self, pointer):
        node = self.doc
        for token in pointer.lstrip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def route(self, method, path):
        """The path template of openapi.json that `path` matches, and its operation."""
        for template, item in self.doc["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, path) and method.lower() in item:
                return template, item[method.lower()]
        raise CheckFailed(f"openapi.json has no {method} route matching {path}")

    def validator(self, pointer):
        """A validator for the schema at `pointer` (a JSON pointer into openapi.json)."""
        schema = {"$ref": f"{SPEC_URI}#{pointer}"}
        return Draft202012Validator(schema, registry=self.registry,
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)

    def response_schema(self, method, path, status, media=JSON):
        template, op = self.route(method, path)
        responses = op["responses"]
        base = f"/paths/{escape(template)}/{method.lower()}/responses/{status}"
        if str(status) not in responses:
            raise CheckFailed(f"{method} {template} declares no {status} (has {sorted(responses)})")
        response = responses[str(status)]
        if "$ref" in response:  # an OpenAPI reference to components/responses
            base = response["$ref"].lstrip("#")
            response = self.pointer(base)
        if media not in response.get("content", {}):
            raise CheckFailed(f"{method} {template} {status} declares no {media} body")
        return template, f"{base}/content/{escape(media)}/schema"

    def request_schema(self, method, path, media=JSON):
        template, op = self.route(method, path)
        if media not in op.get("requestBody", {}).get("content", {}):
            raise CheckFailed(f"{method} {template} declares no {media} request body")
        return f"/paths/{escape(template)}/{method.lower()}/requestBody/content/{escape(media)}/schema"


def errors_of(validator, instance):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)]


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CMP_BASE_URL", "")).rstrip("/")
    if not base:
        print("usage: openapi_check.py BASE_URL (or set CMP_BASE_URL)", file=sys.stderr)
        sys.exit(2)
    run = Run()
    try:
        steps(run, base)
    except CheckFailed as e:
        run.fail(str(e))
    except Exception as e:  # noqa: BLE001
        run.fail(f"unexpected {type(e).__name__}: {e}")
    print(f"{run.passed} passed, 0 failed")


def steps(run, base):
    r = requests.get(f"{base}/openapi.json", timeout=10)
    run.check("GET /openapi.json", r.status_code == 200 and r.headers.get("content-type", "").startswith(JSON),
              f"{r.status_code} {r.headers.get('content-type')}")
    doc = r.json()
    try:
        validate_spec(doc)
    except Exception as e:  # noqa: BLE001 - the validator's own error types
        raise CheckFailed(f"openapi.json is not valid OpenAPI: {e}")
    run.check("openapi.json is valid OpenAPI 3.1 (openapi-spec-validator)", doc.get("openapi", "").startswith("3.1"),
              f"{len(doc['paths'])} paths, {len(doc['components']['schemas'])} schemas")
    spec = Spec(doc)
    for name in doc["components"]["schemas"]:
        Draft202012Validator.check_schema(doc["components"]["schemas"][name])
    run.check("every component is a valid JSON Schema 2020-12", True)

    # The schemas bite: a wrong answer is refused (so a pass below means something).
    _, pointer = spec.response_schema("GET", "/accounts/10000001", 200)
    wrong = errors_of(spec.validator(pointer), {"account": {"accountNumber": "10000001", "extra": 1}})
    run.check("a wrong GetAccount answer is refused by the declared schema", len(wrong) >= 2, "; ".join(wrong))

    ext_ref = f"OPENAPI-CHECK-{uuid.uuid4().hex[:12]}"

    def exchange(label, method, path, expect, body=None):
        headers = {"Accept": JSON}
        if body is not None:
            headers["Content-Type"] = JSON
            pointer = spec.request_schema(method, path)
            errs = errors_of(spec.validator(pointer), body)
            if errs:
                raise CheckFailed(f"{label}: the request body does not match openapi.json: {errs}")
        resp = requests.request(method, f"{base}{path}", headers=headers,
                                data=None if body is None else json.dumps(body), timeout=10)
        if resp.status_code != expect:
            raise CheckFailed(f"{label}: {method} {path} answered {resp.status_code}, expected {expect}: {resp.text[:300]}")
        if not resp.headers.get("content-type", "").startswith(JSON):
            raise CheckFailed(f"{label}: content-type {resp.headers.get('content-type')}")
        answer = resp.json()
        template, pointer = spec.response_schema(method, path, expect)
        errs = errors_of(spec.validator(pointer), answer)
        run.check(f"{label}: {method} {path} {expect} matches {template}", not errs,
                  "; ".join(errs) if errs else "")
        return answer

    acc = exchange("GetAccount", "GET", "/accounts/10000001", 200)
    run.check("the account is 10000001", acc["account"]["accountNumber"] == 10000001)
    listed = exchange("QueryAgreementByCustomerLevel", "GET", "/accounts/10000002/agreements", 200)
    run.check("agreements are a JSON array", isinstance(listed.get("agreement"), list) and listed["agreement"],
              f"{len(listed.get('agreement', []))} agreements")
    exchange("GetAgreement", "GET", "/agreements/20000001", 200)
    created = exchange("CreateAgreement", "POST", "/agreements", 201, {
        "externalReference": ext_ref,
        "agreementData": {"accountCode": 10000001, "billingMedia": "PAPER", "billingCycle": 15,
                          "invoiceConsolidationLevel": "Account"},
    })
    number = created["agreementNumber"]
    run.check("CreateAgreement echoes externalReference", created.get("externalReference") == ext_ref)
    exchange("GetAgreement (new)", "GET", f"/agreements/{number}", 200)
    exchange("QueryAgreement (document)", "POST", "/ws/QueryAgreement", 200, {
        "agreementNumber": number, "datasets": {"dataset": ["BASIC", "INVOICECONTROL"]},
    })
    # A body breaking the facets cannot match the request schema: send it as is.
    resp = requests.post(f"{base}/agreements", headers={"Accept": JSON, "Content-Type": JSON}, timeout=10,
                         data=json.dumps({"externalReference": f"{ext_ref}-BAD",
                                          "agreementData": {"accountCode": "abc", "billingCycle": 99}}))
    run.check("an invalid CreateAgreement is a 400", resp.status_code == 400, f"{resp.status_code} {resp.text[:200]}")
    template, pointer = spec.response_schema("POST", "/agreements", 400)
    fault = resp.json()
    errs = errors_of(spec.validator(pointer), fault)
    run.check(f"the 400 ValidationFault matches POST {template} 400", not errs, "; ".join(errs))
    run.check("the fault lists every field error",
              fault.get("fault") == "ValidationFault" and len(fault.get("errors", [])) >= 2,
              f"{[e.get('extraInfo') for e in fault.get('errors', [])]}")
    missing = exchange("NOT_FOUND", "GET", "/agreements/99999999", 404)
    run.check("the 404 is a ValidationFault NOT_FOUND",
              missing.get("fault") == "ValidationFault" and missing["details"]["messageId"] == "NOT_FOUND",
              f"{missing['details']}")

    contract_fixtures(run, spec)


def contract_fixtures(run, spec):
    """Every expected JSON answer of the contract fixtures matches what openapi.json
    declares for its route, status and media type."""
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "requests")
    checked, undeclared = 0, []
    for op in sorted(os.listdir(root)):
        folder = os.path.join(root, op)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".response.json"):
                continue
            case = name[: -len(".response.json")]
            meta_file = os.path.join(folder, f"{case}.meta.json")
            meta = json.load(open(meta_file)) if os.path.exists(meta_file) else {}
            method = meta.get("method", "POST").upper()
            path = meta.get("path", f"/ws/{op}").split("?")[0]
            status = int(meta.get("status", 200))
            try:
                template, pointer = spec.response_schema(method, path, status)
            except Exception:  # noqa: BLE001 - no schema declared for that status
                undeclared.append(f"{op}/{case} ({method} {path} {status})")
                continue
            answer = json.load(open(os.path.join(folder, name)))
            errs = errors_of(spec.validator(pointer), answer)
            if errs:
                raise CheckFailed(f"fixture {op}/{name} does not match {method} {template} {status}: {errs}")
            checked += 1
    run.check(f"{checked} contract fixture answers match openapi.json", checked > 0,
              f"not declared (negotiation statuses): {len(undeclared)}")


if __name__ == "__main__":
    main()

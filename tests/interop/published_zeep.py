#!/usr/bin/env python3
"""Interoperability test of the gateway's OWN contract: zeep loads the WSDL the gateway
publishes (GET /ws/dise3g/services/AgreementPort?wsdl) over HTTP, fetching the SOAP schema
it imports by URL, and calls the demo gateway through it.

    python published_zeep.py http://127.0.0.1:8080      (or CMP_BASE_URL=...)

zeep runs in its default strict mode, so a response element the published schema does not
allow fails the test. The SOAP schema is also compiled by libxml2 (lxml) as XSD 1.0.

One line per check (`ok N - ...`); the first failure stops the run (exit 1) after
printing what zeep sent and what the gateway answered. The last line is `N passed, M failed`.
"""

import datetime
import os
import re
import sys
import uuid

import requests
from lxml import etree

import zeep
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

from checks import CheckFailed, Run, describe_fault, short

DEF_NS = "http://mdsuk.com/ws/dise3g/agreement/definition"
DTO_NS = "http://mdsuk.com/ws/dise3g/cmp/dto"
FAULT_NS = "http://mdsuk.com/ws/dise3g/fault/definition"
XS_NS = "http://www.w3.org/2001/XMLSchema"
BINDING = f"{{{DEF_NS}}}AgreementSOAPBinding"
BINDING12 = f"{{{DEF_NS}}}AgreementSOAP12Binding"
VALIDATION_FAULT = f"{{{FAULT_NS}}}ValidationFault"

ACCOUNT = 10000001  # demo: Jane Smith
MISSING_ACCOUNT = 99999999




def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CMP_BASE_URL", "")).rstrip("/")
    if not base:
        print("usage: published_zeep.py BASE_URL (or set CMP_BASE_URL)", file=sys.stderr)
        sys.exit(2)
    wsdl_url = f"{base}/ws/dise3g/services/AgreementPort?wsdl"
    print(f"# zeep {zeep.__version__}, published WSDL {wsdl_url}", flush=True)
    history = HistoryPlugin()
    run = Run(history)
    try:
        steps(run, base, wsdl_url, history)
    except CheckFailed as e:
        run.fail(str(e))
    except Fault as e:
        run.fail(f"unexpected SOAP fault: {describe_fault(e)}")
    except Exception as e:  # noqa: BLE001 - zeep parse errors, transport errors, ...
        run.fail(f"unexpected {type(e).__module__}.{type(e).__name__}: {e}")
    print(f"{run.passed} passed, 0 failed")


def steps(run, base, wsdl_url, history):
    # --- the documents themselves ----------------------------------------------------
    r = requests.get(wsdl_url, timeout=10)
    run.check("the WSDL is served", r.status_code == 200 and "xml" in r.headers.get("content-type", ""),
              f"{r.status_code} {r.headers.get('content-type')}")
    wsdl_doc = etree.fromstring(r.content)
    imports = {el.get("schemaLocation") for el in wsdl_doc.iter(f"{{{XS_NS}}}import")}
    xsd_url = f"{base}/schemas/soap/cmp.xsd"
    run.check("the WSDL imports the SOAP schema by absolute URL", imports == {xsd_url}, f"{imports}")
    r = requests.get(xsd_url, timeout=10)
    run.check("the SOAP schema is served", r.status_code == 200, f"{r.status_code}")
    schema_doc = etree.fromstring(r.content)
    try:
        etree.XMLSchema(schema_doc)
    except etree.XMLSchemaParseError as e:
        raise CheckFailed(f"the SOAP schema is not valid XSD 1.0: {e}")
    run.check("the SOAP schema compiles as XSD 1.0 (libxml2)", schema_doc.get("targetNamespace") == DTO_NS)
    plain = requests.get(f"{base}/ws/dise3g/services/AgreementPort", timeout=10)
    run.check("a GET of the port without ?wsdl is refused", plain.status_code == 405, f"{plain.status_code}")
    missing = requests.get(f"{base}/ws/dise3g/services/NoSuchPort?wsdl", timeout=10,
                           headers={"Accept": "application/json"})
    run.check("the WSDL of an unknown port is a 404 fault",
              missing.status_code == 404 and missing.json().get("fault") == "ValidationFault",
              f"{missing.status_code} {missing.text[:120]}")

    # Every port the docs page links loads in zeep, with its operations bound.
    docs = requests.get(f"{base}/docs/reference", timeout=10)
    ports = sorted(set(re.findall(r"/ws/dise3g/services/(\w+Port)\?wsdl", docs.text)))
    run.check("/docs links the AgreementPort WSDL", "AgreementPort" in ports, f"ports: {ports}")
    for port in ports:
        other = zeep.Client(f"{base}/ws/dise3g/services/{port}?wsdl",
                            transport=Transport(timeout=10, operation_timeout=30))
        bound = sorted(op for b in other.wsdl.bindings.values() for op in b._operations)
        run.check(f"zeep loads the {port} WSDL", len(bound) > 0, f"{len(bound)} bound operations")

    # --- zeep from the published WSDL (over HTTP, strict) ----------------------------
    client = zeep.Client(wsdl_url, transport=Transport(timeout=10, operation_timeout=30),
                         plugins=[history])
    run.check("zeep strict mode", client.settings.strict is True)
    run.check("WSDL defines the SOAP 1.1 and 1.2 bindings",
              BINDING in client.wsdl.bindings and BINDING12 in client.wsdl.bindings,
              f"bindings: {list(client.wsdl.bindings)}")
    svc = client.service  # the first port of the first service: SOAP 1.1
    address = svc._binding_options["address"]
    run.check("the port's address is the gateway's own",
              address == f"{base}/ws/dise3g/services/AgreementPort", address)
    ops = set(client.wsdl.bindings[BINDING]._operations)
    run.check("the 7.3.8 operation names are declared",
              {"CreateAgreement", "QueryAgreement", "QueryAgreementsByCustomerLevel",
               "UpdateAgreement"} <= ops, f"{sorted(ops)}")

    # --- QueryAgreementsByCustomerLevel (the 7.3.8 name) -----------------------------
    before = svc.QueryAgreementsByCustomerLevel(Request={"AccountIdentifier": ACCOUNT})
    known = [a.AgreementNumber for a in (before.Agreement or [])]
    run.check(f"QueryAgreementsByCustomerLevel for account {ACCOUNT}", isinstance(known, list),
              f"agreements: {known}")

    # --- CreateAgreement -------------------------------------------------------------
    ext_ref = f"PUBLISHED-ZEEP-{uuid.uuid4().hex[:12]}"
    created = svc.CreateAgreement(AgreementData={
        "ExternalReference": ext_ref,
        "AgreementData": {"AccountCode": ACCOUNT, "BillingMedia": "PAPER"},
    })
    number = created.AgreementNumber
    run.check("CreateAgreement returns an AgreementNumber", isinstance(number, int) and number > 0,
              f"AgreementNumber={number!r}")
    run.check("CreateAgreement echoes ExternalReference", created.ExternalReference == ext_ref,
              f"{created.ExternalReference!r}")

    # --- QueryAgreement of the new number --------------------------------------------
    q = svc.QueryAgreement(Request={"AgreementNumber": number,
                                    "Datasets": {"Dataset": ["BASIC", "INVOICECONTROL"]}})
    basic = q.AgreementBasic
    run.check("QueryAgreement returns AgreementBasic of the new agreement",
              basic is not None and basic.AgreementNumber == number, short(basic))
    run.check("its BillingMedia is PAPER", basic.BillingMedia == "PAPER", f"{basic.BillingMedia!r}")
    run.check("it is logged at the account",
              basic.AgreementLoggedAt is not None and basic.AgreementLoggedAt.AccountIdentifier == ACCOUNT,
              short(basic.AgreementLoggedAt))
    run.check("LastAmendedDate reads as a dateTime", isinstance(basic.LastAmendedDate, datetime.datetime),
              f"{basic.LastAmendedDate!r}")
    run.check("InvoiceControl is returned", q.InvoiceControl is not None, short(q.InvoiceControl))

    # --- the CMP name of the listing, and the listing now has it ---------------------
    after = svc.QueryAgreementByCustomerLevel(Request={"AccountIdentifier": ACCOUNT})
    listed = [a.AgreementNumber for a in (after.Agreement or [])]
    run.check("QueryAgreementByCustomerLevel (8.x name) lists the new agreement", number in listed,
              f"agreements: {listed}")

    # --- UpdateAgreement -------------------------------------------------------------
    updated = svc.UpdateAgreement(UpdateAgreementData={
        "AgreementNumber": number,
        "UpdateAgreementBasic": {"BillingMedia": "EMAIL", "LastAmendedDate": basic.LastAmendedDate},
    })
    run.check("UpdateAgreement succeeds", updated.AgreementNumber == number, f"{updated.AgreementNumber!r}")

    # --- SOAP 1.2 through the second port --------------------------------------------
    svc12 = client.bind("AgreementPort", "AgreementPortSoap12")
    q12 = svc12.QueryAgreement(Request={"AgreementNumber": number, "Datasets": {"Dataset": ["BASIC"]}})
    run.check("SOAP 1.2 QueryAgreement shows the update",
              q12.AgreementBasic is not None and q12.AgreementBasic.BillingMedia == "EMAIL",
              short(q12.AgreementBasic))

    # --- a fault ---------------------------------------------------------------------
    try:
        svc.CreateAgreement(AgreementData={
            "ExternalReference": f"{ext_ref}-X",
            "AgreementData": {"AccountCode": MISSING_ACCOUNT, "BillingMedia": "PAPER"},
        })
    except Fault as f:
        fault = f
    else:
        raise CheckFailed(f"CreateAgreement for account {MISSING_ACCOUNT} did not raise a Fault")
    run.check(f"CreateAgreement for account {MISSING_ACCOUNT} raises a zeep Fault", True,
              f"faultstring={fault.message!r}")
    run.check("its faultcode is Client", (fault.code or "").rsplit(":", 1)[-1] == "Client",
              f"faultcode={fault.code!r}")
    detail = None if fault.detail is None else fault.detail.find(VALIDATION_FAULT)
    run.check("its detail holds a ValidationFault", detail is not None, describe_fault(fault))
    parsed = client.get_element(VALIDATION_FAULT).parse(detail, client.wsdl.types)
    run.check("the detail parses as the published ValidationFault",
              bool(parsed.Details.MessageId), f"Details={short(parsed.Details)}")
    errors = parsed.Errors.Error if parsed.Errors is not None else []
    run.check("its Errors name the AccountCode",
              any((e.ExtraInfo or "").endswith("AccountCode") for e in errors), f"Errors={short(errors)}")


if __name__ == "__main__":
    main()

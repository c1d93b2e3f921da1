#!/usr/bin/env python3
"""Interoperability test: a zeep client generated from the reference CMP 7.3.8 agreement
WSDL, talking SOAP 1.1 to a running gateway loaded with the demo data.

    python agreement_zeep.py http://127.0.0.1:8080      (or CMP_BASE_URL=...)

The WSDL is read at test time from the reference tree (CMP_REFERENCE_WSDL overrides the
path); it is never copied into the repository. zeep runs in its default strict mode, so
an element the schema does not allow in a response fails the test.

One line per check; the first failure stops the run (exit 1) after printing what zeep
sent and what the gateway answered. The last line is `N passed, M failed`.
"""

import datetime
import os
import sys
import uuid


import zeep
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

from checks import CheckFailed, Run, describe_fault, short

DEFAULT_WSDL = "/work/shared/reference/cmp-7.3.8/wsdl/agreement/agreementservice.wsdl"
BINDING = "{http://mdsuk.com/ws/dise3g/agreement/service}AgreementSOAPBinding"
FAULT_NS = "http://mdsuk.com/ws/dise3g/fault/definition"
VALIDATION_FAULT = f"{{{FAULT_NS}}}ValidationFault"

ACCOUNT = 10000001  # demo: Jane Smith
MISSING_ACCOUNT = 99999999
GROUP_AGREEMENT = 20000001  # demo: logged at group NWGRP



def fault_message_id(fault):
    """MessageId of the ValidationFault in a zeep Fault's detail, or None."""
    if fault.detail is None:
        return None
    el = fault.detail.find(f"{VALIDATION_FAULT}/Details/MessageId")
    return None if el is None else el.text


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CMP_BASE_URL", "")).rstrip("/")
    if not base:
        print("usage: agreement_zeep.py BASE_URL (or set CMP_BASE_URL)", file=sys.stderr)
        sys.exit(2)
    wsdl = os.environ.get("CMP_REFERENCE_WSDL", DEFAULT_WSDL)
    address = f"{base}/ws/dise3g/services/AgreementPort"
    print(f"# zeep {zeep.__version__}, WSDL {wsdl}, endpoint {address}", flush=True)

    history = HistoryPlugin()
    run = Run(history)
    try:
        steps(run, wsdl, address, history)
    except CheckFailed as e:
        run.fail(str(e))
    except Fault as e:
        run.fail(f"unexpected SOAP fault: {describe_fault(e)}")
    except Exception as e:  # noqa: BLE001 - zeep parse errors, transport errors, ...
        run.fail(f"unexpected {type(e).__module__}.{type(e).__name__}: {e}")
    print(f"{run.passed} passed, 0 failed")


def steps(run, wsdl, address, history):
    run.check("reference WSDL is readable", os.path.isfile(wsdl), wsdl)
    # Default settings: strict=True (unexpected or missing elements are errors).
    client = zeep.Client(wsdl, transport=Transport(timeout=10, operation_timeout=30),
                         plugins=[history])
    run.check("zeep strict mode", client.settings.strict is True)
    run.check("WSDL defines the binding", BINDING in client.wsdl.bindings,
              f"bindings: {list(client.wsdl.bindings)}")
    svc = client.create_service(BINDING, address)

    # --- CreateAgreement -------------------------------------------------------------
    ext_ref = f"INTEROP-ZEEP-{uuid.uuid4().hex[:12]}"
    created = svc.CreateAgreement(AgreementData={
        "ExternalReference": ext_ref,
        "AgreementData": {
            "BillingCycle": 15,
            "InvoiceConsolidationLevel": "Account",
            "InvoiceReceiptAddress": "Account",
            "AccountCode": ACCOUNT,
            "BillingMedia": "PAPER",
        },
    })
    number = created.AgreementNumber
    run.check("CreateAgreement returns an AgreementNumber",
              isinstance(number, int) and number > 0, f"AgreementNumber={number!r}")
    run.check("CreateAgreement echoes ExternalReference", created.ExternalReference == ext_ref,
              f"ExternalReference={created.ExternalReference!r}")

    # --- QueryAgreementsByCustomerLevel ----------------------------------------------
    listed = svc.QueryAgreementsByCustomerLevel(Request={"AccountIdentifier": ACCOUNT})
    rows = {a.AgreementNumber: a for a in (listed.Agreement or [])}
    run.check("QueryAgreementsByCustomerLevel lists the new agreement", number in rows,
              f"agreements of {ACCOUNT}: {sorted(rows)}")
    logged = rows[number].InvoiceLoggedAt
    run.check("listed InvoiceLoggedAt.AccountIdentifier is the account",
              logged is not None and logged.AccountIdentifier == ACCOUNT,
              f"InvoiceLoggedAt={short(logged)}")

    # --- QueryAgreement (BASIC) ------------------------------------------------------
    def query_basic(n):
        r = svc.QueryAgreement(Request={"AgreementNumber": n, "Datasets": {"Dataset": ["BASIC"]}})
        if r.AgreementBasic is None:
            raise CheckFailed(f"QueryAgreement {n}: no AgreementBasic in the response")
        return r.AgreementBasic

    basic = query_basic(number)
    first_amended = basic.LastAmendedDate
    run.check("QueryAgreement BASIC reads LastAmendedDate as a dateTime",
              isinstance(first_amended, datetime.datetime), f"LastAmendedDate={short(first_amended)}")
    run.check("QueryAgreement BASIC reads BillingCycle 15", basic.BillingCycle == 15,
              f"BillingCycle={basic.BillingCycle!r}")
    run.check("QueryAgreement BASIC reads BillingMedia PAPER", basic.BillingMedia == "PAPER",
              f"BillingMedia={basic.BillingMedia!r}")

    group = query_basic(GROUP_AGREEMENT)
    run.check(f"QueryAgreement BASIC of demo agreement {GROUP_AGREEMENT}",
              group.AgreementNumber == GROUP_AGREEMENT and group.AgreementLoggedAt is not None
              and group.AgreementLoggedAt.GroupIdentifier == "NWGRP",
              f"AgreementLoggedAt={short(group.AgreementLoggedAt)}")

    # --- UpdateAgreement -------------------------------------------------------------
    updated = svc.UpdateAgreement(UpdateAgreementData={
        "AgreementNumber": number,
        "UpdateAgreementBasic": {"BillingMedia": "EMAIL", "LastAmendedDate": first_amended},
    })
    run.check("UpdateAgreement with the current LastAmendedDate succeeds",
              updated.AgreementNumber == number, f"AgreementNumber={updated.AgreementNumber!r}")
    basic = query_basic(number)
    run.check("QueryAgreement shows BillingMedia EMAIL", basic.BillingMedia == "EMAIL",
              f"BillingMedia={basic.BillingMedia!r}")
    second_amended = basic.LastAmendedDate
    run.check("LastAmendedDate moved forward", second_amended > first_amended,
              f"{first_amended.isoformat()} -> {second_amended.isoformat()}")

    # --- UpdateAgreement with the stale LastAmendedDate -------------------------------
    try:
        svc.UpdateAgreement(UpdateAgreementData={
            "AgreementNumber": number,
            "UpdateAgreementBasic": {"BillingMedia": "PAPER", "LastAmendedDate": first_amended},
        })
    except Fault as f:
        stale = f
    else:
        raise CheckFailed("UpdateAgreement with a stale LastAmendedDate did not raise a Fault")
    run.check("stale UpdateAgreement raises a zeep Fault", True, f"faultstring={stale.message!r}")
    run.check("stale UpdateAgreement fault is a ValidationFault with MessageId STALE_DATA",
              fault_message_id(stale) == "STALE_DATA", describe_fault(stale))
    run.check("stale UpdateAgreement faultcode is Client",
              (stale.code or "").rsplit(":", 1)[-1] == "Client", f"faultcode={stale.code!r}")
    # The detail must also be a valid fault:ValidationFault per the WSDL's schema (strict).
    vf_element = client.get_element(VALIDATION_FAULT)
    parsed = vf_element.parse(stale.detail.find(VALIDATION_FAULT), client.wsdl.types)
    run.check("fault detail parses as the WSDL's ValidationFault",
              parsed.Details.MessageId == "STALE_DATA", f"Details={short(parsed.Details)}")
    basic = query_basic(number)
    run.check("the stale update changed nothing",
              basic.BillingMedia == "EMAIL" and basic.LastAmendedDate == second_amended,
              f"BillingMedia={basic.BillingMedia!r} LastAmendedDate={short(basic.LastAmendedDate)}")

    # --- CreateAgreement for an unknown account ---------------------------------------
    try:
        svc.CreateAgreement(AgreementData={
            "ExternalReference": f"{ext_ref}-X",
            "AgreementData": {"BillingCycle": 15, "AccountCode": MISSING_ACCOUNT,
                              "BillingMedia": "PAPER"},
        })
    except Fault as f:
        missing = f
    else:
        raise CheckFailed(f"CreateAgreement for account {MISSING_ACCOUNT} did not raise a Fault")
    message_id = fault_message_id(missing)
    run.check(f"CreateAgreement for account {MISSING_ACCOUNT} raises a ValidationFault",
              message_id is not None, describe_fault(missing))
    parsed = vf_element.parse(missing.detail.find(VALIDATION_FAULT), client.wsdl.types)
    run.check("its detail parses as the WSDL's ValidationFault",
              parsed.Details.MessageId == message_id, f"Details={short(parsed.Details)}")
    errors = parsed.Errors.Error if parsed.Errors is not None else []
    run.check("its Errors name the AccountCode",
              any((e.ExtraInfo or "").endswith("AccountCode") for e in errors),
              f"Errors={short(errors)}")


if __name__ == "__main__":
    main()

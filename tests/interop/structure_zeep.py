#!/usr/bin/env python3
"""Interoperability test of the CMP 7.3.8 group, corporate, account and structure services:
zeep clients (strict mode) built from the four reference WSDLs, or from the WSDLs the gateway
publishes, create a group, a corporate under it and an account under the corporate, read
each back, update each with the lastAmendedDate read, and read the customer structure.

    python structure_zeep.py BASE_URL [reference|published]

The reference WSDLs are read from the reference tree (CMP_REFERENCE_DIR overrides it);
they are never copied into the repository. Codes are fresh per run, so the script runs
against any demo gateway. The last line is `N passed, M failed`.
"""

import os
import sys
import uuid
from urllib.parse import urlparse

import zeep
from zeep.exceptions import Fault
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

DEFAULT_DIR = "/work/shared/reference/cmp-7.3.8/wsdl"
SERVICES = ["group", "corporate", "account", "structure"]


def soap11_binding(client):
    """The SOAP 1.1 binding of a WSDL (the published ones also have a SOAP 1.2 one)."""
    for name, binding in client.wsdl.bindings.items():
        if "12" not in name and binding.__class__.__name__ == "Soap11Binding":
            return name
    raise SystemExit(f"no SOAP 1.1 binding in {client.wsdl.location}")


def address_path(client):
    """The path of the address the WSDL names for its SOAP 1.1 port (the reference group
    and corporate WSDLs name /axis/services/…Port, the others /ws/dise3g/services/…Port)."""
    for service in client.wsdl.services.values():
        for port in service.ports.values():
            if port.binding.__class__.__name__ == "Soap11Binding":
                return urlparse(port.binding_options["address"]).path
    raise SystemExit(f"no SOAP 1.1 port in {client.wsdl.location}")


def clients(base, mode, history, services=SERVICES, strict=True):
    """One service proxy per WSDL of `services`, at the gateway's host and the path its
    WSDL names; `strict` is zeep's strict mode for what it reads."""
    out = {}
    for svc in services:
        port = svc.capitalize() + "Port"
        if mode == "reference":
            ref = os.environ.get("CMP_REFERENCE_DIR", DEFAULT_DIR)
            wsdl = f"{ref}/{svc}/{svc}service.wsdl"
        else:
            wsdl = f"{base}/ws/dise3g/services/{port}?wsdl"
        client = zeep.Client(wsdl, transport=Transport(timeout=10), plugins=[history],
                             settings=zeep.Settings(strict=strict))
        out[svc] = client.create_service(soap11_binding(client), base + address_path(client))
    return out


def stale(run, name, call):
    """`call` must be refused with STALE_DATA."""
    try:
        call()
        run.check(name, False, "answered without a fault")
    except Fault as f:
        run.check(name, "STALE_DATA" in zeep.helpers.etree.tostring(f.detail).decode(), f)


class Run:
    def __init__(self, history):
        self.passed = 0
        self.failed = 0
        self.history = history

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name} {detail}", flush=True)
            for entry in (self.history.last_sent, self.history.last_received):
                if entry:
                    print("     " + zeep.helpers.etree.tostring(entry["envelope"]).decode()[:2000])


def steps(run, s, mode):
    tag = uuid.uuid4().hex[:4].upper()
    group, corporate = f"G{tag}", f"C{tag}"
    ref = f"ZEEP-{mode}-{tag}"

    def business(name):
        return {"BusinessAddress": {"CompanyName": name, "Address1": "1 Kingsway",
                                    "Postcode": "WC2B 6AA", "Surname": "Clarke"}}

    account = {"CompanyNumber": "1", "Address": business(f"{group} plc"),
               "PaymentType": "CHQ", "PaymentTerm": "30", "AccountUsage": "Sales"}
    r = s["group"].CreateGroup(Request={"ExternalReference": ref, "GroupData": {
        "GroupCode": group, "GroupDescription": "Zeep group", "Account": account}})
    run.check("CreateGroup answers the code", r.GroupCode == group, r)
    q = s["group"].QueryGroup(Request={"GroupCode": group, "Datasets": {"Dataset": ["BASIC", "ADDRESS"]}})
    run.check("QueryGroup reads it back", q.GroupBasic.GroupDescription == "Zeep group", q)
    s["group"].UpdateGroup(Request={"GroupCode": group, "UpdateGroupBasic": {
        "GroupDescription": "Zeep group 2", "LastAmendedDate": q.GroupBasic.LastAmendedDate}})
    q2 = s["group"].QueryGroup(Request={"GroupCode": group, "Datasets": {"Dataset": ["BASIC"]}})
    run.check("UpdateGroup changes the description", q2.GroupBasic.GroupDescription == "Zeep group 2", q2)
    stale(run, "a stale UpdateGroup is refused", lambda: s["group"].UpdateGroup(Request={
        "GroupCode": group, "UpdateGroupBasic": {
            "GroupDescription": "late", "LastAmendedDate": q.GroupBasic.LastAmendedDate}}))

    r = s["corporate"].CreateCorporate(Request={"ExternalReference": ref, "CorporateData": {
        "CorporateCode": corporate, "CorporateDescription": "Zeep corporate",
        "Account": dict(account, Address=business(f"{corporate} Ltd")), "GroupCode": group}})
    run.check("CreateCorporate answers the code", r.CorporateCode == corporate, r)
    q = s["corporate"].QueryCorporate(Request={"CorporateCode": corporate, "Datasets": {"Dataset": ["BASIC", "ADDRESS"]}})
    run.check("QueryCorporate reads its group", q.CorporateBasic.GroupCode == group, q)
    run.check("QueryCorporate reads its posting account's address",
              q.Address.BusinessAddress.CompanyName == f"{corporate} Ltd"
              and q.Address.AddressNumber == q.CorporateBasic.AddressNumber, q)
    s["corporate"].UpdateCorporate(Request={"CorporateCode": corporate, "UpdateCorporateBasic": {
        "CorporateDescription": "Zeep corporate 2", "LastAmendedDate": q.CorporateBasic.LastAmendedDate}})
    stale(run, "a stale UpdateCorporate is refused", lambda: s["corporate"].UpdateCorporate(Request={
        "CorporateCode": corporate, "UpdateCorporateBasic": {
            "CorporateDescription": "late", "LastAmendedDate": q.CorporateBasic.LastAmendedDate}}))
    q = s["corporate"].QueryCorporate(Request={"CorporateCode": corporate, "Datasets": {"Dataset": ["BASIC"]}})
    run.check("UpdateCorporate changes the description",
              q.CorporateBasic.CorporateDescription == "Zeep corporate 2", q)

    r = s["account"].CreateAccount(AccountData={"ExternalReference": ref, "AccountData": {
        "CompanyNumber": "1", "Address": business("Zeep Trading Ltd"), "PaymentType": "DD",
        "BankAccountNumber": "55779911", "BankSortCode": "200000", "NameOfPayer": "Zeep Trading",
        "DDSetupMethodCode": "AUDDIS", "CorporateCode": corporate}})
    number = r.AccountNumber
    run.check("CreateAccount answers a number", isinstance(number, int) and number > 0, r)
    q = s["account"].QueryAccount(Request={"AccountNumber": number, "Datasets": {"Dataset": [
        "BASIC", "ADDRESS", "PAYMENT_DETAILS", "CREDIT_CONTROL", "CUSTOMER_DETAILS"]}})
    run.check("QueryAccount reads the account", q.AccountBasic.CorporateCode == corporate, q)
    run.check("QueryAccount masks the bank account",
              q.PaymentDetails.DirectDebit.BankAccountNumber == "****9911", q.PaymentDetails)
    stamp = q.AccountBasic.LastAmendedDate
    s["account"].UpdateAccountDetails(Request={"AccountNumber": number,
        "UpdateAccountBasic": {"PaymentTerms": "14", "LastAmendedDate": stamp},
        "UpdateCreditControl": {"CreditLimit": 900, "LastAmendedDate": stamp}})
    q = s["account"].QueryAccount(Request={"AccountNumber": number, "Datasets": {"Dataset": ["BASIC", "CREDIT_CONTROL"]}})
    run.check("UpdateAccountDetails changes the account",
              q.AccountBasic.PaymentTerms == "14" and q.CreditControl.CreditLimit == 900, q)
    stale(run, "a stale UpdateAccountDetails is refused", lambda: s["account"].UpdateAccountDetails(
        Request={"AccountNumber": number,
                 "UpdateCreditControl": {"CreditLimit": 1, "LastAmendedDate": stamp}}))

    t = s["structure"].QueryCustomerStructure(CustomerStructureQueryData={
        "CustomerLevel": "Group", "CustomerLevelId": group, "TreeFilter": "AllDependents"})
    corporates = t.CustomerNode.Group.Corporates.Corporate
    accounts = [a.AccountNumber for a in corporates[0].Accounts.Account]
    run.check("QueryCustomerStructure holds the corporate and its account",
              [c.CorporateCode for c in corporates] == [corporate] and number in accounts, t)


def script_main(script, label, body):
    """The command line of a zeep script: `script BASE_URL [reference|published]`; runs
    `body(run, clients_base, base, mode, history)`, a zeep error being one failed check,
    and exits 1 on any failure."""
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("CMP_BASE_URL", "")).rstrip("/")
    mode = sys.argv[2] if len(sys.argv) > 2 else "reference"
    if not base or mode not in ("reference", "published"):
        print(f"usage: {script} BASE_URL [reference|published]", file=sys.stderr)
        sys.exit(2)
    history = HistoryPlugin()
    run = Run(history)
    print(f"# zeep {zeep.__version__}, {mode} {label}, gateway {base}", flush=True)
    try:
        body(run, base, mode, history)
    except Exception as e:  # a zeep error is a failed check, with what was exchanged
        run.check(f"no error ({type(e).__name__}: {e})", False)
    print(f"{run.passed} passed, {run.failed} failed")
    sys.exit(0 if run.failed == 0 else 1)


def main():
    script_main("structure_zeep.py", "WSDLs",
                lambda run, base, mode, history: steps(run, clients(base, mode, history), mode))


if __name__ == "__main__":
    main()

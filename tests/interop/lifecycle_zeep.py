#!/usr/bin/env python3
"""The whole life of a subscription over the CMP 7.3.8 subscription service: a zeep client
built from the reference subscriptionservice.wsdl (or from the WSDL the gateway publishes),
pointed at a sandbox gateway, runs

    create held (PreActive) -> activate -> buy a bolt-on -> spend cap (SetPostPayCaps)
    -> usage (REST admin RecordUsage) until the data allowances are used up and the cap
    bites -> IsEligibleForUpgrade (refused, with the reason and the first day possible)
    -> UpdateTariff on that day (pending) -> RevertLastUpgrade -> UpdateTariff again
    -> PUT /admin/clock past the day: the change applied (base package swapped, bolt-on
    retained) -> RevertLastUpgrade refused -> termination fees in contract, in the last
    month and out of contract (the clock moves on)
    -> disconnection (REST only: 7.3.8 SubscriptionPort has no such operation): scheduled,
    cancelled, then now

and checks every state through QuerySubscription (BASIC, PACKAGES, PENDING_TARIFF_CHANGE,
TERMINATION_FEE, UPGRADEELIGIBILITY).

    python lifecycle_zeep.py BASE_URL [reference|published]

Needs a gateway started with --demo --sandbox (account 10000001, plans SIMO12 with base
package BSIM12 and SIMO5 with BSIMO5, both 12 months with a 2-month early-upgrade period;
bolt-on DB5G retained by SIMO5). It moves the sandbox clock about ten months forward: run
it last against a gateway (it ends about two years ahead). The last line is `N passed, M failed`.
"""

import datetime
import random
from decimal import Decimal

import requests
import zeep

from structure_zeep import script_main
from subscription_zeep import clients, refused

JSON = {"content-type": "application/json", "accept": "application/json"}


def rest(base, method, path, body=None):
    r = requests.request(method, base + path, json=body, headers=JSON, timeout=30)
    return r.status_code, (r.json() if r.text else None)


def add_months(d, n):
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    last = (datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(y, m, min(d.day, last))


def steps(run, s, base):
    sub = s["subscription"]
    status, clock = rest(base, "GET", "/admin/clock")
    run.check("the sandbox clock answers", status == 200, clock)
    now = datetime.datetime.fromisoformat(clock["now"].replace("Z", "+00:00"))
    today = now.date()

    def query(number, *datasets):
        return sub.QuerySubscription(Request={
            "SubscriptionQueryData": {"SubscriptionNumber": number},
            "Datasets": {"Dataset": list(datasets)}})

    # Created held for activation.
    msisdn = "4477008" + "".join(random.choice("0123456789") for _ in range(5))
    r = sub.CreateSubscription(CreationData={
        "ExternalReference": "ZEEP-LIFE-1", "AccountIdentifier": 10000001,
        "SubscriptionData": {
            "PricePlan": "SIMO12", "PackageCode": "BSIM12", "UserName": "Zeep Life",
            "ManagedSerialNumbers": {"ManagedSerialNumber": [
                {"EnumerationId": "1", "NetworkSerialNumber": msisdn}]},
            "ConnectionDetails": {"ConnectionReason": "NEW", "HoldActivation": True}}})
    number = r.SubscriptionIdentifier
    q = query(number, "BASIC")
    run.check("created PreActive", q.SubscriptionBasic.SubscriptionStatus == "PreActive", q)

    # Activated on a 12-month contract from today.
    r = sub.ActivateSubscription(Request={
        "ExternalReference": "ZEEP-LIFE-2", "SubscriptionIdentifier": number,
        "ActivateData": {"ContractNumber": "ZEEP-C1", "ContractTerm": 12, "ContractStartedOn": today}})
    run.check("ActivateSubscription answers the provisioning event", int(r.EventNumber) > 0, r)
    q = query(number, "BASIC", "TERMINATION_FEE")
    run.check("activated", q.SubscriptionBasic.SubscriptionStatus == "Active"
              and q.SubscriptionBasic.ConnectedDate == today, q.SubscriptionBasic)
    run.check("in contract: a termination fee",
              Decimal(str(q.TerminationFee.TerminationFee)) > 0, q.TerminationFee)
    refused(run, "ActivateSubscription twice is refused", "NOT_PRE_ACTIVE",
            lambda: sub.ActivateSubscription(Request={"SubscriptionIdentifier": number}))

    # A bolt-on, and usage recorded through the REST admin operation.
    sub.CreatePackage(Request={"SubscriptionNumber": number, "PackageCode": "DB5G",
                               "EffectiveDate": today})
    q = query(number, "PACKAGES")
    run.check("bolt-on bought", [p.PackageCode for p in q.Packages.Package] == ["BSIM12", "DB5G"],
              q.Packages)
    # A spend cap (SOAP SetPostPayCaps), usage through the REST admin RecordUsage until the
    # data allowances are used up, then the cap bites.
    sub.SetPostPayCaps(Request={"SubscriptionNumber": number, "PostPayCaps": {"Cap": [
        {"CapCode": "SPEND", "EffectiveDate": today, "Value": "30.00"}]}})
    status, a = rest(base, "GET", f"/subscriptions/{number}/allowances")
    data = sum(x.get("remaining", 0) for x in a["allowance"] if x.get("unit") == "MB")
    run.check("data allowances of the plan and the bolt-on", status == 200 and data > 0, a)
    status, used = rest(base, "POST", f"/subscriptions/{number}/usage",
                        {"usage": [{"type": "Data", "quantity": data}]})
    run.check("RecordUsage (REST admin) rates the usage in bundle", status == 201
              and used["usage"][0]["outOfBundleQuantity"] == 0, used)
    status, a = rest(base, "GET", f"/subscriptions/{number}/allowances")
    run.check("the data allowances are used up",
              all(x.get("remaining") == 0 for x in a["allowance"] if x.get("unit") == "MB"), a)
    status, f = rest(base, "POST", f"/subscriptions/{number}/usage",
                     {"usage": [{"type": "Data", "quantity": 3000}]})
    run.check("out of bundle, the spend cap bites", status == 409
              and f["details"]["messageId"] == "SPEND_CAP_EXCEEDED", f)
    q = query(number, "POSTPAYCAPS")
    spend = [c for c in q.PostPayCaps.Cap if c.CapCode == "SPEND"]
    run.check("QuerySubscription POSTPAYCAPS: the cap and what it holds",
              len(spend) == 1 and str(spend[0].Amount) == "30.00"
              and Decimal(str(spend[0].CapConsumption)) > 0, q.PostPayCaps)

    # In contract: no upgrade before the end of the early-upgrade period.
    e = sub.IsEligibleForUpgrade(Request={"UpgradeEligibility": {"SubscriptionNumber": number},
                                          "Notes": "zeep"})
    run.check("IsEligibleForUpgrade today: no, with the reason",
              e.Eligible is False and "early-upgrade period" in e.FailureReasons.ReasonCode[0], e)
    day = e.DateUpgradePossible
    run.check("IsEligibleForUpgrade: the first day possible, about ten months on",
              day is not None and 295 <= (day - today).days <= 310, e)
    e = sub.IsEligibleForUpgrade(Request={"UpgradeEligibility": {"SubscriptionNumber": number},
                                          "UpgradeDate": day})
    run.check("IsEligibleForUpgrade on that day: yes", e.Eligible is True and e.TariffCode == "SIMO12", e)
    q = query(number, "BASIC", "UPGRADEELIGIBILITY")
    refused(run, "UpdateTariff inside the early-upgrade period is refused with the reason",
            "early-upgrade period",
            lambda: sub.UpdateTariff(Request={
                "SubscriptionNumber": number, "PricePlanCode": "SIMO5",
                "AsOfDate": {"Date": day - datetime.timedelta(days=1)},
                "LastAmendedDate": q.SubscriptionBasic.LastAmendedDate}))

    # UpdateTariff on that day: pending; withdrawn; asked again.
    def update_tariff():
        stamp = query(number, "BASIC").SubscriptionBasic.LastAmendedDate
        return sub.UpdateTariff(Request={
            "ExternalReference": "ZEEP-LIFE-3", "SubscriptionNumber": number,
            "PricePlanCode": "SIMO5", "PackageCode": "BSIMO5", "AsOfDate": {"Date": day},
            "UpdateContractAndSales": {"ContractStartDate": {"Value": day}, "TermOfContract": 12},
            "EligibilityRules": {"SalesChannel": "TELESALES"},
            "AuditRecord": {"UserID": "ZEEP", "Program": "zeep"},
            "LastAmendedDate": stamp})
    r = update_tariff()
    run.check("UpdateTariff answers its event and the new base package",
              int(r.EventNumber) > 0 and r.PackageCode == "BSIMO5", r)
    q = query(number, "BASIC", "PENDING_TARIFF_CHANGE")
    run.check("the change is pending", q.SubscriptionBasic.TariffChangePending is True
              and q.PendingTariffChange.TariffCode == "SIMO5"
              and q.PendingTariffChange.EffectiveDate == day, q)
    e = sub.IsEligibleForUpgrade(Request={"UpgradeEligibility": {"SubscriptionNumber": number},
                                          "UpgradeDate": day})
    run.check("no second change while one is pending", e.Eligible is False
              and "pending" in e.FailureReasons.ReasonCode[0], e)
    sub.RevertLastUpgrade(Request={"SubscriptionNumber": number,
                                   "AuditRecord": {"UserID": "ZEEP", "Program": "zeep"}})
    q = query(number, "BASIC", "PENDING_TARIFF_CHANGE")
    run.check("RevertLastUpgrade withdraws it", q.SubscriptionBasic.TariffChangePending is False
              and q.PendingTariffChange is None, q)
    update_tariff()

    # The clock moves past the day: the scheduler applies the change.
    moved = datetime.datetime.combine(day, datetime.time(10, 0), datetime.timezone.utc)
    status, clock = rest(base, "PUT", "/admin/clock", {"now": moved.isoformat().replace("+00:00", "Z")})
    run.check("PUT /admin/clock runs the due change", status == 200
              and (clock.get("appliedActions") or 0) >= 1, clock)
    q = query(number, "BASIC", "PACKAGES", "PENDING_TARIFF_CHANGE", "TERMINATION_FEE")
    run.check("the change applied", q.SubscriptionBasic.TariffCode == "SIMO5"
              and q.SubscriptionBasic.TariffChangePending is False and q.PendingTariffChange is None,
              q.SubscriptionBasic)
    held = [(p.PackageCode, p.EffectiveDate, p.ExpiryDate) for p in q.Packages.Package]
    run.check("base package swapped, bolt-on retained",
              held == [("BSIMO5", day, None), ("DB5G", today, None)], q.Packages)
    fee = Decimal(str(q.TerminationFee.TerminationFee))
    run.check("the new contract's termination fee (12 months of SIMO5)", fee == Decimal("96.00"),
              q.TerminationFee)
    refused(run, "RevertLastUpgrade with nothing pending is refused, the applied change kept",
            "NO_PENDING_PLAN_CHANGE",
            lambda: sub.RevertLastUpgrade(Request={"SubscriptionNumber": number}))

    # The fee in the contract's last month, then out of contract (the clock moves on).
    def set_clock(d):
        t = datetime.datetime.combine(d, datetime.time(10, 0), datetime.timezone.utc)
        status, c = rest(base, "PUT", "/admin/clock", {"now": t.isoformat().replace("+00:00", "Z")})
        run.check(f"the clock moves to {d}", status == 200, c)

    for when, expected in ((add_months(day, 11) + datetime.timedelta(days=5), Decimal("8.00")),
                           (add_months(day, 12) + datetime.timedelta(days=1), Decimal("0.00"))):
        set_clock(when)
        q = query(number, "TERMINATION_FEE")
        run.check(f"termination fee on {when}: {expected}",
                  Decimal(str(q.TerminationFee.TerminationFee)) == expected, q.TerminationFee)
    gone = when

    # Disconnection: REST only (7.3.8 SubscriptionPort has no such operation).
    later = (gone + datetime.timedelta(days=10)).isoformat()
    status, d = rest(base, "POST", f"/subscriptions/{number}/disconnection",
                     {"disconnectionDate": later})
    run.check("a future disconnection (REST) is pending", status == 200 and d["status"] == "Pending", d)
    status, d = rest(base, "DELETE", f"/subscriptions/{number}/disconnection")
    run.check("and cancelled (REST)", status == 200 and d["status"] == "Cancelled", d)
    status, d = rest(base, "POST", f"/subscriptions/{number}/disconnection", {})
    run.check("disconnected now (REST)", status == 200 and d["status"] == "Applied", d)
    q = query(number, "BASIC", "TERMINATION_FEE")
    run.check("QuerySubscription: disconnected, no fee to quote",
              q.SubscriptionBasic.SubscriptionStatus == "Disconnected"
              and q.SubscriptionBasic.DisconnectedDate == gone and q.TerminationFee is None, q)
    refused(run, "UpdateTariff on a disconnected subscription is refused", "PLAN_CHANGE_NOT_ALLOWED",
            lambda: sub.UpdateTariff(Request={
                "SubscriptionNumber": number, "PricePlanCode": "SIMO12",
                "LastAmendedDate": q.SubscriptionBasic.LastAmendedDate}))


def main():
    script_main("lifecycle_zeep.py", "WSDL, life cycle",
                lambda run, base, mode, history: steps(run, clients(base, mode, history), base))


if __name__ == "__main__":
    main()

"""The check harness the interop scripts share: an `ok N - …` line per check, the first
failure stops the run (with the last SOAP exchange when zeep recorded one), and a
closing `N passed, M failed` line that CI reads."""

import sys


class CheckFailed(Exception):
    pass


class Run:
    def __init__(self, history=None):
        self.history = history  # a zeep HistoryPlugin, for SOAP scripts
        self.passed = 0

    def check(self, name, ok, detail=""):
        if not ok:
            raise CheckFailed(f"{name}: {detail}" if detail else name)
        self.passed += 1
        print(f"ok {self.passed:2d} - {name}" + (f" ({detail})" if detail else ""), flush=True)

    def fail(self, message):
        print(f"FAIL {self.passed + 1:2d} - {message}", flush=True)
        self.dump_exchange()
        print(f"{self.passed} passed, 1 failed", flush=True)
        sys.exit(1)

    def dump_exchange(self):
        """The last envelope zeep sent and the one it received, for the report."""
        if self.history is None:
            return
        from lxml import etree

        for label, prop in (("zeep sent", "last_sent"), ("gateway answered", "last_received")):
            try:
                entry = getattr(self.history, prop)
            except IndexError:  # nothing exchanged yet
                entry = None
            if entry is None:
                continue
            try:
                text = etree.tostring(entry["envelope"], pretty_print=True).decode()
            except Exception:  # noqa: BLE001 - best effort only
                text = repr(entry)
            print(f"--- {label} ({prop}):\n{text}", flush=True)


def short(value):
    """A zeep value on one line: objects as {name: value} without the absent (None) fields."""
    import datetime

    from zeep.helpers import serialize_object

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [strip(x) for x in v]
        if isinstance(v, (datetime.datetime, datetime.date)):
            return v.isoformat()
        return v

    return repr(strip(serialize_object(value)))


def describe_fault(fault):
    """A zeep Fault on one line, with its detail element."""
    from lxml import etree

    detail = "" if fault.detail is None else etree.tostring(fault.detail).decode()
    return f"code={fault.code!r} message={fault.message!r} detail={detail}"

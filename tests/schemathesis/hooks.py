"""Schemathesis hooks for tests/schemathesis/run.sh (loaded through SCHEMATHESIS_HOOKS).

One hook, `filter_failure`, for two kinds of failure that are not the gateway's: what
an XML body cannot carry, and rules JSON Schema cannot state. Schemathesis writes an XML body from the
JSON value it generated, so a negative case whose violation lives in the JSON value is
not the request the gateway reads: XML text has no JSON type (`true`, `12`, `null` are
text), an empty string is an empty element, which the gateway reads as absent (WIRE.md
§3), and characters XML 1.0 cannot carry are dropped by the serialiser itself. A
"schema-violating request accepted" failure on an XML body is dropped when its violation
is one of those; any other (a value out of range, a bad enumeration, a pattern) stays a
failure. Likewise a "schema-valid request rejected" failure on an XML body is dropped
when an element the refusal names was sent as the text `null`: the JSON `null` the
document allows for an optional field (read as absent) is written as that text, which
is a value, not an absent one (and a rule across fields names each field it counts).
A body that is not an object at all (`[]`, `""`) is written as an empty root element,
which is a request with no field; its "accepted" failure is dropped too. Beyond the
messages, an "accepted" failure on an XML body is dropped when a JSON value with the
same XML is valid by the document ([`_xml_twin_is_valid`]: a number or boolean where a
string belongs is the same text, a character XML cannot carry is not written, an empty
list writes nothing); a "rejected" one when the element the refusal names was written
from a whole number as `3.0` (JSON Schema's integer; no XML integer).

And two rules JSON Schema cannot state, which the document gives by extension: items
of a list that must differ in a key (`x-cmp-unique`, from the schemas' `<unique>`; JSON
Schema's `uniqueItems` compares whole items), and two values of an object in order
(`x-cmp-ordered`, from `<ordered>`: an expiry after its effective date). A "schema-valid
request rejected" failure is dropped when the body the case generated breaks one of
them: the request breaks a documented rule, so its refusal is the documented answer.
(Only the rules of the types the operation's body refers to count; within them, a rule
is found by its property names, which is all a generated body carries.)

Schemathesis counts the dropped failures in its summary; with `CMP_ST_DROPS` set (run.sh
sets it) each drop's reason and operation is also logged, and run.sh prints the count by
reason. The XML decoder's own refusals of such input are tested by the contract
fixtures and the fuzz crate.
"""

import os
import re

import jsonschema_rs
import schemathesis

# Violations a JSON value carries and its XML text does not.
TYPE = re.compile(r"Incorrect type|incorrect type|violates `type`|Value null value")
# Violations of an empty string, an empty element on the wire (read as absent).
EMPTY = re.compile(
    r"String smaller than minLength|Value not matching the '(date|date-time)' format"
    r"|Missing required property|fewer items than allowed by minItems"
)
# The XML character rule (publish::openapi XML_CHARS), which the serialiser enforces.
XML_CHARS = "\\u0000-\\u0008"
EMPTY_ELEMENT = re.compile(rb"<([A-Za-z][\w.-]*)>\s*</\1>|<[A-Za-z][\w.-]*\s*/>")


def _sent_xml(case, response):
    if "xml" not in (case.media_type or ""):
        return None
    body = getattr(getattr(response, "request", None), "body", None)
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body


# A document whose root element holds nothing (`<getAudit></getAudit>`, `<getAudit/>`).
EMPTY_ROOT = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*<([A-Za-z][\w.-]*)\s*(/>|>\s*</\2>)\s*$")

EXTRA_INFO = re.compile(r"<extraInfo>([^<]*)</extraInfo>")


def _refused_for_text(body, response, text):
    """Whether an element the XML fault names was sent with text matching `text` (bytes
    pattern). A rule across fields (one of a, b) names every field it counts, so the
    element that XML turned into a value may be any of them."""
    for path in EXTRA_INFO.findall(response.text or ""):
        leaf = re.escape(path.rsplit("/", 1)[-1].split("[")[0]).encode()
        if re.search(rb"<" + leaf + rb">" + text + rb"</" + leaf + rb">", body):
            return True
    return False


# Characters XML 1.0 cannot carry, which the XML writer leaves out.
NOT_XML = re.compile("[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]")
# A whole number written as a float (`3.0`, `-1.0`), or with an exponent.
WHOLE_FLOAT = rb"-?[0-9]+(\.0+|\.?[0-9]*[eE][+-]?[0-9]+)"


def _xml_text(v):
    return ("true" if v else "false") if isinstance(v, bool) else ("null" if v is None else str(v))


def _twin(value, at=None):
    """`value` as another JSON value with the same XML: at the paths in `at` (every one
    when None), a scalar that is not a string becomes its text and an empty object or
    list `""`; everywhere, a string loses the characters XML cannot carry and a property
    holding `[]` goes."""
    def walk(v, path):
        here = at is None or any(path[: len(p)] == p for p in at)
        if v in ({}, []) and here and path:
            return ""  # an empty element, as `""` is
        if isinstance(v, dict):
            return {k: walk(x, path + [k]) for k, x in v.items() if x != []}
        if isinstance(v, list):
            return [walk(x, path + [i]) for i, x in enumerate(v)]
        if isinstance(v, str):
            return NOT_XML.sub("", v)
        return _xml_text(v) if here else v
    return walk(value, [])


def _xml_twin_is_valid(case):
    """Whether a JSON value whose XML is the one sent is valid by the document: the
    generated body made XML-like where the document refuses it, a few rounds."""
    raw = case.operation.schema.raw_schema
    try:
        op = raw["paths"][case.operation.path][case.method.lower()]
        schema = dict(op["requestBody"]["content"][case.media_type]["schema"])
    except (KeyError, TypeError):
        return False
    schema["components"] = raw["components"]
    validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    body = _twin(case.body, at=[])
    for _ in range(4):
        errors = [list(e.instance_path) for e in validator.iter_errors(body)]
        if not errors:
            return True
        body = _twin(body, at=errors)
    return False


_CACHE = {}


def _objects(node):
    """Every object (dict) of a JSON value, depth first."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _objects(v)
    elif isinstance(node, list):
        for v in node:
            yield from _objects(v)


def _reachable(raw, case):
    """The components the body of `case`'s operation refers to, directly or not."""
    key = ("reach", id(raw), case.operation.path, case.method, case.media_type)
    if key not in _CACHE:
        try:
            op = raw["paths"][case.operation.path][case.method.lower()]
            todo = [op["requestBody"]["content"][case.media_type]["schema"]]
        except (KeyError, TypeError):
            todo = []
        schemas, seen = raw.get("components", {}).get("schemas", {}), {}
        while todo:
            for node in _objects(todo.pop()):
                ref = node.get("$ref", "")
                name = ref.rsplit("/", 1)[-1]
                if ref.startswith("#/components/schemas/") and name not in seen and name in schemas:
                    seen[name] = schemas[name]
                    todo.append(schemas[name])
        _CACHE[key] = list(seen.values())
    return _CACHE[key]


def _unique_lists(components):
    """{list property name: {key tuple, …}} of every `x-cmp-unique` in `components` (one
    name may be declared with different keys, in different types)."""
    found = {}
    for node in (n for c in components for n in _objects(c)):
        properties = node.get("properties")
        for prop, sub in (properties if isinstance(properties, dict) else {}).items():
            # The list itself, or the first alternative of an optional one.
            for alt in [sub, *sub.get("anyOf", [])] if isinstance(sub, dict) else []:
                if isinstance(alt, dict) and "x-cmp-unique" in alt:
                    found.setdefault(prop, set()).add(tuple(alt["x-cmp-unique"]))
    return found


def _ordered_rules(components):
    """Every `x-cmp-ordered` rule of `components`."""
    return [r for c in components for node in _objects(c) for r in node.get("x-cmp-ordered", [])]


def _out_of_order(body, rules):
    """Whether an object of `body` gives both values of a rule, out of order."""
    if isinstance(body, dict):
        for r in rules:
            a, b = _as_read(body.get(r["first"])), _as_read(body.get(r["then"]))
            if a in (None, "") or b in (None, "") or type(a) is not type(b):
                continue
            if b < a or (r["strict"] and b == a):
                return True
        return any(_out_of_order(v, rules) for v in body.values())
    if isinstance(body, list):
        return any(_out_of_order(v, rules) for v in body)
    return False


def _as_read(v):
    """A key as the gateway reads it: a string trimmed, a whole number an integer."""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _repeats_a_key(body, lists):
    """Whether a list of `body` named in `lists` has two items with the same key."""
    if isinstance(body, dict):
        for name, value in body.items():
            for keys in lists.get(name, ()) if isinstance(value, list) else ():
                seen = set()
                for item in value:
                    if isinstance(item, dict) and all(k in item for k in keys):
                        k = repr([_as_read(item[k]) for k in keys])
                        if k in seen:
                            return True
                        seen.add(k)
            if _repeats_a_key(value, lists):
                return True
    elif isinstance(body, list):
        return any(_repeats_a_key(v, lists) for v in body)
    return False


def _why_dropped(failure, case, response):
    """The reason a failure is not the gateway's (see the module's doc), or None."""
    code = getattr(failure, "code", None)
    if code not in ("ST201", "ST202"):
        return None
    if code == "ST202":
        components = _reachable(case.operation.schema.raw_schema, case)
        if _repeats_a_key(case.body, _unique_lists(components)):
            return "rejected: a documented unique key repeated"
        if _out_of_order(case.body, _ordered_rules(components)):
            return "rejected: documented values out of order"
    body = _sent_xml(case, response)
    if body is None:
        return None
    if code == "ST202":
        if _refused_for_text(body, response, rb"null"):
            return "rejected (XML): null written as text"
        if _refused_for_text(body, response, WHOLE_FLOAT):
            return "rejected (XML): a whole number written as a float"
        return None
    message = failure.message or ""
    if TYPE.search(message) or XML_CHARS in message:
        return "accepted (XML): a JSON type or character XML cannot carry"
    if "violates `$ref`" in message and EMPTY_ROOT.search(body):
        return "accepted (XML): a body that is not an object, an empty root"
    if _xml_twin_is_valid(case):
        return "accepted (XML): a valid JSON value has the same XML"
    if EMPTY.search(message) and EMPTY_ELEMENT.search(body):
        return "accepted (XML): an empty element, read as absent"
    return None


@schemathesis.hook
def filter_failure(context, failure, case, response):
    why = _why_dropped(failure, case, response)
    if why and os.environ.get("CMP_ST_DROPS"):
        # One line per drop, for run.sh's summary.
        with open(os.environ["CMP_ST_DROPS"], "a", encoding="utf-8") as log:
            log.write(f"{why}\t{case.method} {case.operation.path}\n")
    return why is None

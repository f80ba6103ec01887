"""Checking an invoice XML by the official rules: the XSD of its syntax, the EN 16931
schematron, and for XRechnung the KoSIT rules with the severities of KoSIT's validator
configuration. The same verdicts as `shared/einvoice/validate`, from the rules in `rules/`.

Blocking and CPU-bound (Saxon, lxml): runs in a worker process (workmate.purchases.pool),
never on the event loop. One `Validator` per process keeps the compiled stylesheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from workmate.purchases import ruleset
from workmate.purchases.xmlsafe import SAFE_PARSER, text_of

NS_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS_UBL_INV = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CN = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS_ZF1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
NS_SCENARIOS = "http://www.xoev.de/de/validator/framework/1/scenarios"
SVRL = "http://purl.oclc.org/dsdl/svrl"
FAILING_FLAGS = {"fatal", "error"}  # schematron flags that fail a file; the rest only warn


class Unusable(Exception):
    """The XML is no invoice the official rules cover (unknown root, ZUGFeRD 1.0, ...)."""


@dataclass
class Described:
    syntax: str  # CII | UBL
    document: str  # CrossIndustryInvoice | Invoice | CreditNote
    customization_id: str


def describe(doc: etree._Element) -> Described:
    """Syntax, document kind and BT-24 of a parsed invoice."""
    root = etree.QName(doc)
    if root.namespace == NS_CII and root.localname == "CrossIndustryInvoice":
        bt24 = doc.find(
            f"{{{NS_CII}}}ExchangedDocumentContext/"
            f"{{{NS_RAM}}}GuidelineSpecifiedDocumentContextParameter/{{{NS_RAM}}}ID"
        )
        return Described("CII", "CrossIndustryInvoice", text_of(bt24))
    if (root.namespace, root.localname) in ((NS_UBL_INV, "Invoice"), (NS_UBL_CN, "CreditNote")):
        return Described("UBL", root.localname, text_of(doc.find(f"{{{NS_CBC}}}CustomizationID")))
    if root.namespace == NS_ZF1:
        raise Unusable(
            "ZUGFeRD 1.0 (CrossIndustryDocument) is not an EN 16931 invoice; "
            "there are no official EN 16931 rules for it"
        )
    raise Unusable(f"not an e-invoice: root element {{{root.namespace}}}{root.localname}")


def profile_of(customization_id: str) -> str:
    """A short name for BT-24, for reading only (the rules decide validity)."""
    cid = customization_id.lower()
    if "xrechnung" in cid:
        if "cvd" in cid:
            return "XRechnung CVD"
        return "XRechnung Extension" if "extension" in cid else "XRechnung"
    for family in ("factur-x.eu:1p0:", "zugferd.de:2p0:"):
        if family in cid:
            level = cid.split(family, 1)[1].split("#")[0]
            name = {
                "minimum": "MINIMUM",
                "basicwl": "BASIC WL",
                "basic": "BASIC",
                "extended": "EXTENDED",
                "en16931": "EN 16931",
                "comfort": "EN 16931",
            }.get(level, level)
            note = " (not an EN 16931 invoice)" if level in ("minimum", "basicwl") else ""
            return f"ZUGFeRD/Factur-X {name}{note}"
    if "peppol.eu:2017:poacc:billing" in cid:
        return "Peppol BIS Billing 3"
    if cid.strip() == "urn:cen.eu:en16931:2017":
        return "EN 16931"
    return "other" if cid else "none"


@dataclass
class Scenario:
    name: str | None
    namespaces: dict[str, str] = field(default_factory=dict)
    match: str = ""
    levels: dict[str, str] = field(default_factory=dict)


def kosit_scenarios(path: Path) -> list[Scenario]:
    """The XRechnung scenarios of KoSIT's validator configuration: match and custom levels."""

    def q(tag: str) -> str:
        return f"{{{NS_SCENARIOS}}}{tag}"

    out = []
    for sc in etree.parse(str(path), SAFE_PARSER).iter(q("scenario")):
        locations = [
            e.text or ""
            for e in sc.iterfind(f"{q('validateWithSchematron')}/{q('resource')}/{q('location')}")
        ]
        if not any("xrechnung" in loc.lower() for loc in locations):
            continue
        out.append(
            Scenario(
                name=(sc.findtext(q("name")) or "").strip(),
                namespaces={
                    str(e.get("prefix")): (e.text or "").strip()
                    for e in sc.iterfind(q("namespace"))
                },
                match=" ".join((sc.findtext(q("match")) or "").split()),
                levels={
                    (e.text or "").strip(): str(e.get("level")) for e in sc.iter(q("customLevel"))
                },
            )
        )
    return out


@dataclass
class Verdict:
    status: str  # ok | FAIL (as the official validator prints it)
    syntax: str
    document: str
    customization_id: str
    profile: str
    checks: list[str]
    kosit_scenario: str | None
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


class Validator:
    """XSD + schematron runner; compiled stylesheets are cached for the process's life."""

    def __init__(self) -> None:
        self._schemas: dict[Path, etree.XMLSchema] = {}
        self._rules: dict[str, Any] = {}
        self._scenarios: list[Scenario] | None = None
        self._saxon: Any = None
        self._xslt: Any = None

    def saxon(self) -> Any:
        if self._saxon is None:
            from saxonche import PySaxonProcessor  # type: ignore[import-not-found]

            self._saxon = PySaxonProcessor(license=False)
            self._xslt = self._saxon.new_xslt30_processor()
        return self._saxon

    def schema(self, path: Path) -> etree.XMLSchema:
        if path not in self._schemas:
            self._schemas[path] = etree.XMLSchema(etree.parse(str(path), SAFE_PARSER))
        return self._schemas[path]

    def rules(self, name: str) -> Any:
        if name not in self._rules:
            self.saxon()
            self._rules[name] = self._xslt.compile_stylesheet(
                stylesheet_file=str(ruleset.SCHEMATRON[name])
            )
        return self._rules[name]

    def scenario(self, node: Any, root: etree.QName) -> tuple[Scenario, bool]:
        """The KoSIT scenario of a document and whether it matched; without a match the first
        plain XRechnung scenario of the root element, so forced checks get XRechnung levels."""
        if self._scenarios is None:
            self._scenarios = kosit_scenarios(ruleset.KOSIT_SCENARIOS)
        fallback = None
        for sc in self._scenarios:
            xpath = self.saxon().new_xpath_processor()
            for prefix, uri in sc.namespaces.items():
                xpath.declare_namespace(prefix, uri)
            xpath.set_context(xdm_item=node)
            if xpath.effective_boolean_value(sc.match):
                return sc, True
            prefixes = [p for p, uri in sc.namespaces.items() if uri == root.namespace]
            if fallback is None and any(f"/{p}:{root.localname}" in sc.match for p in prefixes):
                fallback = sc
        return fallback or Scenario(None), False

    def run_rules(self, name: str, node: Any) -> list[dict[str, Any]]:
        """Failed assertions and successful reports of one compiled schematron."""
        out = self.rules(name).transform_to_string(xdm_node=node)
        svrl = etree.fromstring(out.encode("utf-8"), SAFE_PARSER)
        return [
            {
                "rules": name,
                "id": el.get("id") or "?",
                "flag": (el.get("flag") or "fatal").lower(),
                "location": el.get("location", ""),
                "text": text_of(el.find(f"{{{SVRL}}}text")),
            }
            for el in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report")
        ]

    def check(self, doc: etree._Element, xrechnung: bool | None = None) -> Verdict:
        """The official verdict on a parsed invoice; raises Unusable for other documents."""
        d = describe(doc)
        verdict = Verdict(
            "FAIL",
            d.syntax,
            d.document,
            d.customization_id,
            profile_of(d.customization_id),
            [],
            None,
            [],
            [],
        )
        schema = self.schema(ruleset.CII_XSD if d.syntax == "CII" else ruleset.UBL_XSD[d.document])
        verdict.checks.append("XSD CII D16B" if d.syntax == "CII" else f"XSD UBL 2.1 {d.document}")
        if not schema.validate(doc):
            verdict.errors += [
                {"rules": "XSD", "id": "XSD", "level": "error", "line": e.line, "text": e.message}
                for e in schema.error_log
            ]
        # Saxon gets the document as lxml parsed it: encodings and BOMs are handled once, and
        # it never sees a DTD (refused before) or fetches anything.
        node = self.saxon().parse_xml(xml_text=etree.tostring(doc, encoding="unicode"))
        names = [f"EN16931-{d.syntax}"]
        levels: dict[str, str] = {}
        if xrechnung is None:
            xrechnung = "xrechnung" in d.customization_id.lower()
        if xrechnung:
            names.append(f"XRechnung-{d.syntax}")
            scenario, matched = self.scenario(node, etree.QName(doc))
            levels = scenario.levels
            verdict.kosit_scenario = (
                scenario.name if matched else f"none matches BT-24; levels of {scenario.name}"
            )
        for name in names:
            verdict.checks.append(name)
            for item in self.run_rules(name, node):
                default = "error" if item["flag"] in FAILING_FLAGS else item["flag"]
                item["level"] = levels.get(item["id"], default)
                if item["level"] != default:
                    item["level_from"] = "KoSIT XRechnung configuration"
                (verdict.errors if item["level"] == "error" else verdict.warnings).append(item)
        if not verdict.errors:
            verdict.status = "ok"
        return verdict

"""The official e-invoice rules shipped with Workmate (folder `rules/` beside this file).

Updating the rules is a one-folder change: replace `rules/` with the newer official files (same
layout) and its `VERSION` file; nothing else names a version. See the README, "Purchases".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent / "rules"

CII_XSD = (
    RULES_DIR / "en16931-cii/schema/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
)
UBL_XSD = {
    "Invoice": RULES_DIR / "en16931-ubl/schema/maindoc/UBL-Invoice-2.1.xsd",
    "CreditNote": RULES_DIR / "en16931-ubl/schema/maindoc/UBL-CreditNote-2.1.xsd",
}
# Name shown with each finding -> compiled schematron.
SCHEMATRON = {
    "EN16931-CII": RULES_DIR / "en16931-cii/EN16931-CII-validation.xslt",
    "EN16931-UBL": RULES_DIR / "en16931-ubl/EN16931-UBL-validation.xslt",
    "XRechnung-CII": RULES_DIR / "xrechnung/XRechnung-CII-validation.xsl",
    "XRechnung-UBL": RULES_DIR / "xrechnung/XRechnung-UBL-validation.xsl",
}
KOSIT_SCENARIOS = RULES_DIR / "xrechnung/kosit-scenarios.xml"


@lru_cache
def versions() -> dict[str, str]:
    """The rule sets and their versions, from rules/VERSION ("key: value" lines)."""
    out: dict[str, str] = {}
    for line in (RULES_DIR / "VERSION").read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith("#"):
            out[key.strip()] = value.strip()
    return out


def version_label() -> str:
    """One line naming every rule set, stored with each checked invoice."""
    v = {k: value.split(" (")[0] for k, value in versions().items()}
    return (
        f"EN 16931 {v.get('en16931', '?')}; XRechnung {v.get('xrechnung', '?')}; "
        f"KoSIT configuration {v.get('kosit-configuration', '?').split()[-1]}"
    )

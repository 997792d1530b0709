"""What we know about each lab test: its units, how each converts to the canonical one, and
which values are plausible at all. Pure data and arithmetic; no queries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from monitoring.models import LAB_CANONICAL_UNIT, LAB_LOINC, LAB_UNITS, LabTest, LabUnit

# 1 pmol/L of cobalamin = 1.355 pg/mL (= ng/L); 1 ng/mL of folate = 2.266 nmol/L.
B12_PG_PER_PMOL = Decimal("1.355")
FOLATE_NMOL_PER_NG = Decimal("2.266")

# Canonical value = printed value x factor (folate in nmol/L divides, so its factor is a
# quotient computed once, then rounded like every other result).
_FACTOR: dict[tuple[str, str], Decimal] = {
    (LabTest.SERUM_B12, LabUnit.PG_ML): Decimal(1),
    (LabTest.SERUM_B12, LabUnit.NG_L): Decimal(1),
    (LabTest.SERUM_B12, LabUnit.PMOL_L): B12_PG_PER_PMOL,
    (LabTest.ACTIVE_B12, LabUnit.PMOL_L): Decimal(1),
    (LabTest.MMA, LabUnit.UMOL_L): Decimal(1),
    (LabTest.MMA, LabUnit.NMOL_L): Decimal("0.001"),
    (LabTest.FOLATE, LabUnit.NG_ML): Decimal(1),
    (LabTest.FERRITIN, LabUnit.NG_ML): Decimal(1),
    (LabTest.FERRITIN, LabUnit.UG_L): Decimal(1),
    (LabTest.HAEMOGLOBIN, LabUnit.G_L): Decimal(1),
    (LabTest.HAEMOGLOBIN, LabUnit.G_DL): Decimal(10),
    (LabTest.MCV, LabUnit.FL): Decimal(1),
}

# Values outside these (in the canonical unit) are a typing slip or the wrong unit, not a
# result: wide enough for a level just after an injection or a very ill patient.
PLAUSIBLE: dict[str, tuple[Decimal, Decimal]] = {
    LabTest.SERUM_B12: (Decimal(20), Decimal(5000)),
    LabTest.ACTIVE_B12: (Decimal(1), Decimal(500)),
    LabTest.MMA: (Decimal("0.01"), Decimal(100)),
    LabTest.FOLATE: (Decimal("0.2"), Decimal(60)),
    LabTest.FERRITIN: (Decimal(1), Decimal(100000)),
    LabTest.HAEMOGLOBIN: (Decimal(30), Decimal(250)),
    LabTest.MCV: (Decimal(50), Decimal(150)),
}

# Decimal places worth showing for a canonical value.
SHOWN_PLACES: dict[str, int] = {
    LabTest.SERUM_B12: 0,
    LabTest.ACTIVE_B12: 0,
    LabTest.MMA: 2,
    LabTest.FOLATE: 1,
    LabTest.FERRITIN: 0,
    LabTest.HAEMOGLOBIN: 0,
    LabTest.MCV: 0,
}

B12_TESTS = (LabTest.SERUM_B12, LabTest.ACTIVE_B12)
STORED = Decimal("0.001")


def loinc(test: str) -> str:
    """The LOINC code of `test`; blank for active B12, which has no single code in our table."""
    return LAB_LOINC[test]


def units_for(test: str) -> tuple[str, ...]:
    return LAB_UNITS[test]


def canonical_unit(test: str) -> str:
    return LAB_CANONICAL_UNIT[test]


def unit_label(unit: str) -> str:
    """The unit as a lab prints it (µmol/L), from its UCUM code (umol/L)."""
    return str(LabUnit(unit).label)


def unit_allowed(test: str, unit: str) -> bool:
    return unit in LAB_UNITS.get(test, ())


def to_canonical(test: str, unit: str, value: Decimal) -> Decimal:
    """`value` in `unit` expressed in the test's canonical unit, to 3 decimal places."""
    if test == LabTest.FOLATE and unit == LabUnit.NMOL_L:
        exact = value / FOLATE_NMOL_PER_NG
    else:
        exact = value * _FACTOR[(test, unit)]
    return exact.quantize(STORED, rounding=ROUND_HALF_UP)


def shown(test: str, value: Decimal) -> str:
    """A canonical value rounded for reading (203.25 ng/L of B12 reads 203)."""
    places = SHOWN_PLACES[test]
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{rounded:f}"


def printed(value: Decimal) -> str:
    """A value as the lab printed it, without the trailing zeros storage adds (5.200 -> 5.2)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text

"""Reading the medicine of a MedicationRequest: the product from its codes' names or text,
the strength per mL from a contained Medication's ingredient or the text, and the route from
HL7 or SNOMED CT route codes. Anything else is noted, never guessed."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from schedules.choices import Product, Route

from .values import Note

JSON = dict[str, Any]
HL7_ROUTES = "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration"
SNOMED = "http://snomed.info/sct"
ROUTE_CODES = {
    (HL7_ROUTES, "IM"): Route.IM.value,
    (HL7_ROUTES, "SQ"): Route.SC.value,
    (SNOMED, "78421000"): Route.IM.value,  # intramuscular route
    (SNOMED, "34206005"): Route.SC.value,  # subcutaneous route
}
ROUTE_WORDS = {"intramuscular": Route.IM.value, "subcutaneous": Route.SC.value}
PRODUCT_WORDS = {
    "hydroxocobalamin": Product.HYDROXOCOBALAMIN.value,
    "hydroxycobalamin": Product.HYDROXOCOBALAMIN.value,
    "cyanocobalamin": Product.CYANOCOBALAMIN.value,
    "methylcobalamin": Product.METHYLCOBALAMIN.value,
    "mecobalamin": Product.METHYLCOBALAMIN.value,
}
# Micrograms in one of each mass unit, keyed by UCUM code or the usual written unit.
MASS_UNITS = {
    "ug": 1,
    "mcg": 1,
    "µg": 1,
    "microgram": 1,
    "micrograms": 1,
    "mg": 1000,
    "milligram": 1000,
    "milligrams": 1000,
}
STRENGTH_TEXT = re.compile(
    r"(\d+(?:\.\d+)?)\s*(mcg|micrograms?|µg|ug|mg|milligrams?)\s*(?:/|per|in)\s*"
    r"(\d+(?:\.\d+)?)?\s*ml\b",
    re.IGNORECASE,
)


class Notes(list[Note]):
    """The not-imported list an import fills as it reads."""

    def add(self, element: str, reason: str) -> None:
        self.append(Note(element=element, reason=reason))


def micrograms(value: object, unit: str) -> int | None:
    """`value` of a mass unit as whole micrograms; None for another unit or a fraction."""
    factor = MASS_UNITS.get(unit.strip().lower())
    if factor is None or isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value)) * factor
    except InvalidOperation:
        return None
    return int(amount) if amount == amount.to_integral_value() and amount > 0 else None


def quantity_unit(quantity: JSON) -> str:
    return str(quantity.get("code") or quantity.get("unit") or "")


def _named_products(text: str) -> set[str]:
    lowered = text.lower()
    return {product for word, product in PRODUCT_WORDS.items() if word in lowered}


def _concept_products(concept: JSON, element: str, notes: Notes) -> set[str]:
    found = _named_products(str(concept.get("text") or ""))
    for index, coding in enumerate(concept.get("coding") or []):
        named = _named_products(str(coding.get("display") or ""))
        if not named:
            code, system = coding.get("code"), coding.get("system") or "no system"
            notes.add(
                f"{element}.coding[{index}]",
                f"The code {code!r} ({system}) is not one this import reads; only the names "
                "hydroxocobalamin, cyanocobalamin and methylcobalamin are.",
            )
        found |= named
    return found


def medication_concept(resource: JSON, notes: Notes) -> tuple[JSON, JSON | None, str]:
    """The medicine's CodeableConcept, the contained Medication it came from (if any), and the
    element path for notes."""
    if concept := resource.get("medicationCodeableConcept"):
        return concept, None, "medicationCodeableConcept"
    reference = str((resource.get("medicationReference") or {}).get("reference") or "")
    if reference.startswith("#"):
        for item in resource.get("contained") or []:
            if item.get("resourceType") == "Medication" and item.get("id") == reference[1:]:
                return item.get("code") or {}, item, "contained Medication.code"
    notes.add(
        "medicationReference",
        f"It points to {reference or 'nothing'}, outside this resource, which an import "
        "cannot follow: the medicine is not known.",
    )
    return {}, None, "medicationReference"


def product_of(concept: JSON, element: str, notes: Notes) -> str | None:
    found = _concept_products(concept, element, notes)
    if len(found) > 1:
        names = " and ".join(sorted(found))
        notes.add(element, f"It names more than one product ({names}): choose one.")
        return None
    return found.pop() if found else None


def _ratio_strength(ratio: JSON) -> int | None:
    numerator, denominator = ratio.get("numerator") or {}, ratio.get("denominator") or {}
    amount = micrograms(numerator.get("value"), quantity_unit(numerator))
    volume = denominator.get("value", 1)
    if amount is None or quantity_unit(denominator).lower() != "ml":
        return None
    try:
        per_ml = Decimal(amount) / Decimal(str(volume))
    except (InvalidOperation, ArithmeticError):
        return None
    return int(per_ml) if per_ml == per_ml.to_integral_value() and per_ml > 0 else None


def _ingredient_strength(medication: JSON, notes: Notes) -> int | None:
    for index, ingredient in enumerate(medication.get("ingredient") or []):
        if ratio := ingredient.get("strength"):
            if (strength := _ratio_strength(ratio)) is not None:
                return strength
            notes.add(
                f"contained Medication.ingredient[{index}].strength",
                "It is not a mass per mL in mcg or mg: the strength is not known.",
            )
    return None


def _text_strength(texts: list[str]) -> int | None:
    for text in texts:
        if match := STRENGTH_TEXT.search(text):
            amount = micrograms(match.group(1), match.group(2))
            volume = Decimal(match.group(3) or "1")
            if amount is not None and volume > 0:
                per_ml = Decimal(amount) / volume
                if per_ml == per_ml.to_integral_value():
                    return int(per_ml)
    return None


def strength_of(concept: JSON, medication: JSON | None, notes: Notes) -> int | None:
    if medication is not None and (strength := _ingredient_strength(medication, notes)):
        return strength
    texts = [str(concept.get("text") or "")]
    texts += [str(coding.get("display") or "") for coding in concept.get("coding") or []]
    return _text_strength(texts)


def route_of(concept: JSON, element: str, notes: Notes) -> str | None:
    """The route a dosage's `route` names, or None (noted) when it names none we know."""
    found = {
        ROUTE_CODES[key]
        for coding in concept.get("coding") or []
        if (key := (str(coding.get("system") or ""), str(coding.get("code") or ""))) in ROUTE_CODES
    }
    if not found:
        words = " ".join(
            [str(concept.get("text") or "")]
            + [str(coding.get("display") or "") for coding in concept.get("coding") or []]
        ).lower()
        found = {route for word, route in ROUTE_WORDS.items() if word in words}
    if len(found) == 1:
        return found.pop()
    reason = (
        "It names both routes." if found else "It is not an intramuscular or subcutaneous route."
    )
    notes.add(element, reason)
    return None

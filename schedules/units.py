"""Guards against unit confusion (mg for mcg, mL for strength) on doses and strengths.

Each guard returns messages that say what looks wrong and what was probably meant.
"""

from decimal import Decimal

MAX_DOSE_MCG = 5000
MIN_STRENGTH = 100
MAX_STRENGTH = 5000
MAX_VOLUME_ML = Decimal("3")
MAX_FORMATTED_DOSE_MCG = 10_000_000  # 10 g: above this a dose is only "far too large"


def _mg(dose_mcg: int) -> str:
    """Micrograms as milligrams in plain digits: 5001 -> 5.001, 1000000 -> 1,000."""
    return f"{(Decimal(dose_mcg) / 1000).normalize():,f}"


def dose_problems(dose_mcg: int) -> list[str]:
    if dose_mcg < 1:
        return ["The dose must be a positive number of micrograms (mcg)."]
    if dose_mcg > MAX_FORMATTED_DOSE_MCG:
        # Numbers this long help nobody (and Python's shortest form turns them into 1e+20).
        return [
            "That dose is far too large for a B12 injection (1000 mcg = 1 mg). "
            f"The most we accept is {MAX_DOSE_MCG} mcg: check mg against mcg."
        ]
    if dose_mcg > MAX_DOSE_MCG:
        return [
            f"{dose_mcg:,} mcg is {_mg(dose_mcg)} mg, far above a usual B12 injection "
            f"(1000 mcg = 1 mg). The most we accept is {MAX_DOSE_MCG} mcg: check mg against mcg."
        ]
    if dose_mcg <= 10:
        return [
            f"{dose_mcg} mcg is tiny for a B12 injection. If the label says {dose_mcg} mg, "
            f"enter {dose_mcg * 1000} mcg."
        ]
    return []


def strength_problems(strength: int) -> list[str]:
    if strength < MIN_STRENGTH:
        hint = f" If the label says {strength} mg/mL, enter {strength * 1000}." if strength else ""
        return [
            f"A strength of {strength} mcg per mL is outside the usual range "
            f"({MIN_STRENGTH}–{MAX_STRENGTH} mcg/mL; most ampoules are 1000 mcg/mL).{hint}"
        ]
    if strength > MAX_STRENGTH:
        return [
            f"A strength of {strength} mcg per mL is outside the usual range "
            f"({MIN_STRENGTH}–{MAX_STRENGTH} mcg/mL). Check the label: 1 mg/mL is 1000 mcg/mL."
        ]
    return []


def volume_problems(dose_mcg: int, strength: int) -> list[str]:
    if dose_mcg < 1 or strength < 1:
        return []
    volume = Decimal(dose_mcg) / Decimal(strength)
    if volume > MAX_VOLUME_ML:
        return [
            f"{dose_mcg} mcg at {strength} mcg/mL means drawing up {volume:.2f} mL, more than "
            f"{MAX_VOLUME_ML} mL in one injection. Check the dose and the strength."
        ]
    return []

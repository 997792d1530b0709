"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import local_today
from tests.clinic.helpers import link, log, settle
from tests.conftest import need
from tests.helpers import prescribe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def pytest_configure(config: pytest.Config) -> None:
    # pytest-base-url (pulled in by pytest-playwright) declares `base_url` in a way pytest 9
    # deprecates; the warning is theirs to fix and says nothing about our tests.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Session-scoped fixtures defined as instance methods"
        ":pytest.PytestRemovedIn10Warning",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    need(Path(CHROMIUM).exists(), "Chromium is not installed (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on serious or critical violations."""

    def check(page) -> None:
        need(AXE.exists(), "axe-core is not installed (npm ci)")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run()")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in bad]

    return check


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as an inline script, which our Content-Security-Policy rightly forbids.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def ward(alice, bob, make_patient):
    """alice: bnf-neuro (open-ended loading) for 12 days, the dose 8 days ago missed.
    Aaron and Abel are up to date and come first alphabetically."""
    today = local_today(alice)
    rx = prescribe(alice, regimen="bnf-neuro", start=today - timedelta(days=12))
    for ago in (12, 10, 6, 4, 2):
        log(rx, today - timedelta(days=ago))
    settle(rx, today)
    for email, name in (("aaron@example.com", "Aaron Adams"), ("abel@example.com", "Abel Brown")):
        patient = make_patient(email, name)
        link(bob, patient)
        other = prescribe(patient, regimen="seed-maintenance", start=today - timedelta(days=3))
        log(other, today - timedelta(days=3))
    return rx

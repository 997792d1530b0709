"""`manage.py schedule_preview`: the worked fixtures through the command, and bad input.

The fixtures: docs/schedule-semantics.md#worked-fixtures.
"""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def preview(*args: str) -> dict:
    out = StringIO()
    call_command("schedule_preview", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def dues(result: dict, phase: str | None = None) -> list[str]:
    return [d["due"][5:] for d in result["doses"] if phase is None or d["phase"] == phase]


def test_bnf_no_neuro_fixture():
    result = preview("--regimen", "bnf-no-neuro", "--start", "2025-01-06")
    assert result["regimen"] == "bnf-no-neuro"
    assert dues(result)[:8] == [
        "01-06",
        "01-08",
        "01-10",
        "01-13",
        "01-15",
        "01-17",
        "03-17",
        "05-17",
    ]
    march = result["doses"][6]
    assert (march["earliest"], march["latest"]) == ("2025-03-10", "2025-04-24")
    assert march["dose_mcg"] == 1000 and march["given_on"] is None
    assert result["extra"] == []


def test_afp_daily_weekly_monthly_fixture():
    result = preview("--regimen", "afp-daily-weekly-monthly", "--start", "2025-01-06")
    assert dues(result)[:13] == [
        "01-06",
        "01-07",
        "01-08",
        "01-09",
        "01-10",
        "01-11",
        "01-12",
        "01-19",
        "01-26",
        "02-02",
        "02-09",
        "03-09",
        "04-09",
    ]


def test_cdc_weekly_fixture():
    result = preview("--regimen", "cdc-weekly", "--start", "2025-01-06")
    assert dues(result)[:10] == [
        "01-06",
        "01-13",
        "01-20",
        "01-27",
        "02-03",
        "02-10",
        "02-17",
        "02-24",
        "03-24",
        "04-24",
    ]


def test_fda_cyanocobalamin_fixture():
    result = preview("--regimen", "fda-cyanocobalamin", "--start", "2025-01-06")
    assert dues(result)[:23] == [
        "01-06",
        "01-07",
        "01-08",
        "01-09",
        "01-10",
        "01-11",
        "01-12",
        "01-14",
        "01-16",
        "01-18",
        "01-20",
        "01-22",
        "01-24",
        "01-26",
        "01-29",
        "02-01",
        "02-04",
        "02-07",
        "02-10",
        "02-13",
        "02-16",
        "03-16",
        "04-16",
    ]
    assert {d["dose_mcg"] for d in result["doses"]} == {100}


def test_bnf_neuro_fixture_open_then_closed():
    open_ended = preview("--regimen", "bnf-neuro", "--start", "2025-01-06", "--until", "2025-02-01")
    assert dues(open_ended)[:3] == ["01-06", "01-08", "01-10"]
    assert {d["phase"] for d in open_ended["doses"]} == {"repletion"}
    closed = preview(
        "--regimen", "bnf-neuro", "--start", "2025-01-06", "--close-open-phase", "2025-01-20"
    )
    assert dues(closed, "repletion")[-1] == "01-20"
    assert dues(closed, "maintenance")[:2] == ["03-20", "05-20"]


def test_reanchor_fixture():
    result = preview(
        "--regimen",
        "seed-maintenance",
        "--start",
        "2025-01-31",
        "--taken",
        "2025-01-31",
        "--taken",
        "2025-03-03",
    )
    assert dues(result)[:5] == ["01-31", "02-28", "04-03", "05-03", "06-03"]
    assert result["doses"][1]["given_on"] == "2025-03-03"
    plain = preview("--regimen", "seed-maintenance", "--start", "2025-01-31")
    assert dues(plain)[:4] == ["01-31", "02-28", "03-31", "04-30"]


def test_missed_dose_in_a_counted_phase_fixture():
    taken = ["2025-01-06", "2025-01-10", "2025-01-13", "2025-01-15", "2025-01-17"]
    args = [item for day in taken for item in ("--taken", day)]
    result = preview(
        "--regimen", "bnf-no-neuro", "--start", "2025-01-06", "--today", "2025-01-21", *args
    )
    statuses = {d["due"]: d["status"] for d in result["doses"]}
    assert statuses["2025-01-08"] == "missed"
    assert dues(result, "repletion")[-1] == "01-20"
    assert dues(result, "maintenance")[0] == "03-20"


def test_human_table_lists_every_dose():
    out = StringIO()
    call_command(
        "schedule_preview",
        "--regimen",
        "cdc-weekly",
        "--start",
        "2025-01-06",
        "--until",
        "2025-03-01",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert "cdc-weekly" in lines[0]
    assert sum("2025-" in line and "mcg" in line for line in lines) == 8


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--regimen", "nope", "--start", "2025-01-06"], "Unknown regimen"),
        (["--regimen", "cdc-weekly", "--start", "2025-13-01"], "--start"),
        (["--regimen", "cdc-weekly", "--start", "tomorrow"], "--start"),
        (
            ["--regimen", "cdc-weekly", "--start", "2025-01-06", "--taken", "2025-01-01"],
            "before --start",
        ),
        (
            [
                "--regimen",
                "cdc-weekly",
                "--start",
                "2025-01-06",
                "--today",
                "2025-01-10",
                "--taken",
                "2025-01-20",
            ],
            "after --today",
        ),
        (["--regimen", "cdc-weekly", "--start", "2025-01-06", "--today", "2025-01-01"], "--today"),
        (["--regimen", "cdc-weekly", "--start", "2025-01-06", "--until", "2024-01-01"], "--until"),
        (["--regimen", "cdc-weekly", "--start", "2025-01-06", "--until", "soon"], "--until"),
        (
            [
                "--regimen",
                "cdc-weekly",
                "--start",
                "2025-01-06",
                "--close-open-phase",
                "2025-02-01",
            ],
            "no open-ended phase",
        ),
        (
            ["--regimen", "bnf-neuro", "--start", "2025-01-06", "--close-open-phase", "2024-02-01"],
            "before --start",
        ),
        (
            ["--regimen", "bnf-neuro", "--start", "2025-01-06", "--close-open-phase", "x"],
            "--close-open-phase",
        ),
    ],
)
def test_bad_input_is_one_clear_error(args, words):
    with pytest.raises(CommandError) as error:
        call_command("schedule_preview", *args)
    assert words in str(error.value)


def test_bad_input_exits_non_zero_with_one_line():
    env = {"DEBUG": "true", "PATH": "/usr/bin:/bin", "B12_VAR_DIR": str(ROOT / "var")}
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "schedule_preview",
            "--regimen",
            "x",
            "--start",
            "2025-01-06",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0 and "Unknown regimen" in done.stderr

"""The filter that keeps a repeated error to one line a window (b12tracker.logfilter), with an
injected clock."""

import logging

import pytest

from b12tracker.logfilter import RepeatedErrors


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname} {record.getMessage()}")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def log(clock):
    logger = logging.getLogger("tests.logfilter")
    handler = Lines()
    handler.addFilter(RepeatedErrors(window=60.0, clock=clock))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    yield logger, handler.lines
    logger.removeHandler(handler)
    logger.propagate = True


def failing(log: logging.Logger, name: str) -> None:
    try:
        raise ConnectionError("connection refused")
    except ConnectionError:
        log.error("Task %s raised: %s", name, "connection refused", exc_info=True)


def test_first_error_passes_repeats_are_counted_then_summarised(log, clock):
    logger, lines = log
    for _ in range(50):
        failing(logger, "sweep")
        clock.now += 0.5
    assert lines == ["ERROR Task sweep raised: connection refused"]

    clock.now += 60  # the window has passed: the next one brings the summary, then itself
    failing(logger, "sweep")
    assert lines[1:] == [
        "ERROR Task sweep raised: connection refused ... repeated 49 times in the last 60 s",
        "ERROR Task sweep raised: connection refused",
    ]


def test_info_lines_and_different_errors_are_never_held_back(log, clock):
    logger, lines = log
    for _ in range(3):
        logger.info("Task received")
    logger.error("database down")
    logger.warning("database down")  # another level
    logger.error("broker down")  # another message
    try:
        raise ValueError("bad row")
    except ValueError:
        logger.exception("database down")  # the same message with an exception
    assert lines == [
        *["INFO Task received"] * 3,
        "ERROR database down",
        "WARNING database down",
        "ERROR broker down",
        "ERROR database down",
    ]


def test_a_summary_comes_with_any_later_line_and_quiet_windows_leave_none(log, clock):
    logger, lines = log
    logger.error("database down")
    logger.error("database down")
    logger.error("broker down")
    clock.now += 61
    logger.info("worker still here")
    assert lines == [
        "ERROR database down",
        "ERROR broker down",
        "ERROR database down ... repeated 1 times in the last 60 s",
        "INFO worker still here",
    ]
    clock.now += 61
    logger.error("database down")  # once: a new window, nothing to summarise
    assert lines[-1] == "ERROR database down" and len(lines) == 5

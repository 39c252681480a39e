"""The exit statuses of ``minigrad train`` are written once, in ``minigrad.cli.errors``."""

import re
import signal

from minigrad import cli
from minigrad.cli import errors
from minigrad.cli.checkpoints import _DeferredInterrupt


def test_help_lists_exactly_the_statuses_of_the_table(capsys):
    assert cli.main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    epilog = text[text.index("exit status:"):]
    listed = [int(c) for c in re.findall(r"^  (\d+) ", epilog, flags=re.MULTILINE)]
    assert listed == list(errors.EXIT_CODES) == [0, 2, 3, 4, 130, 143]
    flat = " ".join(epilog.split())
    for code, meaning in errors.EXIT_CODES.items():
        assert f" {code} {meaning} " in flat + " "


def test_named_statuses_are_the_table_keys():
    named = {v for k, v in vars(errors).items() if k.startswith("EXIT_") and isinstance(v, int)}
    assert named == set(errors.EXIT_CODES)
    assert cli.EXIT_CODES is errors.EXIT_CODES and cli.EXIT_CODES_HELP == errors.EXIT_CODES_HELP


def test_help_lines_fit_80_columns():
    lines = errors.EXIT_CODES_HELP.splitlines()
    assert lines[0] == "exit status:" and max(map(len, lines)) <= 80
    assert errors._exit_codes_help({7: "word " * 30}).count("\n       word") >= 1


def test_signal_statuses_are_in_the_table():
    d = _DeferredInterrupt(state=None)
    assert d.exit_code == errors.EXIT_SIGINT
    d.signum = signal.SIGTERM
    assert d.exit_code == errors.EXIT_SIGTERM
    assert {errors.EXIT_SIGINT, errors.EXIT_SIGTERM} <= set(errors.EXIT_CODES)


def test_cli_error_defaults_to_the_usage_status():
    assert cli.CLIError("x").code == errors.EXIT_USAGE == 2

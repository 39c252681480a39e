"""``minigrad train`` does what it was told: every option against every model, the
models' presets only for options not given, and ``history.json`` records what was used."""

import json
import os
import socket
from pathlib import Path

import numpy as np
import pytest
from training_support import synthetic_data

from minigrad import cli
from minigrad import train as train_module
from minigrad.cli import model_choice
from minigrad.optim import OPTIMIZERS

MODEL_NAMES = list(cli.MODELS)


def _train_actions():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["train"]
    return [a for a in sub._actions if a.option_strings and a.dest != "help"]


def _choices(flag):
    return next(a.choices for a in _train_actions() if flag in a.option_strings)


#: The values tried for every option of ``minigrad train`` (each after the flag); every
#: choice of an option with choices, and each kind of value of --weight-init-std.
SAMPLES = {
    "--hidden-sizes": [["6,5"]],
    "--batchnorm": [[]],
    "--dropout": [["0.2"], ["0.5"]],
    "--weight-decay": [["0.01"]],
    "--hidden-size": [["7"]],
    "--activation": [[a] for a in _choices("--activation")],
    "--weight-init-std": [["0.2"], ["xavier"], ["he"], ["sigmoid"], ["relu"]],
    "--weight-init": [["0.2"], ["he"]],
    "--iters": [["2"]],
    "--epochs": [["1"]],
    "--batch-size": [["3"]],
    "--lr": [["0.05"]],
    "--optimizer": [[o] for o in _choices("--optimizer")],
    "--seed": [["7"]],
    "--dtype": [["float32"], ["float64"]],
    "--early-stopping": [["1"]],
    "--eval-every": [["1"]],
    "--checkpoint-every": [["1"]],
    "--resume": [["CHECKPOINT"]],
    "--data-dir": [["DATA"]],
    "--no-download": [[]],
    "--out": [["OTHER"]],
    "--overwrite": [[]],
    "--no-progress": [[]],
    "--no-figures": [[]],
    "--profile-memory": [[]],
}

CASES = [pytest.param(model, flag, value, id=f"{model}{flag}{'=' + value[0] if value else ''}")
         for model in MODEL_NAMES for flag, values in SAMPLES.items() for value in values]


def test_every_option_has_samples():
    """A new option of ``minigrad train`` must be added to SAMPLES (and so be tried)."""
    flags = {s for a in _train_actions() for s in a.option_strings} - {"--model"}
    assert flags == set(SAMPLES)


def test_the_table_names_every_model_and_only_model_options():
    assert set(cli.MODEL_OPTIONS) == set(cli.MODELS)
    dests = {a.dest for a in _train_actions()}
    for options in cli.MODEL_OPTIONS.values():
        assert set(options) <= set(model_choice.MODEL_OPTION_FLAGS) <= dests


# -- running the command in-process on a tiny data set ------------------------------------------

class Run:
    """What one ``cli.main`` saw: the model it built (and its initial weights), the
    loader's arguments, the progress bars and figures asked for, and what it printed."""

    def __init__(self):
        self.models, self.initial, self.loads, self.bars, self.figures = [], [], [], [], []
        self.rc = None
        self.out = self.err = ""


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    data = synthetic_data(n=8, d=784, c=10, n_test=4)
    seen = Run()
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)

    def load(args):
        seen.loads.append({"data_dir": args.data_dir, "no_download": args.no_download})
        return data

    monkeypatch.setattr(cli, "_load_data", load)
    monkeypatch.setattr(cli, "_save_figures", lambda history, out: seen.figures.append(out))
    monkeypatch.setattr(cli, "_save_loss_graph", lambda *a: None)
    monkeypatch.setattr(train_module, "_progress_bar",
                        lambda total, initial: seen.bars.append(total))
    for name, build in list(cli.MODELS.items()):
        def capture(args, n_in, n_out, rng, build=build):
            model = build(args, n_in, n_out, rng)
            seen.models.append(model)
            seen.initial.append({k: np.array(v) for k, v in model.state_dict().items()})
            return model
        monkeypatch.setitem(cli.MODELS, name, capture)

    def main(argv):
        seen.rc = cli.main(["train", *argv])
        captured = capsys.readouterr()
        seen.out, seen.err = captured.out, captured.err
        return seen

    main.tmp = tmp_path
    return main


def base_options(out):
    return {"--iters": ["1"], "--batch-size": ["2"], "--seed": ["0"], "--out": [str(out)]}


def argv_of(options):
    return [part for flag, value in options.items() for part in (flag, *value)]


def history(out):
    return json.loads((Path(out) / "history.json").read_text())


# -- what a model uses, read off the model itself ------------------------------------------------

def _layers(model):
    net = getattr(model, "net", model)
    layers = getattr(net, "layers", [])
    return list(layers.values()) if isinstance(layers, dict) else list(layers)


def activation_used(model):
    if hasattr(model, "activation"):
        return model.activation
    names = {type(layer).__name__.lower() for layer in _layers(model)}
    used = names & {"relu", "sigmoid", "tanh"}
    assert len(used) == 1, names
    return used.pop()


def dropout_used(model):
    if hasattr(model, "use_dropout"):
        return model.dropout_ration if model.use_dropout else None
    ratios = {layer.dropout_ratio for layer in _layers(model) if hasattr(layer, "dropout_ratio")}
    assert len(ratios) <= 1
    return ratios.pop() if ratios else None


def first_weight(initial):
    return next(v for v in initial.values() if v.ndim >= 2)


def init_scale(value, weight):
    """The standard deviation ``--weight-init-std value`` asks for, for this weight."""
    fan_in = weight.shape[0] if weight.ndim == 2 else int(np.prod(weight.shape[1:]))
    if isinstance(value, str):
        return np.sqrt({"xavier": 1.0, "sigmoid": 1.0, "he": 2.0, "relu": 2.0}[value] / fan_in)
    return float(value)


def assert_records_what_the_model_uses(h, model, initial):
    """history.json's model settings are what the built model actually uses."""
    config = h["config"]
    assert config["activation"] == activation_used(model)
    assert config["dropout"] == dropout_used(model)
    assert config["batchnorm"] == bool(getattr(model, "use_batchnorm", False))
    assert (config["weight_decay"] or 0.0) == getattr(model, "weight_decay_lambda", 0.0)
    assert config["sizes"] == list(model.sizes)
    if config["hidden_sizes"] is None:
        assert config["sizes"][1:-1] == [config["cli"]["hidden_size"]]
    else:
        assert config["sizes"][1:-1] == config["hidden_sizes"]
    w = first_weight(initial)
    assert np.std(w) == pytest.approx(init_scale(config["weight_init_std"], w), rel=0.2)
    for key in ("activation", "dropout", "batchnorm", "weight_decay", "weight_init_std",
                "hidden_sizes"):
        assert config["cli"][key] == config[key], key


# -- every option against every model ------------------------------------------------------------

def _parsed(flag, value):
    """The value an option's type makes of ``value`` (True for a flag without one)."""
    action = next(a for a in _train_actions() if flag in a.option_strings)
    if not value:
        return True
    return action.type(value[0]) if action.type is not None else value[0]


def _honoured(seen, model, flag, value, out, tmp):
    """Assert that the run with ``flag value`` did what the option says."""
    h = history(out)
    config = h["config"]
    built, initial = seen.models[-1], seen.initial[-1]
    assert config["model_kind"] == model
    assert_records_what_the_model_uses(h, built, initial)
    v = _parsed(flag, value)
    if flag == "--hidden-size":
        assert built.sizes[1] == v == config["sizes"][1]
    elif flag == "--hidden-sizes":
        assert list(built.sizes[1:-1]) == v == config["hidden_sizes"]
    elif flag == "--batchnorm":
        assert built.use_batchnorm and config["batchnorm"] is True
    elif flag == "--dropout":
        assert dropout_used(built) == v == config["dropout"]
    elif flag == "--weight-decay":
        assert built.weight_decay_lambda == v == config["weight_decay"]
    elif flag == "--activation":
        assert activation_used(built) == v == config["activation"]
    elif flag in ("--weight-init-std", "--weight-init"):
        assert config["weight_init_std"] == v
        w = first_weight(initial)
        assert np.std(w) == pytest.approx(init_scale(v, w), rel=0.2)
    elif flag == "--iters":
        assert h["iterations"] == v == config["iters"] and config["epochs"] is None
    elif flag == "--epochs":
        assert config["epochs"] == v and h["iterations"] == 8 // 4
    elif flag == "--batch-size":
        assert config["batch_size"] == v
    elif flag == "--lr":
        assert config["lr"] == v
    elif flag == "--optimizer":
        assert config["optimizer"] == OPTIMIZERS[v].__name__ and config["cli"]["optimizer"] == v
    elif flag == "--seed":
        assert config["seed"] == v
    elif flag == "--dtype":
        assert config["dtype"] == config["cli"]["dtype"] == v
        floats = {str(a.dtype) for a in built.state_dict().values() if a.dtype.kind == "f"}
        assert floats == {v}
    elif flag == "--early-stopping":
        assert config["early_stopping"] == v
    elif flag == "--eval-every":
        assert config["eval_every"] == v and h["eval_iterations"] == [0, 1]
    elif flag == "--checkpoint-every":
        assert (out / "checkpoint.npz").exists() and config["checkpoint_every"] == v
    elif flag == "--resume":
        assert h["iterations"] == 2 and "resuming" in seen.out
    elif flag == "--data-dir":
        assert seen.loads[-1]["data_dir"] == v and config["data_dir"] == str(v)
    elif flag == "--no-download":
        assert seen.loads[-1]["no_download"] is True
    elif flag == "--out":
        assert out == Path(value[0])
    elif flag == "--overwrite":
        assert "--overwrite" in seen.err
    elif flag == "--no-progress":
        assert seen.bars == []
    elif flag == "--no-figures":
        assert seen.figures == []
    elif flag == "--profile-memory":
        assert "graph memory:" in seen.out
    else:  # pragma: no cover - SAMPLES and this list go together
        raise AssertionError(f"no check for {flag}")
    if flag != "--no-progress":
        assert seen.bars  # asked for (shown only on a terminal)
    if flag != "--no-figures":
        assert seen.figures[-1] == out


@pytest.mark.parametrize("model, flag, value", CASES)
def test_every_option_is_honoured_or_refused_for_every_model(run, model, flag, value):
    tmp = run.tmp
    out = tmp / "run"
    options = base_options(out)
    value = [str(tmp / "data") if v == "DATA" else str(tmp / "other") if v == "OTHER" else v
             for v in value]
    if flag == "--resume":
        first = run(["--model", model, *argv_of(options), "--checkpoint-every", "1"])
        assert first.rc == 0, first.err
        options["--iters"] = ["2"]
        value = [str(out / "checkpoint.npz")]
    if flag == "--overwrite":
        out.mkdir()
        (out / cli.LOCK_NAME).write_text(f"pid={os.getppid()}\nhost={socket.gethostname()}\n")
    if flag == "--epochs":
        del options["--iters"]
        options["--batch-size"] = ["4"]
    if flag == "--eval-every":
        options["--iters"] = ["2"]
    options[flag] = value
    if flag == "--out":
        out = Path(value[0])
    seen = run(["--model", model, *argv_of(options)])

    dest = next(a.dest for a in _train_actions() if flag in a.option_strings)
    takes = cli.MODEL_OPTIONS[model].get(dest)
    if dest in model_choice.MODEL_OPTION_FLAGS and (
            takes is None or not takes.accepts(_parsed(flag, value))):
        assert seen.rc == 2, seen.out
        first_line = seen.err.strip().splitlines()[0]
        assert first_line.startswith("minigrad train: error: ")
        assert model_choice.MODEL_OPTION_FLAGS[dest] in first_line
        assert f"--model {model}" in first_line
        assert "Traceback" not in seen.err
        assert not seen.models  # refused before anything was built or loaded
        assert not (out / "history.json").exists()
    else:
        assert seen.rc == 0, seen.err
        _honoured(seen, model, flag, value, out, tmp)


@pytest.mark.parametrize("model", MODEL_NAMES)
def test_history_records_what_each_model_uses_by_default(run, model):
    out = run.tmp / "run"
    seen = run(["--model", model, *argv_of(base_options(out))])
    assert seen.rc == 0, seen.err
    assert_records_what_the_model_uses(history(out), seen.models[-1], seen.initial[-1])


@pytest.mark.parametrize("argv, needle", [
    (["--model", "simple-convnet", "--activation", "sigmoid"],
     "--activation sigmoid: --model simple-convnet takes only relu"),
    (["--model", "deep-convnet", "--weight-init-std", "0.5"],
     "--weight-init-std 0.5: --model deep-convnet takes only he or relu"),
    (["--model", "simple-convnet", "--weight-init", "he"],
     "--weight-init-std he: --model simple-convnet takes a number"),
    (["--model", "two-layer", "--dropout", "0.5"],
     "--dropout 0.5: not an option of --model two-layer (only with --model multi-layer or "
     "deep-convnet)"),
    (["--model", "multi-layer", "--activation", "tanh"],
     "--activation tanh: --model multi-layer takes only relu or sigmoid"),
    (["--model", "multi-layer", "--hidden-sizes", "5,5", "--hidden-size", "50"],
     "give either --hidden-sizes or --hidden-size, not both"),
    (["--epochs", "1", "--iters", "10000"], "give either --epochs or --iters, not both"),
])
def test_refusals_name_the_option_and_the_model(run, argv, needle):
    seen = run([*argv, "--out", str(run.tmp / "r")])
    assert seen.rc == 2 and needle in seen.err and not seen.loads


def test_all_refused_options_are_named_at_once(run):
    seen = run(["--model", "deep-convnet", "--batchnorm", "--activation", "tanh",
                "--out", str(run.tmp / "r")])
    assert seen.rc == 2
    assert "--batchnorm: not an option of --model deep-convnet" in seen.err
    assert "--activation tanh: --model deep-convnet takes only relu" in seen.err


def test_each_preset_takes_its_own_table():
    """What a model runs with when nothing is given is a value its table takes."""
    defaults = cli.build_parser().parse_args(["train"])
    for model in cli.MODELS:
        for dest in model_choice.MODEL_OPTION_FLAGS:
            value = cli.MODEL_DEFAULTS.get(model, {}).get(dest, getattr(defaults, dest))
            assert model_choice._takes(model, dest, value), (model, dest, value)


# -- a preset applies only to the options not given ----------------------------------------------

PRESET_MODELS = list(cli.MODEL_DEFAULTS)


@pytest.mark.parametrize("model", PRESET_MODELS)
@pytest.mark.parametrize("form", ["separate", "equals"])
def test_options_given_with_the_default_value_beat_the_preset(run, model, form):
    """``--optimizer sgd --lr 0.1`` (the two-layer defaults) are what a convnet trains with."""
    given = {"--optimizer": "sgd", "--lr": "0.1", "--iters": "3", "--batch-size": "2"}
    argv = [p for k, v in given.items()
            for p in ([f"{k}={v}"] if form == "equals" else [k, v])]
    out = run.tmp / "run"
    seen = run(["--model", model, *argv, "--out", str(out)])
    assert seen.rc == 0, seen.err
    h = history(out)
    assert h["config"]["optimizer"] == "SGD" and h["config"]["lr"] == 0.1
    assert h["iterations"] == 3 and h["config"]["epochs"] is None
    assert "3 iterations, batch 2, lr 0.1, sgd" in seen.out


PARSER_DEFAULTS = vars(cli.build_parser().parse_args(["train"]))
#: The options a preset sets that have a default value one can give (not --epochs and
#: --dropout, whose default is "not given"; --iters is tried below).
PRESET_DESTS = sorted({k for d in cli.MODEL_DEFAULTS.values() for k in d
                       if PARSER_DEFAULTS[k] is not None})


@pytest.mark.parametrize("model", PRESET_MODELS)
@pytest.mark.parametrize("dest", PRESET_DESTS)
def test_every_preset_option_given_with_the_parser_default(run, model, dest):
    """Each option a preset sets, given with the two-layer default's value: that value is
    used (and recorded), or the model refuses it, naming the option and the model."""
    flag = "--" + dest.replace("_", "-")
    default = PARSER_DEFAULTS[dest]
    out = run.tmp / "run"
    seen = run(["--model", model, flag, str(default), "--iters", "1", "--batch-size", "2",
                "--out", str(out)])
    takes = cli.MODEL_OPTIONS[model].get(dest)
    if takes is not None and not takes.accepts(default):
        assert seen.rc == 2 and flag in seen.err and f"--model {model}" in seen.err
        return
    assert seen.rc == 0, seen.err
    assert history(out)["config"]["cli"][dest] == default


@pytest.mark.parametrize("model", PRESET_MODELS)
def test_iters_with_the_default_value_is_not_a_clash_with_the_preset_epochs(run, model,
                                                                           monkeypatch):
    """``--model simple-convnet --iters 10000``: 10000 iterations, no --epochs complaint."""
    def stop_after_two(every, path):
        def cb(state):
            if state.iteration == 1:
                state.stop, state.stop_reason = True, "stopped by the test"
        return cb

    monkeypatch.setattr(cli, "_checkpoint_saver", stop_after_two)
    out = run.tmp / "run"
    seen = run(["--model", model, "--iters", "10000", "--batch-size", "2", "--out", str(out)])
    assert seen.rc == 0, seen.err
    h = history(out)
    assert h["config"]["iters"] == 10000 and h["config"]["epochs"] is None
    assert h["iterations"] == 1 and "10000 iterations" in seen.out


def test_resumed_options_are_not_replaced_by_the_preset(run):
    """A convnet run with --optimizer sgd resumes with SGD (not the preset's Adam)."""
    out = run.tmp / "run"
    first = run(["--model", "simple-convnet", "--optimizer", "sgd", "--lr", "0.1",
                 "--iters", "1", "--batch-size", "2", "--checkpoint-every", "1",
                 "--out", str(out)])
    assert first.rc == 0, first.err
    seen = run(["--resume", str(out / "checkpoint.npz"), "--iters", "2"])
    assert seen.rc == 0, seen.err
    h = history(out)
    assert h["config"]["optimizer"] == "SGD" and h["config"]["lr"] == 0.1
    assert h["iterations"] == 2


def test_iters_given_on_resume_wins_over_the_checkpoints_epochs(run):
    out = run.tmp / "run"
    first = run(["--epochs", "1", "--batch-size", "4", "--checkpoint-every", "1",
                 "--out", str(out)])
    assert first.rc == 0, first.err
    assert history(out)["iterations"] == 2
    seen = run(["--resume", str(out / "checkpoint.npz"), "--iters", "3"])
    assert seen.rc == 0, seen.err
    h = history(out)
    assert h["iterations"] == 3 and h["config"]["epochs"] is None


def test_namespace_without_main_counts_changed_values_as_given(run, monkeypatch):
    """run_train on a parsed namespace (no record of what was typed) still takes presets."""
    out = run.tmp / "run"
    args = cli.build_parser().parse_args(["train", "--model", "deep-convnet", "--iters", "1",
                                          "--batch-size", "2", "--out", str(out)])
    assert cli.run_train(args) == 0
    h = history(out)
    assert h["config"]["optimizer"] == "Adam" and h["config"]["weight_init_std"] == "he"


@pytest.mark.parametrize("model", ["multi-layer", "deep-convnet"])
def test_profile_memory_leaves_the_run_unchanged(run, model):
    """--profile-memory's forward pass moves no BatchNorm statistic and no dropout step."""
    extra = ["--hidden-sizes", "6,5", "--batchnorm", "--dropout", "0.3"] \
        if model == "multi-layer" else []
    common = ["--model", model, *extra, "--iters", "2", "--batch-size", "2", "--seed", "1"]
    plain, profiled = run.tmp / "plain", run.tmp / "profiled"
    assert run([*common, "--out", str(plain)]).rc == 0
    assert run([*common, "--profile-memory", "--out", str(profiled)]).rc == 0
    with np.load(plain / "weights.npz") as a, np.load(profiled / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            assert a[k].tobytes() == b[k].tobytes(), k

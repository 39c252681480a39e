"""The training checkpoint's schema lives in minigrad.training_checkpoint, apart from the format."""

import pytest

from minigrad import serialization, training_checkpoint

MOVED = ["TRAINING_KIND", "training_state_dict", "save_training_state", "load_training_state",
         "_HYPER_RANGES", "_is_int", "_is_real", "_optimizer_state_problems", "_history_problems"]


@pytest.mark.parametrize("name", MOVED)
def test_old_names_in_serialization_are_the_new_objects(name):
    assert getattr(serialization, name) is getattr(training_checkpoint, name)
    assert name in dir(serialization)


def test_star_import_of_serialization_still_gives_the_training_functions():
    ns = {}
    exec("from minigrad.serialization import *", ns)
    for name in ("save", "load", "CheckpointError", "training_state_dict",
                 "save_training_state", "load_training_state"):
        assert ns[name] is getattr(serialization, name)


def test_unknown_names_are_still_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        serialization.not_a_name  # noqa: B018


def test_a_wrong_checkpoint_raises_the_format_error_class(tmp_path):
    path = tmp_path / "plain.npz"
    serialization.save({"kind": "something else"}, path)
    with pytest.raises(serialization.CheckpointError, match="not a training checkpoint"):
        training_checkpoint.load_training_state(object(), path)

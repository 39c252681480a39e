"""The training checkpoint's schema lives in minigrad.training_checkpoint, apart from the format."""

import pytest

from minigrad import serialization, training_checkpoint


def test_unknown_names_are_still_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        serialization.not_a_name  # noqa: B018


def test_a_wrong_checkpoint_raises_the_format_error_class(tmp_path):
    path = tmp_path / "plain.npz"
    serialization.save({"kind": "something else"}, path)
    with pytest.raises(serialization.CheckpointError, match="not a training checkpoint"):
        training_checkpoint.load_training_state(object(), path)

"""Where the debugging tools, the book's layers and the training loop live, and who imports whom."""

import subprocess
import sys

import minigrad.book.layers as book_layers
import minigrad.book.multi_layer_net_extend as book_mlne
import minigrad.debug as debug
import minigrad.layerwise.layers as layers
import minigrad.layerwise.multi_layer_net_extend as mlne
from minigrad.debug import audit, check, memory, trace
from minigrad.models import MultiLayerNet


def test_models_does_not_import_book():
    code = ("import sys, minigrad.models; "
            "print(sorted(m for m in sys.modules if m.startswith('minigrad.book')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_book_modules_re_export_or_extend_the_layerwise_classes():
    for name in layers.__all__:
        book, shared = getattr(book_layers, name), getattr(layers, name)
        # the book's form of a layer is the shared class or extends it
        assert book is shared or issubclass(book, shared), name
    assert issubclass(book_mlne.MultiLayerNetExtend, mlne.MultiLayerNetExtend)
    assert issubclass(MultiLayerNet, mlne.MultiLayerNetExtend)
    assert not issubclass(MultiLayerNet, book_mlne.MultiLayerNetExtend)


def test_every_debug_name_comes_from_its_tool_module():
    homes = {m: set(m.__all__) for m in (check, trace, memory, audit)}
    assert set(debug.__all__) == set().union(*homes.values())
    for module, names in homes.items():
        for name in names:
            assert getattr(debug, name) is getattr(module, name), name


def test_the_book_trainer_shares_the_training_iteration():
    from minigrad.book.trainer import Trainer as BookTrainer
    from minigrad.train import Trainer, TrainingLoop

    assert BookTrainer._iteration is TrainingLoop._iteration
    assert Trainer._iteration is TrainingLoop._iteration

"""Neural-network building blocks: :class:`Module`, :class:`Parameter` and layers.

>>> import numpy as np
>>> import minigrad.nn as nn
>>> net = nn.Sequential(nn.Linear(784, 50, rng=0), nn.Sigmoid(), nn.Linear(50, 10, rng=1))
>>> net(np.zeros((2, 784))).shape
(2, 10)
"""

from minigrad.nn import init, utils
from minigrad.nn.activation import (
    CELU,
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU6,
    SiLU,
    Softmin,
    Softplus,
    Softsign,
)
from minigrad.nn.conv import AvgPool2d, Conv2d, ConvTranspose2d, Flatten, MaxPool2d
from minigrad.nn.layers import (
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    init_std,
    make_rng,
)
from minigrad.nn.module import Module, Parameter, StateDictError, assign_
from minigrad.nn.normalization import BatchNorm1d, BatchNorm2d, Dropout, LayerNorm
from minigrad.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from minigrad.nn.sparse import Embedding

__all__ = [
    "Module",
    "Parameter",
    "StateDictError",
    "assign_",
    "Linear",
    "Sequential",
    "Sigmoid",
    "ReLU",
    "Tanh",
    "Softmax",
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "Flatten",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "Dropout",
    "Embedding",
    "RNNBase",
    "RNN",
    "LSTM",
    "GRU",
    "RNNCellBase",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "init_std",
    "make_rng",
    "init",
    "utils",
    # -- op library: activation modules
    "LeakyReLU",
    "ELU",
    "CELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Softsign",
    "LogSigmoid",
    "Hardtanh",
    "ReLU6",
    "Hardsigmoid",
    "Hardswish",
    "Softmin",
    "LogSoftmax",
    "Identity",
]

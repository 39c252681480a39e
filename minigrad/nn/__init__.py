"""Neural-network building blocks: :class:`Module`, :class:`Parameter` and layers.

>>> import numpy as np
>>> import minigrad.nn as nn
>>> net = nn.Sequential(nn.Linear(784, 50, rng=0), nn.Sigmoid(), nn.Linear(50, 10, rng=1))
>>> net(np.zeros((2, 784))).shape
(2, 10)
"""

from minigrad.nn import init
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
from minigrad.nn.conv import (
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    Flatten,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
    Upsample,
)
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
from minigrad.nn.normalization import BatchNorm1d, BatchNorm2d, Dropout

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
    "Conv1d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose3d",
    "MaxPool1d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Upsample",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "init_std",
    "make_rng",
    "init",
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

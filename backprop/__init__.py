"""Backprop Explorer's engine: Nielsen's network in NumPy, vectorised, traced and extended.

Pure NumPy (with pandas for tables); it never imports streamlit or plotly.
"""

from .activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from .costs import COSTS
from .diagnose import Finding, diagnose
from .gradcheck import gradcheck, numerical_gradients
from .inits import INITS
from .io import NetworkFileError, read_network
from .limits import Limits, default_limits
from .network import Network, accuracy
from .optimizers import OPTIMIZERS
from .regularization import REGULARIZATIONS, REGULARIZERS
from .trace import Trace
from .trainer import DivergenceError, StepResult, Trainer

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "HIDDEN_ACTIVATIONS",
    "INITS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "REGULARIZERS",
    "DivergenceError",
    "Finding",
    "NetworkFileError",
    "Limits",
    "Network",
    "StepResult",
    "Trace",
    "Trainer",
    "accuracy",
    "default_limits",
    "diagnose",
    "gradcheck",
    "numerical_gradients",
    "read_network",
]
__version__ = "0.1.0"

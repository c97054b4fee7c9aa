"""``MomentumOptimizer``: gradient descent with a velocity (TF1's ApplyMomentum)."""
from ..ops import training_ops
from .optimizer import Optimizer, hyperparameters, sparse_rows

__all__ = ["MomentumOptimizer"]


class MomentumOptimizer(Optimizer):
    """``accum = momentum * accum + grad; var -= learning_rate * accum``, in place.

    With ``use_nesterov=True``: ``var -= learning_rate * (grad + momentum * accum)`` after
    the same accumulator update (TF1's formula: ``grad * lr + accum * momentum * lr``).
    Each variable gets one slot, ``accum`` (``get_slot(var, "momentum")``), named
    ``<var>/Momentum`` and initialized to zeros. A gradient that TF1 passes as IndexedSlices
    (a gather's or an embedding lookup's) updates only the rows looked up, and their accum.
    """

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._learning_rate = learning_rate
        self._momentum = momentum
        self._use_nesterov = use_nesterov
        self._hyper = {}

    def _create_slots(self, var_list):
        for var in var_list:
            self._slot(var, "momentum", 0, self._name)

    def _prepare(self, grads_and_vars):
        self._hyper = hyperparameters({"learning_rate": self._learning_rate,
                                       "momentum": self._momentum}, grads_and_vars)

    def _apply_dense(self, grad, var):
        hyper = self._hyper[var.dtype.base_dtype]
        args = (var._ref, self.get_slot(var, "momentum")._ref, hyper["learning_rate"], grad,
                hyper["momentum"])
        rows = sparse_rows(grad)
        if rows is not None:  # TF1's IndexedSlices: only the rows looked up move
            return training_ops.sparse_apply_momentum(*args, rows,
                                                      use_nesterov=self._use_nesterov)
        return training_ops.apply_momentum(*args, use_nesterov=self._use_nesterov)

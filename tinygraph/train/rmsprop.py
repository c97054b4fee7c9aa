"""``RMSPropOptimizer``: Hinton's RMSProp with momentum, as TF1 computes it."""
from ..ops import training_ops
from .optimizer import Optimizer, hyperparameters, sparse_rows

__all__ = ["RMSPropOptimizer"]


class RMSPropOptimizer(Optimizer):
    """RMSProp (TF1's ApplyRMSProp), in place::

        ms = ms + (grad^2 - ms) * (1 - decay)                  # starts at ONES, as in TF1
        mom = mom * momentum + learning_rate * grad / sqrt(ms + epsilon)
        var -= mom

    ``centered=True`` also keeps the mean gradient ``mg = mg + (grad - mg) * (1 - decay)``
    and divides by ``sqrt(ms - mg^2 + epsilon)`` (ApplyCenteredRMSProp).

    Slots: ``rms`` (``<var>/RMSProp``), with ``centered`` ``mg`` (``<var>/RMSProp_1``),
    then ``momentum`` (``<var>/RMSProp_1``, or ``_2`` when centered), zeros.
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._values = {"learning_rate": learning_rate, "decay": decay, "momentum": momentum,
                        "epsilon": epsilon}
        self._centered = centered
        self._hyper = {}

    def _create_slots(self, var_list):
        for var in var_list:
            self._slot(var, "rms", 1, self._name)
            if self._centered:
                self._slot(var, "mg", 0, self._name)
            self._slot(var, "momentum", 0, self._name)

    def _prepare(self, grads_and_vars):
        self._hyper = hyperparameters(self._values, grads_and_vars)

    def _apply_dense(self, grad, var):
        h = self._hyper[var.dtype.base_dtype]
        scalars = (h["learning_rate"], h["decay"], h["momentum"], h["epsilon"], grad)
        rms, mom = self.get_slot(var, "rms")._ref, self.get_slot(var, "momentum")._ref
        rows = sparse_rows(grad)  # TF1's IndexedSlices: only the rows looked up move
        if self._centered:
            slots = (var._ref, self.get_slot(var, "mg")._ref, rms, mom)
            if rows is not None:
                return training_ops.sparse_apply_centered_rms_prop(*slots, *scalars, rows)
            return training_ops.apply_centered_rms_prop(*slots, *scalars)
        if rows is not None:
            return training_ops.sparse_apply_rms_prop(var._ref, rms, mom, *scalars, rows)
        return training_ops.apply_rms_prop(var._ref, rms, mom, *scalars)

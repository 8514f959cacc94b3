"""`make bench`, files (issue 19): upload throughput over real HTTP, and thumbnail time.

1. Upload throughput: a curator POSTs a 40 MiB recording (multipart, streamed, chunked) to
   a real `uvicorn` worker on a fresh embedded archive, three times; the median in MB/s.
   Baseline: the same body to a bare ASGI app (`files_sink.py`: reads it and drops it) in
   the same kind of uvicorn worker; the ratio is what parsing, sealing and storing cost.
2. Images: `archive.filetypes.clean_image` (decode, EXIF orientation, re-encode without
   metadata, thumbnail 320 px and display 1600 px) of a 12-megapixel photo, beside a bare
   Pillow decode and JPEG re-encode of the same photo (median of 5); the ratio.

    .venv/bin/python benchmarks/files_bench.py [--json PATH]

Takes some seconds. Nothing is asserted: the numbers are for reading (docs/media-files.md).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from loadtest import free_port, stop_process, wait_ready
from PIL import Image

from archive.config import Settings
from archive.filetypes import clean_image
from bootstrap import open_archive

MIB = 1024 * 1024
SIZE = 40 * MIB
BOUNDARY = "bench-grens"
SINK = "files_sink:app"


def _body() -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="b.mp3"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    head = b"ID3\x03\x00\x00\x00\x00\x00\x00"
    piece = os.urandom(MIB)
    yield head
    for _ in range(SIZE // MIB):
        yield piece
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _serve(app: str, env: dict[str, str], log: Path, factory: bool) -> tuple[Any, str]:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    if factory:
        command.append("--factory")
    handle = log.open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_ready(process, base, lambda: log.read_text(errors="replace"))
    return process, base


def _uploads(base: str, path: str, headers: dict[str, str], runs: int = 3) -> float:
    """Median MB/s of `runs` uploads of the body."""
    rates = []
    with httpx.Client(base_url=base, timeout=300) as http:
        for _ in range(runs):
            started = time.perf_counter()
            answer = http.post(path, content=_body(), headers=headers)
            elapsed = time.perf_counter() - started
            assert answer.status_code in (200, 201), answer.text
            rates.append(SIZE / MIB / elapsed)
    return statistics.median(rates)


def upload_phase(root: Path) -> dict[str, float]:
    settings = Settings(data_dir=root / "data")
    archive = open_archive(settings)
    try:
        archive.register("media", {"id": "bench", "title": "Bench"}, actor="bench")
        token = archive.issue_token("bench", "curator")
    finally:
        archive.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIJKARCHIEF_")}
    env["WIJKARCHIEF_DATA"] = str(settings.data_dir)
    env["PYTHONPATH"] = os.pathsep.join(
        str(p) for p in (Path(__file__).resolve().parents[1], Path(__file__).resolve().parent)
    )
    kind = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    process, base = _serve("entrypoints.server:create_app", env, root / "server.log", True)
    try:
        archive_rate = _uploads(
            base, "/api/media/bench/files", {**kind, "Authorization": f"Bearer {token}"}
        )
    finally:
        stop_process(process)
    process, base = _serve(SINK, env, root / "sink.log", False)
    try:
        bare_rate = _uploads(base, "/", kind)
    finally:
        stop_process(process)
    return {"archive_mb_s": archive_rate, "bare_mb_s": bare_rate}


def image_phase() -> dict[str, float]:
    photo = io.BytesIO()
    Image.effect_noise((4000, 3000), 60).convert("RGB").save(photo, "JPEG", quality=90)
    data = photo.getvalue()

    def bare() -> None:
        out = io.BytesIO()
        Image.open(io.BytesIO(data)).save(out, "JPEG", quality=92)

    def archive() -> None:
        clean_image(io.BytesIO(data), "image/jpeg")

    timings: dict[str, float] = {}
    for name, run in (("bare_reencode_s", bare), ("clean_and_derivatives_s", archive)):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            samples.append(time.perf_counter() - started)
        timings[name] = statistics.median(samples)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures as JSON to PATH (- for stdout)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wijkarchief-files-bench-") as root:
        upload = upload_phase(Path(root))
    images = image_phase()
    print("files (issue 19)")
    print(
        f"  upload 40 MiB over HTTP: {upload['archive_mb_s']:.1f} MB/s "
        f"(bare uvicorn sink {upload['bare_mb_s']:.1f} MB/s, "
        f"ratio {upload['bare_mb_s'] / upload['archive_mb_s']:.1f}x)"
    )
    print(
        f"  12 MP photo: clean + thumbnail + display {images['clean_and_derivatives_s'] * 1000:.0f}"
        f" ms (bare Pillow re-encode {images['bare_reencode_s'] * 1000:.0f} ms, ratio "
        f"{images['clean_and_derivatives_s'] / images['bare_reencode_s']:.1f}x)"
    )
    if args.json:
        text = json.dumps({"upload": upload, "images": images}, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

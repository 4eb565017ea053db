"""Large uploads streamed through a real server: `python -m bench.bench_uploads`.

By default it serves bench/upload_app.py (the upload helpers of
tms_entrypoints.http.files mounted as `POST /lessons/{id}/file` will mount them, over the
in-memory store and a folder; with ``--s3``, an S3 bucket on a moto server that this
process runs on loopback) with uvicorn and the protocol `tms serve` uses
(LimitedHttpToolsProtocol: the body's minimum-rate rule applies), one worker. Once the
lesson route exists, ``--url`` points the same measurement at a running TMS instead:

    python -m bench.bench_uploads --url http://127.0.0.1:8002 --path /lessons/7/file \\
        --token <admin JWT> --pid <pid of tms serve>

Each run sends one ``--mib`` MiB (500) multipart upload (a PDF header, then bytes that do
not compress) with its Content-Length, from a client in this process, as fast as loopback
takes it (``--rate-mib`` caps the rate). Measured per run: seconds, MiB/s, and the
server's peak resident memory (VmRSS, sampled every 50 ms) above its memory at rest after
a warm-up upload; the stored file's size and SHA-256 are checked against what was sent.
Target: growth under 50 MiB. Results go to bench/results/uploads-<timestamp>.{json,md}.

    python -m bench.bench_uploads [--mib 500] [--runs 3] [--rate-mib 0] [--s3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.bench_reports import RssSampler, vm_rss_mb
from bench.run import RESULTS, ROOT, log
from bench.servers import Server, free_port, start_server

MiB = 1024 * 1024
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}
TARGET_GROWTH_MIB = 50
BOUNDARY = "bench-upload-boundary-3f9c2a"
BLOCK = hashlib.sha256(b"bench").digest() * (MiB // 32)
"""One MiB that does not repeat within itself."""


def multipart_head(name: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()


TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()
PDF_HEAD = b"%PDF-1.7\n"


def file_digest(size: int) -> str:
    digest = hashlib.sha256(PDF_HEAD)
    left = size - len(PDF_HEAD)
    while left > 0:
        digest.update(BLOCK[: min(left, MiB)])
        left -= MiB
    return digest.hexdigest()


def body(size: int, rate_mib: float) -> Iterator[bytes]:
    """The multipart body of a ``size``-byte file, in 1 MiB pieces, paced when asked."""
    yield multipart_head("lecture-recording.pdf") + PDF_HEAD
    left = size - len(PDF_HEAD)
    began = time.monotonic()
    sent = 0
    while left > 0:
        piece = BLOCK[: min(left, MiB)]
        yield piece
        left -= len(piece)
        sent += len(piece)
        if rate_mib:
            ahead = sent / (rate_mib * MiB) - (time.monotonic() - began)
            if ahead > 0:
                time.sleep(ahead)
    yield TAIL


def body_length(size: int) -> int:
    return len(multipart_head("lecture-recording.pdf")) + size + len(TAIL)


def upload(url: str, token: str | None, size: int, rate_mib: float) -> dict[str, Any]:
    headers = {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(body_length(size)),
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    began = time.perf_counter()
    answer = httpx.post(url, content=body(size, rate_mib), headers=headers, timeout=3600)
    seconds = time.perf_counter() - began
    if answer.status_code not in (200, 201):
        raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:500]}")
    return {"seconds": seconds, "answer": answer.json()}


def start_helpers_app(
    files_url: str, work_dir: Path, limit: int, s3_endpoint: str | None = None
) -> Server:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TMS_")},
        **S3_CREDENTIALS,
        "BENCH_FILES_URL": files_url,
        "BENCH_S3_ENDPOINT_URL": s3_endpoint or "",
        "BENCH_UPLOAD_MAX_BYTES": str(limit),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "bench.upload_app:create",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--http",
        "tms_entrypoints.http.protocol:LimitedHttpToolsProtocol",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    return start_server(
        "upload-helpers",
        command,
        env=env,
        port=port,
        log_path=RESULTS / "server-uploads.log",
        cwd=work_dir,
    )


def measure(
    url: str,
    token: str | None,
    pid: int,
    size: int,
    runs: int,
    rate_mib: float,
    clean: Callable[[], None] = lambda: None,
) -> dict[str, Any]:
    expected = file_digest(size)
    upload(url, token, 1 * MiB, 0)  # warm-up: imports, first allocations
    time.sleep(1)
    rest = vm_rss_mb(pid)
    results = []
    for run in range(runs):
        with RssSampler(pid) as sampler:
            done = upload(url, token, size, rate_mib)
        stored = done["answer"]
        stored_file = stored.get("file", stored)
        if "sha256" in stored and stored["sha256"] != expected:
            raise RuntimeError("the stored file's SHA-256 is not what was sent")
        if stored_file.get("size") != size:
            raise RuntimeError(f"stored {stored_file.get('size')} bytes, sent {size}")
        growth = sampler.peak - rest
        results.append(
            {
                "run": run + 1,
                "seconds": round(done["seconds"], 2),
                "mib_per_second": round(size / MiB / done["seconds"], 1),
                "peak_rss_mib": round(sampler.peak, 1),
                "growth_mib": round(growth, 1),
                "samples": sampler.samples,
            }
        )
        log(f"run {run + 1}: {results[-1]}")
        clean()
    return {
        "rest_rss_mib": round(rest, 1),
        "runs": results,
        "median_seconds": statistics.median(r["seconds"] for r in results),
        "median_mib_per_second": statistics.median(r["mib_per_second"] for r in results),
        "max_growth_mib": max(r["growth_mib"] for r in results),
        "median_growth_mib": statistics.median(r["growth_mib"] for r in results),
    }


@contextlib.contextmanager
def storage(s3: bool, work_dir: Path) -> Iterator[tuple[str, str | None, Callable[[], None]]]:
    """Where the served app stores: a folder, or a bucket on a moto S3 server run here;
    with what empties it between runs."""
    if not s3:
        folder = work_dir / "files"
        yield str(folder), None, lambda: shutil.rmtree(folder, ignore_errors=True)
        return
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ.update(S3_CREDENTIALS)
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="bench")

    def clean() -> None:
        for item in client.list_objects_v2(Bucket="bench").get("Contents", []):
            client.delete_object(Bucket="bench", Key=item["Key"])

    try:
        yield "s3://bench/uploads", endpoint, clean
    finally:
        server.stop()


def markdown(result: dict[str, Any]) -> str:
    met = "yes" if result["max_growth_mib"] < TARGET_GROWTH_MIB else "**no**"
    lines = [
        f"### Uploads ({result['when']})",
        "",
        f"Target: {result['target']}. {result['mib']} MiB per upload, {len(result['runs'])}"
        f" runs; server at rest {result['rest_rss_mib']} MiB. The machine is shared"
        f" (load average {result['load_average']}).",
        "",
        "| run | seconds | MiB/s | peak RSS (MiB) | growth (MiB) |",
        "|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['run']} | {r['seconds']} | {r['mib_per_second']} | {r['peak_rss_mib']}"
            f" | {r['growth_mib']} |"
        )
    lines += [
        "",
        f"Median {result['median_seconds']} s ({result['median_mib_per_second']} MiB/s);"
        f" growth median {result['median_growth_mib']} MiB, largest {result['max_growth_mib']}"
        f" MiB (target < {TARGET_GROWTH_MIB} MiB: {met}).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate-mib", type=float, default=0, help="cap the send rate (0: none)")
    parser.add_argument("--url", help="a running TMS (with --path, --token, --pid)")
    parser.add_argument("--path", default="/upload")
    parser.add_argument("--token")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--s3", action="store_true", help="files on S3 (moto) instead of a folder")
    args = parser.parse_args(argv)
    size = args.mib * MiB

    with tempfile.TemporaryDirectory(prefix="tms-bench-uploads-") as work:
        work_dir = Path(work)
        if args.url:
            if not args.pid:
                parser.error("--url needs --pid (the server process, for its memory)")
            target = f"served TMS at {args.url}{args.path}"
            result = measure(
                args.url + args.path, args.token, args.pid, size, args.runs, args.rate_mib
            )
        else:
            with storage(args.s3, work_dir) as (files_url, endpoint, clean):
                server = start_helpers_app(files_url, work_dir, size + MiB, endpoint)
                where = "an S3 bucket (moto on loopback)" if args.s3 else "a folder"
                target = (
                    "bench/upload_app.py (the helpers as the lesson route mounts them) on"
                    f" uvicorn, files in {where}"
                )
                try:
                    result = measure(
                        server.url("/upload"), None, server.process.pid, size, args.runs,
                        args.rate_mib, clean,
                    )  # fmt: skip
                finally:
                    server.stop()
    result.update(
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        target=target,
        mib=args.mib,
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"uploads-{stamp}.json").write_text(json.dumps(result, indent=2))
    text = markdown(result)
    (RESULTS / f"uploads-{stamp}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

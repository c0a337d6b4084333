"""Flame graph of one Agora process under wrk: a sampling profile (py-spy) of a page as the
benchmark's students request it, on a database that `bench.generate` filled.

    DATABASE_URL=… STORAGE_DIR=… SECRET_KEY=… AGORA_ENV=production \
        python -m bench.profile "/courses/{code}" bench/results/DATE-flame-DB-SIZE-course-page.svg

`{code}` and `{page}` stand for the first course's code and its seventh page module.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.run import LUA, _cookies, _serve, _students_of_first_course

PORT = 8100


def _expand(path: str, database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        course_id, code = connection.execute(
            text("SELECT id, code FROM courses ORDER BY id LIMIT 1")).one()  # fmt: skip
        page_id = connection.execute(text(
            "SELECT id FROM modules WHERE course_id = :c AND key = 'page-7'"), {"c": course_id}
        ).scalar_one()  # fmt: skip
    engine.dispose()
    return path.replace("{code}", code).replace("{page}", str(page_id))


def _options(output: Path) -> list[str]:
    """PROFILE_GIL=1: only the thread holding the GIL (where the CPU goes, not the waits);
    an output ending in .txt: collapsed stacks (one line a stack) to add up, not an SVG."""
    gil = ["--gil"] if os.environ.get("PROFILE_GIL") else []
    return gil + (["--format", "raw"] if output.suffix == ".txt" else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    env = dict(os.environ)
    path = _expand(args.path, env["DATABASE_URL"])
    server = _serve(env, PORT, workers=1)  # one process: the one py-spy samples
    base = f"http://127.0.0.1:{PORT}"
    try:
        cookies = _cookies(base, _students_of_first_course(env, args.connections))
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(server.pid),
             "--duration", str(args.seconds), "--rate", "200", "--nonblocking",
             "--output", str(args.output), *_options(args.output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        load = {**env, "BENCH_CREDENTIALS": "\n".join(cookies), "BENCH_AUTH": "cookie"}
        n = str(args.connections)
        done = subprocess.run(
            ["wrk", f"-t{n}", f"-c{n}", f"-d{args.seconds}s", "-s", str(LUA), base + path],
            env=load, capture_output=True, text=True, check=True,
        )  # fmt: skip
        spy.wait()
        print(done.stdout.strip().splitlines()[-3] if done.stdout else "")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()

"""The study page's budgets (issue 10), measured in a real headless Chromium.

Builds web/ (npm ci + vite build), starts `catachess serve` on a throwaway PostgreSQL,
creates a study whose chapter has 300 main-line moves and 200 variation moves, and runs
bench/web_study.mjs (playwright-core driving Debian's chromium), which reports:

- the JavaScript the study page loads, gzipped (budget 250 KB);
- time to interactive: navigation start to the move list and board drawn, median of
  cold loads (budget 1.5 s);
- one → step: the main-thread work a trusted key press causes, the key handler with the
  render it triggers plus the next frame (chessground's redraw, style, layout, paint),
  without the wait for that frame; median, p95 and max of 150 presses, with DevTools'
  script and layout time per press beside it (budget 16 ms).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import chess
import chess.pgn
import httpx

from bench.common import throwaway_database

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
MAINLINE_PLIES = 300
VARIATIONS = 40  # of 5 moves each: 200 variation moves
VARIATION_LENGTH = 5
JS_BUDGET_KB = 250
TTI_BUDGET_MS = 1500
STEP_BUDGET_MS = 16


def random_line(board: chess.Board, plies: int, rng: random.Random) -> list[chess.Move] | None:
    """`plies` random legal moves from `board` (None when the game ends before)."""
    board = board.copy()
    line = []
    for _ in range(plies):
        moves = list(board.legal_moves)
        if not moves:
            return None
        move = rng.choice(moves)
        line.append(move)
        board.push(move)
    return None if board.is_game_over() else line


def big_chapter_pgn(seed: int = 7) -> str:
    """A game of MAINLINE_PLIES random moves with VARIATIONS variations of 5 moves."""
    rng = random.Random(seed)
    while (mainline := random_line(chess.Board(), MAINLINE_PLIES, rng)) is None:
        pass
    game = chess.pgn.Game()
    game.headers["Event"] = "Bench: 300 + 200 moves"
    node: chess.pgn.GameNode = game
    nodes = []
    for move in mainline:
        node = node.add_main_variation(move)
        nodes.append(node)
    placed = 0
    for index in rng.sample(range(1, MAINLINE_PLIES - 1), MAINLINE_PLIES - 2):
        if placed == VARIATIONS:
            break
        parent = nodes[index - 1]
        board = parent.board()
        alternatives = [m for m in board.legal_moves if not parent.has_variation(m)]
        if not alternatives:
            continue
        first = rng.choice(alternatives)
        board.push(first)
        rest = random_line(board, VARIATION_LENGTH - 1, rng)
        if rest is None:
            continue
        child = parent.add_variation(first)
        for move in rest:
            child = child.add_main_variation(move)
        placed += 1
    return str(game)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_web() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to build web/ (Node.js >= 20)")
    if not (WEB / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True, stdout=subprocess.DEVNULL)


def gzipped_kb(paths: list[str]) -> tuple[float, float]:
    """Raw and gzipped KB of the built files behind these URL paths."""
    raw = zipped = 0
    for path in paths:
        file = WEB / "dist" / path.lstrip("/")
        data = file.read_bytes()
        raw += len(data)
        zipped += len(gzip.compress(data, compresslevel=9))
    return raw / 1024, zipped / 1024


async def prepare(base: str) -> tuple[str, str, str]:
    """A user, a workspace and a study with the big chapter: (session JSON, study, chapter)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        person = {"email": "bench@bench.example", "password": "bench password"}
        await client.post("/auth/register", json={**person, "display_name": "bench"})
        login = (await client.post("/auth/login", json=person)).json()
        headers = {"Authorization": f"Bearer {login['access_token']}"}
        workspace = (
            await client.post(
                "/nodes", json={"kind": "workspace", "name": "bench"}, headers=headers
            )
        ).json()
        body = {"name": "Big chapter", "parent_id": workspace["id"], "pgn": big_chapter_pgn()}
        created = await client.post("/studies", json=body, headers=headers)
        assert created.status_code == 201, created.text
        study = created.json()["studies"][0]
        chapter = study["chapters"][0]
        assert chapter["node_count"] == MAINLINE_PLIES + VARIATIONS * VARIATION_LENGTH, chapter
        session = json.dumps({"token": login["access_token"], "user": login["user"]})
        return session, study["id"], chapter["id"]


async def main() -> None:
    build_web()
    with throwaway_database() as url:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING", "EVENT_RELAY": "true"}
        env.update(MAINTENANCE_INTERVAL="0", ARGON2_MEMORY_KIB="1024", ARGON2_TIME_COST="1")
        server = await asyncio.create_subprocess_exec(
            *[str(Path(sys.executable).parent / "catachess"), "serve", "--port", str(port)],
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with httpx.AsyncClient() as probe:
                for _ in range(600):
                    try:
                        if (await probe.get(f"{base}/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await asyncio.sleep(0.05)
            session, study, chapter = await prepare(base)
            browser = await asyncio.create_subprocess_exec(
                *["node", str(ROOT / "bench" / "web_study.mjs"), base, session, study, chapter],
                stdout=asyncio.subprocess.PIPE,
            )
            output, _ = await browser.communicate()
            assert browser.returncode == 0, "bench/web_study.mjs failed"
        finally:
            server.terminate()
            await server.wait()
    figures = json.loads(output.decode().strip().splitlines()[-1])
    raw, zipped = gzipped_kb(figures["scripts"])
    print(
        f"study page JavaScript: {zipped:.1f} KB gzipped ({raw:.0f} KB raw, "
        f"{len(figures['scripts'])} files); budget {JS_BUDGET_KB} KB: "
        f"{zipped / JS_BUDGET_KB:.2f}x of it"
    )
    tti = figures["tti_median_ms"]
    print(
        f"time to interactive, {MAINLINE_PLIES} + {VARIATIONS * VARIATION_LENGTH} moves: "
        f"{tti:.0f} ms median of {len(figures['tti_ms'])} cold loads "
        f"({', '.join(f'{t:.0f}' for t in figures['tti_ms'])}); budget {TTI_BUDGET_MS} ms: "
        f"{tti / TTI_BUDGET_MS:.2f}x of it"
    )
    step = figures["step_median_ms"]
    print(
        f"→ step: {step:.1f} ms median of main-thread work per key press (p95 "
        f"{figures['step_p95_ms']:.1f}, max {figures['step_max_ms']:.1f}; DevTools per press: "
        f"script {figures['step_script_ms']:.2f}, style+layout {figures['step_layout_ms']:.2f}) "
        f"over {figures['steps']} presses; budget {STEP_BUDGET_MS} ms: "
        f"{step / STEP_BUDGET_MS:.2f}x of it"
    )
    load = os.getloadavg()[0]
    print(f"(machine load average {load:.1f} on {os.cpu_count()} cores during the run)")


if __name__ == "__main__":
    asyncio.run(main())

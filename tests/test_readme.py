"""The README for users: short, its links lead somewhere, and every command and snippet in it
runs. `make test` is what `.ci/run` runs; `make run` starts `python app.py`, which the browser
tests start the same way (`pagehelper.running_app`); the `rag` commands and the OpenAI snippet
are run here as written; the MCP configuration names the command `test_mcp` runs."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest
from conftest import ROOT, Copying
from pagehelper import served

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
# Every shell command of the README and what runs it; a new command must be added here, with a way to run it.
COMMANDS = {
    "make run": "make -n run below; `python app.py` by the browser tests",
    "make test": ".ci/run",
    'rag ask "Wat zegt Marleen Stikker over de digitale publieke ruimte?"': "run below",
    'rag search "cloud en datacenters" --k 5': "run below",
    "rag build": "run below",
    "rag info": "run below",
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", TEXT, re.S)


def commands() -> list[str]:
    lines = [line.split("#", 1)[0].strip() for block in blocks("sh") for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_readme_is_short_and_its_links_lead_somewhere():
    assert len(TEXT) < 8000
    assert TEXT.startswith("# Vraag de experts\n\n```sh\nmake run ") and "\nmake test " in TEXT[:400]
    for target in re.findall(r"\]\(([^)]+)\)", TEXT):
        if target.startswith("http"):
            continue
        path, _, anchor = target.partition("#")
        assert (ROOT / path).exists(), target
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(encoding="utf-8"), re.M)
            assert anchor in {h.lower().replace(" ", "-") for h in headings}, target
    for name in ("USAGE", "HOW_IT_WORKS", "MEASURED", "DEVELOPMENT", "SCALING"):
        assert f"(docs/{name}.md)" in TEXT


def test_every_command_in_the_readme_is_one_that_is_run():
    assert commands() == list(COMMANDS)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_make_run_and_make_test_do_what_the_readme_says():
    run = subprocess.run(["make", "--no-print-directory", "-n", "run"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and re.search(r"\.venv/bin/python app\.py$", run.stdout.strip()), run.stdout
    test = subprocess.run(["make", "--no-print-directory", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert test.returncode == 0 and ".venv/bin/python -m pytest -q" in test.stdout and "npm install" in test.stdout


@pytest.mark.real_model
def test_the_rag_commands_of_the_readme_run_as_written(real_settings, tmp_path):
    data, index = tmp_path / "data", tmp_path / "index"
    shutil.copytree(real_settings.data_dir, data)
    shutil.copytree(real_settings.index_dir, index)
    env = {"RAG_DATA_DIR": str(data), "RAG_INDEX_DIR": str(index), "RAG_GENERATOR": "extractive"}
    expected = {"rag build": "Indexed 1 document(s)", "rag info": "up to date", "rag search": "1. [", "rag ask": "[1]"}
    for command in (c for c in COMMANDS if c.startswith("rag ")):
        argv = shlex.split(command)
        done = subprocess.run(
            [sys.executable, "-m", "rag", *argv[1:]],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert expected[" ".join(argv[:2])] in done.stdout, (command, done.stdout[-2000:])


def test_the_openai_snippet_runs_against_the_page(workspace, fake_encoder, capsys):
    import app
    from rag.build import build

    (snippet,) = blocks("python")
    build(workspace, fake_encoder)
    service = app.ChatService(replace(workspace), fake_encoder, Copying())
    with served(service) as url:
        assert "http://127.0.0.1:7860/v1" in snippet
        exec(compile(snippet.replace("http://127.0.0.1:7860/", url), "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "Hawre Rahimi geeft 4 adviezen" in printed and "**Bronnen**" in printed and "- [1] Hawre Rahimi" in printed


def test_the_mcp_configuration_names_the_rag_mcp_command():
    (config,) = blocks("json")
    server = json.loads(config)["mcpServers"]["vraag-de-experts"]
    assert server["command"].endswith("/.venv/bin/rag") and server["args"] == ["mcp"]
    assert 'rag = "rag.cli:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")

"""`annotate --engine dask` on a real 2-worker LocalCluster writes the local engine's rows, survives a
failed partition and a lost worker without duplicate rows, and sends bad documents to errors."""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dask.distributed import Client

from annotator import cli
from annotator.dask.cluster import MERGED, TABLES, _load, start_cluster
from annotator.dask.partitions import checked, plan
from annotator.read import read_articles

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = sorted((ROOT / "corpus" / "sample").glob("*.txt"))
MAX_BYTES = 20_000_000


@pytest.fixture(scope="module")
def client():
    with start_cluster(2) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The sample articles and a file that is not UTF-8."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in SAMPLE:
        shutil.copy(path, folder / path.name)
    (folder / "zz_latin1.txt").write_bytes("Le député a déclaré : « Nous voterons ».".encode("cp1252"))
    return folder


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    """Eight articles (newlines inside quoted fields), an id met again three partitions later, a row
    without id, an empty text, a row with a field too many and, last, an unbalanced quote."""
    rows = [(f"c{n:02d}", text(path)) for n, path in enumerate(SAMPLE[:8], 1)]
    rows[5] = ("", rows[5][1])
    rows += [("c02", "Selon l'AFP, le texte serait adopté."), ("c10", "")]
    quote = lambda s: '"' + s.replace('"', '""') + '"'
    body = "id,text\r\n" + "".join(f"{quote(i)},{quote(t)}\r\n" for i, t in rows)
    path = tmp_path_factory.mktemp("table") / "articles.csv"
    path.write_text(body + 'c11,"a","b"\r\nc12,"Il a dit : ""non"" \r\n', encoding="utf-8")
    return path


def text(path: Path) -> str:
    """The file's text with its line endings as they are."""
    return path.read_bytes().decode("utf-8")


def annotate(*argv) -> int:
    return cli.main(["annotate", *map(str, argv)])


def on_dask(client: Client, *argv) -> int:
    return annotate(*argv, "--engine", "dask", "--scheduler", client.scheduler.address, "--merge")


def local_run(source: Path, out: Path) -> Path:
    assert annotate(source, "--out", out) == 1  # every corpus here holds a bad document
    return out


@pytest.fixture(scope="module")
def local_folder(folder, tmp_path_factory) -> Path:
    return local_run(folder, tmp_path_factory.mktemp("local-folder"))


def part_rows(out: Path, table: str) -> list[dict]:
    return [{k: str(v) for k, v in row.items()}
            for part in sorted((out / table).glob("part-*.parquet")) for row in pq.read_table(part).to_pylist()]


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_same(out: Path, local: Path, names=MERGED) -> None:
    """The merged files are the local ones, byte for byte; the parts hold the same rows, once each."""
    for name in names:
        assert (out / name).read_bytes() == (local / name).read_bytes(), name
    for table in TABLES:
        if f"{table}.csv" in names:
            key = lambda row: tuple(row.values())
            assert sorted(part_rows(out, table), key=key) == sorted(csv_rows(local / f"{table}.csv"), key=key)
    assert not list(out.glob(".dask-*")), "staging folder left behind"


def fail_once(flag: str, how: str) -> None:
    """On a worker: the first partition that writes its profiles part while `flag` exists fails, after its
    markers part was written: it raises (`how` "raise") or its worker process dies ("exit")."""
    import annotator.dask.cluster as engine

    write = getattr(engine._write_parquet, "original", engine._write_parquet)

    def failing(rows, schema, path):
        if path.parent.name == "profiles":
            try:
                os.remove(flag)
            except FileNotFoundError:
                pass
            else:
                if how == "exit":
                    os._exit(1)
                raise RuntimeError("injected failure")
        write(rows, schema, path)

    failing.original = write
    engine._write_parquet = failing


def test_folder_same_rows_as_local(client, folder, local_folder, tmp_path):
    assert on_dask(client, folder, "--out", tmp_path, "--partition-size", 4) == 1
    assert_same(tmp_path, local_folder)
    assert len(list((tmp_path / "markers").glob("part-*.parquet"))) == 4
    errors = csv_rows(tmp_path / "errors.csv")
    assert [e["doc_id"] for e in errors] == ["zz_latin1"] and errors[0]["reason"].startswith("not UTF-8")


def test_csv_same_rows_as_local(client, table_csv, tmp_path):
    local = local_run(table_csv, tmp_path / "local")
    assert on_dask(client, table_csv, "--out", tmp_path / "dask", "--partition-size", 3) == 1
    assert_same(tmp_path / "dask", local)
    reasons = [e["reason"] for e in csv_rows(local / "errors.csv")]
    assert [r.split(" (")[0].rstrip("0123456789 ") for r in reasons] == [
        "duplicate doc_id", "empty text", "malformed CSV row", "broken CSV from line"], reasons


def test_parquet_input(client, local_folder, tmp_path):
    ids = [p.stem for p in SAMPLE] + ["a01_greve_sncf", "no_text"]
    texts = [text(p) for p in SAMPLE] + ["doublon", None]
    pq.write_table(pa.table({"id": ids, "text": texts}), tmp_path / "in.parquet", row_group_size=5)
    assert on_dask(client, tmp_path / "in.parquet", "--out", tmp_path / "out", "--partition-size", 3) == 1
    assert_same(tmp_path / "out", local_folder, names=("markers.csv", "profiles.csv", "tasks.json"))
    assert [(e["doc_id"], e["where"]) for e in csv_rows(tmp_path / "out" / "errors.csv")] == [
        ("a01_greve_sncf", f"{tmp_path / 'in.parquet'}:15"), ("no_text", f"{tmp_path / 'in.parquet'}:16")]


@pytest.mark.parametrize("source", ["folder", "table_csv", "jsonl"])
@pytest.mark.parametrize("size", [1, 2, 5])
def test_partitions_read_as_read_articles(source, size, request, tmp_path):
    if source == "jsonl":
        path = tmp_path / "in.jsonl"
        lines = [json.dumps({"id": p.stem, "text": text(p)}) for p in SAMPLE[:3]]
        lines += ["", "{pas du json", "[1]", json.dumps({"id": SAMPLE[0].stem, "text": "x"}), '{"text": "sans id"}']
        path.write_bytes("\r\n".join(lines).encode() + b'\n{"id": "z", "text": "caf\xe9"}\n\n')
    else:
        path = request.getfixturevalue(source)
    seen: dict[str, str] = {}
    parts = plan(str(path), size, max_bytes=MAX_BYTES)
    items = [item for part in parts for item in checked(part.raw_items("id", "text", MAX_BYTES), seen, MAX_BYTES)]
    assert items == list(read_articles(str(path), max_bytes=MAX_BYTES))


def test_failed_partition_is_retried_without_duplicates(client, folder, local_folder, tmp_path):
    flag = tmp_path / "fail-once"
    flag.touch()
    client.run(fail_once, str(flag), "raise")
    assert on_dask(client, folder, "--out", tmp_path / "out", "--partition-size", 4) == 1
    assert not flag.exists(), "no partition failed"
    assert_same(tmp_path / "out", local_folder)


def test_partition_failing_every_attempt_leaves_earlier_outputs(client, folder, local_folder, tmp_path, capsys):
    out = tmp_path / "out"
    assert on_dask(client, folder, "--out", out, "--partition-size", 4) == 1
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    flag = tmp_path / "fail-once"
    flag.touch()
    client.run(fail_once, str(flag), "raise")
    assert on_dask(client, folder, "--out", out, "--partition-size", 4, "--retries", 0) == 3
    assert "failed after 0 retries: RuntimeError: injected failure" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert_same(out, local_folder)


def test_each_worker_loaded_the_pipeline_once(client):
    assert list(client.run(lambda: _load.cache_info().misses).values()) == [1, 1]


def test_lost_worker_is_replaced_without_duplicates(client, folder, local_folder, tmp_path):
    flag = tmp_path / "fail-once"
    flag.touch()
    client.run(fail_once, str(flag), "exit")
    assert on_dask(client, folder, "--out", tmp_path / "out", "--partition-size", 2) == 1
    assert not flag.exists(), "no worker was lost"
    assert_same(tmp_path / "out", local_folder)

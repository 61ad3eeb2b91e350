"""Rule files: the bundled ones load and pass their own examples; a broken one is refused with
`rules/FILE.yml:LINE: what is wrong`, exit code 2 and no traceback."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.rules import RuleError, load_rules

ROOT = Path(__file__).resolve().parents[1]

BREAKAGES = {
    "yaml syntax": ("cues.yml", "  - id: cue.selon\n", "  - id: [unclosed\n", "YAML syntax error"),
    "unknown key": ("verbs.yml", "    takes: [any, passive]\n", "    takes: [any, passive]\n    colour: red\n",
                    "unknown key 'colour'"),
    "unknown label": ("cues.yml", "    label: SOURCE_ANONYMOUS\n", "    label: SOURCE_SECRET\n",
                      "unknown label 'SOURCE_SECRET'"),
    "bad pattern": ("boilerplate.yml", "pattern: '[\\W_]{0,6}'", "pattern: '[\\W_{0,6}'", "bad pattern"),
    "duplicate id": ("cues.yml", "id: cue.d_apres", "id: cue.selon", "duplicate rule id 'cue.selon'"),
    "lemma in two groups": ("verbs.yml", "lemmas: [penser,", "lemmas: [déclarer, penser,",
                            "lemma 'déclarer' is already in group 'verb.say'"),
}


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the bundled rules with one edit, and the line the edit starts on."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    (rules / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return rules, text[:text.index(old)].count("\n") + 1


def test_bundled_rules_load():
    rules = load_rules()
    assert rules.version.startswith("rules-") and rules.examples


@pytest.mark.parametrize("case", BREAKAGES)
def test_a_broken_rule_is_named_by_file_and_line(tmp_path, case):
    name, old, new, message = BREAKAGES[case]
    rules, edited = broken_copy(tmp_path, name, old, new)
    with pytest.raises(RuleError) as caught:
        load_rules(rules)
    problem = next(p for p in caught.value.problems if message in p)
    assert problem.startswith(f"rules/{name}:") and int(problem.split(":")[1]) in (edited, edited + 1), problem
    done = subprocess.run([sys.executable, "-m", "annotator", "rules", "check", "--rules", str(rules)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_the_version_follows_the_rule_files(tmp_path):
    rules, _ = broken_copy(tmp_path, "media.yml", "  - {name: Reuters, kind: agency}\n",
                        "  - {name: Reuters, kind: agency}\n  - {name: Le Courrier picard, kind: newspaper}\n")
    assert load_rules(rules).version != load_rules().version


def test_rule_examples_pass():
    done = subprocess.run([sys.executable, "-m", "annotator", "rules", "test"], capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr

"""`annotator rules test`: run the example sentences written inside the rule files.

An example under a rule must make that rule fire (`match`) or must not (`no_match`), so an
analyst who edits a rule sees at once what the edit broke.
"""
from __future__ import annotations

from .matcher import match_paragraph
from .nlp import load_pipeline, parse_form
from .pipeline import rules_component
from .rules import Rules


def run_examples(rules: Rules) -> list[str]:
    """One line per failed example, as `rules/FILE.yml:LINE: ...`; empty when all pass."""
    nlp = load_pipeline(rules)
    component = rules_component(nlp)
    docs = nlp.pipe((parse_form(e.text) for e in rules.examples), disable=component.not_parsing)
    failures = []
    for example, doc in zip(rules.examples, docs):
        fired = {match.rule for match in match_paragraph(doc, component.rules)}
        hit = any(rule == example.rule or rule.startswith(example.rule + ".") for rule in fired)
        if hit != example.should_match:
            expected = "should fire" if example.should_match else "should not fire"
            failures.append(f"rules/{example.file}:{example.line}: rule {example.rule} {expected} on "
                            f"{example.text!r} (fired: {', '.join(sorted(fired)) or 'nothing'})")
    return failures


"""The one function that decides what of a plan may be printed: values are masked by their marks.

Terraform marks sensitive values in plan JSON with a mirror of the value (`before_sensitive`,
`after_sensitive`, `sensitive_values`): `true` where a value is sensitive, an object or list of the
same shape where only parts are, `false`/absent where nothing is. Masking has to walk value and
mark together at every depth, because the sensitive part may be one element of a list
(`[false, true]`), one key of a nested object, a list inside a map, or the whole map -- in which
case its keys are part of the secret too. Checking only for a top-level `true` prints the rest.

Everything a renderer prints of a plan is a ``Display``, and ``Display`` values are made only
here: by ``mask`` (a value and its mark), ``key`` (a map key or keyed block name and the mark of
its parent), ``path`` (an attribute path through the marks), or ``text`` (strings Terraform never
marks, like addresses, after ``scrub`` removed any known secret from them). The Markdown layer
accepts nothing else, so a raw plan value cannot reach a PR comment.

Marks that do not have Terraform's shape fail closed: a mark that is neither a bool nor a
mirror of the value masks the whole value.

``redact_plan`` applies the same rules to a whole plan document, for plan JSON uploaded as a CI
artifact. Standard library only (CI renders the comment from a bare checkout).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Sequence

SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
PLACEHOLDER = "(sensitive value redacted by tablekit)"
# Secrets shorter than this are replaced only where a whole string equals them: replacing every
# occurrence of a one- or two-character secret inside other strings would destroy the document.
MIN_SUBSTRING_SECRET = 4


class _Masked:
    """Stands in for a sensitive subtree inside a Display."""

    __slots__ = ()

    def __repr__(self) -> str:
        return SENSITIVE


class _Unknown:
    """Stands in for a value known only after apply."""

    __slots__ = ()

    def __repr__(self) -> str:
        return UNKNOWN


MASKED = _Masked()
UNKNOWN_VALUE = _Unknown()


@dataclass(frozen=True, slots=True)
class Display:
    """Something of a plan that may be printed: masked where marked (made only in this module)."""

    _value: Any
    _plain: bool = False  # a name or text shown as it is, not as a JSON value

    @property
    def sensitive(self) -> bool:
        return self._value is MASKED

    @property
    def unknown(self) -> bool:
        return self._value is UNKNOWN_VALUE

    @property
    def is_null(self) -> bool:
        return self._value is None

    def text(self, width: int | None = None) -> str:
        """The printable text (compact JSON for values), cut to `width` characters with `…`."""
        out = self._value if self._plain and isinstance(self._value, str) else _json(self._value)
        if width is not None and len(out) > width:
            out = out[: max(1, width - 1)] + "…"
        return out

    def __str__(self) -> str:  # an accidental f-string shows the masked form, never the raw value
        return self.text()


def _json(value: Any) -> str:
    if value is MASKED:
        return SENSITIVE
    if value is UNKNOWN_VALUE:
        return UNKNOWN
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_json(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------------------------
# marks
# --------------------------------------------------------------------------------------------


def marked(marks: Any) -> bool:
    """True when the mark says the whole value is sensitive (or is not a shape Terraform writes)."""
    if marks is True:
        return True
    # fail closed: a number or string where a mark belongs counts as marked
    return not (marks is None or marks is False or isinstance(marks, (dict, list)))


def any_marked(marks: Any) -> bool:
    """True when anything at or below this mark is sensitive."""
    if isinstance(marks, dict):
        return any(any_marked(m) for m in marks.values())
    if isinstance(marks, list):
        return any(any_marked(m) for m in marks)
    return marked(marks)


def child(marks: Any, step: str | int) -> Any:
    """The mark of one attribute, key or element below `marks`."""
    if marked(marks):
        return True
    if isinstance(marks, dict):
        return marks.get(str(step), False) if not isinstance(step, bool) else True
    if isinstance(marks, list):
        if isinstance(step, int) and not isinstance(step, bool) and 0 <= step < len(marks):
            return marks[step]
        if isinstance(step, int):
            return False
        return any_marked(marks)  # a key into a list-shaped mark: only safe if nothing is marked
    return False


def with_derived(marks: Any) -> Any:
    """Marks plus the ones Terraform forgets: the provider's `tags_all` echoes `tags` unmarked."""
    if isinstance(marks, dict) and "tags" in marks and any_marked(marks["tags"]):
        return {**marks, "tags_all": union(marks.get("tags_all", False), marks["tags"])}
    return marks


def change_marks(before_sensitive: Any, after_sensitive: Any) -> Any:
    """The one mask of a change: both sides' marks joined, plus the marks Terraform forgets."""
    return with_derived(union(before_sensitive, after_sensitive))


def union(a: Any, b: Any) -> Any:
    """Marked where either mark is: the before and after side of one change share one mask.

    A value that becomes sensitive (or stops being) is sensitive on both sides of its diff.
    """
    if marked(a) or marked(b):
        return True
    if not any_marked(a):
        return b if any_marked(b) else False
    if not any_marked(b):
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: union(a.get(k, False), b.get(k, False)) for k in sorted(set(a) | set(b))}
    if isinstance(a, list) and isinstance(b, list):
        n = max(len(a), len(b))
        return [union(a[i] if i < len(a) else False, b[i] if i < len(b) else False) for i in range(n)]
    return True  # one is an object mirror, the other a list mirror, both marking something: fail closed


# --------------------------------------------------------------------------------------------
# making Display values
# --------------------------------------------------------------------------------------------


def _masked(value: Any, marks: Any) -> Any:
    if marks is False or marks is None or (isinstance(marks, dict) and not marks):
        return value  # the common case, without walking anything
    if marked(marks):
        return MASKED
    if not any_marked(marks):
        return value
    if isinstance(marks, dict) and isinstance(value, dict):
        return {k: _masked(v, marks.get(k, False)) for k, v in value.items()}
    if isinstance(marks, list) and isinstance(value, list):
        return [_masked(v, marks[i] if i < len(marks) else False) for i, v in enumerate(value)]
    return MASKED  # the mark marks something but does not mirror the value: fail closed


def _with_unknown(value: Any, unknown: Any) -> Any:
    if unknown is True:
        return UNKNOWN_VALUE
    if isinstance(unknown, dict) and isinstance(value, dict):
        return {k: _with_unknown(v, unknown.get(k, False)) for k, v in value.items()} | {
            k: UNKNOWN_VALUE for k, u in unknown.items() if u is True and k not in value
        }
    if isinstance(unknown, list) and isinstance(value, list):
        return [_with_unknown(v, unknown[i] if i < len(unknown) else False) for i, v in enumerate(value)]
    return value


def _scrubbed(value: Any, secrets: Secrets) -> Any:
    """String leaves and keys with known secrets replaced (values Terraform derived but did not mark)."""
    if isinstance(value, str):
        return secrets.scrub(value)
    if isinstance(value, dict):
        return {secrets.scrub(str(k)): _scrubbed(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, secrets) for v in value]
    return value


class Masker:
    """Makes Display values for one plan: masks by marks, then scrubs the plan's known secrets.

    Why both: marks are the rule, but Terraform does not mark values a provider derives from a
    sensitive one -- a table's `arn` and `id` spell its sensitive name, `tags_all` repeats
    sensitive tags -- so every printed string is also cleaned of the plan's marked strings.
    """

    def __init__(self, secrets: Secrets | None = None) -> None:
        self.secrets = secrets if secrets is not None else Secrets()

    def _clean(self, value: Any) -> Any:
        return _scrubbed(value, self.secrets) if self.secrets else value

    def mask(self, value: Any, marks: Any, unknown: Any = None) -> Display:
        """A plan value for printing: every part its mark marks is replaced by `(sensitive)`.

        `unknown` is the matching `after_unknown` mirror: parts it marks print as `(known after
        apply)` (applied after masking, so an unknown value never uncovers a sensitive one).
        """
        masked = self._clean(_masked(value, marks))
        return Display(_with_unknown(masked, unknown) if unknown else masked)

    def key(self, name: Any, marks: Any) -> Display:
        """A map key or a keyed block's name; `marks` is its parent map's mark (or the name's own)."""
        if marked(marks):
            return Display(MASKED)
        if not isinstance(name, str):  # a list or object as a name: mask it like any value
            return Display(self._clean(_masked(name, marks)))
        return Display(self._clean(name), _plain=True)

    def text(self, value: str) -> Display:
        """A string Terraform never marks (address, type, env name, diagnostic), minus known secrets."""
        return Display(self._clean(str(value)), _plain=True)

    def path(self, steps: Sequence[Any], marks: Any) -> Display:
        """An attribute path (`global_secondary_index[0].name`); steps below a marked parent are hidden.

        A path into a sensitive map names its keys, which are part of the secret.
        """
        out = ""
        current = marks
        for step in steps:
            if marked(current):
                out += f"[{SENSITIVE}]"
                break
            if isinstance(step, int) and not isinstance(step, bool):
                out += f"[{step}]"
            else:
                out += f".{step}" if out else str(step)
            current = child(current, step if isinstance(step, (int, str)) else str(step))
        return Display(self._clean(out), _plain=True)


def unknown() -> Display:
    return Display(UNKNOWN_VALUE)


def sensitive() -> Display:
    return Display(MASKED)


# --------------------------------------------------------------------------------------------
# known secrets, for free text that carries no marks
# --------------------------------------------------------------------------------------------


_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]*")


def _leaves(value: Any) -> Iterator[str]:
    """String leaves, and keys that do not look like attribute names.

    The keys of a marked object are mostly schema names (`hash_key`, `name`): scrubbing those
    from every string would wreck the document, and the marked object itself is hidden whole
    wherever it is printed or uploaded. Keys of a marked map that are not attribute-like (`Owner`,
    `cost-center`) are kept as secrets, so a diagnostic echoing them is cleaned too. Numbers and
    booleans are too common to find by text.
    """
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and not _SCHEMA_NAME.fullmatch(k):
                yield k
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, str):
        yield value


def marked_strings(value: Any, marks: Any) -> Iterator[str]:
    """Every string (and map key) of `value` that its mark marks."""
    if marked(marks):
        yield from _leaves(value)
        return
    if not any_marked(marks):
        return
    if isinstance(marks, dict) and isinstance(value, dict):
        for k, v in value.items():
            yield from marked_strings(v, marks.get(k, False))
    elif isinstance(marks, list) and isinstance(value, list):
        for i, v in enumerate(value):
            yield from marked_strings(v, marks[i] if i < len(marks) else False)
    else:
        yield from _leaves(value)


class Secrets:
    """Strings known to be sensitive in one plan, to scrub from text that Terraform does not mark.

    Diagnostics, import IDs and failure logs can echo a sensitive value; any occurrence of a known
    secret in them is replaced by `(sensitive)`.
    """

    def __init__(self, strings: Iterable[str] = ()) -> None:
        found = {s for s in strings if s}
        self.strings = frozenset(found)  # to merge the secrets of several plans
        long = sorted((s for s in found if len(s) >= MIN_SUBSTRING_SECRET), key=lambda s: (-len(s), s))
        # One alternation, longest first: a secret that contains another is replaced whole.
        self._pattern = re.compile("|".join(re.escape(s) for s in long)) if long else None
        self._short = frozenset(s for s in found if len(s) < MIN_SUBSTRING_SECRET)

    def __bool__(self) -> bool:
        return bool(self._pattern or self._short)

    def scrub(self, value: str, replacement: str = SENSITIVE) -> str:
        if value in self._short:
            return replacement
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda _: replacement, value)

    @classmethod
    def of_plan(cls, plan: Mapping[str, Any]) -> Secrets:
        """Every marked value of a plan document plus the values of variables declared sensitive."""
        return cls(_plan_secrets(plan))


def _plan_secrets(plan: Mapping[str, Any]) -> Iterator[str]:
    for section in ("resource_changes", "resource_drift"):
        for entry in _list(plan.get(section)):
            change = entry.get("change") if isinstance(entry, dict) else None
            if not isinstance(change, dict):
                continue
            marks = change_marks(change.get("before_sensitive", False), change.get("after_sensitive", False))
            yield from marked_strings(change.get("before"), marks)
            yield from marked_strings(change.get("after"), marks)
    outputs = plan.get("output_changes")
    if isinstance(outputs, dict):
        for change in outputs.values():
            if isinstance(change, dict):
                marks = union(change.get("before_sensitive", False), change.get("after_sensitive", False))
                yield from marked_strings(change.get("before"), marks)
                yield from marked_strings(change.get("after"), marks)
    for state_key in ("planned_values", "prior_state"):
        state = plan.get(state_key)
        if not isinstance(state, dict):
            continue
        if state_key == "prior_state":
            state = state.get("values")
        if not isinstance(state, dict):
            continue
        for resource in _state_resources(state.get("root_module")):
            yield from marked_strings(resource.get("values"), resource.get("sensitive_values", False))
        for out in _dict(state.get("outputs")).values():
            if isinstance(out, dict) and out.get("sensitive"):
                yield from _leaves(out.get("value"))
    variables = _dict(plan.get("variables"))
    for name in sensitive_variables(plan):
        var = variables.get(name)
        if isinstance(var, dict):
            yield from _leaves(var.get("value"))
    yield from _config_secrets(_dict(plan.get("configuration")).get("root_module"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _state_resources(module: Any) -> Iterator[dict[str, Any]]:
    module = _dict(module)
    for resource in _list(module.get("resources")):
        if isinstance(resource, dict):
            yield resource
    for sub in _list(module.get("child_modules")):
        yield from _state_resources(sub)


def sensitive_variables(plan: Mapping[str, Any]) -> list[str]:
    """Root variables the configuration declares `sensitive = true`."""
    root = _dict(_dict(plan.get("configuration")).get("root_module"))
    return sorted(name for name, var in _dict(root.get("variables")).items() if _dict(var).get("sensitive") is True)


def _config_secrets(module: Any) -> Iterator[str]:
    """Defaults of sensitive variables, and literal values passed to sensitive module variables."""
    module = _dict(module)
    for var in _dict(module.get("variables")).values():
        if _dict(var).get("sensitive") is True and "default" in var:
            yield from _leaves(var["default"])
    for call in _dict(module.get("module_calls")).values():
        call = _dict(call)
        child_vars = _dict(_dict(call.get("module")).get("variables"))
        for name, expression in _dict(call.get("expressions")).items():
            if _dict(child_vars.get(name)).get("sensitive") is True:
                yield from _leaves(_dict(expression).get("constant_value"))
        yield from _config_secrets(call.get("module"))


# --------------------------------------------------------------------------------------------
# a whole plan, for artifacts
# --------------------------------------------------------------------------------------------


def _placeheld(value: Any, marks: Any) -> Any:
    if marked(marks):
        return PLACEHOLDER
    if not any_marked(marks):
        return value
    if isinstance(marks, dict) and isinstance(value, dict):
        return {k: _placeheld(v, marks.get(k, False)) for k, v in value.items()}
    if isinstance(marks, list) and isinstance(value, list):
        return [_placeheld(v, marks[i] if i < len(marks) else False) for i, v in enumerate(value)]
    return PLACEHOLDER


def _redact_change(change: Any) -> None:
    if not isinstance(change, dict):
        return
    marks = change_marks(change.get("before_sensitive", False), change.get("after_sensitive", False))
    for side in ("before", "after"):
        if side in change:
            change[side] = _placeheld(change[side], marks)


def _redact_state(state: Any) -> None:
    if not isinstance(state, dict):
        return
    for resource in _state_resources(state.get("root_module")):
        if "values" in resource:
            marks = with_derived(resource.get("sensitive_values", False))
            resource["values"] = _placeheld(resource["values"], marks)
    for out in _dict(state.get("outputs")).values():
        if isinstance(out, dict) and out.get("sensitive") is not False and "value" in out:
            out["value"] = PLACEHOLDER


def _redact_config(module: Any) -> None:
    module = _dict(module)
    for var in _dict(module.get("variables")).values():
        if isinstance(var, dict) and var.get("sensitive") is True and "default" in var:
            var["default"] = PLACEHOLDER
    for call in _dict(module.get("module_calls")).values():
        call = _dict(call)
        child_vars = _dict(_dict(call.get("module")).get("variables"))
        for name, expression in _dict(call.get("expressions")).items():
            sensitive_input = _dict(child_vars.get(name)).get("sensitive") is True
            if sensitive_input and isinstance(expression, dict) and "constant_value" in expression:
                expression["constant_value"] = PLACEHOLDER
        _redact_config(call.get("module"))


def _scrub_all(value: Any, secrets: Secrets) -> Any:
    if isinstance(value, str):
        return secrets.scrub(value, PLACEHOLDER)
    if isinstance(value, dict):
        return {secrets.scrub(str(k), PLACEHOLDER): _scrub_all(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_all(v, secrets) for v in value]
    return value


def redact_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `terraform show -json` plan output that is safe to upload as a CI artifact.

    `prior_state` is dropped (it is the whole state, secrets included, and no reviewer needs it);
    every marked value of resource changes, drift, outputs and planned values, every variable
    declared sensitive (and its default) and every literal passed to a sensitive module variable is
    replaced by PLACEHOLDER; then any remaining occurrence of one of those secrets in any string
    of the document (diagnostics, generated config, check messages) is replaced too.
    """
    secrets = Secrets.of_plan(plan)
    doc: dict[str, Any] = copy.deepcopy(dict(plan))
    doc.pop("prior_state", None)
    for section in ("resource_changes", "resource_drift"):
        for entry in _list(doc.get(section)):
            if isinstance(entry, dict):
                _redact_change(entry.get("change"))
    for change in _dict(doc.get("output_changes")).values():
        _redact_change(change)
    _redact_state(doc.get("planned_values"))
    variables = _dict(doc.get("variables"))
    for name in sensitive_variables(doc):
        if isinstance(variables.get(name), dict) and "value" in variables[name]:
            variables[name]["value"] = PLACEHOLDER
    _redact_config(_dict(doc.get("configuration")).get("root_module"))
    scrubbed: dict[str, Any] = _scrub_all(doc, secrets)
    return scrubbed


# Display makers for values of no particular plan (no known secrets to scrub).
_PLAIN = Masker()
mask = _PLAIN.mask
key = _PLAIN.key
text = _PLAIN.text
path = _PLAIN.path


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m tablekit.review.redact PLAN.json [OUT.json]`: the artifact-safe copy of a plan (stdlib only)."""
    import sys

    from tablekit.errors import UserError
    from tablekit.terraform.plan import Plan

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if len(args) not in (1, 2):
            raise UserError("usage: python -m tablekit.review.redact PLAN.json [OUT.json] (OUT defaults to stdout)")
        plan = Plan.load(args[0])  # refuses what is not a plan, with one line
        text = json.dumps(redact_plan(plan.raw), indent=1, sort_keys=True) + "\n"
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if len(args) == 2:
        with open(args[1], "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

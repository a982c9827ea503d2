#!/usr/bin/env python3
"""Validates OCSF events against the OCSF schema of the version they name.

Reads a JSON array of events (or one event per line) from the file named
on the command line, or from stdin. For each event it builds the JSON
Schema (draft 2020-12) of the event's class, with the profiles the event
declares in `metadata.profiles`, from the OCSF schema export that the
PyPI package `ocsf-json-schema` ships (no network), and validates with
`jsonschema`: types, enums, required attributes, `at_least_one`
constraints, and no attribute the class (or its declared profiles) does
not define. It then checks what JSON Schema cannot say:

- `category_uid` is the class's category and `type_uid` is
  `class_uid * 100 + activity_id`;
- every profile in `metadata.profiles` is one the class takes;
- every caption beside an enum id (`status` beside `status_id`,
  `activity_name` beside `activity_id`, `type` beside `type_id`, ...)
  is the caption the schema gives that id (any text for 99, Other).

Prints one line per problem, `event N (class C): where: what`.
Exit status: 0 all valid, 1 some event is not, 2 the validator cannot run
(the packages are missing: `pip install ocsf-json-schema==1.2.0 jsonschema`).
"""

import json
import sys

try:
    import jsonschema
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema
except ImportError as e:
    print(f"ocsf-validate: {e}; pip install ocsf-json-schema==1.2.0 jsonschema", file=sys.stderr)
    sys.exit(2)


def load_events(text):
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def caption_problems(value, attrs, schema, where):
    """Captions beside enum ids, walking objects the schema describes."""
    out = []
    if not isinstance(value, dict):
        return out
    for key, v in value.items():
        a = attrs.get(key)
        if a is None:
            continue
        if key.endswith("_id") and "enum" in a and isinstance(v, int):
            caption = a["enum"].get(str(v), {}).get("caption")
            names = [key[:-3]] + (["activity_name"] if key == "activity_id" else [])
            for name in names:
                if name in value and v != 99 and value[name] != caption:
                    out.append(f"{where}{name}: `{value[name]}` is not the caption of {key} {v} (`{caption}`)")
        if a.get("type") == "object_t":
            obj = schema["objects"].get(a.get("object_type"), {}).get("attributes", {})
            items = v if isinstance(v, list) else [v]
            for i, item in enumerate(items):
                sub = f"{where}{key}[{i}]." if isinstance(v, list) else f"{where}{key}."
                out.extend(caption_problems(item, obj, schema, sub))
    return out


def main():
    text = open(sys.argv[1], encoding="utf-8").read() if len(sys.argv) > 1 else sys.stdin.read()
    events = load_events(text)
    if not events:
        print("ocsf-validate: no events to validate", file=sys.stderr)
        return 1
    schemas = {}
    bad = 0
    for n, event in enumerate(events):
        problems = []
        version = event.get("metadata", {}).get("version")
        if version not in schemas:
            try:
                raw = get_ocsf_schema(version=version)
            except (OSError, TypeError):
                raw = None
            schemas[version] = raw
        raw = schemas[version]
        uid = event.get("class_uid")
        if raw is None:
            problems.append(f"metadata.version: no OCSF schema `{version}` in ocsf-json-schema")
        else:
            by_uid = {c["uid"]: c for c in raw["classes"].values()}
            cls = by_uid.get(uid)
            if cls is None:
                problems.append(f"class_uid: {uid} is no OCSF {version} class")
            else:
                profiles = event.get("metadata", {}).get("profiles", [])
                for p in profiles:
                    if p not in cls.get("profiles", []):
                        problems.append(f"metadata.profiles: class {cls['name']} takes no profile `{p}`")
                js = OcsfJsonSchemaEmbedded(raw).get_class_schema(cls["name"], [p for p in profiles if isinstance(p, str)])
                validator = jsonschema.Draft202012Validator(js)
                for err in sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path)):
                    path = ".".join(str(p) for p in err.absolute_path) or "(event)"
                    problems.append(f"{path}: {err.message}")
                if event.get("category_uid") != cls["category_uid"]:
                    problems.append(f"category_uid: {event.get('category_uid')}, the class's is {cls['category_uid']}")
                activity = event.get("activity_id")
                if isinstance(activity, int) and event.get("type_uid") != uid * 100 + activity:
                    problems.append(f"type_uid: {event.get('type_uid')} is not class_uid * 100 + activity_id")
                problems.extend(caption_problems(event, cls["attributes"], raw, ""))
        for p in problems:
            print(f"event {n} (class {uid}): {p}")
        bad += bool(problems)
    print(f"ocsf-validate: {len(events) - bad} of {len(events)} events valid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

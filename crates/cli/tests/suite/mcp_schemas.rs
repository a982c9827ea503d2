//! Issue 14, "MCP tools Claude can load": every tool `rampart mcp` lists
//! has a flat object input schema (the Anthropic API refuses a top-level
//! `oneOf`/`anyOf`/`allOf`, and Claude Code drops such a tool), a title,
//! all four annotation hints, and an output schema that every result's
//! `structuredContent` validates against, with a text block holding the
//! same JSON. `run_command` checks "exactly one of `argv` or `command`"
//! itself, and a call that breaks it runs nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::process::{Child, Stdio};

use serde_json::{json, Value};

use super::fixture::{World, ALLOW_ALL, BASE_CONFIG};

/// Keywords that make a schema something other than one flat object.
const COMBINATORS: [&str; 9] = [
    "oneOf", "anyOf", "allOf", "not", "$ref", "if", "then", "else", "$defs",
];

/// `rampart mcp` over stdio.
struct Mcp {
    child: Child,
    stdin: std::process::ChildStdin,
    out: std::io::BufReader<std::process::ChildStdout>,
    id: u64,
}

impl Mcp {
    fn start(w: &World) -> Self {
        let mut child = w
            .cmd(["mcp", "-C", w.ws.to_str().unwrap()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut m = Self {
            child,
            stdin,
            out,
            id: 0,
        };
        let init = m.request(
            "initialize",
            &json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "mcp_schemas", "version": "0"}}),
        );
        assert!(init["result"]["serverInfo"]["name"] == "rampart", "{init}");
        writeln!(
            m.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
        )
        .unwrap();
        m
    }

    fn request(&mut self, method: &str, params: &Value) -> Value {
        self.id += 1;
        let id = self.id;
        writeln!(
            self.stdin,
            "{}",
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
        )
        .unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the MCP server closed"
            );
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["id"] == id {
                return v;
            }
        }
    }

    /// The tools, by name.
    fn tools(&mut self) -> BTreeMap<String, Value> {
        let r = self.request("tools/list", &json!({}));
        let tools = r["result"]["tools"]
            .as_array()
            .unwrap_or_else(|| panic!("{r}"));
        tools
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect()
    }

    /// A call's result (`isError`, `content`, `structuredContent`).
    fn call(&mut self, tool: &str, arguments: &Value) -> Value {
        let r = self.request("tools/call", &json!({"name": tool, "arguments": arguments}));
        assert!(r["result"].is_object(), "{tool} {arguments}: {r}");
        r["result"].clone()
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `git push` asks (and nobody answers), `rm` is refused, the rest runs.
fn world() -> World {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\ncommand = [\"git\", \"push\"]\ndecision = \"ask\"\nreason = \"code leaves the machine\"\n[[rules]]\ncommand = [\"rm\"]\ndecision = \"deny\"\nreason = \"no deleting here\"\n{ALLOW_ALL}"
    ));
    std::fs::write(w.ws.join("notes.txt"), "hi\n").unwrap();
    std::fs::create_dir(w.ws.join("sub")).unwrap();
    std::fs::write(w.ws.join(".env"), "DB=x\n").unwrap();
    std::fs::write(
        w.ws.join("rampart.toml"),
        "[[rules]]\npath = \"**/.env*\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"environment files hold credentials\"\n",
    )
    .unwrap();
    w
}

/// A validator for `schema` under JSON Schema 2020-12 (MCP's default
/// dialect), which must itself be a valid schema.
fn validator(what: &str, schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::new(schema)
        .unwrap_or_else(|e| panic!("{what} is not a valid JSON Schema: {e}: {schema}"))
}

/// The schema rules every input and output schema keeps.
#[track_caller]
fn assert_flat_object(what: &str, schema: &Value) {
    assert_eq!(
        schema["type"], "object",
        "{what} is not `type: object`: {schema}"
    );
    for k in COMBINATORS {
        assert!(
            schema.get(k).is_none(),
            "{what} has a top-level `{k}`, which Claude's API refuses: {schema}"
        );
    }
    let props = schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{what} has no `properties`: {schema}"));
    if let Some(required) = schema.get("required") {
        for r in required.as_array().unwrap() {
            assert!(
                props.contains_key(r.as_str().unwrap()),
                "{what} requires `{r}`, which it does not describe: {schema}"
            );
        }
    }
    assert_eq!(
        schema["additionalProperties"], false,
        "{what} accepts unknown fields: {schema}"
    );
    validator(what, schema);
}

#[test]
fn every_tool_has_a_flat_schema_a_title_annotations_and_an_output_schema() {
    let w = world();
    let mut m = Mcp::start(&w);
    let tools = m.tools();
    // (readOnly, destructive, idempotent, openWorld), true of each tool.
    let hints: BTreeMap<&str, [bool; 4]> = [
        ("run_command", [false, true, false, true]),
        ("read_file", [true, false, true, false]),
        ("write_file", [false, true, true, false]),
        ("list_directory", [true, false, true, false]),
    ]
    .into();
    assert_eq!(
        tools.keys().map(String::as_str).collect::<Vec<_>>(),
        hints.keys().copied().collect::<Vec<_>>(),
        "the tool list changed: give a new tool its hints here"
    );
    for (name, t) in &tools {
        assert_flat_object(&format!("{name}'s inputSchema"), &t["inputSchema"]);
        assert_flat_object(&format!("{name}'s outputSchema"), &t["outputSchema"]);
        let title = t["title"].as_str().unwrap_or_default();
        assert!(!title.is_empty(), "{name} has no title: {t}");
        assert_eq!(t["annotations"]["title"], title, "{t}");
        let a = &t["annotations"];
        let got: Vec<Option<bool>> = [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ]
        .iter()
        .map(|k| a[*k].as_bool())
        .collect();
        let want: Vec<Option<bool>> = hints[name.as_str()].iter().map(|b| Some(*b)).collect();
        assert_eq!(got, want, "{name}'s annotations: {a}");
    }
    // `argv` or `command`: neither is required by the schema (the handler
    // checks that exactly one is given); the file tools require theirs.
    assert_eq!(tools["run_command"]["inputSchema"].get("required"), None);
    assert_eq!(
        tools["read_file"]["inputSchema"]["required"],
        json!(["path"])
    );
    assert_eq!(
        tools["write_file"]["inputSchema"]["required"],
        json!(["path", "content"])
    );
    // The whole list, so that a change to any schema, title or hint is
    // reviewed (`INSTA_UPDATE=always` rewrites it).
    insta::assert_json_snapshot!("mcp-tools-list", tools);
}

/// One call's result: its text block is the JSON of its structured
/// content, which validates against the tool's output schema.
#[track_caller]
fn assert_result_matches(tool: &str, schema: &jsonschema::Validator, args: &Value, r: &Value) {
    let sc = &r["structuredContent"];
    assert!(sc.is_object(), "{tool} {args}: no structuredContent: {r}");
    let errors: Vec<String> = schema.iter_errors(sc).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{tool} {args}: structuredContent does not match the outputSchema: {errors:?}: {sc}"
    );
    let content = r["content"].as_array().unwrap();
    assert_eq!(content.len(), 1, "{tool} {args}: {r}");
    assert_eq!(content[0]["type"], "text", "{tool} {args}: {r}");
    let text: Value = serde_json::from_str(content[0]["text"].as_str().unwrap())
        .unwrap_or_else(|e| panic!("{tool} {args}: the text block is not JSON ({e}): {r}"));
    assert_eq!(
        &text, sc,
        "{tool} {args}: the text block is not the structured content"
    );
}

/// One call of each shape per tool: (tool, arguments, `isError`, fields
/// the result must have).
fn calls() -> Vec<(&'static str, Value, bool, Value)> {
    vec![
        (
            "run_command",
            json!({"argv": ["echo", "hi"]}),
            false,
            json!({"denied": false, "exit_code": 0, "stdout": "hi\n", "status": "succeeded"}),
        ),
        (
            "run_command",
            json!({"command": "echo oops >&2; exit 3"}),
            false,
            json!({"exit_code": 3, "stderr": "oops\n", "status": "failed"}),
        ),
        (
            "run_command",
            json!({"argv": ["rm", "-f", "notes.txt"]}),
            true,
            json!({"denied": true, "verdict": "deny", "rule": "config.toml"}),
        ),
        (
            "run_command",
            json!({"argv": ["git", "push"]}),
            true,
            json!({"denied": true}),
        ),
        (
            "run_command",
            json!({"argv": ["ls"], "cwd": "../.."}),
            true,
            json!({"denied": false}),
        ),
        (
            "run_command",
            json!({"argv": ["true"], "timeout_secs": 86_401}),
            true,
            json!({"denied": false, "error": "invalid arguments for `run_command`: `timeout_secs` must be at most 86400 (a day)"}),
        ),
        (
            "read_file",
            json!({"path": "notes.txt"}),
            false,
            json!({"denied": false, "content": "hi\n", "redacted": false}),
        ),
        (
            "read_file",
            json!({"path": ".env"}),
            true,
            json!({"denied": true, "verdict": "deny"}),
        ),
        (
            "read_file",
            json!({"path": "missing.txt"}),
            true,
            json!({"denied": false}),
        ),
        (
            "read_file",
            json!({"path": 7}),
            true,
            json!({"denied": false}),
        ),
        (
            "write_file",
            json!({"path": "out.txt", "content": "x"}),
            false,
            json!({"denied": false, "bytes": 1}),
        ),
        (
            "write_file",
            json!({"path": "no/such/dir/out.txt", "content": "x"}),
            true,
            json!({"denied": false}),
        ),
        (
            "list_directory",
            json!({"path": "."}),
            false,
            json!({"denied": false, "truncated": false}),
        ),
        (
            "list_directory",
            json!({"path": "../sibling"}),
            true,
            json!({"denied": true}),
        ),
    ]
}

#[test]
fn every_result_matches_its_tools_output_schema() {
    let w = world();
    let mut m = Mcp::start(&w);
    let tools = m.tools();
    let schemas: BTreeMap<&str, jsonschema::Validator> = tools
        .iter()
        .map(|(n, t)| (n.as_str(), validator(n, &t["outputSchema"])))
        .collect();
    for (tool, args, is_error, says) in &calls() {
        let r = m.call(tool, args);
        assert_eq!(r["isError"], *is_error, "{tool} {args}: {r}");
        assert_result_matches(tool, &schemas[tool], args, &r);
        let sc = &r["structuredContent"];
        for (k, v) in says.as_object().unwrap() {
            if k == "rule" {
                assert!(
                    sc[k].as_str().is_some_and(|r| r.contains("config.toml")),
                    "{tool} {args}: {sc}"
                );
            } else {
                assert_eq!(&sc[k], v, "{tool} {args}: `{k}` in {sc}");
            }
        }
        if *is_error && sc["denied"] == true {
            assert!(
                sc["message"].as_str().is_some_and(|t| t.contains("denied")),
                "{tool} {args}: a refusal says what was refused and why: {sc}"
            );
        }
        if *is_error && sc["denied"] == false {
            assert!(sc["error"].as_str().is_some_and(|t| !t.is_empty()), "{sc}");
        }
    }
    let listed = m.call("list_directory", &json!({"path": "."}));
    let names: Vec<&str> = listed["structuredContent"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"notes.txt") && names.contains(&"sub"),
        "{listed}"
    );
    assert_schema_is_not_vacuous(&mut m, &schemas["run_command"]);
}

/// A result missing a field, or with one the schema does not describe,
/// does not validate: the output schema is not vacuous.
fn assert_schema_is_not_vacuous(m: &mut Mcp, schema: &jsonschema::Validator) {
    let ran = m.call("run_command", &json!({"argv": ["true"]}))["structuredContent"].clone();
    let mut missing = ran.clone();
    missing.as_object_mut().unwrap().remove("stdout");
    let mut extra = ran.clone();
    extra["surprise"] = json!(1);
    let mut no_denied = ran.clone();
    no_denied.as_object_mut().unwrap().remove("denied");
    for bad in [
        missing,
        extra,
        no_denied,
        json!({"denied": true, "verdict": "deny"}),
    ] {
        assert!(
            !schema.is_valid(&bad),
            "run_command's outputSchema accepts a wrong result: {bad}"
        );
    }
    assert!(schema.is_valid(&ran), "{ran}");
}

#[test]
fn run_command_refuses_both_or_neither_argv_and_command_and_runs_nothing() {
    let w = world();
    let mut m = Mcp::start(&w);
    for (args, needles) in [
        (
            json!({"argv": ["touch", "ran-argv"], "command": "touch ran-command"}),
            &["give `argv` or `command`, not both", "drop one of them"][..],
        ),
        (json!({}), &["give a non-empty `argv`", "or `command`"][..]),
        (
            json!({"cwd": "."}),
            &["give a non-empty `argv`", "or `command`"][..],
        ),
        (json!({"argv": []}), &["give a non-empty `argv`"][..]),
        (json!({"argv": [""]}), &["give a non-empty `argv`"][..]),
        (
            json!({"command": "  "}),
            &["give a non-empty `command`"][..],
        ),
    ] {
        let r = m.call("run_command", &args);
        let sc = &r["structuredContent"];
        let error = sc["error"].as_str().unwrap_or_default();
        assert!(
            r["isError"] == true && sc["denied"] == false,
            "gate bypassed: run_command {args} was not refused: {r}"
        );
        for n in needles {
            assert!(
                error.contains("invalid arguments for `run_command`") && error.contains(n),
                "run_command {args}: the error does not say `{n}`: {error}"
            );
        }
    }
    assert!(
        !w.ws.join("ran-argv").exists() && !w.ws.join("ran-command").exists(),
        "gate bypassed: a call with both `argv` and `command` ran something"
    );
    // Controls: either one alone runs.
    for (args, made) in [
        (json!({"argv": ["touch", "ran-argv"]}), "ran-argv"),
        (json!({"command": "touch ran-command"}), "ran-command"),
    ] {
        let r = m.call("run_command", &args);
        assert!(
            r["isError"] == false && r["structuredContent"]["exit_code"] == 0,
            "control failed: run_command {args}: {r}"
        );
        assert!(
            w.ws.join(made).exists(),
            "control failed: {args} made nothing"
        );
    }
}

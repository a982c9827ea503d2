//! Controls for the red team 13b fixes of the file tools (a path rule on a
//! directory covers what is beneath it; the state directory is never read;
//! a credential file is judged as `cat` of it): the neighbouring files a
//! user reads and writes every day still go through, on every surface.

use serde_json::json;

use super::fixture::*;

/// Deny rules on `secrets` (read) and `conf` (write): the neighbours
/// `secrets.txt` and `confs/` and the rest of the tree are untouched.
#[test]
fn parity_a_rule_on_a_directory_leaves_its_neighbours_alone() {
    let w = World::with_config(&format!(
        "{BASE_CONFIG}[[rules]]\npath = \"secrets\"\naccess = [\"read\"]\ndecision = \"deny\"\nreason = \"the secrets folder stays put\"\n\
         [[rules]]\npath = \"conf\"\naccess = [\"write\"]\ndecision = \"deny\"\nreason = \"the conf folder is read-only\"\n"
    ));
    for d in ["secrets", "conf", "confs", "src"] {
        std::fs::create_dir_all(w.ws.join(d)).unwrap();
    }
    std::fs::write(w.ws.join("secrets.txt"), "neighbour-marker").unwrap();
    std::fs::write(w.ws.join("src/a.txt"), "src-marker").unwrap();
    std::fs::write(w.ws.join("conf/x.toml"), "conf-marker").unwrap();
    let a = mcp_call(&w, "read_file", &json!({"path": "secrets.txt"}));
    assert!(mcp_text(&a).contains("neighbour-marker"), "{a}");
    // A write rule does not stop reads of the folder.
    let a = mcp_call(&w, "read_file", &json!({"path": "conf/x.toml"}));
    assert!(mcp_text(&a).contains("conf-marker"), "{a}");
    let a = mcp_call(
        &w,
        "write_file",
        &json!({"path": "confs/y.toml", "content": "ok"}),
    );
    assert!(w.ws.join("confs/y.toml").exists(), "{a}");
    let (d, why) = hook_call(&w, "Read", &json!({"file_path": w.ws.join("src/a.txt")}));
    assert_eq!(d, "allow", "{why}");
    let (d, why) = hook_call(
        &w,
        "Write",
        &json!({"file_path": w.ws.join("src/b.txt"), "content": "ok"}),
    );
    assert_eq!(d, "allow", "{why}");
    let (d, why) = hook_call(
        &w,
        "Grep",
        &json!({"pattern": "marker", "path": w.ws.join("src"), "output_mode": "content"}),
    );
    assert_eq!(d, "allow", "{why}");
}

/// `[audit] dir` inside the workspace: the rest of the workspace is read
/// and searched as before; a search that reaches the trail is refused.
#[test]
fn parity_the_workspace_beside_the_state_directory_is_read_as_before() {
    let w = World::new();
    let dir = w.ws.join(".rampart");
    w.set_config(&format!(
        "{BASE_CONFIG}{ALLOW_ALL}[audit]\ndir = \"{}\"\n",
        dir.display()
    ));
    std::fs::create_dir_all(w.ws.join("src")).unwrap();
    std::fs::write(w.ws.join("src/a.txt"), "src-marker").unwrap();
    let o = w.run(["exec", "--", "echo", "recorded-marker"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = mcp_call(&w, "read_file", &json!({"path": "src/a.txt"}));
    assert!(mcp_text(&a).contains("src-marker"), "{a}");
    let a = mcp_call(&w, "list_directory", &json!({"path": ".rampart"}));
    assert!(
        !mcp_text(&a).contains("audit.jsonl"),
        "gate bypassed: `rampart mcp` list_directory listed the state directory: {a}"
    );
    let (d, why) = hook_call(
        &w,
        "Grep",
        &json!({"pattern": "marker", "path": w.ws.join("src"), "output_mode": "content"}),
    );
    assert_eq!(d, "allow", "{why}");
    let (d, why) = hook_call(
        &w,
        "Grep",
        &json!({"pattern": "recorded", "output_mode": "content"}),
    );
    assert_eq!(
        d, "deny",
        "gate bypassed: a Grep of the workspace reaches the trail in `.rampart` ({why})"
    );
    assert!(why.contains("state and audit directory"), "{why}");
}

/// Under `approval_policy = "never"`: the hook's Read of `.env` is refused
/// as `cat .env` is, a Read of an ordinary file is not.
#[test]
fn parity_a_credential_file_is_refused_on_the_hook_too() {
    let w = World::with_config(&format!("approval_policy = \"never\"\n{BASE_CONFIG}"));
    std::fs::write(w.ws.join(".env"), format!("DB_PASSWORD={SECRET}\n")).unwrap();
    std::fs::write(w.ws.join("README.md"), "readme-marker").unwrap();
    let (d, why) = hook_call(&w, "Read", &json!({"file_path": w.ws.join(".env")}));
    assert_eq!(
        d, "deny",
        "gate bypassed: the hook allowed a Read of `.env` that `cat .env` may not do ({why})"
    );
    assert!(why.contains("credential file"), "{why}");
    let (d, why) = hook_call(&w, "Read", &json!({"file_path": w.ws.join("README.md")}));
    assert_eq!(d, "allow", "{why}");
    let a = mcp_call(&w, "read_file", &json!({"path": "README.md"}));
    assert!(mcp_text(&a).contains("readme-marker"), "{a}");
}

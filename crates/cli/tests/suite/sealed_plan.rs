//! One plan, sealed: the sandbox a command runs in is the one the surface
//! decided with. `run_command` with a `cwd` below the workspace gets the
//! workspace's config (not the subdirectory's), `sandbox-run` runs only a
//! plan sealed by its rampart parent and takes no policy flag, and the
//! recorded sandbox mode is the plan's.

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsRawFd;
use std::process::Stdio;

use serde_json::{json, Value};

use super::fixture::*;

/// `rampart mcp -C WS`, one `run_command` with `arguments`; the answer.
fn mcp_run_command(w: &World, arguments: &Value) -> Value {
    let mut child = w
        .cmd(["mcp", "-C"])
        .arg(&w.ws)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for m in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "run_command", "arguments": arguments}}),
    ] {
        writeln!(stdin, "{m}").unwrap();
    }
    stdin.flush().unwrap();
    let mut answer = Value::Null;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let v: Value = serde_json::from_str(&line.unwrap()).unwrap_or(Value::Null);
        if v["id"] == 2 {
            answer = v;
            break;
        }
    }
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        answer["result"].is_object(),
        "no run_command answer: {answer}"
    );
    answer
}

/// The `sandbox_mode` of the recorded events naming `what` (each stage of
/// one action once).
fn recorded_modes(w: &World, what: &str) -> Vec<String> {
    let q = w.run(["audit", "query", "--json", "--limit", "1000"]);
    let events: Vec<Value> = serde_json::from_str(&stdout(&q)).unwrap();
    let mut modes: Vec<String> = events
        .iter()
        .filter(|e| e.to_string().contains(what))
        .filter_map(|e| e["event"]["unmapped"]["sandbox_mode"].as_str())
        .map(str::to_owned)
        .collect();
    modes.dedup();
    modes
}

#[test]
fn run_command_in_a_subdirectory_gets_the_workspace_tightening() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::create_dir(w.ws.join("sub")).unwrap();
    let call = json!({"command": "echo x > made-by-the-command.txt", "cwd": "sub"});
    let made = w.ws.join("sub/made-by-the-command.txt");

    // Control: without a tightening the command writes in its `cwd`.
    let r = mcp_run_command(&w, &call);
    assert!(
        made.exists(),
        "control failed: run_command with `cwd: sub` could not write: {r}"
    );
    std::fs::remove_file(&made).unwrap();

    // The workspace's rampart.toml makes it read-only; `sub` has none of
    // its own (the child used to load `sub/rampart.toml` instead).
    std::fs::write(w.ws.join("rampart.toml"), "sandbox_mode = \"read-only\"\n").unwrap();
    let r = mcp_run_command(&w, &call);
    assert!(
        !made.exists(),
        "gate bypassed: the workspace's `sandbox_mode = \"read-only\"` did not reach the sandbox of run_command with `cwd: sub`: {r}"
    );
    assert_ne!(r["result"]["structuredContent"]["exit_code"], 0, "{r}");
    // What the server recorded is the mode the sandbox ran in.
    let modes = recorded_modes(&w, "made-by-the-command.txt");
    assert_eq!(
        modes,
        ["workspace-write", "read-only"],
        "the recorded sandbox modes are not the plans'"
    );
    // The same holds with a `rampart.toml` in `sub` that says otherwise.
    std::fs::write(
        w.ws.join("sub/rampart.toml"),
        "sandbox_mode = \"workspace-write\"\n",
    )
    .unwrap();
    let r = mcp_run_command(&w, &call);
    assert!(
        !made.exists(),
        "gate bypassed: `sub/rampart.toml` overrode the workspace's config for run_command: {r}"
    );
}

#[test]
fn exec_records_and_runs_the_mode_of_its_plan() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::write(w.ws.join("rampart.toml"), "sandbox_mode = \"read-only\"\n").unwrap();
    let o = w
        .cmd([
            "exec",
            "--",
            "sh",
            "-c",
            "echo mode=$RAMPART_SANDBOX; touch exec-wrote",
        ])
        .current_dir(&w.ws)
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("mode=read-only") && !w.ws.join("exec-wrote").exists(),
        "gate bypassed: exec did not run in the read-only plan: {} {}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(recorded_modes(&w, "exec-wrote"), ["read-only"]);
    // Control: a flag is the top layer of the same plan.
    let o = w
        .cmd([
            "exec",
            "--sandbox",
            "workspace-write",
            "--",
            "sh",
            "-c",
            "echo mode=$RAMPART_SANDBOX; touch exec-wrote2",
        ])
        .current_dir(&w.ws)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "control failed: exec --sandbox workspace-write: {}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("mode=workspace-write"),
        "{}",
        stdout(&o)
    );
    assert!(w.ws.join("exec-wrote2").exists());
    assert_eq!(recorded_modes(&w, "exec-wrote2"), ["workspace-write"]);
}

/// A sealed memfd holding `text`, as a rampart server makes it.
fn sealed(text: &str) -> std::fs::File {
    use nix::fcntl::{fcntl, FcntlArg, SealFlag};
    use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
    let fd = memfd_create(c"forged-plan", MemFdCreateFlag::MFD_ALLOW_SEALING).unwrap();
    let mut f = std::fs::File::from(fd);
    f.write_all(text.as_bytes()).unwrap();
    fcntl(
        f.as_raw_fd(),
        FcntlArg::F_ADD_SEALS(
            SealFlag::F_SEAL_WRITE
                | SealFlag::F_SEAL_SHRINK
                | SealFlag::F_SEAL_GROW
                | SealFlag::F_SEAL_SEAL,
        ),
    )
    .unwrap();
    f
}

#[test]
fn sandbox_run_refuses_a_sealed_plan_not_from_its_rampart_parent_and_policy_flags() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    let marker = w.ws.join("ran");
    let target = marker.display().to_string();
    let argv = ["sandbox-run", "--", "touch", target.as_str()];
    let args: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
    // A complete, valid, confined plan, sealed, for exactly these
    // arguments, but issued by this test (not a rampart parent); and the
    // old form of the plan (arguments only).
    let host = rampart_policy::HostEnv {
        home: Some(w.home.clone()),
        xdg_state_home: Some(w.base.join("state")),
    };
    let cfg = rampart_policy::Config::defaults(&host);
    let os: Vec<std::ffi::OsString> = argv[2..].iter().map(Into::into).collect();
    let decision = rampart_policy::decide(
        &cfg,
        &rampart_policy::Action::Exec {
            argv: vec!["touch".into(), target.clone()],
            cwd: w.ws.clone(),
        },
    );
    let plan = rampart_server::exec_plan::ExecPlan::build(&cfg, &w.ws, &os, &w.ws, &[])
        .unwrap()
        .under(&rampart_gate::Mandate {
            decision: &rampart_policy::Decision {
                verdict: rampart_policy::Verdict::Allow,
                ..decision
            },
            approval: None,
        });
    assert!(plan.confined() && plan.allowed_under().is_ok());
    for plan in [
        json!({"v": 4, "parent": std::process::id(), "args": args, "plan": plan}),
        json!({"v": 1, "parent": std::process::id(), "args": args}),
    ] {
        let o = w
            .cmd(argv)
            .stdin(Stdio::from(sealed(&plan.to_string())))
            .output()
            .unwrap();
        assert!(
            !o.status.success() && !marker.exists(),
            "gate bypassed: `sandbox-run` ran a sealed plan its parent is not rampart for: {}",
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("sandbox-run refuses to run"),
            "{}",
            stderr(&o)
        );
    }
    // No policy flag is taken: the sandbox comes from the plan only.
    for flags in [
        &["--sandbox", "danger-full-access"][..],
        &["--network"][..],
        &["-C", "/"][..],
    ] {
        let mut a: Vec<&str> = vec!["sandbox-run"];
        a.extend_from_slice(flags);
        a.extend(["--", "touch", target.as_str()]);
        let o = w.run(&a);
        assert!(
            !o.status.success() && !marker.exists(),
            "gate bypassed: `sandbox-run {}` was accepted: {}",
            flags.join(" "),
            stderr(&o)
        );
    }
}

/// `rampart serve` in the workspace, one `exec` over its socket.
fn daemon_exec(w: &World, params: &Value) -> Value {
    use std::io::Read;
    let mut child = w
        .cmd(["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let socket = w.socket();
    let started = std::time::Instant::now();
    let mut s = loop {
        if let Ok(s) = std::os::unix::net::UnixStream::connect(&socket) {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the daemon did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "exec", "params": params}).to_string();
    s.write_all(&u32::try_from(body.len()).unwrap().to_be_bytes())
        .unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut h = [0u8; 4];
    s.read_exact(&mut h).unwrap();
    let mut b = vec![0u8; u32::from_be_bytes(h) as usize];
    s.read_exact(&mut b).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    serde_json::from_slice(&b).unwrap()
}

#[test]
fn the_daemons_exec_in_a_subdirectory_gets_the_workspace_tightening() {
    let w = World::with_config(&format!("{BASE_CONFIG}{ALLOW_ALL}"));
    std::fs::create_dir(w.ws.join("sub")).unwrap();
    let params = json!({"argv": ["sh", "-c", "echo x > daemon-wrote.txt"], "cwd": "sub"});
    let made = w.ws.join("sub/daemon-wrote.txt");
    // Control: without a tightening the command writes in its `cwd`.
    let r = daemon_exec(&w, &params);
    assert!(
        made.exists(),
        "control failed: the daemon's exec with `cwd: sub` could not write: {r}"
    );
    std::fs::remove_file(&made).unwrap();
    std::fs::write(w.ws.join("rampart.toml"), "sandbox_mode = \"read-only\"\n").unwrap();
    let r = daemon_exec(&w, &params);
    assert!(
        !made.exists(),
        "gate bypassed: the workspace's `sandbox_mode = \"read-only\"` did not reach the sandbox of the daemon's exec with `cwd: sub`: {r}"
    );
    assert_eq!(
        recorded_modes(&w, "daemon-wrote.txt"),
        ["workspace-write", "read-only"]
    );
}

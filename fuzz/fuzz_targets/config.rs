//! Any bytes as a config file, user and project layer: no panic, and an
//! untrusted project layer never loosens the sandbox mode or the network.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use rampart_policy::{apply_layer, parse, Config, HostEnv, Layer, SandboxMode, Source};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let env = HostEnv { home: Some("/home/u".into()), xdg_state_home: None };
    let source = Source { origin: Path::new("fuzz.toml"), text };
    let Ok(file) = parse(source) else { return };
    let mut user = Config::defaults(&env);
    let _ = apply_layer(&mut user, &file, source, Layer::User, Some("ci"), &env);
    let mut project = Config::defaults(&env);
    let _ = apply_layer(&mut project, &file, source, Layer::Project { trusted: false }, None, &env);
    assert!(project.sandbox_mode != SandboxMode::DangerFullAccess);
    assert!(!project.workspace_write.network_access);
});

//! Issue 12, class 1, red team: attacks on the clean sandbox (secrets,
//! `deny_read`, the inside uid, the terminal) that the first round of tests
//! did not try. Each fails with "sandbox breached: …" when the attack works
//! and comes with a control.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::fixture::{stderr, World};

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().mode() & 0o7777
}

/// Landlock has no right for a file's mode, times or extended attributes,
/// and the command owns every file its outside uid owns (all of root's
/// when rampart runs as root). Outside the writable roots it must change
/// none of them: no `chmod 644 ~/.ssh/id_*`, no `chmod u+s` on a host
/// program, no back-dated times.
#[test]
fn the_command_cannot_change_host_file_modes_or_times() {
    let w = World::new();
    let outside = w.sibling.join("file");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key = w.home.join(".ssh/id_test");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mtime = std::fs::metadata(&outside).unwrap().mtime();
    for mode_mode in ["workspace-write", "read-only"] {
        for (what, path) in [
            ("a file outside the workspace", &outside),
            ("a deny_read file", &key),
        ] {
            let o = w.run([
                "exec",
                "--sandbox",
                mode_mode,
                "--",
                "sh",
                "-c",
                &format!("chmod 4777 '{p}'; touch -d 2001-01-01 '{p}'", p = s(path)),
            ]);
            assert_eq!(
                mode(path),
                0o600,
                "sandbox breached: {mode_mode}: the command changed the mode of {what} {} ({})",
                s(path),
                stderr(&o)
            );
        }
        assert_eq!(
            std::fs::metadata(&outside).unwrap().mtime(),
            mtime,
            "sandbox breached: {mode_mode}: the command changed the times of a file outside the workspace"
        );
    }
    // Control: in the workspace the command still sets modes (chmod +x on
    // a script it wrote).
    let o = w.run([
        "exec",
        "--",
        "sh",
        "-c",
        "echo 'echo ran' > script.sh && chmod 755 script.sh && ./script.sh",
    ]);
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("ran"),
        "control failed: chmod in the workspace: {}",
        stderr(&o)
    );
    assert_eq!(mode(&w.ws.join("script.sh")), 0o755);
}

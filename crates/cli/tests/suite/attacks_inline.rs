//! Issue 12, class 6: inline interpreter code is judged by what it does.
//! Each attack writes a marker in the workspace before its payload, so a
//! marker means the gate let the code run.

use super::fixture::{stdout, World, BASE_CONFIG};

#[test]
fn disguised_inline_deletion_is_stopped_before_it_runs() {
    let w = World::with_config(BASE_CONFIG);
    let victim = w.home.join("victim");
    std::fs::create_dir_all(&victim).unwrap();
    let v = victim.display();
    let attacks = [
        (
            "python3",
            "-c",
            format!("import os; open('ran', 'w').write('1'); getattr(os, 'sys' + 'tem')('rm -rf {v}')"),
        ),
        (
            "python3",
            "-c",
            format!("open('ran', 'w').write('1'); __import__('shu' + 'til').rmtree('{v}')"),
        ),
        (
            "node",
            "-e",
            format!("require('fs').writeFileSync('ran', '1'); require('child_' + 'process').execSync('rm -rf {v}')"),
        ),
        (
            "awk",
            "--",
            format!("BEGIN {{ print 1 > \"ran\"; system(\"rm -rf {v}\") }}"),
        ),
    ];
    for (program, flag, code) in &attacks {
        let o = w.run(["exec", "--", program, flag, code.as_str()]);
        let ran = w.ws.join("ran");
        assert!(
            !ran.exists() && victim.exists(),
            "gate bypassed: `{program} {flag} {code}` ran (exit {:?}, stderr `{}`)",
            o.status.code(),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!o.status.success(), "`{program} {flag} {code}` exited 0");
    }
}

#[test]
fn benign_inline_code_still_runs() {
    let w = World::with_config(BASE_CONFIG);
    let o = w.run(["exec", "--", "python3", "-c", "print(6 * 7)"]);
    assert!(
        o.status.success() && stdout(&o).trim() == "42",
        "control failed: `python3 -c 'print(6 * 7)'` should run (exit {:?}, stdout `{}`, stderr `{}`)",
        o.status.code(),
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = w.run(["exec", "--", "node", "-e", "console.log(6 * 7)"]);
    assert!(
        o.status.success() && stdout(&o).trim() == "42",
        "control failed: `node -e` should run (exit {:?}, stderr `{}`)",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

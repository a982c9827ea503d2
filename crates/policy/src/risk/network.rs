//! What network clients send: remotes, registries, uploaded files, attachments.

use super::{option_values, short_flags};

/// The files a download names after the URL (`wget URL`, `curl -O URL`,
/// `aria2c URL`): the last path component of each URL operand.
pub(super) fn remote_names(name: &str, args: &[String]) -> Vec<String> {
    let remote_name = match name {
        "wget" => !args
            .iter()
            .any(|a| a == "-O" || a.starts_with("--output-document") || a.starts_with("-O")),
        "curl" => {
            args.iter()
                .any(|a| a == "--remote-name" || a == "--remote-name-all")
                || short_flags(args).contains('O')
        }
        "aria2c" => !args.iter().any(|a| a == "-o" || a.starts_with("--out")),
        _ => false,
    };
    if !remote_name {
        return Vec::new();
    }
    args.iter()
        .filter(|a| a.contains("://"))
        .filter_map(|u| {
            let path = u.split(['?', '#']).next().unwrap_or_default();
            let last = path.rsplit('/').next().unwrap_or_default();
            (!last.is_empty() && !path.ends_with("://") && path.matches('/').count() > 2)
                .then(|| last.to_owned())
        })
        .take(16)
        .collect()
}

/// Whether `name ARGS` downloads a package and runs it at once.
pub(super) fn registry_runner(name: &str, args: &[String]) -> bool {
    let sub = |i: usize| {
        args.iter()
            .filter(|a| !a.starts_with('-'))
            .nth(i)
            .map_or("", String::as_str)
    };
    match name {
        "uvx" | "pipx-run" => true,
        "pipx" => sub(0) == "run",
        "uv" => sub(0) == "tool" && matches!(sub(1), "run" | "install"),
        "pnpm" | "yarn" => sub(0) == "dlx",
        _ => false,
    }
}

/// curl options whose value may name a local file read into the request
/// (`@FILE`, `name@FILE`, `<FILE`; `-K` is a config file, read whole).
pub(super) const CURL_FILE_OPTIONS: &[&str] = &[
    "-F",
    "--form",
    "-d",
    "--data",
    "--data-binary",
    "--data-ascii",
    "--data-urlencode",
    "--json",
    "-H",
    "--header",
    "--proxy-header",
    "--variable",
    "--url-query",
    "-K",
    "--config",
];

/// The local files a file-transfer session sends: the operand of each
/// `put`/`mput`/`send`/`append`/`reput` command in `script` (an `-c`/`-e`
/// argument, a here-document).
pub(super) fn put_files(script: &str) -> Vec<String> {
    script
        .split(['\n', ';'])
        .filter_map(|l| {
            // The verb may follow other words (`tftp HOST -c put FILE`).
            let mut w = l.split_whitespace();
            w.find(|v| matches!(*v, "put" | "mput" | "send" | "append" | "reput"))?;
            w.find(|a| !a.starts_with('-')).map(str::to_owned)
        })
        .take(32)
        .collect()
}

/// The files a `socat` address reads or sends (`FILE:`, `OPEN:`,
/// `GOPEN:`), options after `,` dropped.
pub(super) fn socat_files(name: &str, args: &[String]) -> Vec<String> {
    if name != "socat" {
        return Vec::new();
    }
    args.iter()
        .filter_map(|a| {
            let (kind, rest) = a.split_once(':')?;
            matches!(
                kind.to_ascii_uppercase().as_str(),
                "FILE" | "OPEN" | "GOPEN"
            )
            .then(|| rest.split(',').next().unwrap_or_default().to_owned())
        })
        .collect()
}

/// Upload sources of mail, socat, file-transfer and cloud clients (see
/// [`upload_sources`]).
pub(super) fn more_upload_sources(name: &str, args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(mail_attachments(name, args));
    out.extend(socat_files(name, args));
    if matches!(
        name,
        "ftp" | "tftp" | "smbclient" | "lftp" | "sftp" | "ncftp" | "ncftpput"
    ) {
        out.extend(args.iter().flat_map(|a| put_files(a)));
        // `tftp HOST -c put FILE`: the command is several words.
        out.extend(put_files(&args.join(" ")));
    }
    if name == "ftp" && args.iter().any(|a| a == "-u") {
        // `ftp -u URL FILE…`: upload mode.
        out.extend(
            args.iter()
                .filter(|a| !a.starts_with('-') && !a.contains("://"))
                .cloned(),
        );
    }
    if name == "az" {
        for o in ["-f", "--file", "--source", "-s"] {
            out.extend(
                option_values(args, o)
                    .into_iter()
                    .flatten()
                    .map(str::to_owned),
            );
        }
    }
    out
}

/// The files a mail client attaches (`mutt -a F`, `swaks --attach @F`).
pub(super) fn mail_attachments(name: &str, args: &[String]) -> Vec<String> {
    let opts: &[&str] = match name {
        "mutt" | "neomutt" | "mailx" | "mail" | "s-nail" => &["-a"],
        "swaks" => &["--attach", "--attach-body", "--data"],
        _ => &[],
    };
    opts.iter()
        .flat_map(|o| option_values(args, o))
        .flatten()
        .map(|v| v.trim_start_matches('@').to_owned())
        .collect()
}

/// The local files a network client sends: `curl -T F`, `-F f=@F`,
/// `--data-binary @F`, `wget --post-file=F`, the local operands of
/// `scp`/`rsync`/`rclone` when another operand is remote.
pub(super) fn upload_sources(name: &str, args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let file_of = |v: &str| -> Option<String> {
        let v = v.split_once(';').map_or(v, |(f, _)| f);
        if let Some(f) = v.strip_prefix('@').or_else(|| v.strip_prefix('<')) {
            return Some(f.to_owned());
        }
        v.split_once("=@")
            .or_else(|| v.split_once("=<"))
            .or_else(|| v.split_once('@').filter(|(n, _)| !n.contains(['/', ':'])))
            .map(|(_, f)| f.to_owned())
    };
    out.extend(more_upload_sources(name, args));
    match name {
        "curl" => {
            for o in ["-T", "--upload-file"] {
                out.extend(
                    option_values(args, o)
                        .into_iter()
                        .flatten()
                        .map(str::to_owned),
                );
            }
            for o in CURL_FILE_OPTIONS {
                for v in option_values(args, o).into_iter().flatten() {
                    if matches!(*o, "-K" | "--config") {
                        out.push(v.to_owned());
                    } else {
                        out.extend(file_of(v));
                    }
                }
            }
        }
        "gh" => {
            // `gh gist create FILE…`, `gh release upload TAG FILE…`.
            let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let skip = match ops.as_slice() {
                [g, c, ..] if *g == "gist" && (*c == "create" || *c == "new") => 2,
                [r, u, ..] if *r == "release" && *u == "upload" => 3,
                [r, c, ..] if *r == "release" && *c == "create" => 3,
                _ => usize::MAX,
            };
            out.extend(ops.into_iter().skip(skip).cloned());
        }
        "wget" => {
            for o in ["--post-file", "--body-file", "-i", "--input-file"] {
                out.extend(
                    option_values(args, o)
                        .into_iter()
                        .flatten()
                        .map(str::to_owned),
                );
            }
        }
        "scp" | "rsync" | "rclone" | "sftp" | "s3cmd" | "gsutil" | "aws" => {
            let mut ops = Vec::new();
            let mut skip = false;
            for a in args {
                if skip {
                    skip = false;
                    continue;
                }
                let takes_value = match name {
                    "scp" | "sftp" => matches!(
                        a.as_str(),
                        "-i" | "-F" | "-P" | "-o" | "-S" | "-l" | "-c" | "-J" | "-D"
                    ),
                    "rsync" => matches!(
                        a.as_str(),
                        "-e" | "--rsh"
                            | "--port"
                            | "--rsync-path"
                            | "--exclude"
                            | "--include"
                            | "--filter"
                            | "-f"
                    ),
                    _ => matches!(a.as_str(), "--config" | "--profile" | "--region"),
                };
                if takes_value {
                    skip = true;
                    continue;
                }
                if !a.starts_with('-') {
                    ops.push(a);
                }
            }
            let remote = |a: &str| {
                a.contains("://")
                    || a.contains("::")
                    || a.split_once(':')
                        .is_some_and(|(h, _)| !h.is_empty() && !h.contains('/'))
            };
            if ops.iter().any(|a| remote(a)) {
                out.extend(ops.iter().filter(|a| !remote(a)).map(|a| (*a).clone()));
            }
        }
        _ => {}
    }
    out
}

//! What file tools read and write: sed scripts, archives, block devices.

/// The files a sed script writes (`w FILE`, `W FILE`, `s/a/b/w FILE`) and
/// the commands it runs (`e CMD`), per command of the script.
pub(super) fn sed_effects(script: &str) -> (Vec<String>, Vec<String>) {
    let (mut writes, mut runs) = (Vec::new(), Vec::new());
    for piece in script.split(['\n', ';']).take(64) {
        let cmd = piece.trim_start_matches(|c: char| {
            c.is_ascii_digit() || matches!(c, '$' | ',' | ' ' | '!' | '~' | '+')
        });
        // An address `/re/`: skip it.
        let cmd = match cmd.strip_prefix('/') {
            Some(r) => r.split_once('/').map_or("", |(_, c)| c).trim_start(),
            None => cmd,
        };
        if let Some(f) = cmd.strip_prefix('w').or_else(|| cmd.strip_prefix('W')) {
            if f.starts_with(char::is_whitespace) && !f.trim().is_empty() {
                writes.push(f.trim().to_owned());
            }
        } else if let Some(c) = cmd.strip_prefix('e') {
            if c.starts_with(char::is_whitespace) && !c.trim().is_empty() {
                runs.push(c.trim().to_owned());
            }
        } else if let Some(body) = cmd.strip_prefix('s') {
            let Some(d) = body.chars().next() else {
                continue;
            };
            let parts: Vec<&str> = body.split(d).collect();
            // The flags run to the end; a `w` file name may hold the
            // delimiter (`s/a/b/w /etc/passwd`).
            if let Some(flags) = parts.get(3..).map(|p| p.join(&d.to_string())) {
                if let Some((_, f)) = flags.split_once('w') {
                    if !f.trim().is_empty() {
                        writes.push(f.trim().to_owned());
                    }
                }
            }
        }
    }
    (writes, runs)
}

/// Whether `p` names a disk or partition device node.
pub(super) fn is_block_device(p: &str) -> bool {
    let Some(dev) = p.strip_prefix("/dev/") else {
        return false;
    };
    [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "loop", "md", "dm-", "zd", "nbd", "rbd",
    ]
    .iter()
    .any(|pre| {
        dev.strip_prefix(pre)
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()))
    }) || dev.starts_with("mapper/")
        || dev.starts_with("disk/")
}

/// The files and directories an archiver or recursive reader reads whole:
/// the operands of `tar -c`/`tar c` (not the `-f` archive), of `zip`,
/// `7z a` after the archive name, and the paths of `ag`, `ack` and
/// recursive `zgrep`/`egrep`/`fgrep`.
pub(super) fn archived_sources(name: &str, args: &[String]) -> Vec<String> {
    let ops = |skip_value: &[&str]| -> Vec<String> {
        let mut out = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if skip_value.contains(&a.as_str()) {
                it.next();
            } else if !a.starts_with('-') || a == "-" {
                out.push(a.clone());
            }
        }
        out
    };
    match name {
        "tar" | "bsdtar" | "gtar" => {
            let first = args.first().map_or("", String::as_str);
            let create = args.iter().any(|a| a == "--create")
                || (first.starts_with('-') && !first.starts_with("--") && first.contains('c'))
                || (!first.starts_with('-') && first.contains('c'));
            let bundled_first = !first.starts_with('-');
            if !create {
                return Vec::new();
            }
            let mut out = ops(&[
                "-f",
                "--file",
                "-C",
                "--directory",
                "-T",
                "--files-from",
                "-X",
                "--exclude-from",
                "-b",
                "-H",
                "--format",
            ]);
            if bundled_first {
                // `tar czf OUT SRC…`: the first word is the flags, the
                // next the archive when the flags hold `f`.
                out.retain(|o| o != first);
                if first.contains('f') && !out.is_empty() {
                    out.remove(0);
                }
            }
            out
        }
        "zip" => ops(&["-b", "-n", "-t", "-tt", "-x", "-i", "-O", "--out"])
            .into_iter()
            .skip(1)
            .collect(),
        "7z" | "7za" if args.first().is_some_and(|a| a == "a") => {
            ops(&[]).into_iter().skip(2).collect()
        }
        "ag" | "ack" | "rga" => ops(&["-G", "--ignore", "-g", "--file-search-regex"])
            .into_iter()
            .skip(1)
            .collect(),
        "zgrep" | "egrep" | "fgrep" if args.iter().any(|a| a == "-r" || a == "-R") => {
            ops(&["-e", "-f"]).into_iter().skip(1).collect()
        }
        _ => Vec::new(),
    }
}

/// Whether a `sed` script only filters (no `e`, `w`, `r`, `R`, `W`
/// commands and no `e`/`w` flags on `s`), so it cannot write or run.
pub(super) fn sed_is_pure(script: &str) -> bool {
    let bytes: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        // Skip separators, spaces and the address.
        while i < bytes.len()
            && (bytes[i].is_whitespace()
                || matches!(
                    bytes[i],
                    ';' | '{' | '}' | '!' | ',' | '$' | '0'..='9' | '~' | '+'
                ))
        {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == '/' {
            i += 1;
            while i < bytes.len() && bytes[i] != '/' {
                i += if bytes[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        let Some(&cmd) = bytes.get(i) else { break };
        i += 1;
        match cmd {
            'e' | 'w' | 'W' | 'r' | 'R' => return false,
            's' | 'y' => {
                let Some(&delim) = bytes.get(i) else {
                    return false;
                };
                i += 1;
                let mut parts = 0;
                while i < bytes.len() && parts < 2 {
                    if bytes[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == delim {
                        parts += 1;
                    }
                    i += 1;
                }
                // Flags up to the next separator.
                while i < bytes.len() && !matches!(bytes[i], ';' | '\n' | '}') {
                    if cmd == 's' && matches!(bytes[i], 'e' | 'w' | 'W') {
                        return false;
                    }
                    i += 1;
                }
            }
            'a' | 'i' | 'c' => {
                // Text to the end of the line.
                while i < bytes.len() && bytes[i] != '\n' {
                    i += 1;
                }
            }
            _ => {
                // Commands like p, d, q, n, N, l, =, b/t labels.
                while i < bytes.len() && !matches!(bytes[i], ';' | '\n' | '}') {
                    i += 1;
                }
            }
        }
    }
    true
}

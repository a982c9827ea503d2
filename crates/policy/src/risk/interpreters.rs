//! Interpreters and the scripts they run: script operands, positional arguments, code read from stdin, decoding and fetching.

use super::{basename, has, is_shell, parse_script, reads_script_from_stdin, Word, NETWORK};

/// A `-c` script with `$0`…`$9`, `${N}`, `$@` and `$*` replaced by the
/// literal words that follow it (each shell-quoted), when there are any.
pub(super) fn with_positionals(argv: &[Word], script: &Word) -> Option<String> {
    let Word::Literal(src) = script else {
        return None;
    };
    let at = argv.iter().position(|w| std::ptr::eq(w, script))?;
    let rest = argv.get(at + 1..).filter(|r| !r.is_empty())?;
    let words: Vec<String> = rest
        .iter()
        .take(16)
        .map(|w| w.literal().map(crate::shell::quote))
        .collect::<Option<Vec<_>>>()?;
    let all = words.get(1..).unwrap_or_default().join(" ");
    let mut out = src.clone();
    for pat in ["\"$@\"", "\"${@}\"", "$@", "${@}", "\"$*\"", "$*"] {
        out = out.replace(pat, &all);
    }
    for (n, w) in words.iter().enumerate().take(10).rev() {
        for pat in [
            format!("\"${n}\""),
            format!("\"${{{n}}}\""),
            format!("${{{n}}}"),
            format!("${n}"),
        ] {
            out = out.replace(&pat, w);
        }
    }
    (out != *src).then_some(out)
}

/// The script operand of a shell run without `-c` (`bash -o posix x.sh`,
/// `bash +e x.sh`, `bash --rcfile F x.sh`): options (`-x`, `+x`) and the
/// values of `-o`/`+o`/`-O`/`+O` (also ending a bundle: `-eo pipefail`),
/// `--rcfile` and `--init-file` come before it.
pub(super) fn shell_script_operand(argv: &[Word]) -> Option<&Word> {
    let mut it = argv.iter().skip(1);
    while let Some(w) = it.next() {
        let t = w.text();
        if t == "--" || t == "-" {
            return it.next();
        }
        if matches!(t, "--rcfile" | "--init-file") {
            it.next();
        } else if t.starts_with("--") {
        } else if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            if t.ends_with(['o', 'O']) {
                it.next();
            }
        } else {
            return Some(w);
        }
    }
    None
}

/// The script file an interpreter runs (`python3 -W ignore x.py`,
/// `ruby -I lib x.rb`, `php -f x.php`, `deno run -A x.ts`): options and
/// their values come before it; `None` when the code is inline (`-c`,
/// `-e`, `-m`, …) or read from standard input.
pub(super) fn interpreter_script<'a>(name: &str, args: &'a [String]) -> Option<&'a String> {
    let python = name.starts_with("python") && !name.contains('-');
    // Short options whose value may be attached (`-Wignore`, `-Ilib`,
    // `-Mstrict`, `-i.bak`): the rest of such a word is no bundle.
    let attached = match name {
        _ if python => "WX",
        "perl" => "IMmxlDdi0",
        "ruby" => "IrCEKTWx",
        "php" => "dcz",
        "lua" | "luajit" => "l",
        _ => "",
    };
    let (valued, inline): (&[&str], &[&str]) = match name {
        _ if python => (&["-W", "-X", "--check-hash-based-pycs"], &["-c", "-m"]),
        "node" | "bun" => (
            &[
                "-r",
                "--require",
                "--import",
                "--loader",
                "--experimental-loader",
                "-C",
                "--conditions",
                "--title",
            ],
            &["-e", "--eval", "-p", "--print", "-pe", "-ep"],
        ),
        "perl" => (&[], &["-e", "-E"]),
        "ruby" => (&["-I", "-r", "-C", "-E", "--encoding"], &["-e"]),
        "php" => (&["-d", "-c", "-z"], &["-r", "-a", "-S"]),
        "lua" | "luajit" => (&["-l"], &["-e"]),
        "deno" => (&[], &[]),
        _ => return None,
    };
    let mut it = args.iter().peekable();
    if name == "deno" {
        // `deno run [opts] FILE`; other subcommands are not judged here.
        if it.find(|a| !a.starts_with('-')).map(String::as_str) != Some("run") {
            return None;
        }
    }
    while let Some(a) = it.next() {
        let flag = a.as_str();
        if flag == "--" {
            return it.next();
        }
        if name == "php" && flag == "-f" {
            return it.next();
        }
        // `-c` anywhere in a bundle (`python3 -Ic`, `perl -ne`) is inline.
        let bundled_inline = flag.starts_with('-')
            && !flag.starts_with("--")
            && !flag.chars().nth(1).is_some_and(|c| attached.contains(c))
            && inline.iter().any(|i| {
                i.len() == 2
                    && i.chars()
                        .nth(1)
                        .is_some_and(|c| flag.get(1..).is_some_and(|f| f.contains(c)))
            });
        if inline.contains(&flag)
            || bundled_inline
            || inline
                .iter()
                .any(|i| i.starts_with("--") && flag.starts_with(&format!("{i}=")))
        {
            return None;
        }
        if valued.contains(&flag) {
            it.next();
        } else if flag == "-" || crate::inline::is_stdin_path(flag) {
            return None;
        } else if !flag.starts_with('-') {
            return Some(a);
        }
    }
    None
}

/// Whether a command run by `program` would execute what it reads on stdin.
pub(super) fn runs_stdin_as_code(program: &str, argv: &[Word]) -> bool {
    let p = basename(program);
    (is_shell(p) && reads_script_from_stdin(argv))
        || (matches!(
            p,
            "python" | "python3" | "perl" | "ruby" | "node" | "php" | "lua" | "deno" | "bun"
        ) && (argv.len() == 1
            || argv
                .get(1)
                .is_some_and(|w| w.text() == "-" || crate::inline::is_stdin_path(w.text()))))
        || (matches!(p, "source" | ".")
            && argv.get(1).is_some_and(|w| {
                matches!(
                    w.text(),
                    "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0" | "-"
                )
            }))
}

/// Whether the source text of a dynamic word (`"$(base64 -d <<< …)"`,
/// `<(xxd -r -p f)`) runs a decoder to produce its value.
pub(super) fn decodes(text: &str) -> bool {
    if !text.contains("$(") && !text.contains('`') && !text.contains("<(") {
        return false;
    }
    parse_script(&format!(": {text}")).commands.iter().any(|c| {
        c.program().map(basename).is_some_and(|n| {
            crate::knowledge::get().is_none_or(|k| k.is_decoder(n))
                && (n != "openssl" || c.argv.iter().any(|w| w.text() == "-d"))
        })
    })
}

/// Whether the source text of a dynamic word (`"$(curl -s x)"`, `<(wget
/// -O- x)`) runs a network client to produce its value.
pub(super) fn fetches(text: &str) -> bool {
    if !text.contains("$(") && !text.contains('`') && !text.contains("<(") {
        return false;
    }
    parse_script(&format!(": {text}")).commands.iter().any(|c| {
        c.program()
            .map(basename)
            .is_some_and(|n| has(NETWORK, n) || n == "git")
    })
}

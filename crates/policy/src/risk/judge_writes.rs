//! Programs judged by the files they write: `cp`/`mv`/`ln`/`install`/
//! `tee`/`touch`/`mkdir`/`truncate`, `sponge`/`ed`/`ex`, `patch`, `sed`
//! (its script and `-i`), `perl -i`/`ruby -i`, `sqlite3`'s dot-commands.

use super::{
    basename, brace_alternatives, option_values, sed_effects, sed_is_pure, short_flags, Judge,
    Path, Risk, Word, SYSTEM_DIRS,
};

/// `-i`, `-i.bak`, `--in-place`, bundled `-pi`/`-Ei`: edits in place.
pub(super) fn edits_in_place(args: &[String]) -> bool {
    args.iter().any(|a| {
        a == "-i"
                        || (a.starts_with("-i") && !a.starts_with("--"))
                        || a.starts_with("--in-place")
                        // Bundled: `perl -pi -e`, `sed -Ei`.
                        || (a.starts_with('-')
                            && !a.starts_with("--")
                            && a.len() <= 4
                            && a.chars().skip(1).all(|c| c.is_ascii_alphabetic())
                            && a.contains('i'))
    })
}

impl Judge<'_> {
    /// `sponge FILE` writes its input to FILE; `ed`/`ex FILE` edit FILE
    /// in place.
    pub(super) fn edit(&mut self, argv: &[Word], name: &str, args: &[String]) {
        let append = name == "sponge" && args.iter().any(|a| a == "-a");
        let mut worst = (
            Risk::Medium,
            format!("`{name}` writes a file in the workspace"),
        );
        for f in args
            .iter()
            .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
        {
            let w = self.write_target_as(f, !append);
            if w.0 > worst.0 {
                worst = w;
            }
        }
        if name == "ex" {
            self.options(argv, "vim", args);
        }
        self.push(argv, worst.0, worst.1);
    }

    /// `patch FILE`, `patch -o OUT`: written; without a FILE the diff
    /// names the files (judged by the sandbox).
    pub(super) fn patch(&mut self, argv: &[Word], args: &[String]) {
        let mut outs: Vec<String> = option_values(args, "-o")
            .into_iter()
            .chain(option_values(args, "--output"))
            .flatten()
            .map(str::to_owned)
            .collect();
        let valued = [
            "-o",
            "--output",
            "-i",
            "--input",
            "-d",
            "--directory",
            "-p",
            "-r",
            "-B",
            "-D",
            "-F",
            "-V",
            "-Y",
            "-z",
            "--reject-file",
            "--prefix",
            "--suffix",
            "--basename-prefix",
        ];
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if valued.contains(&a.as_str()) {
                it.next();
            } else if !a.starts_with('-') {
                outs.push(a.clone());
                break;
            }
        }
        for o in outs {
            let (risk, why) = self.write_target(&o);
            self.push(argv, risk.max(Risk::Medium), format!("`patch` {why}"));
        }
    }

    /// `sqlite3`'s `.shell CMD` / `.system CMD` among the SQL arguments,
    /// and the dot-commands that write a file.
    pub(super) fn sqlite_dot_commands(&mut self, argv: &[Word], args: &[String], depth: usize) {
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            for line in a.lines() {
                let line = line.trim();
                if let Some(cmd) = line
                    .strip_prefix(".shell")
                    .or_else(|| line.strip_prefix(".system"))
                {
                    self.push(argv, Risk::High, "`sqlite3 .shell` runs a shell command");
                    self.script(cmd, depth + 1);
                }
                // `.output FILE`, `.once FILE`, `.backup FILE`, `.save
                // FILE`, `.log FILE` write FILE.
                let mut words = line.split_whitespace();
                if let (Some(dot), Some(file)) = (words.next(), words.next_back()) {
                    let writes = matches!(dot, ".output" | ".once" | ".backup" | ".save" | ".log")
                        && !file.starts_with('-')
                        && !matches!(file, "stdout" | "stderr" | "off");
                    if writes {
                        let (risk, why) = self.write_target(file);
                        self.push(
                            argv,
                            risk.max(Risk::Medium),
                            format!("`sqlite3 {dot}` {why}"),
                        );
                    }
                }
            }
        }
    }

    /// `sed -i`, `perl -pi`, `ruby -i`: the files edited in place.
    pub(super) fn in_place(&mut self, argv: &[Word], args: &[String]) {
        let files: Vec<String> = args
            .iter()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .cloned()
            .collect();
        let mut worst = (Risk::Medium, "edits files in place".to_owned());
        for f in files {
            let w = self.write_target(&f);
            if w.0 > worst.0 {
                worst = w;
            }
        }
        self.push(argv, worst.0, worst.1);
    }

    /// `sed SCRIPT`: pure filters are low; `e`, `w`, `r` are judged as
    /// what they write and run.
    pub(super) fn sed(&mut self, argv: &[Word], args: &[String], depth: usize) {
        let scripts: Vec<&String> = {
            let mut v = Vec::new();
            let mut it = args.iter().peekable();
            let mut explicit = false;
            while let Some(a) = it.next() {
                if a == "-e" || a == "--expression" {
                    explicit = true;
                    v.extend(it.next());
                } else if a == "-f" || a == "--file" {
                    explicit = true;
                    v.clear();
                    break;
                }
            }
            if !explicit {
                v.extend(args.iter().find(|a| !a.starts_with('-')));
            }
            v
        };
        if !scripts.is_empty() && scripts.iter().all(|s| sed_is_pure(s)) {
            self.push(argv, Risk::Low, "`sed` filters text");
        } else if !scripts.is_empty() {
            self.push(
                argv,
                Risk::High,
                "`sed` runs a script that writes files or runs commands (`e`, `w`, `r`)",
            );
            // What the script writes (`w FILE`, `s/a/b/w FILE`) and
            // runs (`e CMD`) is judged as such.
            for sc in scripts.iter().take(8) {
                let (writes, runs) = sed_effects(sc);
                for w in writes {
                    let (risk, why) = self.write_target(&w);
                    self.push(argv, risk, format!("`sed` {why}"));
                }
                for r in runs {
                    self.script(&r, depth + 1);
                }
            }
        } else if let Some(f) = option_values(args, "-f")
            .into_iter()
            .chain(option_values(args, "--file"))
            .flatten()
            .find(|f| !self.inside(&self.path(f)))
        {
            let p = self.path(f);
            self.push(
                        argv,
                        Risk::High,
                        format!("`sed` runs the script `{}`, from outside the workspace (it may write files or run commands)", p.display()),
                    );
        } else {
            self.push(
                argv,
                Risk::Medium,
                "`sed` runs a script that may write files or run commands",
            );
        }
    }

    /// `cp`, `mv`, `ln`, `install`, `tee`, `touch`, `mkdir`, `truncate`:
    /// the riskiest of what they write, move away and read.
    pub(super) fn copy_or_write(&mut self, argv: &[Word], name: &str, args: &[String]) {
        // `-t DIR` / `--target-directory=DIR`: every operand lands in DIR.
        let target_dir: Option<String> = ["-t", "--target-directory"]
            .iter()
            .flat_map(|o| option_values(args, o))
            .flatten()
            .next()
            .filter(|_| matches!(name, "cp" | "mv" | "ln" | "install"))
            .map(str::to_owned);
        let in_dir: Vec<String> = target_dir.as_ref().map_or_else(Vec::new, |d| {
            let ops: Vec<&String> = args
                .iter()
                .filter(|a| !a.starts_with('-') && *a != d)
                .collect();
            let mut v: Vec<String> = ops.iter().map(|o| format!("{d}/{}", basename(o))).collect();
            v.push(d.clone());
            v
        });
        let targets: Vec<&String> = match name {
            _ if target_dir.is_some() => in_dir.iter().collect(),
            "cp" | "mv" | "ln" | "install" => args
                .iter()
                .rfind(|a| !a.starts_with('-'))
                .into_iter()
                .collect(),
            _ => args.iter().filter(|a| !a.starts_with('-')).collect(),
        };
        let mut worst = (
            Risk::Medium,
            format!("`{name}` changes files in the workspace"),
        );
        let append = name == "tee" && args.iter().any(|a| a == "-a" || a == "--append");
        let overwrite = !append && !matches!(name, "mkdir" | "touch");
        // `cp x ~/.{bashrc,zshrc}`: every alternative is written.
        for t in targets.iter().flat_map(|t| brace_alternatives(t)) {
            let w = self.write_target_as(&t, overwrite);
            if w.0 > worst.0 {
                worst = w;
            }
        }
        // `cp -s`/`-l` (`--symbolic-link`/`--link`) make links like `ln`.
        let cp_links = name == "cp"
            && (short_flags(args).contains(['s', 'l'])
                || args.iter().any(|a| a == "--symbolic-link" || a == "--link"));
        if name == "ln" || cp_links {
            self.record_links(args, target_dir.as_deref());
        }
        if name == "mv" {
            let sources: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            for src in sources.iter().take(sources.len().saturating_sub(1)) {
                let p = self.path(src);
                let root_like = SYSTEM_DIRS.iter().any(|d| p == Path::new(d))
                    || self.ctx.home.is_some_and(|h| p == h || h.starts_with(&p))
                    || crate::knowledge::get().is_none_or(|k| k.critical_file(&p, self.ctx.home));
                if root_like && !self.inside(&p) {
                    worst = (
                                Risk::Critical,
                                format!("moves `{}` away (a system path, the home directory or a file logins depend on)", p.display()),
                            );
                } else if !self.inside(&p) && !p.starts_with("/tmp") && worst.0 < Risk::High {
                    worst = (
                        Risk::High,
                        format!("moves `{}`, outside the workspace", p.display()),
                    );
                }
            }
        }
        // A target only known at run time could be anywhere.
        let dynamic_target = match name {
            "cp" | "mv" | "ln" | "install" => argv
                .iter()
                .skip(1)
                .rfind(|w| !w.text().starts_with('-'))
                .is_some_and(|w| w.literal().is_none()),
            _ => argv.iter().skip(1).any(|w| w.literal().is_none()),
        };
        if dynamic_target && worst.0 < Risk::High {
            worst = (
                Risk::High,
                format!("`{name}` writes to a path only known at run time"),
            );
        }
        if matches!(name, "cp" | "mv") {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                if let Some(r) = self.read_target(a) {
                    if r.0 > worst.0 {
                        worst = r;
                    }
                }
            }
        }
        self.push(argv, worst.0, worst.1);
    }
}

//! `rm` and `find`, readers (`cat`, `grep`, `less`…), archives (the folders
//! they extract into, absolute paths), local `rsync`.

use super::{
    archived_sources, brace_alternatives, short_flags, Judge, Path, Risk, Word, SYSTEM_DIRS,
};

impl Judge<'_> {
    pub(super) fn rm(&mut self, argv: &[Word], name: &str, args: &[String]) {
        let flags = short_flags(args);
        let recursive =
            flags.contains('r') || flags.contains('R') || args.iter().any(|a| a == "--recursive");
        let targets: Vec<&Word> = argv
            .iter()
            .skip(1)
            .filter(|w| !w.text().starts_with('-'))
            .collect();
        let mut worst = (
            Risk::Medium,
            format!("`{name}` deletes files in the workspace"),
        );
        let targets: Vec<Word> = targets
            .into_iter()
            .flat_map(|w| match w {
                Word::Literal(raw) => brace_alternatives(raw)
                    .into_iter()
                    .map(Word::Literal)
                    .collect(),
                other @ Word::Dynamic(_) => vec![other.clone()],
            })
            .collect();
        for t in &targets {
            let Word::Literal(raw) = t else {
                let level = if recursive {
                    Risk::Critical
                } else {
                    Risk::High
                };
                worst = worst.max((
                    level,
                    format!("deletes a path only known at run time (`{}`)", t.text()),
                ));
                continue;
            };
            let p = self.path(raw);
            let is_root_like = SYSTEM_DIRS.iter().any(|d| p == Path::new(d))
                || self.ctx.home.is_some_and(|h| p == h)
                || raw.starts_with("/*");
            let level = if crate::knowledge::get()
                .is_none_or(|k| k.critical_file(&p, self.ctx.home))
                && !self.inside(&p)
            {
                (
                    Risk::Critical,
                    format!(
                        "deletes `{}`, a system file that logins, privileges or startup depend on",
                        p.display()
                    ),
                )
            } else if is_root_like
                || (!self.inside(&p) && recursive)
                || p == self.ctx.workspace && recursive && raw.contains("..")
            {
                (
                    Risk::Critical,
                    format!("deletes `{}`, outside the workspace", p.display()),
                )
            } else if !self.inside(&p) && !p.starts_with("/tmp") && !p.starts_with("/var/tmp") {
                (
                    Risk::High,
                    format!("deletes `{}`, outside the workspace", p.display()),
                )
            } else if p == self.ctx.workspace && recursive {
                (Risk::High, "deletes the whole workspace".to_owned())
            } else {
                (
                    Risk::Medium,
                    format!("`{name}` deletes files in the workspace"),
                )
            };
            self.out.writes.push(p);
            if level.0 > worst.0 {
                worst = level;
            }
        }
        self.push(argv, worst.0, worst.1);
    }

    pub(super) fn find(&mut self, argv: &[Word], args: &[String], depth: usize) {
        // Start points: after `-H`/`-L`/`-P`/`-D X`/`-O N`, before the
        // first expression word.
        let mut first = 0;
        while let Some(a) = args.get(first) {
            match a.as_str() {
                "-H" | "-L" | "-P" => first += 1,
                "-D" => first += 2,
                o if o.starts_with("-O") => first += 1,
                _ => break,
            }
        }
        let mut roots: Vec<&str> = args
            .get(first..)
            .unwrap_or_default()
            .iter()
            .take_while(|a| !a.starts_with('-') && !matches!(a.as_str(), "(" | "!" | ")" | ","))
            .map(String::as_str)
            .collect();
        if roots.is_empty() {
            roots.push(".");
        }
        let mut risky = false;
        let mut i = 1;
        while let Some(w) = argv.get(i) {
            match w.text() {
                "-exec" | "-execdir" | "-ok" | "-okdir" => {
                    let end = argv
                        .iter()
                        .skip(i + 1)
                        .position(|w| matches!(w.text(), ";" | "+" | "\\;"))
                        .map_or(argv.len(), |e| i + 1 + e);
                    let inner = argv.get(i + 1..end).unwrap_or_default();
                    for root in roots.iter().take(8).filter(|_| !inner.is_empty()) {
                        // `{}` stands for what find finds: paths below its roots.
                        // With `-name X`, what it finds is named X (so
                        // `find ~ -name id_rsa -exec curl -T {} …` sends a key).
                        let found = args
                            .iter()
                            .position(|a| a == "-name" || a == "-iname")
                            .and_then(|i| args.get(i + 1))
                            .filter(|n| !n.contains('/'))
                            .map_or("found", String::as_str);
                        let root = self.path(root).join(found);
                        let inner: Vec<Word> = inner
                            .iter()
                            .map(|w| match w {
                                Word::Literal(t) if t.contains("{}") => {
                                    Word::Literal(t.replace("{}", &root.to_string_lossy()))
                                }
                                other => other.clone(),
                            })
                            .collect();
                        self.argv(&inner, depth + 1);
                    }
                    self.push(argv, Risk::Medium, "`find` runs a command on each match");
                    risky = true;
                    i = end + 1;
                }
                "-delete" => {
                    let outside = roots.iter().map(|r| self.path(r)).find(|p| !self.inside(p));
                    let level = if let Some(p) = outside {
                        (
                            Risk::Critical,
                            format!(
                                "`find -delete` deletes under `{}`, outside the workspace",
                                p.display()
                            ),
                        )
                    } else {
                        (
                            Risk::Medium,
                            "`find -delete` deletes files in the workspace".to_owned(),
                        )
                    };
                    self.push(argv, level.0, level.1);
                    risky = true;
                    i += 1;
                }
                "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                    if let Some(t) = argv.get(i + 1).and_then(Word::literal) {
                        let (r, why) = self.write_target(t);
                        self.push(argv, r, why);
                    }
                    risky = true;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        if !risky {
            self.push(argv, Risk::Low, "`find` only reads");
        }
    }

    /// Readers (`cat`, `grep`, `less`…): low, unless they read a
    /// credential, write a second operand (`uniq IN OUT`), erase the
    /// history or run a shell (`less +!CMD`).
    pub(super) fn reader(&mut self, argv: &[Word], n: &str, args: &[String]) {
        let mut worst = (Risk::Low, format!("`{n}` only reads"));
        if matches!(
            n,
            "cat"
                | "head"
                | "tail"
                | "less"
                | "more"
                | "grep"
                | "rg"
                | "strings"
                | "xxd"
                | "od"
                | "hexdump"
                | "bat"
                | "base64"
        ) {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                if let Some(r) = self.read_target(a) {
                    worst = r;
                }
            }
        }
        if n == "history" && args.iter().any(|a| a == "-c" || a == "-w") {
            worst = (Risk::High, "erases the shell history".into());
        }
        // `uniq IN OUT`, `xxd IN OUT`: the second operand is written.
        if matches!(n, "uniq" | "xxd") {
            let mut ops: Vec<&String> = Vec::new();
            let mut it = args.iter();
            while let Some(a) = it.next() {
                if matches!(
                    a.as_str(),
                    "-l" | "-s"
                        | "-c"
                        | "-g"
                        | "-o"
                        | "-n"
                        | "-f"
                        | "-w"
                        | "-len"
                        | "-seek"
                        | "-cols"
                ) {
                    it.next();
                } else if !a.starts_with('-') || a == "-" {
                    ops.push(a);
                }
            }
            if let Some(out) = ops.get(1).filter(|o| o.as_str() != "-") {
                let w = self.write_target(out);
                if w.0 > worst.0 {
                    worst = w;
                }
            }
        }
        if matches!(n, "less" | "more" | "man")
            && args
                .iter()
                .any(|a| a.starts_with('+') && (a.contains('!') || a.contains('|')))
        {
            worst = (Risk::High, format!("`{n} +!…` runs a shell command"));
        }

        self.push(argv, worst.0, worst.1);
    }

    /// `rsync`: to or from a host is the network's; locally, the
    /// destination is written (`--delete` outside the workspace critical).
    pub(super) fn rsync(&mut self, argv: &[Word], args: &[String]) {
        if args.iter().any(|a| {
            !a.starts_with('-')
                && (a.contains("::") || a.split_once(':').is_some_and(|(h, _)| !h.contains('/')))
        }) {
            self.net(argv, "rsync", args);
        } else {
            let dest = args.iter().rfind(|a| !a.starts_with('-')).cloned();
            let mut worst = (Risk::Medium, "copies files".to_owned());
            if let Some(d) =
                dest.filter(|_| args.iter().filter(|a| !a.starts_with('-')).count() >= 2)
            {
                let p = self.path(&d);
                if args
                    .iter()
                    .any(|a| a.starts_with("--delete") || a == "--remove-source-files")
                    && !self.inside(&p)
                    && !p.starts_with("/tmp")
                {
                    worst = (
                                Risk::Critical,
                                format!("`rsync --delete` deletes whatever is not in the source from `{}`, outside the workspace", p.display()),
                            );
                } else {
                    let w = self.write_target(&d);
                    if w.0 > worst.0 {
                        worst = w;
                    }
                }
            }
            self.push(argv, worst.0, worst.1);
        }
    }

    /// Archives: the folders they extract into, the files they read.
    pub(super) fn archive_reads(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if matches!(name, "tar" | "bsdtar" | "gtar" | "unzip" | "7z" | "7za") {
            self.extract_dirs(argv, name, args);
        }
        for f in archived_sources(name, args) {
            let p = self.path(&f);
            self.out.reads.push(p);
        }
    }

    /// `cpio -i` and `tar -P`: an archive that writes absolute paths.
    pub(super) fn absolute_extract(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if name == "cpio" {
            let flags = short_flags(args);
            let extract = flags.contains('i') || args.iter().any(|a| a == "--extract");
            if extract && !args.iter().any(|a| a == "--no-absolute-filenames") {
                self.push(
                    argv,
                    Risk::High,
                    "`cpio -i` writes the paths the archive names, absolute ones included (no `--no-absolute-filenames`)",
                );
            }
        }
        if matches!(name, "tar" | "gtar" | "bsdtar")
            && (args.iter().any(|a| a == "--absolute-names")
                || args.first().is_some_and(|a| {
                    !a.starts_with("--")
                        && a.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
                        && a.contains('P')
                })
                || args.iter().any(|a| {
                    a.starts_with('-')
                        && !a.starts_with("--")
                        && a.chars().skip(1).all(|c| c.is_ascii_alphabetic())
                        && a.contains('P')
                }))
        {
            self.push(
                argv,
                Risk::High,
                "`tar -P` keeps absolute paths: extracting writes wherever the archive says",
            );
        }
    }
}

//! `rm` and `find`.

use super::{brace_alternatives, short_flags, Judge, Path, Risk, Word, SYSTEM_DIRS};

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
}

//! Interpreters judged by the code they load: a script file, `node -r`
//! preloads, `awk` programs.

use super::{interpreter_script, option_values, Judge, Risk, Word};

impl Judge<'_> {
    /// `python FILE`, `ruby FILE`…: the script, from outside the
    /// workspace or written by this command line.
    pub(super) fn interpreter_file(
        &mut self,
        argv: &[Word],
        name: &str,
        args: &[String],
        depth: usize,
    ) {
        if let Some(f) = interpreter_script(name, args) {
            self.runs_written(argv, f, name, depth);
            let p = self.path(f);
            if !self.inside(&p) && !self.downloads.contains(&p) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`{name}` runs the script `{}`, from outside the workspace",
                        p.display()
                    ),
                );
            }
        }
    }

    /// `node -r FILE`/`--import FILE`: FILE runs before the program.
    pub(super) fn node_preload(
        &mut self,
        argv: &[Word],
        name: &str,
        args: &[String],
        depth: usize,
    ) {
        if matches!(name, "node" | "nodejs" | "bun") {
            // `node -r FILE`/`--import FILE`: FILE runs before the program.
            for o in [
                "-r",
                "--require",
                "--import",
                "--loader",
                "--experimental-loader",
            ] {
                for f in option_values(args, o).into_iter().flatten() {
                    let local = f.starts_with('.') || f.starts_with('/') || f.starts_with('~');
                    if !local {
                        continue;
                    }
                    let p = self.path(f);
                    if self.downloads.contains(&p) {
                        self.push(
                            argv,
                            Risk::Critical,
                            format!("`{name} {o}` runs `{f}`, which this command line downloaded"),
                        );
                    } else if !self.inside(&p) {
                        self.push(
                            argv,
                            Risk::High,
                            format!("`{name} {o}` runs `{f}`, from outside the workspace"),
                        );
                    }
                    self.runs_written(argv, f, name, depth);
                }
            }
        }
    }

    /// `awk PROGRAM`: pure filters are low, `system()` and pipes high.
    pub(super) fn awk(&mut self, argv: &[Word], args: &[String]) {
        let program = args.iter().find(|a| !a.starts_with('-'));
        let pure = !args
            .iter()
            .any(|a| a == "-f" || a.starts_with("--file") || a == "-i")
            && program.is_some_and(|p| {
                !["system", "|", ">", "getline", "close("]
                    .iter()
                    .any(|k| p.contains(k))
            });
        let runs = program.is_some_and(|p| p.contains("system") || p.contains('|'));
        if pure {
            self.push(argv, Risk::Low, "`awk` filters text");
        } else if runs {
            self.push(
                argv,
                Risk::High,
                "`awk` runs shell commands (`system()` or a pipe)",
            );
        } else {
            // What it writes (`print > "FILE"`) is judged by the
            // inline analysis (crate::inline), which tells a
            // redirection from a comparison.
            self.push(
                argv,
                Risk::Medium,
                "`awk` runs a program that may write or run commands",
            );
        }
    }
}

//! Build and package tools and permissions: cargo, JavaScript runners and
//! `npx`, `pip`, `go get`, installs from a URL, chmod/chown.

use super::{option_values, short_flags, Judge, Path, PathBuf, Risk, Word, SYSTEM_DIRS};

impl Judge<'_> {
    pub(super) fn cargo(&mut self, argv: &[Word], args: &[String]) {
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-') && !a.starts_with('+'))
            .map_or("", String::as_str);
        let (risk, reason) = match sub {
            "metadata" | "tree" | "version" | "help" | "search" | "locate-project"
            | "read-manifest" | "pkgid" | "verify-project" | "" => {
                (Risk::Low, format!("`cargo {sub}` only reads"))
            }
            "publish" | "yank" | "owner" | "login" | "logout" => (
                Risk::High,
                format!("`cargo {sub}` publishes or changes a registry"),
            ),
            "install" | "uninstall" => (
                Risk::High,
                "`cargo install` downloads and installs outside the workspace".into(),
            ),
            _ => (
                Risk::Medium,
                format!("`cargo {sub}` builds or tests the workspace"),
            ),
        };
        self.push(argv, risk, reason);
    }

    pub(super) fn js(&mut self, argv: &[Word], name: &str, args: &[String]) {
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        self.options(argv, &format!("{name} {sub}"), args);
        if matches!(sub, "exec" | "x") {
            for o in ["-c", "--call"] {
                for v in option_values(args, o).into_iter().flatten() {
                    let v = v.to_owned();
                    self.script(&v, 1);
                }
            }
        }
        let global = args
            .iter()
            .any(|a| a == "-g" || a == "--global" || a == "--location=global");
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        let (risk, reason) = match sub {
            "publish" | "unpublish" | "deprecate" | "owner" | "login" | "adduser" | "token"
            | "dist-tag" => (
                Risk::High,
                format!("`{name} {sub}` publishes or changes a registry"),
            ),
            _ if global => (
                Risk::High,
                format!("`{name}` installs globally, outside the workspace"),
            ),
            "config" | "set" if args.iter().any(|a| a == "set") || sub == "set" => (
                Risk::High,
                format!("`{name} config set` changes the user's config outside the workspace (`script-shell` and others run programs)"),
            ),
            "dlx" | "exec" | "x" => (
                Risk::High,
                format!("`{name} {sub}` downloads and runs a package"),
            ),
            "ls" | "list" | "view" | "info" | "outdated" | "why" | "explain" | "--version"
            | "-v" | "help" | "config"
                if !args.iter().any(|a| a == "set") =>
            {
                (Risk::Low, format!("`{name} {sub}` only reads"))
            }
            _ => (
                Risk::Medium,
                format!("`{name} {sub}` installs, builds or tests in the workspace"),
            ),
        };
        self.push(argv, risk, reason);
    }

    pub(super) fn chmod(&mut self, argv: &[Word], name: &str, args: &[String]) {
        let recursive = short_flags(args).contains('R') || args.iter().any(|a| a == "--recursive");
        let world = args.iter().any(|a| {
            a == "777" || a == "0777" || a.contains("o+w") || a.contains("a+w") || a == "666"
        });
        let targets: Vec<PathBuf> = args
            .iter()
            .filter(|a| {
                !a.starts_with('-')
                    && !a.chars().all(|c| c.is_ascii_digit())
                    && !a.contains('+')
                    && !a.contains('=')
            })
            .map(|a| self.path(a))
            .collect();
        let system = targets.iter().any(|t| {
            SYSTEM_DIRS
                .iter()
                .any(|d| t == Path::new(d) || (*d != "/" && t.starts_with(d)))
                && !self.inside(t)
        });
        if world && recursive && system {
            self.push(
                argv,
                Risk::Critical,
                format!("`{name} -R` opens system paths to everyone"),
            );
        } else if targets.iter().any(|t| !self.inside(t)) {
            self.push(
                argv,
                Risk::High,
                format!("`{name}` changes permissions outside the workspace"),
            );
        } else {
            self.push(
                argv,
                Risk::High,
                format!("`{name}` changes permissions or ownership"),
            );
        }
    }

    /// `go install|get|run PKG`: downloads and builds PKG.
    pub(super) fn go_get(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if name == "go"
            && matches!(
                args.first().map(String::as_str),
                Some("install" | "get" | "run")
            )
        {
            if let Some(a) = args.iter().skip(1).find(|a| {
                !a.starts_with('-') && !a.starts_with('.') && !a.starts_with('/') && a.contains('.')
            }) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`go {}` downloads and builds `{a}`: its code runs here",
                        args.first().map_or("", String::as_str)
                    ),
                );
            }
        }
    }

    /// Installs from a URL or git remote (the shapes are in
    /// `knowledge.toml`).
    pub(super) fn remote_install(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if let Some(k) = crate::knowledge::get() {
            let mut words = vec![name.to_owned()];
            words.extend(args.iter().cloned());
            if let Some(a) = k.remote_install(&words) {
                self.push(
                    argv,
                    Risk::High,
                    format!(
                        "`{name}` installs from `{a}`, a URL or git remote: its code runs here"
                    ),
                );
            }
        }
    }

    /// `npx`, `pnpx`, `bunx`: a package spec, `create-*` or `--yes` means
    /// a download; otherwise the workspace's own `node_modules/.bin` tool.
    pub(super) fn npx(&mut self, argv: &[Word], name: &str, args: &[String], depth: usize) {
        for o in ["-c", "--call"] {
            for v in option_values(args, o).into_iter().flatten() {
                let v = v.to_owned();
                self.script(&v, depth + 1);
            }
        }
        // A package spec, `create-*` or `--yes` means a download;
        // otherwise the workspace's own node_modules/.bin tool runs.
        let pkg = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        let downloads = args
            .iter()
            .any(|a| matches!(a.as_str(), "-y" | "--yes" | "-p" | "--package"))
            || pkg.contains('@')
            || pkg.starts_with("create-")
            || pkg.contains('/');
        if downloads {
            self.push(argv, Risk::High, "downloads and runs a package");
        } else {
            self.push(
                argv,
                Risk::Medium,
                format!("`{name}` runs the workspace's `{pkg}`"),
            );
        }
    }

    /// `pip`, `pipx`: installs in the workspace are medium, outside high.
    pub(super) fn pip(&mut self, argv: &[Word], args: &[String]) {
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        match sub {
            "install" | "download" | "uninstall"
                if args
                    .iter()
                    .any(|a| a == "--user" || a == "--break-system-packages") =>
            {
                self.push(argv, Risk::High, "installs packages outside the workspace");
            }
            "install" | "download" | "uninstall" => {
                self.push(argv, Risk::Medium, "installs packages");
            }
            "" | "list" | "show" | "freeze" | "check" | "--version" | "help" => {
                self.push(argv, Risk::Low, "inspects packages");
            }
            _ => self.push(argv, Risk::Medium, "manages packages"),
        }
    }
}

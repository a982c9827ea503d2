//! Network clients, `gh auth token`, `openssl s_client`, file servers.

use super::{option_values, remote_names, upload_sources, Judge, Risk, Word};

impl Judge<'_> {
    pub(super) fn net(&mut self, argv: &[Word], name: &str, args: &[String]) {
        self.out.network = true;
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            // A word without a dot or colon is a file or a name, not a host.
            for host in rampart_guard::host::hosts_of(a) {
                if host.contains(['.', ':']) {
                    self.out.hosts.push(host);
                }
            }
        }
        let mut worst = (Risk::High, format!("`{name}` is a network client"));
        for a in args {
            if let Some(f) = a.strip_prefix('@') {
                if let Some(r) = self.read_target(f) {
                    worst = r;
                }
            }
        }
        // Files it uploads: a credential among them is sent away.
        for f in upload_sources(name, args) {
            let p = self.path(&f);
            self.out.reads.push(p.clone());
            if self.is_credential(&p) {
                worst = (
                    Risk::Critical,
                    format!(
                        "sends the credential file `{}` over the network",
                        p.display()
                    ),
                );
            }
        }
        // Files it downloads to: running one later runs downloaded code.
        let outs: Vec<String> = match name {
            "curl" => ["-o", "--output"]
                .iter()
                .flat_map(|o| option_values(args, o))
                .flatten()
                .map(str::to_owned)
                .collect(),
            "wget" => ["-O", "--output-document"]
                .iter()
                .flat_map(|o| option_values(args, o))
                .flatten()
                .map(str::to_owned)
                .collect(),
            _ => Vec::new(),
        };
        for o in outs.into_iter().chain(remote_names(name, args)) {
            let p = self.path(&o);
            self.downloads.push(p);
        }
        if let Some(o) = ["-o", "--option"]
            .iter()
            .flat_map(|o| option_values(args, o))
            .flatten()
            .find(|v| v.to_ascii_lowercase().contains("command"))
            .filter(|_| matches!(name, "ssh" | "scp" | "sftp" | "rsync"))
        {
            worst = worst.max((Risk::High, format!("`{name} -o {o}` runs a local command")));
        }
        self.push(argv, worst.0, worst.1);
    }

    /// `gh auth token`: prints the GitHub token.
    pub(super) fn gh_auth_token(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if name == "gh"
            && args.first().is_some_and(|a| a == "auth")
            && args
                .iter()
                .any(|a| matches!(a.as_str(), "token" | "--show-token" | "-t"))
        {
            let hosts = self.path("~/.config/gh/hosts.yml");
            self.out.reads.push(hosts);
            self.push(argv, Risk::High, "`gh auth token` prints the GitHub token");
        }
    }

    /// `openssl s_client`/`s_server`: a network connection.
    pub(super) fn openssl_connects(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if name == "openssl" && args.iter().any(|a| a == "s_client" || a == "s_server") {
            self.push(
                argv,
                Risk::High,
                "`openssl s_client`/`s_server` opens a network connection",
            );
        }
    }

    /// `httpd`, `php -S`: a file server.
    pub(super) fn serves_files(&mut self, argv: &[Word]) {
        self.push(
            argv,
            Risk::High,
            "serves files over HTTP: whatever it can read is exposed to the network",
        );
    }
}

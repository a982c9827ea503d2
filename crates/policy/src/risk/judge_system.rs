//! The machine itself: system packages, scheduled jobs, services,
//! firewalls, kernel and user settings, raw devices.

use super::{Judge, Risk, Word, DESTROY_DISK, SECURITY_SERVICES};

/// `mkfs`, `mkfs.ext4`, `fdisk`…: programs that destroy disks.
pub(super) fn destroys_disks(n: &str) -> bool {
    DESTROY_DISK
        .iter()
        .any(|d| n == *d || n.starts_with(&format!("{d}.")))
}

impl Judge<'_> {
    /// `apt`, `dnf`, `brew`…: inspecting is low, changing high.
    pub(super) fn system_packages(&mut self, argv: &[Word], args: &[String]) {
        let sub = args
            .iter()
            .find(|a| !a.starts_with('-'))
            .map_or("", String::as_str);
        if matches!(
            sub,
            "list" | "search" | "show" | "info" | "policy" | "-l" | "-q" | ""
        ) || args.iter().any(|a| a == "-l" || a == "-q")
        {
            self.push(argv, Risk::Low, "inspects system packages");
        } else {
            self.push(argv, Risk::High, "changes system packages");
        }
    }

    /// `crontab`, `at`, `batch`: commands run later (listing is low).
    pub(super) fn schedule(&mut self, argv: &[Word], args: &[String]) {
        if args.iter().any(|a| a == "-l") {
            self.push(argv, Risk::Low, "lists scheduled jobs");
        } else {
            self.push(argv, Risk::High, "schedules commands to run later");
        }
    }

    /// `dd of=TARGET`: a device is critical, a file judged as a write.
    pub(super) fn dd(&mut self, argv: &[Word], args: &[String]) {
        let target = args.iter().find_map(|a| a.strip_prefix("of="));
        match target {
            Some(t)
                if self.path(t).starts_with("/dev")
                    && !matches!(t, "/dev/null" | "/dev/stdout") =>
            {
                self.push(
                    argv,
                    Risk::Critical,
                    format!("`dd` writes to the device `{t}`"),
                );
            }
            Some(t) => {
                let (r, why) = self.write_target(t);
                self.push(argv, r.max(Risk::Medium), why);
            }
            None => self.push(argv, Risk::Medium, "copies data"),
        }
    }

    /// `systemctl`, `service`, `launchctl`: stopping a security service
    /// is critical, inspecting low.
    pub(super) fn services(&mut self, argv: &[Word], args: &[String]) {
        let joined = args.join(" ");
        let stops = args
            .iter()
            .any(|a| matches!(a.as_str(), "stop" | "disable" | "mask" | "kill"));
        if stops && SECURITY_SERVICES.iter().any(|s| joined.contains(s)) {
            self.push(argv, Risk::Critical, "disables a security control");
        } else if args.iter().any(|a| {
            matches!(
                a.as_str(),
                "status" | "list-units" | "is-active" | "show" | "cat"
            )
        }) {
            self.push(argv, Risk::Low, "inspects services");
        } else {
            self.push(argv, Risk::High, "changes system services");
        }
    }

    /// `iptables`, `nft`: flushing is critical, listing low.
    pub(super) fn firewall(&mut self, argv: &[Word], args: &[String]) {
        if args.iter().any(|a| {
            matches!(a.as_str(), "-F" | "--flush" | "-X" | "flush")
                || args.join(" ").contains("-P INPUT ACCEPT")
        }) {
            self.push(argv, Risk::Critical, "disables the firewall");
        } else if args
            .iter()
            .any(|a| matches!(a.as_str(), "-L" | "-S" | "list"))
        {
            self.push(argv, Risk::Low, "lists firewall rules");
        } else {
            self.push(argv, Risk::High, "changes firewall rules");
        }
    }

    /// `mount`, `modprobe`, `useradd`, `sysctl -w`…: change the system
    /// (`sysctl` without a setting only reads).
    pub(super) fn system_change(&mut self, argv: &[Word], name: &str, args: &[String]) {
        if name == "sysctl" && !args.iter().any(|a| a.contains('=') || a == "-w") {
            self.push(argv, Risk::Low, "reads kernel settings");
        } else {
            self.push(argv, Risk::High, format!("`{name}` changes the system"));
        }
    }
}

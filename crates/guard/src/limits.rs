//! Size limits on untrusted input, one place for all surfaces: what a
//! caller may send before it is refused unread. Limits the user sets
//! (`[agents] max_file_kb` for the MCP and daemon file tools, `[limits]`
//! for commands) are config, not constants, and are not here.

/// Largest daemon frame (one JSON request or answer on the Unix socket), in bytes.
pub const MAX_FRAME: usize = 1 << 20;

/// Largest Claude Code hook input read from stdin, in bytes; more is refused (deny).
pub const MAX_HOOK_INPUT: u64 = 4 << 20;

/// Largest sealed plan `sandbox-run` reads from its parent, in bytes.
pub const MAX_PLAN: u64 = 1 << 20;

/// Most symlinks one path resolution follows (the kernel's limit too).
pub const MAX_LINKS: u32 = 40;

/// Longest host pattern (a host rule, `allowed_hosts`), in characters.
pub const MAX_HOST_PATTERN: usize = 1000;

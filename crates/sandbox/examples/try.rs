use rampart_sandbox::*;
fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let cwd = std::env::current_dir().unwrap();
    let prog = resolve_program(&args[0], std::env::var_os("PATH").as_deref(), &cwd).unwrap();
    let cmd = Command { program: prog, argv: args.clone(), env: std::env::vars_os().collect(), cwd: cwd.clone() };
    let iso = Isolation::Confined(Confinement { write: WriteScope::Workspace { root: cwd, writable_roots: vec![], slash_tmp: true, tmpdir: None, git: GitWrites::Deny }, network: false, unix_sockets: false, hidden: vec!["/root/.ssh".into()] });
    let lim = Limits { timeout: Some(std::time::Duration::from_secs(5)), max_processes: Some(100), memory_bytes: Some(1<<30), ..Default::default() };
    match run(&cmd, &iso, &lim) { Ok(o) => { eprintln!("{o:?}"); std::process::exit(o.exit_code()) } Err(e) => { eprintln!("error: {e}"); std::process::exit(125) } }
}

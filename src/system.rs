//! What relcheck asks of the machine it runs on: git's configuration and
//! the host's name. One reader of each, for the runner and for `sign`.

use std::process::{Command, Stdio};

/// `git config --get KEY`; `None` when unset, empty, or git is missing.
pub fn git_config(key: &str) -> Option<String> {
    let output = Command::new("git")
        .args(["config", "--get", key])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let value = String::from_utf8(output.stdout).ok()?;
    let value = value.trim_end_matches(['\n', '\r']);
    (output.status.success() && !value.is_empty()).then(|| value.to_string())
}

/// Whether the kernel may back this process's memory with huge pages (2
/// MiB, not 4 KiB) where its allocator asks for them, as jemalloc is set
/// to (.cargo/config.toml): a fortieth of the page faults in reading a
/// long checklist, at the cost of memory held in larger pieces. Best
/// effort: a kernel with none ignores it.
pub fn huge_pages(allow: bool) {
    let _ = nix::sys::prctl::set_thp_disable(!allow);
}

/// The machine's name, or `unknown`.
pub fn host_name() -> String {
    let name = gethostname::gethostname();
    let name = name.to_string_lossy();
    let name = name.trim();
    if name.is_empty() {
        "unknown".to_string()
    } else {
        name.to_string()
    }
}

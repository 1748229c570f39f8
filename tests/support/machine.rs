//! The machine a benchmark ran on, printed beside its figures: CPU model, cores,
//! and the load average (other work on the cores changes every figure). Include
//! with `#[path = "../support/machine.rs"] mod machine;`.
#![allow(dead_code)] // Each bench uses its own subset.

/// The CPU model, from /proc/cpuinfo.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// One line describing the machine now.
pub fn describe() -> String {
    format!(
        "machine: {}, {} cores, load average {} (1, 5, 15 min)",
        cpu_model(),
        cores(),
        load_average()
    )
}

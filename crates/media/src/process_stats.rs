//! This process's CPU and memory, from /proc (Linux). Elsewhere the numbers read as zero.

use std::time::Instant;

/// CPU time of this process since the last sample, as a percentage of one core.
#[derive(Debug)]
pub struct CpuSampler {
    last: Option<(Instant, f64)>,
}

impl Default for CpuSampler {
    fn default() -> Self {
        Self { last: cpu_seconds().map(|cpu| (Instant::now(), cpu)) }
    }
}

impl CpuSampler {
    /// Percent of one core used since the previous call (100 = one full core).
    pub fn sample(&mut self) -> f64 {
        let Some(cpu) = cpu_seconds() else { return 0.0 };
        let now = Instant::now();
        let percent = match self.last {
            Some((then, before)) => {
                let wall = now.duration_since(then).as_secs_f64();
                if wall > 0.0 { (cpu - before) / wall * 100.0 } else { 0.0 }
            }
            None => 0.0,
        };
        self.last = Some((now, cpu));
        percent
    }
}

/// User + system CPU seconds of this process so far.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state(0) ppid(1) … utime(11) stime(12), in clock ticks.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks_per_second())
}

/// Resident memory of this process, in MiB.
pub fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmRSS:")
                    .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn clock_ticks_per_second() -> f64 {
    // USER_HZ is 100 on every Linux architecture we run on.
    100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        assert!(cpu_seconds().is_some_and(|cpu| cpu >= 0.0));
        assert!(rss_mib() > 1.0);
        let mut sampler = CpuSampler::default();
        assert!(sampler.sample() >= 0.0);
    }
}

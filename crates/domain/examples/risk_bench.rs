//! Risk evaluations per second, for each method (issue 4: at least 1,000,000/s).
//!
//! `cargo run --release -p castellan-domain --example risk_bench`

use castellan_domain::asset::Rating;
use castellan_domain::risk::{RiskMethod, RiskTables, evaluate};
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let tables = RiskTables::default();
    let ratings: Vec<Rating> = (1..=5).filter_map(|n| Rating::new(n).ok()).collect();
    let rounds = 80_000;
    for method in RiskMethod::ALL {
        let started = Instant::now();
        let mut checksum = 0_u64;
        for _ in 0..rounds {
            for &t in &ratings {
                for &v in &ratings {
                    for &a in &ratings {
                        let e = evaluate(black_box(method), &tables, t, v, black_box(a));
                        checksum += u64::from(e.risk_value.hundredths());
                    }
                }
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let n = f64::from(rounds) * 125.0;
        println!(
            "{:<15} {:>12.0} evaluations/s ({n:.0} in {seconds:.2} s; checksum {checksum})",
            method.code(),
            n / seconds
        );
    }
}

//! Counts of a module's memory instructions, per memory and inside or
//! outside regions, and of its regions and marker calls: the numbers
//! `mmadapt print` shows and the snapshot tests compare before and after
//! the split.

use crate::access::memory_use;
use crate::indices::memory_indices;
use crate::markers::Markers;
use crate::region_map::RegionMap;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use walrus::ir::Instr;
use walrus::Module;

/// Counts of memory instructions, per memory and region.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Memory operands per memory index, inside any region.
    pub in_region: BTreeMap<u32, usize>,
    /// Memory operands per memory index, outside every region.
    pub outside: BTreeMap<u32, usize>,
    /// Regions by kind name.
    pub regions: BTreeMap<&'static str, usize>,
    /// Marker calls left in the code.
    pub markers: usize,
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mems: BTreeSet<u32> = self
            .in_region
            .keys()
            .chain(self.outside.keys())
            .copied()
            .collect();
        writeln!(f, "memory  inside-regions  outside-regions")?;
        for m in mems {
            writeln!(
                f,
                "{:<6}  {:>14}  {:>15}",
                m,
                self.in_region.get(&m).copied().unwrap_or(0),
                self.outside.get(&m).copied().unwrap_or(0)
            )?;
        }
        let regions: Vec<String> = self
            .regions
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        writeln!(
            f,
            "regions: {}",
            if regions.is_empty() {
                "none".to_string()
            } else {
                regions.join(" ")
            }
        )?;
        write!(f, "markers: {}", self.markers)
    }
}

/// Counts memory operands per memory, inside and outside regions.
pub fn stats(module: &Module, markers: &Markers, map: Option<&RegionMap>) -> Stats {
    let mems = memory_indices(module);
    let mut out = Stats::default();
    if let Some(map) = map {
        for (_, r) in map.regions() {
            *out.regions.entry(r.kind.name()).or_default() += 1;
        }
    }
    for (fid, func) in module.funcs.iter_local() {
        crate::walk::for_each_instr(func, |v| {
            if let Instr::Call(c) = v.instr {
                if markers.op(c.func).is_some() {
                    out.markers += 1;
                }
            }
            let Some(usage) = memory_use(v.instr) else {
                return;
            };
            let inside = map.and_then(|m| m.region_of(fid, v.pos)).is_some();
            let bucket = if inside {
                &mut out.in_region
            } else {
                &mut out.outside
            };
            for m in usage.operand_memories() {
                *bucket.entry(mems[&m]).or_default() += 1;
            }
        });
    }
    out
}

//! `mmadapt print`: the region view of a module.

use crate::FileError;
use mmadapt_ir::printer::{print_module, print_regions, PrintOptions};
use mmadapt_ir::stats::stats;
use mmadapt_ir::{Markers, RegionMap};
use std::collections::BTreeMap;

/// What to print.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrintRequest {
    /// Counts of accesses per memory instead of the code.
    pub stats: bool,
    /// Run the split pipeline first and show its result.
    pub split: bool,
}

pub fn print(path: &str, bytes: &[u8], req: PrintRequest) -> Result<String, FileError> {
    let err = |e: &dyn std::fmt::Display| FileError::new(path, e);
    let (module, markers, map, opts) = if req.split {
        let split = mmadapt_passes::split_bytes(bytes).map_err(|e| err(&e))?;
        (
            split.module,
            Markers::default(),
            split.map,
            PrintOptions::default(),
        )
    } else {
        let module = mmadapt_ir::lift(bytes).map_err(|e| err(&e))?;
        let markers = Markers::find(&module).map_err(|e| err(&e))?;
        let map = RegionMap::compute(&module, &markers, &BTreeMap::new()).map_err(|e| err(&e))?;
        let opts = PrintOptions {
            show_route: module.memories.iter().count() == 1,
        };
        (module, markers, map, opts)
    };
    // A split module has lost its markers: say so rather than let its
    // memory-0 accesses look like accesses outside regions.
    let already_split = !req.split
        && module
            .exports
            .iter()
            .any(|e| e.name == mmadapt_passes::PRIVATE_MEMORY_EXPORT);
    let note = if already_split {
        ";; note: this module was already split; its markers are gone, so regions cannot be shown (print the marked module with --split instead)\n"
    } else {
        ""
    };
    if req.stats {
        return Ok(format!("{note}{}\n", stats(&module, &markers, Some(&map))));
    }
    let mut out = format!("{note};; regions\n");
    out.push_str(&print_regions(&module, &map));
    out.push_str(";; code\n");
    out.push_str(&print_module(&module, &markers, Some(&map), opts));
    Ok(out)
}

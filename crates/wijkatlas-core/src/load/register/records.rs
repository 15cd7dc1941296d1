//! Turning table rows into voorzieningen: category, id, address, location, capacity,
//! with every problem reported by line and column.

use super::columns::ColumnMap;
use super::id;
use super::locate::{number, Located, Locator, Outside};
use super::options::RegisterOptions;
use super::table::{Row, Table};
use crate::load::error::SourceError;
use crate::load::report::{Action, Issue, SourceReport};
use crate::model::{
    Address, Category, Containing, Location, LocationPrecision, SourceId, Voorziening,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// What the rows of one source are read against.
pub struct Context<'a> {
    pub path: &'a Path,
    pub source_name: &'a str,
    pub source: SourceId,
    pub default_category: Option<Category>,
    pub options: &'a RegisterOptions,
    pub locator: Locator<'a>,
}

/// How many rows were placed each way, and how many failed by lying outside.
#[derive(Debug, Default)]
struct Tally {
    by_precision: BTreeMap<&'static str, u64>,
    with_coordinates: u64,
    outside: u64,
    swapped: u64,
    first_outside: Option<String>,
}

pub fn read(
    table: &Table,
    ctx: &Context<'_>,
    seen_ids: &mut HashSet<String>,
    report: &mut SourceReport,
) -> Result<Vec<Voorziening>, SourceError> {
    let mapping: HashMap<String, Category> = ctx
        .options
        .categories
        .iter()
        .map(|(k, v)| (k.trim().to_lowercase(), *v))
        .collect();
    let mut tally = Tally::default();
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        report.read += 1;
        report.kept += 1;
        let reader = RowReader {
            table,
            ctx,
            mapping: &mapping,
            row,
        };
        if let Some(v) = reader.voorziening(seen_ids, &mut tally, report) {
            out.push(v);
        }
    }
    tracing::info!(path = %ctx.path.display(), precision = ?tally.by_precision, "register located");
    judge_coordinates(&tally, table, ctx, report.read)?;
    Ok(out)
}

/// One row of a table on its way to a voorziening: each step reports its own problem
/// and says whether the row goes on.
struct RowReader<'a, 'c> {
    table: &'a Table,
    ctx: &'a Context<'c>,
    mapping: &'a HashMap<String, Category>,
    row: &'a Row,
}

impl RowReader<'_, '_> {
    /// The row's voorziening, or `None` when a problem rejects it.
    fn voorziening(
        &self,
        seen_ids: &mut HashSet<String>,
        tally: &mut Tally,
        report: &mut SourceReport,
    ) -> Option<Voorziening> {
        let (row, cols) = (self.row, self.ctx.locator.columns);
        self.has_every_field(report)?;
        let category = self.checked_category(report)?;
        let (location, precision) = self.located(tally, report)?;
        let address = address(row, cols);
        let postcode = cell(row, cols.postcode);
        let name = cell(row, Some(cols.name)).map(str::to_string);
        let id = self.new_id(
            name.as_deref(),
            address.as_deref(),
            postcode,
            seen_ids,
            report,
        )?;
        let capacity = self.capacity(report);
        let name = name.unwrap_or_else(|| {
            self.issue(
                report,
                header(self.table, Some(cols.name), "name"),
                Action::Warning,
                "no name; the category is used".into(),
            );
            category.label().to_string()
        });
        *tally
            .by_precision
            .entry(precision_key(precision))
            .or_default() += 1;
        Some(Voorziening {
            id,
            category,
            subtype: cell(row, cols.category).map(str::to_string),
            name,
            address: Address {
                street: address,
                postcode: postcode.map(str::to_string),
                city: cell(row, cols.city).map(str::to_string),
            },
            location,
            precision,
            capacity,
            source: self.ctx.source,
            containing: Containing::default(),
        })
    }

    fn issue(&self, report: &mut SourceReport, field: &str, action: Action, problem: String) {
        report.issue(Issue {
            record: self.row.line,
            id: cell(self.row, Some(self.ctx.locator.columns.name)).map(str::to_string),
            field: Some(field.to_string()),
            action,
            problem,
        })
    }

    fn has_every_field(&self, report: &mut SourceReport) -> Option<()> {
        let (fields, headers) = (self.row.fields.len(), self.table.headers.len());
        if fields == headers {
            return Some(());
        }
        self.issue(
            report,
            "row",
            Action::Rejected,
            format!(
                "{fields} fields where the header has {headers}: probably a delimiter inside an unquoted value"
            ),
        );
        None
    }

    /// The row's category, with a warning for a fallback; `None` when it has none.
    fn checked_category(&self, report: &mut SourceReport) -> Option<Category> {
        let cols = self.ctx.locator.columns;
        let field = header(self.table, cols.category, "category");
        match category(self.row, cols, self.mapping, self.ctx.default_category) {
            Ok((c, None)) => Some(c),
            Ok((c, Some(warning))) => {
                self.issue(report, field, Action::Warning, warning);
                Some(c)
            }
            Err(problem) => {
                self.issue(report, field, Action::Rejected, problem);
                None
            }
        }
    }

    /// Where the row is, counting how rows with coordinates were placed.
    fn located(
        &self,
        tally: &mut Tally,
        report: &mut SourceReport,
    ) -> Option<(Location, LocationPrecision)> {
        let cols = self.ctx.locator.columns;
        let located = self.ctx.locator.locate(&self.row.fields);
        if cols.lat_lon.is_some() || cols.x_y.is_some() {
            count_coordinates(tally, &located, &self.row.fields, cols);
        }
        match located {
            Ok(l) => Some(l),
            Err(u) => {
                if u.outside != Outside::No {
                    tally.first_outside.get_or_insert_with(|| u.problem.clone());
                }
                self.issue(report, &u.field, Action::Rejected, u.problem);
                None
            }
        }
    }

    /// The row's own id, or one derived from name, address and postcode; `None` when an
    /// earlier row has it.
    fn new_id(
        &self,
        name: Option<&str>,
        address: Option<&str>,
        postcode: Option<&str>,
        seen_ids: &mut HashSet<String>,
        report: &mut SourceReport,
    ) -> Option<String> {
        let (cols, source_name) = (self.ctx.locator.columns, self.ctx.source_name);
        let id = match cell(self.row, cols.id) {
            Some(own) => format!("{source_name}:{own}"),
            None => id::derived(
                source_name,
                name.unwrap_or(""),
                address.unwrap_or(""),
                postcode.unwrap_or(""),
            ),
        };
        if seen_ids.insert(id.clone()) {
            return Some(id);
        }
        let why = if cols.id.is_some() {
            "duplicate id"
        } else {
            "duplicate record: an earlier row has the same name, address and postcode"
        };
        self.issue(
            report,
            header(self.table, cols.id, "id"),
            Action::Rejected,
            format!("{why} ({id})"),
        );
        None
    }

    /// The capacity when given as a non-negative number; anything else is dropped with
    /// a note.
    fn capacity(&self, report: &mut SourceReport) -> Option<f64> {
        let cols = self.ctx.locator.columns;
        let text = cell(self.row, cols.capacity)?;
        match number(text, self.ctx.options.decimal) {
            Some(c) if c >= 0.0 => Some(c),
            _ => {
                self.issue(
                    report,
                    header(self.table, cols.capacity, "capacity"),
                    Action::ValueDropped,
                    format!("capacity '{text}' is not a non-negative number; read as missing"),
                );
                None
            }
        }
    }
}

/// The register's own category text through the manifest mapping, else as a taxonomy
/// key or label, else the source default. A warning comes back with a fallback.
fn category(
    row: &Row,
    cols: &ColumnMap,
    mapping: &HashMap<String, Category>,
    default: Option<Category>,
) -> Result<(Category, Option<String>), String> {
    let Some(text) = cell(row, cols.category) else {
        return default.map(|c| (c, None)).ok_or_else(|| {
            "no category, and the manifest sets no default category for this source".to_string()
        });
    };
    if let Some(c) = mapping.get(&text.to_lowercase()) {
        return Ok((*c, None));
    }
    if let Ok(c) = text.parse::<Category>() {
        return Ok((c, None));
    }
    let advice = format!("add it to [source.register.categories], e.g. \"{text}\" = \"overig\"");
    match default {
        Some(c) => Ok((
            c,
            Some(format!(
                "category '{text}' is not mapped; the source's default '{c}' is used ({advice})"
            )),
        )),
        None => Err(format!(
            "category '{text}' is not mapped to the taxonomy: {advice}"
        )),
    }
}

fn address(row: &Row, cols: &ColumnMap) -> Option<String> {
    if let Some(a) = cell(row, cols.address) {
        return Some(a.to_string());
    }
    let parts: Vec<&str> = [cell(row, cols.street), cell(row, cols.house_number)]
        .into_iter()
        .flatten()
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Counts a row whose coordinate cells are filled, and whether it lay outside, for
/// [`judge_coordinates`]: rows placed by postcode say nothing about the columns.
fn count_coordinates(tally: &mut Tally, located: &Located, fields: &[String], cols: &ColumnMap) {
    let filled = |pair: Option<(usize, usize)>| {
        pair.is_some_and(|(a, b)| {
            [a, b]
                .iter()
                .any(|&i| fields.get(i).is_some_and(|f| !f.is_empty()))
        })
    };
    if !filled(cols.lat_lon) && !filled(cols.x_y) {
        return;
    }
    tally.with_coordinates += 1;
    if let Err(u) = located {
        match u.outside {
            Outside::No => {}
            Outside::Yes => tally.outside += 1,
            Outside::Swapped => {
                tally.outside += 1;
                tally.swapped += 1;
            }
        }
    }
}

/// A whole source fails when its coordinate columns are evidently swapped (at least
/// 90 % of the coordinate rows would be inside the Netherlands the other way round) or
/// when no record at all lies in the Netherlands: that is a setting, not bad records.
fn judge_coordinates(
    tally: &Tally,
    table: &Table,
    ctx: &Context<'_>,
    read: u64,
) -> Result<(), SourceError> {
    if tally.swapped > 0 && tally.swapped * 10 >= tally.with_coordinates * 9 {
        let cols = ctx.locator.columns;
        let named = |pair: Option<(usize, usize)>, keys: (&str, &str)| {
            pair.map(|(a, b)| {
                let (a, b) = (header(table, Some(a), "?"), header(table, Some(b), "?"));
                (
                    format!("'{a}'/'{b}'"),
                    format!("{} = \"{b}\", {} = \"{a}\"", keys.0, keys.1),
                )
            })
        };
        let pairs: Vec<(String, String)> = [
            named(cols.lat_lon, ("lat", "lon")),
            named(cols.x_y, ("x", "y")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let join = |f: fn(&(String, String)) -> &String, sep: &str| {
            pairs.iter().map(f).cloned().collect::<Vec<_>>().join(sep)
        };
        return Err(SourceError::SwappedAxes {
            path: ctx.path.to_path_buf(),
            swapped: tally.swapped,
            with_coordinates: tally.with_coordinates,
            columns: join(|p| &p.0, " and "),
            fix: join(|p| &p.1, ", "),
        });
    }
    if read > 0 && tally.outside == read {
        return Err(SourceError::NothingInNetherlands {
            path: ctx.path.to_path_buf(),
            read,
            crs: "its coordinate columns".into(),
            hint: tally
                .first_outside
                .clone()
                .unwrap_or_else(|| "check the coordinate columns".into()),
        });
    }
    Ok(())
}

fn precision_key(p: LocationPrecision) -> &'static str {
    match p {
        LocationPrecision::Exact => "exact",
        LocationPrecision::Address => "address",
        LocationPrecision::PostcodeArea => "postcode_area",
        LocationPrecision::Unknown => "unknown",
    }
}

/// A non-empty cell of an optional column.
fn cell(row: &Row, column: Option<usize>) -> Option<&str> {
    column
        .and_then(|c| row.fields.get(c))
        .map(String::as_str)
        .filter(|s| !s.is_empty())
}

/// The header of a column, or `fallback` (what the column would hold) when it is absent.
fn header<'a>(table: &'a Table, column: Option<usize>, fallback: &'a str) -> &'a str {
    column
        .and_then(|c| table.headers.get(c))
        .map_or(fallback, String::as_str)
}

//! Turning table rows into voorzieningen: category, id, address, location, capacity,
//! with every problem reported by line and column.

use super::columns::ColumnMap;
use super::id;
use super::locate::{number, Located, Locator, Outside};
use super::options::RegisterOptions;
use super::table::{Row, Table};
use crate::load::error::SourceError;
use crate::load::report::{Action, Issue, SourceReport};
use crate::model::{Address, Category, Containing, LocationPrecision, SourceId, Voorziening};
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
    let cols = ctx.locator.columns;
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
        let issue = |report: &mut SourceReport, field: &str, action, problem: String| {
            report.issue(Issue {
                record: row.line,
                id: cell(row, Some(cols.name)).map(str::to_string),
                field: Some(field.to_string()),
                action,
                problem,
            })
        };
        if row.fields.len() != table.headers.len() {
            issue(
                report,
                "row",
                Action::Rejected,
                format!(
                "{} fields where the header has {}: probably a delimiter inside an unquoted value",
                row.fields.len(),
                table.headers.len()
            ),
            );
            continue;
        }
        let category = match category(row, cols, &mapping, ctx.default_category) {
            Ok((c, None)) => c,
            Ok((c, Some(warning))) => {
                issue(
                    report,
                    header(table, cols.category, "category"),
                    Action::Warning,
                    warning,
                );
                c
            }
            Err(problem) => {
                issue(
                    report,
                    header(table, cols.category, "category"),
                    Action::Rejected,
                    problem,
                );
                continue;
            }
        };
        let located = ctx.locator.locate(&row.fields);
        if cols.lat_lon.is_some() || cols.x_y.is_some() {
            count_coordinates(&mut tally, &located, &row.fields, cols);
        }
        let (location, precision) = match located {
            Ok(l) => l,
            Err(u) => {
                if u.outside != Outside::No {
                    tally.first_outside.get_or_insert_with(|| u.problem.clone());
                }
                issue(report, &u.field, Action::Rejected, u.problem);
                continue;
            }
        };
        let address = address(row, cols);
        let postcode = cell(row, cols.postcode);
        let name = cell(row, Some(cols.name)).map(str::to_string);
        let id = match cell(row, cols.id) {
            Some(own) => format!("{}:{own}", ctx.source_name),
            None => id::derived(
                ctx.source_name,
                name.as_deref().unwrap_or(""),
                address.as_deref().unwrap_or(""),
                postcode.unwrap_or(""),
            ),
        };
        if !seen_ids.insert(id.clone()) {
            let why = if cols.id.is_some() {
                "duplicate id"
            } else {
                "duplicate record: an earlier row has the same name, address and postcode"
            };
            issue(
                report,
                header(table, cols.id, "id"),
                Action::Rejected,
                format!("{why} ({id})"),
            );
            continue;
        }
        let capacity = match cell(row, cols.capacity) {
            None => None,
            Some(text) => match number(text, ctx.options.decimal) {
                Some(c) if c >= 0.0 => Some(c),
                _ => {
                    issue(
                        report,
                        header(table, cols.capacity, "capacity"),
                        Action::ValueDropped,
                        format!("capacity '{text}' is not a non-negative number; read as missing"),
                    );
                    None
                }
            },
        };
        let name = name.unwrap_or_else(|| {
            issue(
                report,
                header(table, Some(cols.name), "name"),
                Action::Warning,
                "no name; the category is used".into(),
            );
            category.label().to_string()
        });
        *tally
            .by_precision
            .entry(precision_key(precision))
            .or_default() += 1;
        out.push(Voorziening {
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
            source: ctx.source,
            containing: Containing::default(),
        });
    }
    tracing::info!(path = %ctx.path.display(), precision = ?tally.by_precision, "register located");
    judge_coordinates(&tally, table, ctx, report.read)?;
    Ok(out)
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

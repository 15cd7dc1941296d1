//! The profile page: a one-glance summary (bars against the gemeente and the
//! Netherlands, with the same in words), the tables, the housing view and the sources.
//! Prints as a clean A4 report (the print rules in the page's own style).

use super::escape;
use crate::analysis::housing::HousingStanding;
use crate::analysis::profile::{CategoryRow, FigureRow, Profile, Reference};
use crate::model::AreaLevel;
use std::fmt::Write as _;

/// The figures the summary shows, in this order, when the area has them. Distances
/// follow from the categories, measured as the map panel measures them (straight line,
/// mean per inhabitant), so panel and page give the Netherlands one figure.
const SUMMARY: [&str; 6] = [
    "pct_65plus",
    "pct_eenpersoonshuishoudens",
    "pct_huishoudens_laag_inkomen",
    "pct_rond_sociaal_minimum",
    "wmo_clienten_per_1000",
    "pct_corporatiewoningen",
];

// Print: tables lay out by their content (no fixed columns), so a header wraps between
// words and never inside one; a long word sets its column's width instead.
// The summary's bars are HTML, so their labels keep the page's type size on a phone.
pub const PRINT_STYLE: &str = ".klein{font-size:.85rem;color:#444}@page{size:A4;margin:15mm}@media print{.skip,header nav,.geen-print{display:none}body{font-size:10pt}.scroll{overflow:visible}table{width:100%;font-size:7.5pt;table-layout:auto}th,td{padding:2px 3px;overflow-wrap:normal;word-break:normal;hyphens:manual}caption{text-align:left}main,footer{max-width:none;padding:0}a{color:inherit;text-decoration:none}table{page-break-inside:auto}tr{page-break-inside:avoid}.klein{font-size:6.5pt}h2{page-break-after:avoid}.samenvatting,.figuur{page-break-inside:avoid}.balk i{print-color-adjust:exact;-webkit-print-color-adjust:exact}}\
.figuur{margin:0 0 .9rem}.figuur h3{font-size:1rem;margin:.2rem 0}.balk{display:flex;align-items:center;gap:.4rem;margin:.1rem 0}.balk i{display:block;height:.9rem;flex:none;min-width:2px}.balk span{min-width:0}\
.stand{font-weight:600}svg.preview text{font:11px system-ui,sans-serif;fill:#1a1a1a;paint-order:stroke;stroke:#fff;stroke-width:3px}";

/// Dutch: a decimal comma, at most one decimal below 1,000, none from there with a
/// dot between thousands; the rounding of `as_shown`, which the standings use.
fn fmt(v: f64) -> String {
    let v = crate::analysis::profile::as_shown(v);
    let a = v.abs();
    let decimals = if a >= 1000.0 || (a - a.round()).abs() < 1e-9 {
        0
    } else {
        1
    };
    crate::text::dutch_number(v, decimals)
}

/// A reference's value with its own year, e.g. "20% (2022)".
fn with_year(v: f64, unit: &str, year: Option<u16>) -> String {
    match year {
        Some(y) => format!("{} ({y})", with_unit(v, unit)),
        None => with_unit(v, unit),
    }
}

fn with_unit(v: f64, unit: &str) -> String {
    match unit {
        "" => fmt(v),
        "%" => format!("{}%", fmt(v)),
        u => format!("{} {u}", fmt(v)),
    }
}

/// One figure of the summary: the area beside its gemeente and the Netherlands.
struct SummaryRow<'a> {
    label: String,
    unit: &'a str,
    value: f64,
    year: Option<u16>,
    gemeente: Option<&'a Reference>,
    nederland: Option<&'a Reference>,
    standing: Option<&'a str>,
    standing_among: Option<&'a str>,
}

fn summary_rows(p: &Profile) -> Vec<SummaryRow<'_>> {
    let mut rows: Vec<SummaryRow<'_>> = SUMMARY
        .iter()
        .filter_map(|k| p.figures.iter().find(|r| r.key == *k))
        .filter_map(|r: &FigureRow| {
            Some(SummaryRow {
                label: r.label.to_string(),
                unit: r.unit,
                value: r.value?,
                year: r.year,
                gemeente: r.gemeente.as_ref(),
                nederland: r.nederland.as_ref(),
                standing: r.standing_label,
                standing_among: r.standing_among.as_deref(),
            })
        })
        .collect();
    // Distances as the map panel shows them, in km to one decimal.
    for c in &p.categories {
        let Some(m) = c.nearest_m else { continue };
        rows.push(SummaryRow {
            label: format!(
                "Afstand tot {}, hemelsbreed, gemiddeld per inwoner",
                c.label.to_lowercase()
            ),
            unit: "m",
            value: m,
            year: None,
            gemeente: c.nearest_gemeente.as_ref(),
            nederland: c.nearest_nederland.as_ref(),
            standing: None,
            standing_among: None,
        });
    }
    rows
}

/// A summary value as written; metres as the map panel writes them (to 10 m below a
/// kilometre, else km to one decimal), so both show the same figure.
fn shown(v: f64, unit: &str, year: Option<u16>) -> String {
    if unit == "m" {
        if v < 1000.0 {
            format!("{} m", fmt((v / 10.0).round() * 10.0))
        } else {
            with_unit(v / 1000.0, "km")
        }
    } else {
        with_year(v, unit, year)
    }
}

/// Per figure: its name and standing, then a bar each for the area, its gemeente and
/// the Netherlands, labelled with whose it is and its value (with the year of that
/// value), so the graphic reads without its colours. HTML rather than SVG: the labels
/// keep the page's type size on a phone instead of shrinking with a drawing.
fn summary_bars(rows: &[SummaryRow<'_>], with_gemeente: bool) -> String {
    let mut out =
        String::from(r#"<div class="balken" role="img" aria-labelledby="samenvatting-tekst">"#);
    for r in rows {
        let mut values = vec![("dit gebied", Some(r.value), r.year, "#08519c")];
        if with_gemeente {
            values.push((
                "gemeente",
                r.gemeente.map(|g| g.value),
                r.gemeente.and_then(|g| g.year),
                "#6baed6",
            ));
        }
        values.push((
            "Nederland",
            r.nederland.map(|n| n.value),
            r.nederland.and_then(|n| n.year),
            "#737373",
        ));
        let max = values
            .iter()
            .filter_map(|v| v.1)
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE);
        let _ = write!(
            out,
            r#"<div class="figuur"><h3>{}{}</h3>"#,
            escape(&r.label),
            r.standing
                .map(|s| format!(r#" — <span class="stand">{}</span>"#, escape(s)))
                .unwrap_or_default()
        );
        for (who, v, year, colour) in values {
            let Some(v) = v else {
                let _ = write!(
                    out,
                    r#"<div class="balk"><span>{who}: geen gegevens</span></div>"#
                );
                continue;
            };
            // At most half the line, so the label beside the longest bar fits a phone (and wraps
            // rather than runs off it).
            let pct = (v / max * 50.0).max(0.5);
            let _ = write!(
                out,
                r#"<div class="balk"><i style="width:{pct:.1}%;background:{colour}"></i><span>{who} {}</span></div>"#,
                escape(&shown(v, r.unit, year))
            );
        }
        out.push_str("</div>");
    }
    out.push_str("</div>");
    out
}

fn reference_cell(r: &Option<Reference>, unit: &str) -> String {
    match r {
        Some(r) => format!(
            r#"<td class="num">{}<br><span class="klein">{}</span></td>"#,
            escape(&with_unit(r.value, unit)),
            escape(&r.how)
        ),
        None => "<td>—</td>".into(),
    }
}

pub fn page_body(p: &Profile) -> String {
    let mut out = intro(p);
    out.push_str(&summary_section(p));
    out.push_str(&need_paragraph(p));
    out.push_str(&categories_table(p));
    out.push_str(&housing_section(p));
    out.push_str(&changes_section(p));
    out.push_str(&figures_table(p));
    out
}

/// Where the area lies, the links to the map and the downloads, and what the page
/// cannot say (province, GGD region).
fn intro(p: &Profile) -> String {
    let mut out = String::new();
    let level = format!("{:?}", p.level).to_lowercase();
    let _ = write!(
        out,
        r#"<p>{} {} {}{}</p><p class="geen-print"><a href="/kaart#gebied={c}">Bekijk op de kaart</a> · <a href="/profiles/{c}?f=csv">Download als CSV</a> · <a href="/profiles/{c}?f=xlsx">Download als Excel (XLSX)</a> · <a href="/profiles/{c}?f=json">JSON</a> · druk deze pagina af voor een rapport (A4)</p>"#,
        escape(&level),
        escape(&p.code.to_string()),
        p.wijk
            .as_ref()
            .map(|(c, n)| format!("in wijk {} ({c})", escape(n)))
            .unwrap_or_default(),
        p.gemeente
            .as_ref()
            .map(|(c, n)| format!(" in gemeente {} ({c})", escape(n)))
            .unwrap_or_default(),
        c = escape(&p.code.to_string()),
    );
    // Area monitors name the province and GGD region; the loaded sources do not, and a
    // region is not guessed from names or coordinates.
    out.push_str(r#"<p class="klein">Provincie en GGD-regio: niet in de geladen gegevens (de CBS-kerncijfers en de postcodetabel noemen ze niet).</p>"#);
    out
}

/// One glance: the chosen figures as bars, and the same in words.
fn summary_section(p: &Profile) -> String {
    let mut out = String::new();
    let rows = summary_rows(p);
    out.push_str(r#"<section class="samenvatting" aria-labelledby="in-een-oogopslag"><h2 id="in-een-oogopslag">In één oogopslag</h2>"#);
    if rows.is_empty() {
        out.push_str("<p>Voor dit gebied zijn geen kerncijfers geladen om te vergelijken.</p>");
    } else {
        let with_gemeente = p.level != AreaLevel::Gemeente;
        out.push_str(&summary_bars(&rows, with_gemeente));
        out.push_str(r#"<ul id="samenvatting-tekst">"#);
        for r in &rows {
            let _ = write!(
                out,
                "<li>{}: {}{}{}{}</li>",
                escape(&r.label),
                escape(&shown(r.value, r.unit, r.year)),
                r.gemeente
                    .filter(|_| with_gemeente)
                    .map(|g| format!(", gemeente {}", escape(&shown(g.value, r.unit, g.year))))
                    .unwrap_or_default(),
                r.nederland
                    .map(|n| format!(", Nederland {}", escape(&shown(n.value, r.unit, n.year))))
                    .unwrap_or_default(),
                r.standing
                    .map(|s| format!(
                        " — {} ({})",
                        escape(s),
                        escape(r.standing_among.unwrap_or(""))
                    ))
                    .unwrap_or_default(),
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>");
    out
}

/// Need against access, per category; first the need index with exactly what it is
/// made of at this level.
fn need_paragraph(p: &Profile) -> String {
    let components: Vec<String> = p
        .need
        .components
        .iter()
        .map(|(label, w)| format!("{} ({}%)", label.to_lowercase(), fmt((w * 100.0).round())))
        .collect();
    format!(
        r#"<h2>Voorzieningen: tekort en bereik</h2><p>Behoefte-index: <strong>{}</strong> (0 is het gemiddelde van de {}). Op dit niveau gemaakt van: {}.{}</p>"#,
        p.need
            .index
            .map(fmt)
            .unwrap_or_else(|| "te weinig gegevens".into()),
        match p.level {
            AreaLevel::Gemeente => "gemeenten",
            AreaLevel::Wijk => "wijken",
            AreaLevel::Buurt => "buurten",
        },
        escape(&if components.is_empty() {
            "geen onderdelen".to_string()
        } else {
            components.join(", ")
        }),
        if p.need.missing.is_empty() {
            String::new()
        } else {
            escape(&format!(
                " Niet in de gegevens van dit niveau: {}.",
                p.need
                    .missing
                    .iter()
                    .map(|m| m.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    )
}

/// Per category: the nearest, the count nearby, the rank in need and why.
fn categories_table(p: &Profile) -> String {
    let mut out = String::new();
    out.push_str(r#"<div class="scroll"><table><caption>Per categorie: de dichtstbijzijnde voorziening, hoeveel er in de buurt zijn, en de plaats op de ranglijst van tekort</caption><thead><tr><th scope="col">Voorziening</th><th scope="col">Dichtstbij (hemelsbreed, gemiddeld over de inwoners)</th><th scope="col">Volgens CBS (over de weg)</th><th scope="col">Gemiddeld aantal binnen 1 / 3 / 5 km</th><th scope="col">Rang (1 = grootste tekort)</th><th scope="col">Waarom</th><th scope="col">Gegevens</th></tr></thead><tbody>"#);
    for c in &p.categories {
        out.push_str(&category_table_row(c, p.level));
    }
    out.push_str("</tbody></table></div>");
    out
}

fn category_table_row(c: &CategoryRow, level: AreaLevel) -> String {
    format!(
        r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{} / {} / {}</td><td class="num">{}</td><td>{}</td><td>{}</td></tr>"#,
        escape(c.label),
        c.nearest_m
            .map(|m| if m >= 1000.0 {
                format!("{} km", fmt((m / 100.0).round() / 10.0))
            } else {
                format!("{} m", fmt(m))
            })
            .unwrap_or_else(|| "—".into()),
        c.cbs_afstand_km
            .map(|km| format!(
                "{} km{}",
                fmt(km),
                c.cbs_niveau
                    .filter(|l| *l != level)
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ))
            .unwrap_or_else(|| "—".into()),
        fmt(c.within_1km),
        fmt(c.within_3km),
        fmt(c.within_5km),
        c.rank
            .map(|r| format!("{} van {}", fmt(r as f64), fmt(c.ranked_of as f64)))
            .unwrap_or_else(|| "niet gerangschikt op dit niveau".into()),
        escape(c.reason.as_deref().unwrap_or("—")),
        escape(&match c.dekking {
            "buiten" => format!("buiten het gebied van de bron ({})", c.dekking_omschrijving),
            "rand" => format!(
                "aan de rand van de bron ({}); {}",
                c.dekking_omschrijving, c.vraag_basis
            ),
            _ => c.vraag_basis.to_string(),
        }),
    )
}

/// Housing against the 30% target, with the caveat beside it.
fn housing_section(p: &Profile) -> String {
    let housing = match &p.housing {
        HousingStanding::Meets { share_pct } => format!(
            "{}% van de woningen is huurwoning van een corporatie: het doel van {}% is gehaald.",
            fmt(*share_pct),
            fmt(p.housing_target_pct)
        ),
        HousingStanding::Below {
            share_pct,
            gap_pct_points,
            dwellings_short,
            ..
        } => format!(
            "{}% van de woningen is huurwoning van een corporatie: {} procentpunt onder het doel van {}%{}.",
            fmt(*share_pct),
            fmt(*gap_pct_points),
            fmt(p.housing_target_pct),
            dwellings_short
                .map(|d| format!(", ongeveer {} woningen tekort", fmt(d as f64)))
                .unwrap_or_default()
        ),
        HousingStanding::InsufficientData => {
            "CBS publiceert voor dit gebied geen aandeel corporatiewoningen.".into()
        }
    };
    format!(
        "<h2>Wonen: het doel van {}% sociale huur</h2><p>{}</p><p class=\"klein\">{}</p>",
        fmt(p.housing_target_pct),
        escape(&housing),
        escape(p.housing_caveat)
    )
}

/// Every figure, with its references and where it comes from.
fn figures_table(p: &Profile) -> String {
    let mut out = String::new();
    out.push_str(r#"<h2>Alle kerncijfers</h2><div class="scroll"><table><caption>Kerncijfers van dit gebied naast die van de wijk, de gemeente en Nederland, met hoe ze zich verhouden tot de andere gebieden van hetzelfde niveau</caption><thead><tr><th scope="col">Kerncijfer</th><th scope="col">Dit gebied</th>"#);
    let has_wijk = p.figures.iter().any(|r| r.wijk.is_some());
    if has_wijk {
        out.push_str(r#"<th scope="col">Wijk</th>"#);
    }
    out.push_str(r#"<th scope="col">Gemeente</th><th scope="col">Nederland</th><th scope="col">Verhouding</th><th scope="col">Jaar en bron</th></tr></thead><tbody>"#);
    for r in &p.figures {
        out.push_str(&figure_table_row(r, has_wijk));
    }
    out.push_str("</tbody></table></div>");
    out
}

fn figure_table_row(r: &FigureRow, has_wijk: bool) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<tr><th scope="row">{}{}</th><td class="num">{}</td>"#,
        escape(r.label),
        // CBS's distances are over the road, unlike the straight-line ones above.
        if r.unit == "km" {
            r#" <span class="klein">(over de weg, CBS)</span>"#
        } else {
            ""
        },
        r.value
            .map(|v| escape(&with_unit(v, r.unit)))
            .unwrap_or_else(|| "—".into())
    );
    if has_wijk {
        out.push_str(&reference_cell(&r.wijk, r.unit));
    }
    out.push_str(&reference_cell(&r.gemeente, r.unit));
    out.push_str(&reference_cell(&r.nederland, r.unit));
    let _ = write!(
        out,
        "<td>{}</td><td>{}{}</td></tr>",
        r.standing_label
            .map(|s| format!(
                "{} <span class=\"klein\">(z = {}, {})</span>",
                s,
                fmt(r.z.unwrap_or(0.0)),
                escape(r.standing_among.as_deref().unwrap_or(""))
            ))
            .unwrap_or_else(|| "—".into()),
        r.year.map(|y| format!("{y}, ")).unwrap_or_default(),
        // A row with no value of its own: its years are those beside the references.
        if r.value.is_some() {
            escape(r.source.as_deref().unwrap_or(""))
        } else {
            "geen cijfer voor dit gebied; het jaar staat bij elke vergelijking".into()
        },
    );
    out
}

/// The areas one level down (a gemeente's wijken, a wijk's buurten): a numbered map,
/// each area a link to its profile, and a table with their key figures, which is the
/// map's text alternative.
pub fn subareas_section(p: &Profile, dataset: &crate::model::Dataset) -> String {
    let (level, plural) = match p.level {
        AreaLevel::Gemeente => (AreaLevel::Wijk, "wijken"),
        AreaLevel::Wijk => (AreaLevel::Buurt, "buurten"),
        AreaLevel::Buurt => return String::new(),
    };
    if p.subareas.is_empty() {
        return String::new();
    }
    let mut shapes = Vec::new();
    let mut marks = Vec::new();
    for (n, row) in p.subareas.iter().enumerate() {
        let Some(a) = dataset.area(row.code).filter(|a| a.level() == level) else {
            continue;
        };
        shapes.push(super::svg::Shape {
            href: format!("/profiles/{}?f=html", row.code),
            label: format!("{}. {}", n + 1, row.name),
            outline: crate::features::OutlineRd::Area(&a.geometry.rd),
        });
        marks.push((
            geo::Coord {
                x: a.interior_point_rd.x(),
                y: a.interior_point_rd.y(),
            },
            (n + 1).to_string(),
        ));
    }
    let labels: Vec<(&str, &str)> = p.categories.iter().map(|c| (c.category, c.label)).collect();
    let mut out = format!(
        r#"<section aria-labelledby="onderdelen"><h2 id="onderdelen">De {plural} van {name}</h2>{map}<div class="scroll"><table><caption>De {n} {plural} van {name} met hun kerncijfers; het nummer staat ook op de kaart. Rang: 1 is het grootste tekort van alle gerangschikte gebieden; afstand hemelsbreed, gemiddeld per inwoner.</caption><thead><tr><th scope="col">Nr.</th><th scope="col">{singular}</th><th scope="col">Inwoners</th><th scope="col">65 jaar en ouder</th>"#,
        name = escape(&p.name),
        map = super::svg::preview_marked(
            &shapes,
            &marks,
            &format!(
                "Kaart van de {plural} van {}, genummerd als in de tabel",
                p.name
            )
        ),
        n = p.subareas.len(),
        singular = if level == AreaLevel::Wijk {
            "Wijk"
        } else {
            "Buurt"
        },
    );
    for (_, label) in &labels {
        let _ = write!(
            out,
            r#"<th scope="col">{} (rang; afstand)</th>"#,
            escape(label)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for (n, row) in p.subareas.iter().enumerate() {
        let _ = write!(
            out,
            r#"<tr><td class="num">{}</td><th scope="row"><a href="/profiles/{c}?f=html">{}</a> <span class="klein">{c}</span></th><td class="num">{}</td><td class="num">{}</td>"#,
            n + 1,
            escape(&row.name),
            row.inwoners.map_or_else(|| "—".into(), fmt),
            row.pct_65plus
                .map_or_else(|| "—".into(), |v| with_unit(v, "%")),
            c = escape(&row.code.to_string()),
        );
        for (key, _) in &labels {
            let c = row.categories.iter().find(|c| c.category == *key);
            let rank = c
                .and_then(|c| c.rank)
                .map_or_else(|| "—".into(), |r| fmt(r as f64));
            let near = c
                .and_then(|c| c.nearest_m)
                .map_or_else(|| "—".into(), |m| with_unit(m / 1000.0, "km"));
            let _ = write!(out, r#"<td class="num">{rank}; {near}</td>"#);
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></section>");
    out
}

/// How a gemeente puts the map of its own areas on its own site: the iframe code for
/// `/kaart/embed`, with the address the reader used to reach this page.
pub fn embed_section(
    p: &Profile,
    base: &crate::api::base_url::BaseUrl,
    categories: &[(&str, &str)],
) -> String {
    let Some((key, label)) = categories.first() else {
        return String::new();
    };
    let (gemeente, name) = match &p.gemeente {
        Some((c, n)) => (c.to_string(), n.clone()),
        None => (p.code.to_string(), p.name.clone()),
    };
    let src = format!(
        "{}/kaart/embed?gemeente={}&categorie={}",
        base.as_str(),
        gemeente,
        key
    );
    // The code as it is pasted: `&` in the address left as it is (valid HTML and what
    // people expect to read), only the title's quotes escaped. The page escapes it all
    // once more to show it.
    let attribute = super::escape;
    let snippet = format!(
        r#"<iframe src="{src}" title="Kaart: tekort aan {} in {} (wijkatlas)" width="100%" height="520" style="border:0" loading="lazy"></iframe>"#,
        attribute(&label.to_lowercase()),
        attribute(&name)
    );
    let others = categories
        .iter()
        .map(|(k, l)| format!("<code>{}</code> ({})", escape(k), escape(&l.to_lowercase())))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"<section class="geen-print" aria-labelledby="insluiten"><h2 id="insluiten">De kaart op uw eigen site</h2><p>Zet de kaart van {n} op de site van de gemeente met deze code; de kaart heeft een legenda, de bronvermelding, een lijst als alternatief voor de kaart en een link naar de volledige atlas. <a href="{href}">Bekijk de ingesloten kaart</a>.</p><pre style="white-space:pre-wrap;overflow-wrap:anywhere"><code>{code}</code></pre><p class="klein">Andere voorzieningen met <code>categorie=</code>: {others}.</p></section>"#,
        n = escape(&name),
        href = escape(&src),
        code = escape(&snippet),
    )
}

/// Change against each earlier year loaded, or why it is not shown.
fn changes_section(p: &Profile) -> String {
    use crate::analysis::change::Comparison;
    if p.changes.is_empty() {
        return "<h2>Ontwikkeling in de tijd</h2><p>Er is geen eerdere jaargang van dit niveau geladen, dus de ontwikkeling is niet te tonen.</p>".into();
    }
    let mut out = String::new();
    for c in &p.changes {
        let now = c
            .current_year
            .map_or_else(|| "nu".to_string(), |y| y.to_string());
        let _ = write!(
            out,
            "<h2>Ontwikkeling {} – {}</h2>",
            c.earlier_year,
            escape(&now)
        );
        let verdict = match &c.comparison {
            Comparison::Same { overlap_pct } => format!(
                "Vergelijkbaar: dezelfde code en dezelfde grens ({}% overlap).",
                fmt(*overlap_pct)
            ),
            Comparison::Bridged => format!(
                "Overbrugd: dit gebied bestond in {} nog niet in deze vorm. De cijfers van {} zijn {}.",
                c.earlier_year, c.earlier_year, c.how
            ),
            Comparison::NotComparable { reason } => {
                format!("Niet vergelijkbaar: {reason}.")
            }
        };
        let _ = write!(out, "<p><strong>{}</strong></p>", escape(&verdict));
        if c.figures.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            r#"<div class="scroll"><table><caption>Kerncijfers in {0} en {1}, met het verschil ({2})</caption><thead><tr><th scope="col">Kerncijfer</th><th scope="col">{0}</th><th scope="col">{1}</th><th scope="col">Verschil</th></tr></thead><tbody>"#,
            c.earlier_year,
            escape(&now),
            escape(&c.how)
        );
        for f in &c.figures {
            // Shown to one decimal, so a change that rounds away reads as 0, not "-0,0".
            let shown = (f.difference * 10.0).round() / 10.0;
            let shown = if shown == 0.0 { 0.0 } else { shown };
            let f = &crate::analysis::change::FigureChange {
                difference: shown,
                ..f.clone()
            };
            let difference = match (f.unit, f.relative_pct) {
                ("%", _) => format!("{}{} procentpunt", sign(f.difference), fmt(f.difference)),
                (unit, Some(rel)) => format!(
                    "{}{} ({}{}%)",
                    sign(f.difference),
                    with_unit(f.difference, unit),
                    sign(rel),
                    fmt(rel)
                ),
                (unit, None) => format!("{}{}", sign(f.difference), with_unit(f.difference, unit)),
            };
            let _ = write!(
                out,
                r#"<tr><th scope="row">{}</th><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
                escape(f.label),
                escape(&with_unit(f.earlier, f.unit)),
                escape(&with_unit(f.current, f.unit)),
                escape(&difference)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out
}

/// A plus for growth; `fmt` already writes the minus.
fn sign(v: f64) -> &'static str {
    if v > 0.0 {
        "+"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_dutch_way() {
        assert_eq!(fmt(17_590_672.0), "17.590.672");
        assert_eq!(fmt(24.04), "24");
        assert_eq!(fmt(24.06), "24,1");
        assert_eq!(fmt(7.0), "7");
        assert_eq!(with_unit(0.9, "km"), "0,9 km");
        assert_eq!(with_unit(26.0, "%"), "26%");
        assert_eq!(with_year(20.0, "%", Some(2022)), "20% (2022)");
    }

    #[test]
    fn negative_numbers_keep_their_grouping() {
        assert_eq!(fmt(-123_456.0), "-123.456");
        assert_eq!(fmt(-1_234.0), "-1.234");
        assert_eq!(fmt(-999.0), "-999");
        assert_eq!(fmt(-12.34), "-12,3");
        assert_eq!(fmt(-100_000.0), "-100.000");
        // What rounds to zero is written without a sign.
        assert_eq!(fmt(-0.04), "0");
        assert_eq!(fmt(-0.0), "0");
    }
}

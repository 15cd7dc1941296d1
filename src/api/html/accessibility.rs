//! The accessibility statement (toegankelijkheidsverklaring) that Dutch public-sector
//! sites publish: which standard, how it is tested, what is known not to work, and how
//! to report a problem.

/// The statement's body; the page frame comes from `html::page`.
pub fn statement() -> String {
    r#"<p>wijkatlas wil toegankelijk zijn voor iedereen. De pagina's volgen de Web Content Accessibility Guidelines (WCAG) 2.1 op niveau A en AA, zoals de Europese norm EN 301 549 en het Besluit digitale toegankelijkheid overheid vragen.</p>
<h2>Wat we doen</h2>
<ul>
<li>Elke kaart heeft een gelijkwaardig alternatief als lijst of tabel: de ranglijst van gebieden met het grootste tekort, het paneel van een gebied, het profiel van een gebied en, voor bewoners, de lijst van voorzieningen met afstand en reistijd.</li>
<li>Betekenis staat nooit alleen in kleur: elke kleurklasse heeft woorden in de legenda, en de grafiek in een profiel heeft de waarden als tekst en een lijst ernaast.</li>
<li>Alles werkt met het toetsenbord: een link om naar de inhoud te springen, knoppen en keuzelijsten met labels, en op de kaart een nieuwe voorziening plaatsen met Enter en verplaatsen met de pijltjestoetsen.</li>
<li>De taal van de pagina's is Nederlands (<code>lang="nl"</code>), het contrast voldoet aan AA, en de pagina's passen zonder zijwaarts scrollen op een telefoon van 390 pixels breed.</li>
<li>Een profiel is af te drukken als rapport op A4.</li>
</ul>
<h2>Hoe we dat controleren</h2>
<p>Bij elke wijziging draait een test in een echte browser (Chromium) die de kaart voor planners, de pagina voor bewoners, de insluitbare kaart voor de site van een gemeente, een gebiedsprofiel en deze verklaring opent en met axe-core controleert op de WCAG 2.1 A- en AA-regels; de test faalt bij één overtreding. Dezelfde test bedient de kaart met het toetsenbord en op een telefoonscherm.</p>
<h2>Wat (nog) niet goed werkt</h2>
<ul>
<li>De kaart zelf is een afbeelding die wordt getekend met WebGL; een schermlezer leest de kaart niet voor. Gebruik de ranglijst, het gebiedspaneel of het profiel: die bevatten dezelfde informatie.</li>
<li>Zoeken op adres gebruikt de Locatieserver van PDOK vanuit de browser. Is die niet bereikbaar, dan zoekt de pagina alleen op postcode (vier cijfers) en op namen van gemeenten, wijken en buurten.</li>
</ul>
<h2>Een probleem melden</h2>
<p>Loopt u tegen iets aan dat niet toegankelijk is? Meld het bij de organisatie die deze wijkatlas aanbiedt, met de pagina en wat er misging. Wie de server beheert, vindt elke fout terug aan de hand van het verzoeknummer (<code>requestId</code>) in de foutmelding.</p>"#
        .to_string()
}

"""The HTML report's style sheet, for the screen and for printing to PDF."""

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #111; margin: 0 auto;
       max-width: 1400px; padding: 1.5rem 2rem; line-height: 1.4; font-size: 15px; }
h1 { font-size: 1.6rem; margin: 0 0 .4rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid #333;
     padding-bottom: .2rem; }
.meta { color: #333; margin: .2rem 0; }
nav.contents ol { columns: 3 16em; font-size: .9rem; padding-left: 1.6rem; }
nav.contents a { color: #0b3d6e; }
.scroll { overflow-x: auto; margin: .4rem 0 .8rem; }
table.report { border-collapse: collapse; font-size: .85rem; font-variant-numeric: tabular-nums; }
table.report caption { text-align: left; font-weight: bold; padding: .3rem 0; }
table.report th, table.report td { border-bottom: 1px solid #ddd; padding: .2rem .55rem;
                                   vertical-align: top; text-align: left; }
table.report th { background: #eef1f5; border-bottom: 2px solid #555; font-weight: bold; }
table.report .num { text-align: right; white-space: nowrap; }
table.report td.long { min-width: 18em; max-width: 42em; }
table.report tr.summary td { font-weight: bold; background: #f7f7f7; }
table.report tbody tr:nth-child(even) { background: #fafafa; }
p.note { font-size: .85rem; color: #333; font-style: italic; margin: .2rem 0 1rem; }
figure { margin: 1rem 0 1.5rem; }
figure svg { max-width: 100%; height: auto; display: block; }
.figures { display: flex; flex-wrap: wrap; gap: 0 1.5rem; }
.figures figure { flex: 1 1 560px; max-width: 720px; }
figcaption { font-size: .9rem; color: #333; margin-top: .3rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav.contents { break-after: page; }
  nav.contents a { color: inherit; text-decoration: none; }
  section.sheet { break-before: page; }
  h2 { break-after: avoid; margin-top: 0; }
  .scroll { overflow: visible; }
  table.report { font-size: 8pt; }
  table.report.wide { font-size: 6.5pt; }
  table.report th, table.report td { padding: 1px 4px; }
  thead { display: table-header-group; }
  tr, figure, p.note { break-inside: avoid; }
  caption { break-after: avoid; }
  figure svg { max-height: 170mm; width: auto; max-width: 100%; }
}
"""

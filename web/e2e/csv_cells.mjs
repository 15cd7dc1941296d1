// The map's CSV cells, checked without a browser: bundles src/csv.ts with esbuild and
// prints one JSON line of results. Exits non-zero on the first failed check.
import { build } from 'esbuild';

const out = await build({ entryPoints: ['src/csv.ts'], bundle: true, format: 'esm', write: false });
const mod = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'));

let checks = 0;
function check(got, want, what) {
  checks += 1;
  if (got !== want) {
    console.error(`FAIL ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    process.exit(1);
  }
}
for (const [v, want] of [
  ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
  ['=cmd|\' /C calc\'!A0', `'=cmd|' /C calc'!A0`],
  ['+31 6', "'+31 6"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['-2+3', "'-2+3"],
  ['\t=1+1', "'\t=1+1"],
  ['\r=1+1', `"'\r=1+1"`],
  ['-3.5', '-3.5'],
  [-3.5, '-3.5'],
  ['Utrecht', 'Utrecht'],
  ['a,b', '"a,b"'],
  [null, ''],
]) {
  check(mod.cell(v), want, JSON.stringify(v));
}
const text = mod.csvText(['=naam', 'code'], [{ '=naam': '@x', code: 'BU1' }]);
check(text, "\ufeff'=naam,code\r\n'@x,BU1\r\n", 'headers too');
// The Dutch form: `;`, decimal comma, rounded as shown, metres as km, headers neutralised.
const cols = [
  { key: 'naam', header: 'Naam' },
  { key: 'afstand_m', header: 'Afstand (km)', decimals: 1, scale: 0.001 },
  { key: 'gap', header: '=Gap', decimals: 2 },
  { key: 'reden', header: 'Reden' },
];
const dutch = mod.dutchCsvText(cols, [
  { naam: 'Sterrenburg; Dordrecht', afstand_m: 2345.6, gap: -1.23456, reden: '=cmd' },
  { naam: 'Baarn', afstand_m: null, gap: 0.5 },
]);
check(
  dutch,
  "\ufeffNaam;Afstand (km);'=Gap;Reden\r\n\"Sterrenburg; Dordrecht\";2,3;-1,23;'=cmd\r\nBaarn;;0,50;\r\n",
  'Dutch CSV',
);
console.log(JSON.stringify({ checks }));

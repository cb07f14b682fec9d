// What a reader of the HTML report sees, checked inside headless Chromium at a 1200 px wide window
// (html_render_test.sh appends this script to a copy of the report and reads the verdicts back from
// the DOM). Each check writes one line "ok NAME" or "FAIL NAME: why" into <pre id="checks">.
(function () {
  const lines = [];
  const check = (name, ok, why) => lines.push((ok ? 'ok ' : 'FAIL ') + name + (ok ? '' : ': ' + why));
  const width = window.innerWidth;
  const charts = Array.from(document.querySelectorAll('figure svg'));
  const axisTexts = (svg, cls) => Array.from(svg.querySelectorAll('text.' + cls)).map(t => t.textContent);
  const xLabel = svg => (svg.querySelector('text.xlabel') || {}).textContent || '';
  const yLabel = svg => Array.from(svg.querySelectorAll('text[transform]')).map(t => t.textContent).join(' ');

  check('window is 1200 px wide', width === 1200, 'innerWidth ' + width);
  check('page does not scroll sideways', document.documentElement.scrollWidth <= width,
        'scrollWidth ' + document.documentElement.scrollWidth);
  const wide = charts.filter(svg => svg.getBoundingClientRect().right > width + 0.5);
  check('no chart overflows the window', wide.length === 0, wide.length + ' charts end beyond ' + width + ' px');

  // The width is used: the per-seed chart beside the table, a figure's panels side by side.
  const table = document.querySelector('.tables table');
  const strip = document.querySelector('figure#seeds svg');
  const beside = (a, b) => a && b && b.getBoundingClientRect().left >= a.getBoundingClientRect().right &&
      b.getBoundingClientRect().top < a.getBoundingClientRect().bottom;
  check('the per-seed chart is beside the table', beside(table, strip),
        table && strip ? 'table ends at ' + table.getBoundingClientRect().right + ' px, chart starts at ' +
        strip.getBoundingClientRect().left + ' px, ' + strip.getBoundingClientRect().top + ' px down' : 'missing');
  const curves = Array.from(document.querySelectorAll('figure#learning_curves svg'));
  check('learning curves side by side', curves.length === 2 && beside(curves[0], curves[1]),
        curves.length + ' panels');
  const epochCharts = charts.filter(svg => xLabel(svg) === 'epoch');
  check('charts over epochs exist', epochCharts.length >= 3, epochCharts.length + ' found');
  const fractional = epochCharts.flatMap(svg => axisTexts(svg, 'xtick')).filter(t => !/^-?\d+$/.test(t));
  check('epoch ticks are integers', fractional.length === 0, 'ticks ' + fractional.join(' '));
  const layerCharts = charts.filter(svg => xLabel(svg).startsWith('hidden layer'));
  const layerTicks = layerCharts.flatMap(svg => axisTexts(svg, 'xtick'));
  check('layer ticks are integers', layerTicks.length >= 2 && layerTicks.every(t => /^\d+$/.test(t)),
        'ticks ' + layerTicks.join(' '));
  const fractionCharts = charts.filter(svg => /dead fraction|test accuracy/.test(yLabel(svg)));
  const outside = fractionCharts.flatMap(svg => axisTexts(svg, 'ytick')).map(Number).filter(v => !(v >= 0 && v <= 1));
  check('fraction axes stay in [0, 1]', fractionCharts.length >= 2 && outside.length === 0,
        fractionCharts.length + ' charts, ticks outside: ' + outside.join(' '));
  const logCharts = charts.filter(svg => /cross-entropy|dL\/dW/.test(yLabel(svg)));
  const sparse = logCharts.filter(svg => axisTexts(svg, 'ytick').length < 2);
  check('log axes have at least two ticks', logCharts.length >= 2 && sparse.length === 0,
        logCharts.length + ' log charts, ' + sparse.length + ' with fewer than 2 ticks');

  const seeds = document.querySelector('figure#seeds svg');
  const dots = seeds ? seeds.querySelectorAll('g.series circle').length : 0;
  check('strip plot shows every seed and mean', dots >= Number(document.body.dataset.runs || 1),
        dots + ' dots');
  const tips = Array.from(document.querySelectorAll('g.hover circle title')).map(t => t.textContent);
  check('points carry hover values', tips.length > 10 && tips.every(t => /\d/.test(t)),
        tips.length + ' tooltips');

  const button = document.querySelector('.key button');
  const name = button && button.dataset.series;
  const drawn = () => Array.from(document.querySelectorAll('path.series,g.series'))
      .filter(e => e.dataset.series === name && getComputedStyle(e).display !== 'none').length;
  const before = name ? drawn() : 0;
  if (button) button.click();
  const hidden = name ? drawn() : -1;
  if (button) button.click();
  const after = name ? drawn() : -1;
  check('a key button toggles its group', before > 0 && hidden === 0 && after === before,
        'drawn ' + before + ', after one click ' + hidden + ', after two ' + after);

  const pre = document.createElement('pre');
  pre.id = 'checks';
  pre.textContent = lines.join('\n');
  document.body.appendChild(pre);
})();

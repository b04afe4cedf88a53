// Draws the dashboard's charts with Chart.js from the JSON data blocks next to each canvas.
// The same figures are in the table that follows every chart; without this file nothing is lost.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const block = document.getElementById(canvas.dataset.chart);
    if (!block) return;
    const spec = JSON.parse(block.textContent);
    const scales = {};
    if (spec.stacked) {
      scales.x = { stacked: true };
      scales.y = { stacked: true, beginAtZero: true };
    } else {
      scales.y = { beginAtZero: true };
      if (spec.yMax) scales.y.max = spec.yMax;
    }
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales,
        plugins: { legend: { display: spec.datasets.length > 1 } },
      },
    });
    canvas.dataset.drawn = "true";
  });
});

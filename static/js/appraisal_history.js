/*
 * My appraisal history (PRF-3, PRF-4): the monthly combined scores as a line, 0 to 100. The
 * <canvas data-appraisal-chart data-chart-json="ID"> reads {labels, values, bands, label} from a
 * {{ chart|json_script:"ID" }} element; the history table shows the same numbers (the accessible
 * alternative). No inline script (strict CSP).
 */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function draw(canvas) {
    if (canvas.getAttribute("data-chart-ready") || typeof window.Chart === "undefined") {
      return;
    }
    var source = document.getElementById(canvas.getAttribute("data-chart-json"));
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    if (!data || !data.labels || data.labels.length === 0) {
      return;
    }
    canvas.setAttribute("data-chart-ready", "1");
    var box = canvas.parentElement;
    if (box && box.getAttribute("data-chart-height")) {
      box.style.height = box.getAttribute("data-chart-height") + "px";
    }
    var colour = cssVar("--app-brand", "#0b5394");
    var bands = data.bands || [];
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            borderColor: colour,
            backgroundColor: colour,
            tension: 0,
            fill: false,
            pointRadius: 4,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var band = bands[context.dataIndex];
                return context.formattedValue + (band ? " (" + band + ")" : "");
              },
            },
          },
        },
        scales: { y: { min: 0, max: 100 } },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-appraisal-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

/*
 * Complaint statistics (CMP-4): the monthly trend as a line, categories and satisfaction scores as
 * vertical bars. Each <canvas data-complaint-chart="line|bar" data-chart-json="ID"> reads
 * {labels, values, label} from a {{ value|json_script:"ID" }} element; the tables beside the
 * charts show the same numbers (the accessible alternative). No inline script (strict CSP).
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
    var type = canvas.getAttribute("data-complaint-chart") || "bar";
    var colour = cssVar("--app-brand", "#0b5394");
    new window.Chart(canvas, {
      type: type,
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            backgroundColor: colour,
            borderColor: colour,
            borderRadius: type === "bar" ? 4 : 0,
            maxBarThickness: 40,
            tension: 0,
            fill: false,
            pointRadius: 3,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-complaint-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

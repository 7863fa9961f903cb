/*
 * Call Center HR & Operations: the little JavaScript the pages need.
 *
 * - Charts: <canvas data-chart="bar" data-chart-json="ID"> reads {labels, values, label} from a
 *   {{ value|json_script:"ID" }} element; without it, data-chart-table="ID" reads the rows
 *   (<tr data-chart-label="..." data-chart-value="...">) of the table that shows the same
 *   numbers, so chart and table never disagree and the table is the accessible alternative.
 * - htmx: error banner, and a full-page redirect when the session has expired (otherwise htmx
 *   would swap the login page into a table).
 * - <button data-copy-target="ID"> copies the value of the field ID (a new API token).
 *
 * No inline scripts, no eval: works under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function chartData(canvas) {
    var jsonId = canvas.getAttribute("data-chart-json");
    var source = jsonId ? document.getElementById(jsonId) : null;
    if (source) {
      try {
        return JSON.parse(source.textContent);
      } catch (e) {
        return null;
      }
    }
    var tableId = canvas.getAttribute("data-chart-table");
    var table = tableId ? document.getElementById(tableId) : null;
    if (!table) {
      return null;
    }
    var labels = [];
    var values = [];
    table.querySelectorAll("[data-chart-label]").forEach(function (row) {
      labels.push(row.getAttribute("data-chart-label"));
      values.push(Number(row.getAttribute("data-chart-value")) || 0);
    });
    return { labels: labels, values: values, label: canvas.getAttribute("data-chart-series") || "" };
  }

  function initChart(canvas) {
    if (canvas.getAttribute("data-chart-ready") || typeof window.Chart === "undefined") {
      return;
    }
    var data = chartData(canvas);
    if (!data || !data.labels || data.labels.length === 0) {
      return;
    }
    canvas.setAttribute("data-chart-ready", "1");
    // Horizontal bars: long department names stay readable on a phone.
    var box = canvas.parentElement;
    if (box) {
      box.style.height = Math.max(180, 34 * data.labels.length + 60) + "px";
    }
    var colour = cssVar("--app-brand", "#0b5394");
    new window.Chart(canvas, {
      type: canvas.getAttribute("data-chart") || "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.label || "",
            data: data.values,
            backgroundColor: colour,
            borderRadius: 4,
            maxBarThickness: 28,
          },
        ],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { ticks: { autoSkip: false } },
        },
      },
    });
  }

  function initCharts(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(initChart);
  }

  function showError(show) {
    var banner = document.getElementById("htmx-error");
    if (banner) {
      banner.classList.toggle("d-none", !show);
    }
  }

  function loginUrl() {
    return document.body ? document.body.getAttribute("data-login-url") : null;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    var field = button ? document.getElementById(button.getAttribute("data-copy-target")) : null;
    if (!field) {
      return;
    }
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value);
    } else {
      document.execCommand("copy");
    }
    button.classList.add("btn-success");
  });

  if (window.htmx) {
    window.htmx.onLoad(initCharts);

    document.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      var login = loginUrl();
      if (login && xhr && xhr.responseURL) {
        var path = new URL(xhr.responseURL, window.location.href).pathname;
        if (path === login) {
          // The session has ended: show the login page itself, not inside the table.
          event.detail.shouldSwap = false;
          window.location.assign(xhr.responseURL);
        }
      }
    });
    document.addEventListener("htmx:beforeRequest", function () {
      showError(false);
    });
    document.addEventListener("htmx:responseError", function () {
      showError(true);
    });
    document.addEventListener("htmx:sendError", function () {
      showError(true);
    });
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      initCharts(document);
    });
  }
})();

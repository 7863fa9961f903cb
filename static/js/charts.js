/*
 * Charts fed by json_script (no inline script: strict CSP). A page script registers how to
 * build its chart; this module finds the canvases, reads their data and draws each once:
 *
 *   AppCharts.register("canvas[data-review-chart]", function (canvas, data) {
 *     return { type: "bar", data: {...}, options: {...} };   // a Chart.js configuration
 *   });
 *
 * <canvas data-chart-json="ID"> names the {{ value|json_script:"ID" }} element; data without
 * labels draws nothing (the table beside every chart holds the same numbers). A parent with
 * data-chart-height gets that height. Load after Chart.js and before the page script (all defer).
 */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function read(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-json"));
    if (!source) {
      return null;
    }
    try {
      var data = JSON.parse(source.textContent);
      return data && data.labels && data.labels.length ? data : null;
    } catch (e) {
      return null;
    }
  }

  function draw(canvas, build) {
    if (canvas.getAttribute("data-chart-ready") || typeof window.Chart === "undefined") {
      return;
    }
    var data = read(canvas);
    if (!data) {
      return;
    }
    canvas.setAttribute("data-chart-ready", "1");
    var box = canvas.parentElement;
    if (box && box.getAttribute("data-chart-height")) {
      box.style.height = box.getAttribute("data-chart-height") + "px";
    }
    var config = build(canvas, data);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    new window.Chart(canvas, config);
  }

  function register(selector, build) {
    function drawAll() {
      document.querySelectorAll(selector).forEach(function (canvas) {
        draw(canvas, build);
      });
    }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", drawAll);
    } else {
      drawAll();
    }
  }

  window.AppCharts = { register: register, cssVar: cssVar };
})();

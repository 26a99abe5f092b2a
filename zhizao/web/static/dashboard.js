// Draws the charts whose ECharts options the server embedded in #charts; each chart element
// gets data-rendered="1" once ECharts has finished drawing it (the browser tests wait on it).
(function () {
  "use strict";
  var options = JSON.parse(document.getElementById("charts").textContent || "{}");
  var drawn = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.dataset.chart];
    if (!option || typeof echarts === "undefined") { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.rendered = "1"; });
    chart.setOption(option);
    drawn.push(chart);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (chart) { chart.resize(); });
  });
})();
